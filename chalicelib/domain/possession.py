"""Who holds a vehicle now, as far as its records tell: the plate of its latest record.

Why: there are no owner accounts yet, so the only sign of the current holder is the plate
the vehicle carried at its latest repair. The public history, the owner's grants at the
ministry and the agencies' reads under those grants must all agree on it: once the file
shows a newer record under another plate (the vehicle was sold and re-registered, perhaps in
another province), the earlier plate proves nothing any more, and consent given under it
ends. Pure: the entries are the vehicle's records in settlement order, as stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import StoredRecord


def current_plate(entries: Sequence[StoredRecord]) -> str:
    """The plate on the latest record that has one ("" if none has): entries are in
    settlement-date order, across provinces at the ministry."""
    return next((e.content.plate_number for e in reversed(entries) if e.content.plate_number), "")


def is_current_plate(entries: Sequence[StoredRecord], plate: str) -> bool:
    """Whether `plate` (as typed) is the vehicle's current plate; constant-time, so the
    answer's timing does not tell how much of a plate was right."""
    plate = normalize_plate(plate)
    latest = current_plate(entries)
    return bool(plate) and hmac.compare_digest(latest.encode(), plate.encode())
