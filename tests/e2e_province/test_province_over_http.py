"""The province stack over real HTTP: both doors, idempotency, ownership, structural errors."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import quote

import pytest

from tests.builders import compat_payload, record_payload

pytestmark = pytest.mark.e2e
COMPAT = "/restservices/lcipprodatarest"


def _history(http, vin, plate):
    return http.call("GET", f"/v1/vehicles/{vin}/history?plate={quote(plate)}")


def test_a_dms_uploads_through_the_national_interface_and_the_owner_reads_it(http, shop):
    # Given a DMS that talks the national interface with all-string values and string lists
    registered, _ = shop
    token = http.call(
        "POST",
        f"{COMPAT}/lcipprogetaccesstoken/query",
        {"companycode": registered["companycode"], "companypassword": registered["secret"]},
    ).body
    assert (token["code"], token["status"]) == ("1", "获取成功")
    payload = compat_payload(token["access_token"], companyname=registered["name"])
    payload["repairprojectlist"] = json.dumps(payload["repairprojectlist"], ensure_ascii=False)
    # When it adds a record
    added = http.call("POST", f"{COMPAT}/lcipprocarfixrecordadd/query", payload).body
    # Then the answer is the national one and the record is in the vehicle's history
    assert (added["code"], added["status"]) == ("1", "新增成功")
    basic = payload["basicInfo"]
    history = _history(http, basic["vin"], basic["vehicleplatenumber"])
    assert history.status == 200
    assert history.body["records"][0]["repair_items"][0]["name"] == "发动机油保养"


def test_the_same_upload_replayed_five_times_is_one_record(http, shop):
    _, token = shop
    payload = record_payload()
    answers = [http.call("POST", "/v1/records", payload, token) for _ in range(5)]
    assert [a.status for a in answers] == [201, 200, 200, 200, 200]
    assert {a.body["record_id"] for a in answers} == {answers[0].body["record_id"]}
    assert {a.body["version"] for a in answers} == {1}
    assert http.count(token) == 1
    assert len(_history(http, payload["vin"], payload["plate_number"]).body["records"]) == 1


def test_ten_concurrent_identical_uploads_make_one_record(http, shop):
    # Given ten clients sending the same record at the same moment
    _, token = shop
    payload = record_payload()
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(lambda _: http.call("POST", "/v1/records", payload, token), range(10))
        )
    # Then exactly one created it, the others saw it unchanged, and one version exists
    results = sorted(a.body["result"] for a in answers)
    assert results == ["created"] + ["unchanged"] * 9, [a.body for a in answers]
    record_id = answers[0].body["record_id"]
    versions = http.call("GET", f"/v1/records/{record_id}/versions", token=token).body
    assert len(versions["versions"]) == 1
    assert http.count(token) == 1


def test_a_correction_keeps_the_earlier_version(http, shop):
    _, token = shop
    payload = record_payload()
    first = http.call("POST", "/v1/records", payload, token).body
    fixed = dict(payload, fault_description="更正：更换空调滤芯")
    second = http.call("POST", "/v1/records", fixed, token).body
    assert (second["result"], second["version"]) == ("corrected", 2)
    versions = http.call("GET", f"/v1/records/{first['record_id']}/versions", token=token).body
    assert [v["fault_description"] for v in versions["versions"]] == [
        payload["fault_description"],
        fixed["fault_description"],
    ]


def test_shop_a_cannot_read_correct_or_void_shop_bs_record(http, shop):
    # Given shop B's record
    _, token_b = shop
    payload = record_payload()
    record_id = http.call("POST", "/v1/records", payload, token_b).body["record_id"]
    _, token_a = http.new_shop()
    # When shop A reads, voids, or uploads the same settlement number with other content
    read = http.call("GET", f"/v1/records/{record_id}", token=token_a)
    void = http.call("POST", f"/v1/records/{record_id}/void", {"reason": "x"}, token_a)
    own = http.call("POST", "/v1/records", dict(payload, repair_mileage=1), token_a)
    # Then A gets 404s, its upload is its own record, and B's record is untouched
    assert read.status == void.status == 404
    assert own.body["record_id"] != record_id and own.body["result"] == "created"
    mine = http.call("GET", f"/v1/records/{record_id}", token=token_b).body
    assert (mine["status"], mine["version"], mine["repair_mileage"]) == ("active", 1, 12000)


def test_wrong_plate_is_the_same_404_as_an_unknown_vin(http, shop):
    _, token = shop
    payload = record_payload()
    http.call("POST", "/v1/records", payload, token)
    wrong = _history(http, payload["vin"], "苏Z99999")
    unknown = _history(http, "LSVAU2180N2999999", payload["plate_number"])
    assert wrong.status == unknown.status == 404
    assert wrong.body == unknown.body


FUTURE = (date.today() + timedelta(days=3)).isoformat()
STRUCTURAL = [
    ("missing", {"vin": None}, "vin", "required"),
    ("ill-typed", {"repair_mileage": "abc"}, "repair_mileage", "type"),
    ("impossible date", {"repair_date": "2024-02-30"}, "repair_date", "date"),
    (
        "settled before repair",
        {"repair_date": "2024-03-09"},
        "settlement_date",
        "not_before_repair_date",
    ),
    (
        "future",
        {"repair_date": FUTURE, "settlement_date": FUTURE},
        "settlement_date",
        "not_in_future",
    ),
    ("negative mileage", {"repair_mileage": -3}, "repair_mileage", "minimum"),
    ("empty settlement number", {"settlement_list_code": ""}, "settlement_list_code", "min_length"),
]


@pytest.mark.parametrize(
    ("case", "change", "field", "rule"), STRUCTURAL, ids=[c[0] for c in STRUCTURAL]
)
def test_structural_errors_answer_400_naming_field_and_rule(http, shop, case, change, field, rule):
    _, token = shop
    payload = {k: v for k, v in {**record_payload(), **change}.items() if v is not None}
    answer = http.call("POST", "/v1/records", payload, token)
    assert answer.status == 400
    assert (field, rule) in {(e["field"], e["rule"]) for e in answer.body["errors"]}
    assert http.count(token) == 0


def test_batch_over_100_malformed_json_wrong_type_and_huge_body_are_refused(http, shop):
    _, token = shop
    batch = http.call("POST", "/v1/records/batch", {"records": [record_payload()] * 101}, token)
    malformed = http.call("POST", "/v1/records", token=token, raw=b'{"vin": "x",')
    wrong_type = http.call(
        "POST", "/v1/records", token=token, raw=b"vin=x", content_type="text/plain"
    )
    huge = http.call("POST", "/v1/records", record_payload(fault_description="长" * 400_000), token)
    assert (batch.status, batch.body["errors"][0]["rule"]) == (400, "batch_size")
    assert (malformed.status, malformed.body["code"]) == (400, "malformed_json")
    assert (wrong_type.status, wrong_type.body["code"]) == (415, "unsupported_media_type")
    assert (huge.status, huge.body["code"]) == (413, "payload_too_large")
    assert http.count(token) == 0


def test_suspension_and_rotation_take_effect_at_once(http, shop):
    registered, token = shop
    regulator = http.regulator()
    code = registered["companycode"]
    http.call("POST", f"/v1/shops/{code}/suspend", {}, regulator)
    assert http.call("POST", "/v1/records", record_payload(), token).status == 403
    http.call("POST", f"/v1/shops/{code}/reinstate", {}, regulator)
    rotated = http.call("POST", f"/v1/shops/{code}/secret", {}, regulator).body
    assert http.call("GET", "/v1/records", token=token).status == 401
    old = http.call("POST", "/v1/auth/token", {"companycode": code, "secret": registered["secret"]})
    assert old.status == 401
    assert http.token(code, rotated["secret"])
