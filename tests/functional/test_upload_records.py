"""Uploading through the REST door: receipts, idempotency, corrections, flags, batches."""

from __future__ import annotations

from tests.builders import record_payload, unique_vin


def test_new_record_is_created_with_a_receipt(api, shop):
    # Given a registered shop and a valid record
    _, token = shop
    payload = record_payload()
    # When it uploads the record
    response = api.post("/v1/records", payload, token)
    # Then the receipt names a new record, version 1, with no flags
    assert response.status_code == 201
    receipt = response.json
    assert receipt["result"] == "created"
    assert receipt["version"] == 1
    assert receipt["flags"] == []
    assert len(receipt["record_id"]) == 32


def test_replaying_the_same_upload_answers_unchanged_with_the_same_id(api, shop):
    # Given an uploaded record
    _, token = shop
    payload = record_payload()
    first = api.post("/v1/records", payload, token).json
    # When the same content is uploaded again, with different whitespace and VIN case
    again = dict(payload, vin=f"  {payload['vin'].lower()} ", company_name=payload["company_name"])
    second = api.post("/v1/records", again, token)
    # Then the answer is unchanged, same id and version
    assert second.status_code == 200
    assert second.json["result"] == "unchanged"
    assert second.json["record_id"] == first["record_id"]
    assert second.json["version"] == 1


def test_different_content_is_a_correction_and_keeps_earlier_versions(api, shop):
    # Given an uploaded record
    _, token = shop
    payload = record_payload()
    first = api.post("/v1/records", payload, token).json
    # When the shop uploads the same settlement list with a corrected mileage
    corrected = dict(payload, repair_mileage=12500, correction_reason="里程录入错误")
    response = api.post("/v1/records", corrected, token)
    # Then it is a correction to version 2 and both versions stay readable
    assert response.json["result"] == "corrected"
    assert response.json["version"] == 2
    assert response.json["record_id"] == first["record_id"]
    versions = api.get(f"/v1/records/{first['record_id']}/versions", token).json["versions"]
    assert [(v["version"], v["repair_mileage"]) for v in versions] == [(1, 12000), (2, 12500)]
    assert versions[1]["reason"] == "里程录入错误"
    current = api.get(f"/v1/records/{first['record_id']}", token).json
    assert current["version"] == 2


def test_quality_problems_are_accepted_and_flagged(api, shop):
    # Given a record with a bad VIN check digit, an odd plate and mileage 0
    _, token = shop
    payload = record_payload(vin=unique_vin(valid=False), plate_number="ABC", repair_mileage=0)
    # When it is uploaded
    response = api.post("/v1/records", payload, token)
    # Then it is stored, carrying one flag per problem
    assert response.status_code == 201
    codes = {f["code"] for f in response.json["flags"]}
    assert codes == {"vin_check_digit", "plate_format", "mileage_zero"}


def test_foreign_market_vin_without_check_digit_is_flagged_not_rejected(api, shop):
    _, token = shop
    payload = record_payload(vin="WVWZZZ1JZXW000001")
    response = api.post("/v1/records", payload, token)
    assert response.status_code == 201
    assert [f["code"] for f in response.json["flags"]] == ["vin_check_digit"]


def test_odometer_rollback_is_flagged_against_the_earlier_record(api, shop):
    # Given a vehicle serviced at 30,000 km on 2024-03-02
    _, token = shop
    vin = unique_vin()
    api.post("/v1/records", record_payload(vin=vin, repair_mileage=30000), token)
    # When a later visit reports 20,000 km
    later = record_payload(
        vin=vin, repair_mileage=20000, repair_date="2024-06-01", settlement_date="2024-06-01"
    )
    response = api.post("/v1/records", later, token)
    # Then the later record is flagged with the earlier reading and its date
    flag = next(f for f in response.json["flags"] if f["code"] == "mileage_rollback")
    assert flag["detail"]["previous_mileage"] == "30000"
    assert flag["detail"]["previous_settlement_date"] == "2024-03-02"


def test_company_name_differing_from_registry_is_flagged(api, shop):
    _, token = shop
    response = api.post("/v1/records", record_payload(company_name="别的名字"), token)
    assert "company_name_mismatch" in {f["code"] for f in response.json["flags"]}


def test_batch_answers_per_item_and_one_bad_item_fails_alone(api, shop):
    # Given a batch with two good records and one with an impossible date
    _, token = shop
    good, bad, good2 = record_payload(), record_payload(repair_date="2024-02-30"), record_payload()
    # When it is uploaded
    response = api.post("/v1/records/batch", {"records": [good, bad, good2]}, token)
    # Then each item has its own result and the good ones are stored
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status_code"] for r in results] == [201, 400, 201]
    assert results[1]["errors"][0]["field"] == "records.1.repair_date"
    assert results[1]["errors"][0]["rule"] == "date"
    assert api.get(f"/v1/records/{results[2]['record_id']}", token).status_code == 200


def test_batch_of_more_than_100_is_refused_whole(api, shop):
    _, token = shop
    response = api.post("/v1/records/batch", {"records": [record_payload()] * 101}, token)
    assert response.status_code == 400
    assert response.json["errors"][0] == {
        "code": "invalid_field",
        "field": "records",
        "rule": "batch_size",
        "message": "records must be a list of 1–100 items",
    }
