"""Proof that the person asking holds a record's settlement list: VIN + plate + its number.

Why: an evaluation or an "incorrect record" complaint must come from the vehicle's owner, and
the one thing the owner holds that others do not is the settlement list (结算清单) the shop
handed over: it carries the VIN, the plate and the settlement number. Every failed proof gets
the very same NotFoundError, whatever part was wrong.
"""

from __future__ import annotations

import hmac

from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import NotFoundError
from chalicelib.services.ports import RecordRepository

NO_MATCH = "no record matches this VIN, plate and settlement number"


def proven_record(
    records: RecordRepository, vin: str, plate: str, settlement_list_code: str
) -> StoredRecord:
    """The active record the proof points to, or NotFoundError (one answer for every failure)."""
    vin, plate, code = normalize_vin(vin), normalize_plate(plate), settlement_list_code.strip()
    if not (0 < len(vin) <= 32 and plate and code and len(code) <= 50):
        raise NotFoundError(NO_MATCH)
    matches = [
        r
        for r in records.vehicle_history(vin)
        if hmac.compare_digest(r.content.settlement_list_code.encode(), code.encode())
        and hmac.compare_digest(r.content.plate_number.encode(), plate.encode())
    ]
    if not matches:
        raise NotFoundError(NO_MATCH)
    return max(matches, key=lambda r: (r.content.settlement_date, r.updated_at))
