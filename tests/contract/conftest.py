"""Contract tier: schemathesis against the served OpenAPI document, over real HTTP.

A province stack and the ministry stack (`chalice local` each, on one moto server, as
`tests/e2e_province` starts them) with public rate limits raised so generated requests reach
the code behind the gate. Each operation is sent to a stack that serves it: ministry-only
operations to the ministry (started only when the first of them runs), every other one to
the province. Seeded through the API itself, so generated cases can also hit existing objects
(see `Seeds`):
- province: a shop whose token the shop operations use, a second shop the registry
  operations may suspend or rotate, a record with an evaluation, an accepted complaint, a
  second regulator account, a reminder and an export job;
- ministry: the exchange token of EXCHANGE_PROVINCE and a shop and record it pushed, an
  agency with two keys (one the agency operations may rotate or revoke, one whose secret
  the agency reads use). Operations that issue, rotate or revoke a province's exchange
  credential only ever address UNUSED_PROVINCE, so the fuzzer cannot lock its own
  province out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib import bootstrap
from infra.local.stack import FAKE_AWS_ENV, MotoServer, ProvinceApp, free_port, provision
from infra.seed import (
    DEMO_REGULATOR,
    DEMO_TOTP_SECRETS,
    create_exchange_credential,
    create_regulator,
    seed_demo_regulators,
)
from tests.builders import evaluation_payload, record_payload, unique_vin
from tests.e2e_province.conftest import Http

TABLE = "vmehr-contract-320000"
MINISTRY_TABLE = "vmehr-contract-ministry"
EXCHANGE_PROVINCE = "320000"
UNUSED_PROVINCE = "650000"  # a real province no test uses: the fuzzer issues, rotates, revokes
# Far above what a run sends: the limits themselves are tested in tests/functional.
UNLIMITED = "100000"
LIMITS = {
    "PUBLIC_IP_LIMIT": UNLIMITED,
    "PUBLIC_VIN_LIMIT": UNLIMITED,
    "PUBLIC_SUBMIT_LIMIT": UNLIMITED,
    # Every generated token request comes from 127.0.0.1: one source's failures across all
    # principals would otherwise refuse the seeded tokens' renewals and the forwarder's.
    "LOGIN_SOURCE_MAX_FAILURES": UNLIMITED,
}


@dataclass
class Seeds:
    """Existing objects generated cases may address, besides the random ones."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, dict[str, str]] = field(default_factory=dict)
    # Path parameters every case of an operation takes, whatever hypothesis generates.
    pinned: dict[str, str] = field(default_factory=dict)


@dataclass
class ContractStack:
    url: str
    tokens: dict[str, str]
    seeds: Seeds


@pytest.fixture(scope="package")
def contract_moto() -> Iterator[MotoServer]:
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(free_port())
    moto.start()
    try:
        yield moto
    finally:
        moto.stop()
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()


@pytest.fixture(scope="package")
def contract_stack(
    contract_moto: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContractStack]:
    app = ProvinceApp(free_port(), "320000", TABLE, contract_moto.url, extra_env=LIMITS)
    app.log_path = tmp_path_factory.mktemp("contract") / "chalice.log"
    try:
        provision(contract_moto, TABLE)
        _use_table(contract_moto, TABLE, "province")
        create_regulator(
            TABLE,
            *DEMO_REGULATOR,
            "province_admin",
            totp_secret=DEMO_TOTP_SECRETS[DEMO_REGULATOR[0]],
            province_code="320000",
        )
        app.start()
        http = Http(app.url)
        tokens, seeds = _seed(http)
        yield ContractStack(app.url, tokens, seeds)
    finally:
        app.stop()


@pytest.fixture(scope="package")
def ministry_contract_stack(
    contract_moto: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContractStack]:
    app = ProvinceApp(
        free_port(), "000000", MINISTRY_TABLE, contract_moto.url, role="ministry", extra_env=LIMITS
    )
    app.log_path = tmp_path_factory.mktemp("contract-ministry") / "chalice.log"
    try:
        provision(contract_moto, MINISTRY_TABLE)
        _use_table(contract_moto, MINISTRY_TABLE, "ministry")
        seed_demo_regulators(MINISTRY_TABLE, "ministry", "000000", "")
        secret = create_exchange_credential(MINISTRY_TABLE, EXCHANGE_PROVINCE)
        create_exchange_credential(MINISTRY_TABLE, UNUSED_PROVINCE)
        app.start()
        tokens, seeds = _seed_ministry(Http(app.url), secret)
        yield ContractStack(app.url, tokens, seeds)
    finally:
        app.stop()


def _use_table(moto: MotoServer, table: str, role: str) -> None:
    """Point this process's seeding (the app's own adapters) at one stack's table."""
    os.environ.update({"DYNAMODB_ENDPOINT_URL": moto.url, "TABLE_NAME": table, "STACK_ROLE": role})
    bootstrap.reset()


def _seed(http: Http) -> tuple[dict[str, str], Seeds]:
    regulator = http.regulator()
    shop, shop_token = http.new_shop()
    other, _ = http.new_shop()
    payload = record_payload(company_name=shop["name"])
    receipt = _ok(http.call("POST", "/v1/records", payload, shop_token))
    vin, plate = payload["vin"], payload["plate_number"]
    code = payload["settlement_list_code"]
    _ok(http.call("POST", "/v1/evaluations", evaluation_payload(vin, plate, code)))
    complaint = {
        "kind": "incorrect",
        "vin": vin,
        "plate": plate,
        "settlement_list_code": code,
        "text": "里程数记录有误",
    }
    complaint_code = _ok(http.call("POST", "/v1/complaints", complaint))["code"]
    _ok(http.call("POST", f"/v1/complaints/{complaint_code}/accept", None, regulator))
    account = {"username": "contract-officer", "role": "province_analyst", "divisions": []}
    _ok(http.call("POST", "/v1/admin/accounts", account, regulator))
    reminder = {"companycodes": [shop["companycode"]], "title": "请按时上传", "body": "提醒"}
    reminder_id = _ok(http.call("POST", "/v1/reminders", reminder, regulator))["reminder_id"]
    job_id = _ok(http.call("POST", "/v1/search/records/exports", {"vin": vin}, regulator))["job_id"]
    tokens = {"shop": shop_token, "regulator": regulator}
    seeds = Seeds(
        path={
            "record_id": receipt["record_id"],
            "complaint_id": complaint_code,
            "companycode": other["companycode"],
            "vin": vin,
            "username": account["username"],
            "reminder_id": reminder_id,
            "job_id": job_id,
        },
        query={"/v1/vehicles/{vin}/history": {"plate": plate}},
    )
    return tokens, seeds


def _seed_ministry(http: Http, exchange_secret: str) -> tuple[dict[str, str], Seeds]:
    from chalicelib.exchange.requests import envelope
    from tests.exchange_items import shop_change, version_change

    regulator = http.regulator()
    body = {"province_code": EXCHANGE_PROVINCE, "secret": exchange_secret}
    province = _ok(http.call("POST", "/v1/exchange/token", body))["access_token"]
    vin = unique_vin()
    items = [shop_change(), version_change(payload=record_payload(vin=vin))]
    _ok(http.call("POST", "/v1/exchange/batch", envelope(items), province))
    agency = {"name": "契约测试二手车平台", "kind": "used_car"}
    agency_id = _ok(http.call("POST", "/v1/agencies", agency, regulator))["agency_id"]
    keys = [
        _ok(
            http.call(
                "POST",
                f"/v1/agencies/{agency_id}/keys",
                {"purpose": "used_car_transparency"},
                regulator,
            )
        )
        for _ in range(2)
    ]
    tokens = {"regulator": regulator, "province": province, "agency": keys[1]["key"]}
    seeds = Seeds(
        path={"agency_id": agency_id, "key_id": keys[0]["key_id"], "vin": vin},
        pinned={"province_code": UNUSED_PROVINCE},
    )
    return tokens, seeds


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status in (200, 201, 202), answer.body
    return dict(answer.body)
