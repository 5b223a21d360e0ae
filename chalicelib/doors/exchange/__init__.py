"""The partners' door: provinces (at the ministry), agencies (at the ministry), OEMs (at a
province). Each route is served by one stack.

| module | routes | stack |
|---|---|---|
| `provinces.py` | `POST /v1/exchange/token`, `POST /v1/exchange/batch` | ministry |
| `agencies.py` | `GET /v1/agency/vehicles/{vin}/history` | ministry |
| `oem_feed.py` | `POST /v1/oem/token`, `POST /v1/oem/records/batch` | province |

The exchange/v1 contract a province's forwarder and this door share is not a door: it stays
in `chalicelib/exchange/`. Administering partners (exchange credentials, agencies and their
keys, OEM accounts) is the regulators' business, at their door.
"""

from __future__ import annotations

from chalicelib.doors.exchange import agencies, oem_feed, provinces
from chalicelib.doors.exchange.door import door

__all__ = ["agencies", "door", "oem_feed", "provinces"]
