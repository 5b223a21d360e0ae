"""A vehicle's maintenance history for someone who proves they hold the vehicle.

Why: the history is personal-adjacent data. Proof of possession is the plate: it must match
the plate on the vehicle's latest record. An unknown VIN and a wrong plate get the very same
NotFoundError, so nobody can probe which VINs the province holds.
"""

from __future__ import annotations

import hmac

from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import NotFoundError
from chalicelib.services.ports import AuditLog, RecordRepository

NO_MATCH = "no vehicle file matches this VIN and plate"


class VehicleHistoryService:
    def __init__(self, records: RecordRepository, audit: AuditLog) -> None:
        self._records = records
        self._audit = audit

    def history(self, vin: str, plate: str, *, source_ip: str) -> list[StoredRecord]:
        """Non-void records of the vehicle in settlement-date order.

        Raises NotFoundError (one message for every failed proof).
        """
        vin, plate = normalize_vin(vin), normalize_plate(plate)
        entries = self._records.vehicle_history(vin) if 0 < len(vin) <= 32 else []
        latest = next(
            (e.content.plate_number for e in reversed(entries) if e.content.plate_number), ""
        )
        proven = bool(plate) and hmac.compare_digest(latest.encode(), plate.encode())
        self._audit.append(
            actor="public",
            action="vehicle_history.read" if proven else "vehicle_history.denied",
            target=vin[:32],
            source_ip=source_ip,
            details={"records": len(entries)} if proven else None,
        )
        if not proven:
            raise NotFoundError(NO_MATCH)
        return entries
