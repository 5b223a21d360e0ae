"""Helpers of the agency-sharing tests: vehicles at the ministry, agencies, keys, reads.

A vehicle reaches the ministry the way it does in production: its province sends the shop's
registry entry and the record version through the exchange endpoint.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

from chalicelib.domain.record import Flag
from chalicelib.exchange.requests import envelope
from chalicelib.exchange.v1 import record_version_item
from tests.builders import record_payload, unique_code, unique_plate, unique_vin
from tests.exchange_items import SHOP_NAME, shop_change, stored_version

_shops = itertools.count(1)


def ministry_vehicle(
    api,
    province: str = "320000",
    flagged: bool = True,
    stored_at: datetime | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Send one record of a fresh vehicle from `province` to the ministry (flagged
    `vin_check_digit` unless `flagged` is False; stored at the province at `stored_at`, by
    default now); return its proof (vin, plate, settlement_list_code), the payload and the
    shop's companycode."""
    payload = record_payload(
        vin=overrides.pop("vin", unique_vin()),
        plate_number=overrides.pop("plate_number", unique_plate()),
        settlement_list_code=unique_code("MIN"),
        **overrides,
    )
    companycode = f"{province[:2]}0102{next(_shops):09d}"
    token = api.post(
        "/v1/exchange/token",
        {"province_code": province, "secret": api.exchange_secrets[province]},
    ).json["access_token"]
    flags = (Flag("vin_check_digit", "vin"),) if flagged else ()
    record = stored_version(
        companycode, payload=payload, flags=flags, updated_at=stored_at, shop_name=SHOP_NAME
    )
    items = [shop_change(companycode), record_version_item(record)]
    sent = api.post("/v1/exchange/batch", envelope(items), token)
    assert sent.status_code == 200 and all(
        r["result"] == "applied" for r in sent.json["results"]
    ), sent.json
    return {
        "vin": payload["vin"],
        "plate": payload["plate_number"],
        "settlement_list_code": payload["settlement_list_code"],
        "payload": payload,
        "companycode": companycode,
    }


def register_agency(api, name: str, kind: str) -> dict[str, Any]:
    answer = api.post("/v1/agencies", {"name": name, "kind": kind}, api.regulator_token())
    assert answer.status_code in (200, 201), answer.json
    return dict(answer.json)


def issue_key(api, agency_id: str, purpose: str, **terms: Any) -> dict[str, Any]:
    """A new key of the agency (its secret under "key")."""
    body = {"purpose": purpose, **terms}
    answer = api.post(f"/v1/agencies/{agency_id}/keys", body, api.regulator_token())
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def agency_key(api, name: str, kind: str, purpose: str, **terms: Any) -> dict[str, Any]:
    agency = register_agency(api, name, kind)
    return issue_key(api, agency["agency_id"], purpose, **terms)


def agency_read(api, key: str, vin: str, query: str = "") -> Any:
    """GET the agency history with the key in the Authorization header."""
    response = api.client.http.request(
        "GET",
        f"/v1/agency/vehicles/{vin}/history{query}",
        headers={"Authorization": f"Bearer {key}"},
    )
    response.json = json.loads(response.body) if response.body else None
    return response


def proof_form(vehicle: dict[str, Any], **extra: str) -> dict[str, str]:
    return {
        "vin": vehicle["vin"],
        "plate": vehicle["plate"],
        "settlement_list_code": vehicle["settlement_list_code"],
        **extra,
    }
