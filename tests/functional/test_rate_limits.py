"""Limits on the public endpoints: per client address and per VIN, the same for every VIN."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from chalicelib import bootstrap
from chalicelib.config import get_settings
from tests.builders import record_payload, unique_plate, unique_vin


def _limits(monkeypatch, **values):
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    bootstrap.public_gate.cache_clear()


def _history(api, vin, plate):
    return api.get(f"/v1/vehicles/{vin}/history?plate={quote(plate)}")


@pytest.fixture
def vehicle(api, shop):
    _, token = shop
    vin, plate = unique_vin(), unique_plate()
    api.post("/v1/records", record_payload(vin=vin, plate_number=plate), token)
    return vin, plate


def test_one_client_address_is_held_back_after_its_limit(api, vehicle, monkeypatch):
    # Given a limit of 3 public requests per client address
    _limits(monkeypatch, PUBLIC_IP_LIMIT=3, PUBLIC_VIN_LIMIT=100)
    vin, plate = vehicle
    # When the same client asks four times (different VINs)
    answers = [_history(api, unique_vin(), plate).status_code for _ in range(3)]
    limited = _history(api, vin, plate)
    # Then the fourth answer is 429 with Retry-After, even for a VIN with a file
    assert answers == [404, 404, 404]
    assert limited.status_code == 429
    assert limited.json["code"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 600


def test_one_vin_is_held_back_whoever_asks_and_whether_or_not_it_exists(api, vehicle, monkeypatch):
    # Given a limit of 2 requests per VIN per hour
    _limits(monkeypatch, PUBLIC_IP_LIMIT=100, PUBLIC_VIN_LIMIT=2)
    vin, plate = vehicle
    unknown = unique_vin()
    # When both a known and an unknown VIN are asked about three times with wrong plates
    known = [_history(api, vin, "苏Z00000").status_code for _ in range(3)]
    missing = [_history(api, unknown, "苏Z00000").status_code for _ in range(3)]
    # Then both behave the same: two 404s and then 429, so the limit reveals nothing
    assert known == missing == [404, 404, 429]
    # And the right plate is also held back for that VIN until the window ends
    assert _history(api, vin, plate).status_code == 429
    assert _history(api, unique_vin(), plate).status_code == 404


def test_submissions_have_their_own_tighter_limit(api, vehicle, monkeypatch):
    _limits(monkeypatch, PUBLIC_IP_LIMIT=100, PUBLIC_VIN_LIMIT=100, PUBLIC_SUBMIT_LIMIT=2)
    vin, plate = vehicle
    body = {
        "vin": vin,
        "plate": plate,
        "settlement_list_code": "WRONG",
        "scores": dict.fromkeys(("appointment", "attitude", "quality", "speed", "price"), 3),
    }
    statuses = [api.post("/v1/evaluations", body).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    assert _history(api, vin, plate).status_code == 200


def test_the_hosted_page_says_so_in_words(api, vehicle, monkeypatch):
    _limits(monkeypatch, PUBLIC_IP_LIMIT=1)
    vin, plate = vehicle
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = f"vin={vin}&plate={quote(plate)}"
    api.client.http.post("/vehicle", headers=form, body=body)
    page = api.client.http.post("/vehicle", headers=form, body=body)
    assert page.status_code == 429
    assert "查询过于频繁" in page.body.decode("utf-8")
