"""A vehicle's maintenance history for someone who proves they hold the vehicle.

Why: the history is personal-adjacent data. Proof of possession is the plate: it must match
the plate on the vehicle's latest record. An unknown VIN and a wrong plate get the very same
NotFoundError, so nobody can probe which VINs the province holds.
"""

from __future__ import annotations

from chalicelib.domain.possession import is_current_plate
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
        vin = normalize_vin(vin)
        entries = self._records.vehicle_history(vin) if 0 < len(vin) <= 32 else []
        proven = is_current_plate(entries, plate)
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
