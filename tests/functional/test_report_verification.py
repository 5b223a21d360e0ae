"""The tamper-evident vehicle file: chained, signed receipts and verifiable report codes."""

from __future__ import annotations

import re
import urllib.parse
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


def _lookup(api, vin, plate):
    response = api.client.http.post(
        "/vehicle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"vin": vin, "plate": plate, "lang": "en"}),
    )
    return response.status_code, response.body.decode("utf-8")


def _update(pk, sk, expression, values):
    """Change a stored item behind the system's back, as someone with table access could."""
    boto3.client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
    )


def _entry_sk(vin, record_id):
    items = boto3.client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :rec)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.vehicle_pk(vin)},
            ":rec": {"S": keys.vehicle_entry_prefix()},
        },
    )["Items"]
    return next(i["SK"]["S"] for i in items if i["record_id"]["S"] == record_id)


def test_altering_the_vehicle_entry_the_page_shows_fails_verification_and_is_withheld(api, shop):
    # Given a vehicle file and its report code
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    record_id = receipts[0]["record_id"]
    # When someone edits the odometer of the entry the page and the PDF render from
    _update(
        keys.vehicle_pk(vin),
        _entry_sk(vin, record_id),
        "SET content.repair_mileage = :m",
        {":m": {"N": "7"}},
    )
    # Then the report no longer verifies
    assert _verify(api, code) == (404, False)
    # And the page withholds the altered entry, says so, and issues no code
    status, html = _lookup(api, vin, plate)
    assert status == 200
    assert "<strong>7</strong>" not in html
    assert html.count('<li class="record">') == 1
    assert 'data-notice="withheld"' in html and '<p class="mono code">' not in html
    # And the JSON history leaves it out too, saying how many it left out
    answer = api.get(f"/v1/vehicles/{vin}/history?plate={urllib.parse.quote(plate)}").json
    assert answer["withheld"] == 1 and len(answer["records"]) == 1
    assert all(r["mileage"] != 7 for r in answer["records"])


def test_a_file_whose_only_entry_was_altered_shows_the_notice_and_no_record(api, shop):
    # Given a vehicle with one record, whose entry someone edited
    _, token = shop
    vin, plate = unique_vin(), unique_plate()
    record_id = api.post("/v1/records", record_payload(vin=vin, plate_number=plate), token).json[
        "record_id"
    ]
    _update(
        keys.vehicle_pk(vin),
        _entry_sk(vin, record_id),
        "SET content.fault_description = :f",
        {":f": {"S": "一切正常"}},
    )
    # When the owner looks it up, on the page and as a PDF
    status, html = _lookup(api, vin, plate)
    pdf = api.client.http.post(
        "/vehicle/report.pdf",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/pdf"},
        body=urlencode({"vin": vin, "plate": plate}),
    )
    # Then both answer, showing no record and no code, and the page says why
    assert status == 200 and 'data-notice="withheld"' in html and "一切正常" not in html
    assert '<li class="record">' not in html and '<p class="mono code">' not in html
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")


def test_an_entry_rewritten_with_a_matching_content_hash_is_still_caught(api, shop):
    # Given a vehicle file and its report code
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    record_id = receipts[2]["record_id"]
    sk = _entry_sk(vin, record_id)
    # When someone edits the entry and recomputes its content hash, as a careful forger would
    table = boto3.client("dynamodb")
    item = table.get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": keys.vehicle_pk(vin)}, "SK": {"S": sk}},
    )["Item"]
    from chalicelib.adapters.dynamo_codec import from_item
    from chalicelib.domain.record import RecordContent

    content = dict(from_item(item)["content"], repair_mileage=9)
    forged_hash = RecordContent.from_dict(content).content_hash()
    _update(
        keys.vehicle_pk(vin),
        sk,
        "SET content.repair_mileage = :m, content_hash = :h",
        {":m": {"N": "9"}, ":h": {"S": forged_hash}},
    )
    # Then its chain link gives it away: withheld on the page, and the code fails
    status, html = _lookup(api, vin, plate)
    assert status == 200 and 'data-notice="withheld"' in html and "<strong>9</strong>" not in html
    assert _verify(api, code) == (404, False)


def test_altering_a_records_head_fails_verification(api, shop):
    # Given a vehicle file and its report code
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    # When someone edits the record's head (what the shop reads back)
    _update(
        keys.record_pk(receipts[0]["record_id"]),
        keys.HEAD,
        "SET content.repair_mileage = :m",
        {":m": {"N": "8"}},
    )
    # Then the report no longer verifies
    assert _verify(api, code) == (404, False)


def test_a_hidden_entry_or_a_renamed_shop_fails_verification(api, shop):
    # Given two vehicle files and their report codes
    _, token = shop
    hidden_vin, hidden_plate, hidden = _vehicle(api, token)
    renamed_vin, renamed_plate, renamed = _vehicle(api, token)
    hidden_code = _report_code(api, hidden_vin, hidden_plate)
    renamed_code = _report_code(api, renamed_vin, renamed_plate)
    # When one file's entry is deleted, and the other's shop name (not itself chained) edited
    boto3.client("dynamodb").delete_item(
        TableName=get_settings().table_name,
        Key={
            "PK": {"S": keys.vehicle_pk(hidden_vin)},
            "SK": {"S": _entry_sk(hidden_vin, hidden[2]["record_id"])},
        },
    )
    _update(
        keys.vehicle_pk(renamed_vin),
        _entry_sk(renamed_vin, renamed[2]["record_id"]),
        "SET shop_name = :n",
        {":n": {"S": "别家汽修"}},
    )
    # Then neither report verifies
    assert _verify(api, hidden_code) == (404, False)
    assert _verify(api, renamed_code) == (404, False)


def test_an_entry_put_back_to_its_earlier_version_is_withheld(api, shop):
    # Given a corrected record (version 2 is served)
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    record_id = receipts[1]["record_id"]
    # When someone puts the genuine, chained version 1 back in its place
    version_1 = boto3.client("dynamodb").get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": keys.record_pk(record_id)}, "SK": {"S": keys.version_sk(1)}},
    )["Item"]
    sk = _entry_sk(vin, record_id)
    version_1.update({"PK": {"S": keys.vehicle_pk(vin)}, "SK": {"S": sk}})
    boto3.client("dynamodb").put_item(TableName=get_settings().table_name, Item=version_1)
    # Then the page withholds it: it is not its record's latest link
    status, html = _lookup(api, vin, plate)
    assert status == 200 and 'data-notice="withheld"' in html
    assert html.count('<li class="record">') == 1


def test_corrections_and_voids_after_the_report_keep_its_code_valid(api, shop):
    # Given a vehicle file and its report code
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    later = record_payload(
        vin=vin,
        plate_number=plate,
        repair_date="2024-06-01",
        settlement_date="2024-06-01",
        repair_mileage=16000,
    )
    # When the shop adds a record, corrects one, voids another and moves one to another VIN
    api.post("/v1/records", later, token)
    api.post("/v1/records", dict(later, repair_mileage=16500), token)
    api.post(f"/v1/records/{receipts[2]['record_id']}/void", {"reason": "重复"}, token)
    moved = record_payload(
        vin=vin,
        plate_number=plate,
        settlement_date="2024-07-01",
        repair_date="2024-07-01",
        repair_mileage=17000,
    )
    api.post("/v1/records", moved, token)
    other_code = _report_code(api, vin, plate)
    assert api.post("/v1/records", dict(moved, vin=unique_vin()), token).json["result"] == (
        "corrected"
    )
    # Then the earlier codes still verify, and the page shows every record with a new code
    assert _verify(api, code) == (200, True)
    assert _verify(api, other_code) == (200, True)
    status, html = _lookup(api, vin, plate)
    assert status == 200 and 'data-notice="withheld"' not in html
    assert _verify(api, _report_code(api, vin, plate)) == (200, True)


def _verify_page(api, code, lang):
    response = api.client.http.get(f"/verify/{code}?lang={lang}")
    return response.status_code, response.body.decode("utf-8")


def test_the_verify_page_shows_what_the_report_covered_and_what_changed_since(api, shop):
    # Given a report of a vehicle with two records (the first corrected to 12345 km before it)
    _, token = shop
    vin, plate, receipts = _vehicle(api, token)
    code = _report_code(api, vin, plate)
    first, second = receipts[1]["record_id"], receipts[2]["record_id"]
    # When, after it was issued, one record is voided, the other corrected and a third added
    api.post(f"/v1/records/{first}/void", {"reason": "重复录入"}, token)
    later = record_payload(
        vin=vin,
        plate_number=plate,
        repair_date="2024-05-01",
        settlement_date="2024-05-01",
        repair_mileage=15000,
    )
    stored = api.get(f"/v1/records/{second}", token).json
    corrected = dict(later, settlement_list_code=stored["settlement_list_code"])
    corrected.update(repair_mileage=15500, correction_reason="里程录错")
    assert api.post("/v1/records", corrected, token).json["result"] == "corrected"
    added = dict(later, repair_date="2024-08-01", settlement_date="2024-08-01")
    api.post("/v1/records", dict(added, settlement_list_code="JS-ADDED-" + vin[-6:]), token)
    # Then the code still verifies, and the page lists the records as the report showed them
    status, html = _verify_page(api, code, "en")
    assert status == 200 and 'data-valid="true"' in html
    assert html.count('<li class="record"') == 2
    assert "2024-03-02 · 南京玄武示范汽车维修有限公司" in html
    assert "<strong>12345</strong>" in html and "<strong>15000</strong>" in html
    assert "<strong>15500</strong>" not in html
    assert html.count("<li>发动机油保养 — 1.5 hours</li>") == 2
    # And says which were voided or corrected since, and that one was added
    assert 'data-change="voided"' in html and "voided on" in html and "重复录入" in html
    assert 'data-change="corrected"' in html and "corrected on" in html and "里程录错" in html
    assert 'data-added-later="1"' in html
    # And in Chinese
    status, html = _verify_page(api, code, "zh-CN")
    assert status == 200 and "被作废" in html and "被更正" in html and "新增了 1 条" in html


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
