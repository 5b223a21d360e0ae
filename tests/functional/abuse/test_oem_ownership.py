"""An OEM (总对总) against records that are not its to write.

The attacker is a carmaker's head office. It holds its OEM id and secret (so a bearer token)
and the dealer list the province registered for it; it knows other shops' companycodes from
the public directory, companycodes of other provinces, and settlement numbers its dealers
share with it. It tries to upload for a shop it does not represent (of this province, of
another, or unregistered), to read a dealer's records, and to overwrite what a dealer (or
another OEM) uploaded itself. The dealer's own uploads, and the OEM's corrections of its own
uploads, still work.
"""

from __future__ import annotations

from typing import Any

from tests.builders import compat_from_rest, record_payload, shop_application
from tests.functional.conftest import Api

BATCH = "/v1/oem/records/batch"


def _oem(api: Api, dealers: list[str], name: str = "示范汽车（中国）有限公司") -> dict[str, Any]:
    body = {"name": name, "uscc": shop_application()["uscc"], "dealers": dealers}
    account = api.post("/v1/oem/accounts", body, api.regulator_token())
    assert account.status_code == 201, account.json
    token = api.post(
        "/v1/oem/token", {"oem_id": account.json["oem_id"], "secret": account.json["secret"]}
    )
    assert token.status_code == 200, token.json
    return {**account.json, "token": token.json["access_token"]}


def _item(companycode: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"companycode": companycode, **payload}


def _upload(api: Api, oem: dict[str, Any], *items: dict[str, Any]) -> list[dict[str, Any]]:
    answer = api.post(BATCH, {"records": list(items)}, oem["token"])
    assert answer.status_code == 200, answer.json
    return list(answer.json["results"])


def _versions(api: Api, record_id: str, token: str) -> list[dict[str, Any]]:
    answer = api.get(f"/v1/records/{record_id}/versions", token)
    assert answer.status_code == 200, answer.json
    return list(answer.json["versions"])


def test_an_oem_cannot_upload_for_a_shop_it_does_not_represent_nor_probe_the_registry(api):
    # Given an OEM of dealer A; shop C of the same district that is not its dealer (with a
    # record of its own); a companycode of this province that is not registered; and a shop
    # code of another province
    a, _ = api.new_shop(name="示范4S店甲")
    c, c_token = api.new_shop(name="独立修理厂")
    own = record_payload(company_name=c["name"])
    c_record = api.post("/v1/records", own, c_token).json["record_id"]
    oem = _oem(api, [a["companycode"]])
    unregistered = c["companycode"][:6] + "999999999"
    # When the OEM uploads for each of them, C's item reusing C's settlement number
    changed = dict(own, repair_mileage=999_999, correction_reason="总对总更正")
    results = _upload(
        api,
        oem,
        _item(c["companycode"], changed),
        _item(unregistered, record_payload()),
        _item("420102000000001", record_payload()),
    )
    # Then each is refused with the same answer, registered or not, here or elsewhere
    assert [r["status_code"] for r in results] == [403, 403, 403]
    assert {r["code"] for r in results} == {"dealer_not_represented"}
    assert len({r["message"] for r in results}) == 1
    # And C's record is as C wrote it, with no new version
    versions = _versions(api, c_record, c_token)
    assert [v["repair_mileage"] for v in versions] == [own["repair_mileage"]]


def test_an_oem_token_opens_no_door_of_its_dealers(api):
    # Given a record the OEM uploaded for its dealer
    a, a_token = api.new_shop(name="示范4S店乙")
    oem = _oem(api, [a["companycode"]])
    payload = record_payload(company_name=a["name"])
    record_id = _upload(api, oem, _item(a["companycode"], payload))[0]["record_id"]
    # When the OEM's token reads it, its versions and the dealer's listing, voids it, and
    # uploads a correction through the national door as if it were the dealer's token
    answers = [
        api.get(f"/v1/records/{record_id}", oem["token"]),
        api.get(f"/v1/records/{record_id}/versions", oem["token"]),
        api.get("/v1/records", oem["token"]),
        api.post(f"/v1/records/{record_id}/void", {"reason": "总对总作废"}, oem["token"]),
    ]
    national = api.post(
        "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query",
        compat_from_rest(oem["token"], dict(payload, repair_mileage=1)),
    )
    # Then it is no shop token: every call is refused, and the record is as the OEM sent it
    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert national.json["code"] == "-1" and "receipt" not in national.json
    versions = _versions(api, record_id, a_token)
    assert [(v["status"], v["repair_mileage"]) for v in versions] == [
        ("active", payload["repair_mileage"])
    ]


def test_an_oem_cannot_correct_a_record_its_dealer_uploaded_itself(api):
    # Given dealer A's own upload, and the OEM representing A holding its settlement number
    a, a_token = api.new_shop(name="示范4S店丙")
    own = record_payload(company_name=a["name"])
    record_id = api.post("/v1/records", own, a_token).json["record_id"]
    oem = _oem(api, [a["companycode"]])
    # When the OEM sends the same settlement number with other content
    changed = dict(own, repair_mileage=999_999, correction_reason="总对总更正")
    refused = _upload(api, oem, _item(a["companycode"], changed))[0]
    # Then the item is refused as a conflict naming why, and A's record keeps its one version
    assert (refused["status_code"], refused["code"]) == (409, "oem_may_not_correct")
    versions = _versions(api, record_id, a_token)
    assert [(v["version"], v["repair_mileage"]) for v in versions] == [(1, own["repair_mileage"])]
    # And replaying exactly what A uploaded still answers unchanged (nothing to correct)
    same = _upload(api, oem, _item(a["companycode"], own))[0]
    assert (same["status_code"], same["result"]) == (200, "unchanged")


def test_an_oem_cannot_overwrite_another_oems_upload_or_the_dealers_correction(api):
    # Given a dealer represented by two OEMs; OEM 1 uploads a record for it
    a, a_token = api.new_shop(name="示范4S店丁")
    first = _oem(api, [a["companycode"]], "示范汽车（中国）有限公司")
    second = _oem(api, [a["companycode"]], "另一汽车（中国）有限公司")
    payload = record_payload(company_name=a["name"])
    record_id = _upload(api, first, _item(a["companycode"], payload))[0]["record_id"]
    # When OEM 2 sends other content under the same settlement number
    other = _upload(api, second, _item(a["companycode"], dict(payload, repair_mileage=1)))[0]
    # Then it is refused: the record is OEM 1's upload
    assert (other["status_code"], other["code"]) == (409, "oem_may_not_correct")
    # When the dealer corrects the record itself, and OEM 1 then sends its old content again
    corrected = api.post(
        "/v1/records", dict(payload, repair_mileage=20_000, correction_reason="里程录错"), a_token
    )
    stale = _upload(api, first, _item(a["companycode"], payload))[0]
    # Then the dealer's correction stands: OEM 1 may not overwrite what the dealer wrote last
    assert corrected.json["result"] == "corrected"
    assert (stale["status_code"], stale["code"]) == (409, "oem_may_not_correct")
    versions = _versions(api, record_id, a_token)
    assert [v["repair_mileage"] for v in versions] == [payload["repair_mileage"], 20_000]


def test_an_oem_corrects_its_own_upload_and_the_dealer_corrects_and_voids_it(api):
    # Given a record the OEM uploaded for its dealer
    a, a_token = api.new_shop(name="示范4S店戊")
    oem = _oem(api, [a["companycode"]])
    payload = record_payload(company_name=a["name"])
    record_id = _upload(api, oem, _item(a["companycode"], payload))[0]["record_id"]
    # When the OEM corrects it, then the dealer corrects it and voids it
    by_oem = _upload(
        api,
        oem,
        _item(a["companycode"], dict(payload, repair_mileage=13_000, correction_reason="更正")),
    )[0]
    by_dealer = api.post(
        "/v1/records", dict(payload, repair_mileage=14_000, correction_reason="再更正"), a_token
    )
    voided = api.post(f"/v1/records/{record_id}/void", {"reason": "重复"}, a_token)
    # Then each is a new version of the dealer's record, attributed to who sent it
    assert (by_oem["status_code"], by_oem["result"], by_oem["version"]) == (200, "corrected", 2)
    assert (by_dealer.json["result"], by_dealer.json["version"]) == ("corrected", 3)
    assert (voided.json["result"], voided.json["version"]) == ("voided", 4)
    sources = [v["source"] for v in _versions(api, record_id, a_token)]
    assert sources == [f"oem:{oem['oem_id']}", f"oem:{oem['oem_id']}", "shop", "shop"]


def test_an_oem_account_names_only_registered_shops_of_this_province(api):
    # Given a registered shop of this province and a companycode of another province
    a, _ = api.new_shop(name="示范4S店己")
    body = {
        "name": "示范汽车（中国）有限公司",
        "uscc": shop_application()["uscc"],
        "dealers": [a["companycode"], "420102000000001"],
    }
    # When the administrator registers an OEM with both as its dealers
    answer = api.post("/v1/oem/accounts", body, api.regulator_token())
    # Then it is refused naming the foreign dealer: an OEM never represents another province
    assert answer.status_code == 400, answer.json
    error = answer.json["errors"][0]
    assert (error["field"], error["rule"]) == ("dealers", "companycode_this_province")
    assert "420102000000001" in error["message"]
