"""Contract tier: schemathesis against the served OpenAPI document, over real HTTP.

One province stack (moto server + `chalice local`, as `tests/e2e_province` starts it) with
public rate limits raised so generated requests reach the code behind the gate. Seeded
through the API itself: a shop whose token the shop operations use, a second shop the
registry operations may suspend or rotate, a record with an evaluation, an accepted
complaint, a second regulator account, a reminder and an export job, so generated cases can
also hit existing objects (see `Seeds`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib import bootstrap
from infra.local.stack import FAKE_AWS_ENV, MotoServer, ProvinceApp, free_port, provision
from infra.seed import DEMO_REGULATOR, DEMO_TOTP_SECRETS, create_regulator
from tests.builders import evaluation_payload, record_payload
from tests.e2e_province.conftest import Http

TABLE = "vmehr-contract-320000"
# Far above what a run sends: the limits themselves are tested in tests/functional.
UNLIMITED = "100000"


@dataclass
class Seeds:
    """Existing objects generated cases may address, besides the random ones."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ContractStack:
    url: str
    tokens: dict[str, str]
    seeds: Seeds
    cases: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="package")
def contract_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContractStack]:
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(free_port())
    moto.start()
    app = ProvinceApp(
        free_port(),
        "320000",
        TABLE,
        moto.url,
        extra_env={
            "PUBLIC_IP_LIMIT": UNLIMITED,
            "PUBLIC_VIN_LIMIT": UNLIMITED,
            "PUBLIC_SUBMIT_LIMIT": UNLIMITED,
        },
    )
    app.log_path = tmp_path_factory.mktemp("contract") / "chalice.log"
    try:
        provision(moto, TABLE)
        os.environ.update({"DYNAMODB_ENDPOINT_URL": moto.url, "TABLE_NAME": TABLE})
        bootstrap.reset()
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
        moto.stop()
        os.environ.clear()
        os.environ.update(saved)
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


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status in (200, 201, 202), answer.body
    return dict(answer.body)
