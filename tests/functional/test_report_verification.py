"""The tamper-evident vehicle file: chained, signed receipts and verifiable report codes."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import boto3

from chalicelib.adapters import keys
from chalicelib.config import get_settings
from tests.builders import record_payload, unique_plate, unique_vin


def _report_code(api, vin, plate):
    response = api.client.http.post(
        "/vehicle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"vin": vin, "plate": plate}),
    )
    match = re.search(r'<p class="mono code">([^<]+)</p>', response.body.decode("utf-8"))
    assert match, "the vehicle page shows a report verification code"
    return match.group(1)


def _verify(api, code):
    response = api.client.http.get(f"/verify/{code}")
    return response.status_code, 'data-valid="true"' in response.body.decode("utf-8")


def _vehicle(api, token):
    vin, plate = unique_vin(), unique_plate()
    first = record_payload(vin=vin, plate_number=plate)
    receipts = [api.post("/v1/records", first, token).json]
    receipts.append(api.post("/v1/records", dict(first, repair_mileage=12345), token).json)
    later = record_payload(
        vin=vin,
        plate_number=plate,
        repair_date="2024-05-01",
        settlement_date="2024-05-01",
        repair_mileage=15000,
    )
    receipts.append(api.post("/v1/records", later, token).json)
    return vin, plate, receipts


def test_every_version_is_the_next_signed_link_of_its_vehicles_chain(api, shop):
    # Given an upload, its correction and a second record of the same vehicle
    _, token = shop
    _, _, receipts = _vehicle(api, token)
    # Then the receipts carry consecutive links, each pointing at the previous hash, signed
    chains = [r["chain"] for r in receipts]
    assert [c["seq"] for c in chains] == [1, 2, 3]
    assert chains[1]["prev_hash"] == chains[0]["hash"]
    assert chains[2]["prev_hash"] == chains[1]["hash"]
    assert all(len(c["signature"]) == 64 for c in chains)


def test_a_replay_answers_the_original_link(api, shop):
    _, token = shop
    payload = record_payload()
    first = api.post("/v1/records", payload, token).json
    again = api.post("/v1/records", payload, token).json
    assert again["chain"] == first["chain"]


def test_the_report_code_verifies_against_the_stored_records(api, shop):
    _, token = shop
    vin, plate, _ = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    assert code.startswith(f"{vin}-3-")
    assert _verify(api, code) == (200, True)


def test_altering_a_stored_record_makes_verification_fail(api, shop):
    # Given a vehicle file and its report code
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    # When someone edits the stored first version behind the system's back
    boto3.client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={
            "PK": {"S": keys.record_pk(receipts[0]["record_id"])},
            "SK": {"S": keys.version_sk(1)},
        },
        UpdateExpression="SET content.repair_mileage = :m",
        ExpressionAttributeValues={":m": {"N": "99"}},
    )
    # Then the report no longer verifies
    assert _verify(api, code) == (404, False)


def test_a_forged_or_malformed_code_does_not_verify(api, shop):
    _, token = shop
    vin, plate, _ = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    forged = code[:-4] + ("0000" if not code.endswith("0000") else "1111")
    assert _verify(api, forged) == (404, False)
    assert _verify(api, "nonsense") == (404, False)
    assert _verify(api, f"{vin}-9-{code.rsplit('-', 1)[1]}") == (404, False)


def test_a_vin_with_a_dash_or_a_slash_gets_a_code_that_verifies(api, shop):
    # Given a record whose VIN, as the shop's DMS sent it, holds a "-" and a "/"
    _, token = shop
    base, plate = unique_vin(), unique_plate()
    vin = f"{base[:5]}-{base[5:10]}/{base[10:15]}"
    upload = api.post("/v1/records", record_payload(vin=vin, plate_number=plate), token)
    assert upload.status_code == 201, upload.json
    # When the owner takes the report's code to the verification page
    code = _report_code(api, vin, plate)
    # Then the code is one URL path segment and it verifies
    assert "/" not in code and code.count("-") == 2
    assert _verify(api, code) == (200, True)
