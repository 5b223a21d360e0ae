"""Complaint squatting: the shop, which holds everything a settlement list carries (VIN, plate,
settlement number, often the owner's phone from the work order), files first to keep the
owner's real complaint out.

The party: the repair shop, through the public complaint door (`POST /v1/complaints`), with
the same proof an owner has. What must hold: its decoy never takes the owner's place (several
complaints per record, one open per contact phone); a decoy under the owner's own phone
blocks that phone only until the regulator rejects or closes it, and never blocks the owner
filing without it; a retry of one submission, even after its answer was lost, is one
complaint, listed once in the regulator's queue.
"""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest

from chalicelib.adapters.aws import dynamodb_client
from chalicelib.config import get_settings
from tests.builders import record_payload, tiny_jpeg, tiny_png, unique_plate, unique_vin

OWNER_PHONE = "13800001111"
SHOP_PHONE = "025-80000001"


@pytest.fixture
def repair(api, shop):
    """A repair the shop uploaded: it holds the VIN, plate and settlement number too."""
    entry, token = shop
    payload = record_payload(vin=unique_vin(), plate_number=unique_plate())
    assert api.post("/v1/records", payload, token).status_code == 201
    return {"shop": entry, "token": token, "payload": payload}


def _incorrect(repair: dict[str, Any], text: str, phone: str = "", **extra: Any) -> dict[str, Any]:
    payload = repair["payload"]
    return {
        "kind": "incorrect",
        "vin": payload["vin"],
        "plate": payload["plate_number"],
        "settlement_list_code": payload["settlement_list_code"],
        "text": text,
        "contact_phone": phone,
        **extra,
    }


def _queue(api, status: str = "submitted") -> list[str]:
    response = api.get(f"/v1/complaints?status={status}&limit=100", api.regulator_token())
    assert response.status_code == 200, response.json
    return [c["code"] for c in response.json["complaints"]]


def test_the_shops_decoy_does_not_take_the_owners_place(api, repair):
    # Given the shop's decoy about its own record, filed first with the shop's phone
    decoy = api.post("/v1/complaints", _incorrect(repair, "记录无误，测试", SHOP_PHONE))
    assert decoy.status_code == 201, decoy.json
    # When the owner files the real complaint with their phone, and another without one
    owner = api.post("/v1/complaints", _incorrect(repair, "少记了刹车片", OWNER_PHONE))
    anonymous = api.post("/v1/complaints", _incorrect(repair, "里程数不对"))
    # Then each is a complaint of its own, waiting for the regulator, listed once each
    assert owner.status_code == anonymous.status_code == 201, (owner.json, anonymous.json)
    codes = [decoy.json["code"], owner.json["code"], anonymous.json["code"]]
    assert len(set(codes)) == 3
    assert sorted(_queue(api)) == sorted(codes)
    assert api.post("/v1/complaints/follow", {"code": owner.json["code"]}).json["status"] == (
        "submitted"
    )
    # And no stored key spells the owner's phone
    assert not _keys_containing(OWNER_PHONE)


def test_a_decoy_under_the_owners_phone_blocks_that_phone_only_until_rejected(api, repair):
    # Given the shop's decoy under the owner's phone (from the work order, spelt differently)
    decoy = api.post("/v1/complaints", _incorrect(repair, "无", "+86 138-0000-1111"))
    assert decoy.status_code == 201, decoy.json
    # When the owner files the real complaint with that phone while the decoy is open
    real = _incorrect(repair, "更换的配件与记录不符", OWNER_PHONE)
    blocked = api.post("/v1/complaints", real)
    without_phone = api.post("/v1/complaints", _incorrect(repair, "更换的配件与记录不符。"))
    # Then that phone is told its complaint is open, but the owner can file without it
    assert blocked.status_code == 409 and blocked.json["code"] == "complaint_exists"
    assert without_phone.status_code == 201, without_phone.json
    # When the regulator rejects the decoy, and the owner files again with the phone
    admin = api.regulator_token()
    rejected = api.post(
        f"/v1/complaints/{decoy.json['code']}/reject", {"reason": "内容空洞"}, admin
    )
    assert rejected.status_code == 200, rejected.json
    filed = api.post("/v1/complaints", real)
    retry = api.post("/v1/complaints", real)
    # Then the owner's complaint is filed under a code of its own, and its retry is the same
    assert filed.status_code == 201, filed.json
    assert filed.json["code"] != decoy.json["code"]
    assert retry.status_code == 200 and retry.json["code"] == filed.json["code"]
    assert set(_queue(api)) == {without_phone.json["code"], filed.json["code"]}
    assert _queue(api, "rejected") == [decoy.json["code"]]


def test_after_a_complaint_is_closed_the_same_phone_may_complain_again(api, repair):
    # Given the owner's complaint, accepted and closed unresolved
    first = api.post("/v1/complaints", _incorrect(repair, "里程少记了一千公里", OWNER_PHONE))
    code = first.json["code"]
    admin = api.regulator_token()
    assert api.post(f"/v1/complaints/{code}/accept", {}, admin).status_code == 200
    closed = api.post(f"/v1/complaints/{code}/close", {"outcome": "unresolved"}, admin)
    assert closed.json["status"] == "unresolved"
    # When the same phone complains again about the same record, with new facts
    second = api.post(
        "/v1/complaints", _incorrect(repair, "补充凭证：里程少记", OWNER_PHONE, photo_base64=_png())
    )
    # Then it is a new complaint; the closed one keeps its code and outcome
    assert second.status_code == 201, second.json
    assert second.json["code"] != code
    assert _queue(api) == [second.json["code"]]
    assert _queue(api, "unresolved") == [code]
    # And the shop, once the regulator accepts it, sees both, each once
    assert api.post(f"/v1/complaints/{second.json['code']}/accept", {}, admin).status_code == 200
    listed = api.get("/v1/shop/complaints", repair["token"]).json["complaints"]
    assert sorted(c["code"] for c in listed) == sorted([code, second.json["code"]])


def test_a_not_uploaded_decoy_does_not_take_the_owners_place(api, repair):
    # Given the shop's "not uploaded" decoy naming itself and the owner's unrecorded visit
    entry = repair["shop"]
    visit = {
        "kind": "not_uploaded",
        "companycode": entry["companycode"],
        "vin": repair["payload"]["vin"],
        "plate": repair["payload"]["plate_number"],
        "settlement_list_code": "PAPER-" + unique_vin()[-8:],
        "settlement_date": "2024-05-06",
    }
    decoy = api.post("/v1/complaints", {**visit, "text": "测试", "contact_phone": OWNER_PHONE})
    assert decoy.status_code == 201, decoy.json
    # When the owner files theirs with another phone, and, once the decoy is rejected, with
    # the phone the decoy used
    owner = api.post(
        "/v1/complaints", {**visit, "text": "修完车没有上传", "contact_phone": "13900002222"}
    )
    admin = api.regulator_token()
    api.post(f"/v1/complaints/{decoy.json['code']}/reject", {"reason": "无凭证"}, admin)
    again = api.post(
        "/v1/complaints",
        {**visit, "text": "修完车没有上传", "contact_phone": OWNER_PHONE, "photo_base64": _jpeg()},
    )
    # Then both are filed, each under its own code
    assert owner.status_code == again.status_code == 201, (owner.json, again.json)
    assert len({decoy.json["code"], owner.json["code"], again.json["code"]}) == 3
    assert set(_queue(api)) == {owner.json["code"], again.json["code"]}


def test_a_retry_after_a_lost_answer_is_one_complaint_listed_once(api, repair):
    # Given storage that stores the complaint but loses the answer of that write
    body = _incorrect(repair, "结算金额与记录不符", OWNER_PHONE, photo_base64=_png())
    with _lost_answer_of_the_complaint_write() as lost:
        # When the owner files, sees the failure, and the phone retries
        first = api.post("/v1/complaints", body)
    retry = api.post("/v1/complaints", body)
    again = api.post("/v1/complaints", body)
    # Then the first attempt answered "retry" while its complaint landed; the retries answer
    # that complaint, and the queue holds it once
    assert lost == ["complaint"]
    assert first.status_code == 503, first.json
    assert retry.status_code == again.status_code == 200, retry.json
    assert retry.json["code"] == again.json["code"]
    assert _queue(api) == [retry.json["code"]]


# --- helpers ----------------------------------------------------------------------------


def _png() -> str:
    return base64.b64encode(tiny_png()).decode()


def _jpeg() -> str:
    return base64.b64encode(tiny_jpeg()).decode()


def _keys_containing(text: str) -> list[dict[str, Any]]:
    """Items of the stack's table with `text` in any key attribute (table or index)."""
    key_names = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
    items = boto3.client("dynamodb").scan(TableName=get_settings().table_name)["Items"]
    return [i for i in items if any(text in str(i.get(k, {})) for k in key_names)]


class _lost_answer_of_the_complaint_write:  # noqa: N801 - read as a phrase in a `with`
    """Let the first PutItem of a complaint item land, then fail its answer with a 500, the
    way a dropped connection looks to the caller."""

    def __init__(self) -> None:
        self.lost: list[str] = []
        self._client = dynamodb_client()
        self._doomed: set[int] = set()

    _HOOKS = (
        ("before-parameter-build.dynamodb.PutItem", "_before", "lost-complaint"),
        ("after-call.dynamodb.PutItem", "_after", "lost-complaint-a"),
    )

    def __enter__(self) -> list[str]:
        for event, handler, unique_id in self._HOOKS:
            self._client.meta.events.register(event, getattr(self, handler), unique_id=unique_id)
        return self.lost

    def __exit__(self, *exc: Any) -> None:
        for event, _, unique_id in self._HOOKS:
            self._client.meta.events.unregister(event, unique_id=unique_id)

    def _before(self, params: Any, context: Any, **_: Any) -> None:
        kind = params.get("Item", {}).get("kind", {}).get("S")
        if kind == "complaint" and not self.lost:
            self._doomed.add(id(context))

    def _after(self, context: Any, **_: Any) -> None:
        if id(context) in self._doomed:
            self._doomed.discard(id(context))
            self.lost.append("complaint")
            from botocore.exceptions import ClientError

            raise ClientError(
                {
                    "Error": {"Code": "InternalServerError", "Message": "Internal server error"},
                    "ResponseMetadata": {"HTTPStatusCode": 500},
                },
                "PutItem",
            )
