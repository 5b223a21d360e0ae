"""Proof that the person asking holds a record's settlement list: VIN + plate + its number.

Why: an evaluation or an "incorrect record" complaint must come from the vehicle's owner, and
the one thing the owner holds that others do not is the settlement list (结算清单) the shop
handed over: it carries the VIN, the plate and the settlement number. Consent to agencies
asks more (`proven_current_record`): the plate must also be the vehicle's current one, as for
the public history, because consent outlives the repair and must end with the holder. Every
failed proof gets the very same NotFoundError, whatever part was wrong.
"""

from __future__ import annotations

import hmac

from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.possession import is_current_plate
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import NotFoundError
from chalicelib.services.ports import RecordRepository

NO_MATCH = "no record matches this VIN, plate and settlement number"


def proven_record(
    records: RecordRepository, vin: str, plate: str, settlement_list_code: str
) -> StoredRecord:
    """The active record the proof points to, or NotFoundError (one answer for every failure)."""
    record, _ = _proof(records, vin, plate, settlement_list_code)
    if record is None:
        raise NotFoundError(NO_MATCH)
    return record


def proven_current_record(
    records: RecordRepository, vin: str, plate: str, settlement_list_code: str
) -> StoredRecord:
    """As `proven_record`, and the plate must be the vehicle's current plate: the plate of
    its latest record, which is what the public history asks (across provinces at the
    ministry). So the settlement number must come from a repair under the current plate,
    and an earlier holder's plate and settlement list prove nothing once the file shows a
    newer record under another plate. One NotFoundError for every failure, after both
    checks have run, so neither the answer nor its timing says which fact was wrong.
    """
    record, entries = _proof(records, vin, plate, settlement_list_code)
    current = is_current_plate(entries, plate)
    if record is None or not current:
        raise NotFoundError(NO_MATCH)
    return record


def _proof(
    records: RecordRepository, vin: str, plate: str, settlement_list_code: str
) -> tuple[StoredRecord | None, list[StoredRecord]]:
    """The latest record matching the settlement number and carrying the plate (or None),
    and the vehicle's entries it was found among."""
    vin, plate, code = normalize_vin(vin), normalize_plate(plate), settlement_list_code.strip()
    if not (0 < len(vin) <= 32 and plate and code and len(code) <= 50):
        return None, []
    entries = list(records.vehicle_history(vin))
    matches = [
        r
        for r in entries
        if hmac.compare_digest(r.content.settlement_list_code.encode(), code.encode())
        and hmac.compare_digest(r.content.plate_number.encode(), plate.encode())
    ]
    if not matches:
        return None, entries
    return max(matches, key=lambda r: (r.content.settlement_date, r.updated_at)), entries
