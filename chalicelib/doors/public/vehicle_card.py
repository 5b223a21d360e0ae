"""What can be decoded from a VIN (manufacturer, region, model year), via `vininfo`.

Why: a maintained decoder knows far more WMI codes than a table we would keep ourselves. The
model year letter repeats every 30 years, so vininfo answers candidates; we show the most
recent one not in the future.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def decode_vin(vin: str, today: date) -> dict[str, Any]:
    try:
        from vininfo import Vin  # imported here: only the hosted page needs it

        decoded = Vin(vin)
        years = [y for y in decoded.years if y <= today.year + 1]
        return {
            "manufacturer": str(decoded.manufacturer or "") or None,
            "country": str(decoded.country or "") or None,
            "region": str(decoded.region or "") or None,
            "model_year": max(years) if years else None,
        }
    except Exception:  # an unusual VIN is still a vehicle file: show what we have
        return {"manufacturer": None, "country": None, "region": None, "model_year": None}
