"""Structural errors: 4xx naming each failing field and rule, and nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.builders import record_payload


def _count(api, token):
    return len(
        api.get("/v1/records?from=1990-01-01&to=2030-12-31&limit=100", token).json["records"]
    )


def _without(payload, field):
    payload = dict(payload)
    del payload[field]
    return payload


FUTURE = (date.today() + timedelta(days=3)).isoformat()

CASES = [
    ("missing field", lambda p: _without(p, "vin"), "vin", "required"),
    ("ill-typed mileage", lambda p: dict(p, repair_mileage="abc"), "repair_mileage", "type"),
    ("mileage as float", lambda p: dict(p, repair_mileage=1.5), "repair_mileage", "type"),
    ("impossible date", lambda p: dict(p, repair_date="2024-02-30"), "repair_date", "date"),
    ("compact date", lambda p: dict(p, repair_date="20240301"), "repair_date", "format"),
    (
        "settled before repair",
        lambda p: dict(p, repair_date="2024-03-05"),
        "settlement_date",
        "not_before_repair_date",
    ),
    (
        "future date",
        lambda p: dict(p, repair_date=FUTURE, settlement_date=FUTURE),
        "settlement_date",
        "not_in_future",
    ),
    ("negative mileage", lambda p: dict(p, repair_mileage=-1), "repair_mileage", "minimum"),
    (
        "empty settlement number",
        lambda p: dict(p, settlement_list_code="  "),
        "settlement_list_code",
        "min_length",
    ),
    (
        "negative hours",
        lambda p: dict(p, repair_items=[{"name": "x", "labour_hours": -1}]),
        "repair_items.0.labour_hours",
        "minimum",
    ),
    (
        "zero quantity",
        lambda p: dict(p, parts=[{"name": "x", "code": "y", "quantity": 0}]),
        "parts.0.quantity",
        "exclusive_minimum",
    ),
    ("unknown field", lambda p: dict(p, price=100), "price", "unknown_field"),
    (
        "no items or parts",
        lambda p: dict(p, repair_items=[], parts=[]),
        "repair_items",
        "min_items",
    ),
    ("unknown plate colour", lambda p: dict(p, plate_color="紫"), "plate_color", "format"),
]


@pytest.mark.parametrize(("case", "mutate", "field", "rule"), CASES, ids=[c[0] for c in CASES])
def test_structural_error_names_field_and_rule_and_writes_nothing(
    api, shop, case, mutate, field, rule
):
    # Given a shop with no records
    _, token = shop
    # When it uploads a record with one structural error
    response = api.post("/v1/records", mutate(record_payload()), token)
    # Then the answer is 400 naming the field and the rule, and nothing was stored
    assert response.status_code == 400, response.json
    assert response.json["code"] == "validation_failed"
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in response.json["errors"]
    ]
    assert _count(api, token) == 0


def test_all_failing_fields_are_reported_at_once(api, shop):
    _, token = shop
    payload = dict(record_payload(), repair_mileage=-5, repair_date="2024-13-01")
    del payload["company_name"]
    fields = {e["field"] for e in api.post("/v1/records", payload, token).json["errors"]}
    assert fields == {"repair_mileage", "repair_date", "company_name"}


def test_malformed_json_is_400(api, shop):
    _, token = shop
    response = api.post("/v1/records", token=token, raw='{"vin": ')
    assert response.status_code == 400
    assert response.json["code"] == "malformed_json"
    assert response.json["errors"][0]["field"] == "body"


def test_wrong_content_type_is_415(api, shop):
    _, token = shop
    response = api.post(
        "/v1/records", record_payload(), token, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json["errors"][0]["rule"] == "application_json"


def test_json_with_charset_is_accepted(api, shop):
    _, token = shop
    response = api.post(
        "/v1/records",
        record_payload(),
        token,
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )
    assert response.status_code == 201


def test_body_over_one_megabyte_is_413_and_nothing_written(api, shop):
    _, token = shop
    payload = record_payload(fault_description="x" * (1024 * 1024))
    response = api.post("/v1/records", payload, token)
    assert response.status_code == 413
    assert response.json["code"] == "payload_too_large"
    assert _count(api, token) == 0


def test_body_that_is_not_an_object_is_400(api, shop):
    _, token = shop
    response = api.post("/v1/records", [record_payload()], token)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/shops?limit=%C2%B2",  # "²": str.isdigit() accepts it, int() cannot read it
        "/v1/audit?limit=%E2%91%A0",  # "①"
        "/v1/search/records?limit=%C2%B2",
    ],
)
def test_numbers_in_non_ascii_digits_are_a_400_not_a_500(api, path):
    # Given a regulator
    token = api.regulator_token()
    # When a page size is written in digits int() cannot read
    response = api.get(path, token)
    # Then it is refused by name like any other bad number
    assert response.status_code == 400, response.json
    assert response.json["errors"][0]["field"] == "limit"
