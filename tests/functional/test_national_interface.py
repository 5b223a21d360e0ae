"""The national `lcippro` interface: real field names, string values, real answers."""

from __future__ import annotations

import json

from tests.builders import compat_payload

TOKEN_PATH = "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"
ADD_PATH = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"


def _compat_token(api, shop):
    registered, _ = shop
    body = {"companycode": registered["companycode"], "companypassword": registered["secret"]}
    return api.post(TOKEN_PATH, body).json


def test_token_answer_has_the_national_shape(api, shop):
    answer = _compat_token(api, shop)
    assert answer["code"] == "1"
    assert answer["status"] == "获取成功"
    assert len(answer["access_token"]) == 32


def test_unknown_company_is_minus_10_and_wrong_password_minus_11(api, shop):
    registered, _ = shop
    unknown = api.post(TOKEN_PATH, {"companycode": "320102999999999", "companypassword": "x"})
    wrong = api.post(TOKEN_PATH, {"companycode": registered["companycode"], "companypassword": "x"})
    missing = api.post(TOKEN_PATH, {"companycode": registered["companycode"]})
    assert (unknown.json["code"], unknown.json["status"]) == ("-10", "企业不存在")
    assert (wrong.json["code"], wrong.json["status"]) == ("-11", "密码错误")
    assert missing.json["code"] == "-1"
    assert unknown.status_code == wrong.status_code == 200


def test_a_dms_payload_of_strings_is_added_and_shows_in_history(api, shop):
    # Given a DMS token and a payload exactly as DMS software sends it
    token = _compat_token(api, shop)["access_token"]
    payload = compat_payload(token)
    # When it is posted
    answer = api.post(ADD_PATH, payload).json
    # Then the answer is the national success, and the record is in the vehicle's history
    assert (answer["code"], answer["status"]) == ("1", "新增成功")
    assert answer["receipt"]["result"] == "created"
    basic = payload["basicInfo"]
    history = api.get(
        f"/v1/vehicles/{basic['vin']}/history?plate={basic['vehicleplatenumber']}"
    ).json["records"]
    assert history[0]["settlement_date"] == "2024-03-02"
    assert history[0]["mileage"] == 12000
    assert history[0]["parts"] == [{"name": "机油", "code": "N/A", "quantity": "4"}]


def test_lists_sent_as_json_strings_are_accepted_and_equal_to_arrays(api, shop):
    # Given the same record once with arrays and once with JSON-encoded list strings
    token = _compat_token(api, shop)["access_token"]
    payload = compat_payload(token)
    as_strings = dict(
        payload,
        vehiclepartslist=json.dumps(payload["vehiclepartslist"], ensure_ascii=False),
        repairprojectlist=json.dumps(payload["repairprojectlist"], ensure_ascii=False),
    )
    # When both are posted
    first = api.post(ADD_PATH, payload).json
    second = api.post(ADD_PATH, as_strings).json
    # Then the second is a replay of the first
    assert second["receipt"]["result"] == "unchanged"
    assert second["receipt"]["record_id"] == first["receipt"]["record_id"]


def test_rest_and_national_doors_share_one_record(api, shop):
    # Given a record uploaded through the national door
    _, rest_token = shop
    token = _compat_token(api, shop)["access_token"]
    payload = compat_payload(token)
    record_id = api.post(ADD_PATH, payload).json["receipt"]["record_id"]
    # When the shop reads it through the REST door
    record = api.get(f"/v1/records/{record_id}", rest_token).json
    # Then it is the same record, with the national values translated
    assert record["settlement_list_code"] == payload["basicInfo"]["costlistcode"]
    assert record["repair_items"] == [{"name": "发动机油保养", "labour_hours": "1"}]


def test_format_errors_are_minus_2_naming_national_fields(api, shop):
    token = _compat_token(api, shop)["access_token"]
    payload = compat_payload(token, repairdate="2024-0301", repairmileage="12k")
    payload["repairprojectlist"] = [{"repairproject": "保养", "workinghours": "-1"}]
    answer = api.post(ADD_PATH, payload).json
    assert answer["code"] == "-2"
    fields = {e["field"] for e in answer["errors"]}
    assert fields == {
        "basicInfo.repairdate",
        "basicInfo.repairmileage",
        "repairprojectlist.0.workinghours",
    }
    assert "basicInfo.repairdate" in answer["status"]


def test_missing_fields_are_minus_1(api, shop):
    token = _compat_token(api, shop)["access_token"]
    payload = compat_payload(token)
    del payload["basicInfo"]["costlistcode"]
    answer = api.post(ADD_PATH, payload).json
    assert answer["code"] == "-1"
    assert answer["errors"][0]["field"] == "basicInfo.costlistcode"


def test_bad_token_is_refused_without_writing(api, shop):
    answer = api.post(ADD_PATH, compat_payload("0" * 32)).json
    assert answer["code"] == "-1"
    assert "access_token" in answer["status"]


def test_malformed_json_is_minus_2(api, shop):
    answer = api.post(ADD_PATH, raw="{not json").json
    assert answer["code"] == "-2"
