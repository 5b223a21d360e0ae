"""Malformed input at every door: deep nesting and unpack bombs are refused whole, as a 4xx.

Party: anyone who can reach a door, holding only what that door already accepts from them (a
shop's token, a regulator's token, a province's exchange token, an OEM's token, a portal
session, or nothing at all for the public and token doors). What they try: a body, a cursor or a
national JSON-text list nested 100,000 levels deep (json.loads recursed: 500 at the REST doors,
-99 at the national door), a multipart form nesting its parts, and a 150 KB XLSX whose shared
strings unpack to 63 MB (25 s and 368 MB in the API function). What holds: each door answers
its own malformed-input error naming the field and the rule, and nothing is written.

The guard tests at the top fail when a new door forgets: every operation of the table the
OpenAPI document is built from (`kit/openapi.operations()`; an operation's `body` is its
documented requestBody) that takes a body, and every paged GET with a cursor, is tried with the
credentials of the party it admits, and every route whose view reads a JSON body must be one of
them.
"""

from __future__ import annotations

import base64
import inspect
from typing import Any

import boto3
import pytest

from chalicelib.adapters import keys
from chalicelib.config import get_settings
from chalicelib.doors.kit.openapi import operations
from chalicelib.doors.kit.operations import MINISTRY, Operation
from tests.builders import compat_payload, record_payload, shop_application, totp_code
from tests.functional.conftest import REGULATOR, TOTP_SECRETS
from tests.functional.console_browser import Browser
from tests.functional.portal_client import PortalClient
from tests.functional.sharing_support import ministry_vehicle
from tests.spreadsheets import HEADER_ZH, sheet_row, xlsx_bomb, xlsx_bytes

DEEP = "[" * 100_000 + "]" * 100_000  # 200 KB: well inside the 1 MB body limit
DEEP_CURSOR = base64.urlsafe_b64encode(DEEP.encode()).decode()
NATIONAL = "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"
NATIONAL_ADD = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"
NATIONAL_PATHS = {NATIONAL, NATIONAL_ADD}


def _operations() -> tuple[Operation, ...]:
    """Every documented operation, once app.py has registered every door's routes."""
    import app  # noqa: F401

    return operations()


BODY_OPERATIONS = [o for o in _operations() if o.body is not None]
CURSOR_OPERATIONS = [o for o in _operations() if any(p.name == "cursor" for p in o.params)]


def _id(operation: Operation) -> str:
    return f"{operation.method} {operation.path}"


# --- every door, from the operations table ---------------------------------------------------


def test_every_route_that_reads_a_json_body_is_in_the_table_with_its_body():
    # Given the app's routes and the operations table the OpenAPI document is built from
    from app import app

    reading = {
        (method, path)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if "read_json(" in inspect.getsource(entry.view_function)
    }
    # When the routes whose view reads a JSON body are compared with the documented bodies
    documented = {(o.method, o.path) for o in BODY_OPERATIONS}
    # Then none is missing: the parametrized test below tries every one of them
    assert reading, "no view reads a body through read_json: has the helper been renamed?"
    assert reading <= documented, reading - documented


def test_every_documented_body_on_a_province_refuses_100000_levels_with_its_malformed_code(api):
    _assert_deep_bodies_refused(api, [o for o in BODY_OPERATIONS if "province" in o.stacks])


def test_every_documented_body_at_the_ministry_refuses_100000_levels_with_its_malformed_code(
    ministry_api,
):
    _assert_deep_bodies_refused(ministry_api, [o for o in BODY_OPERATIONS if o.stacks == MINISTRY])


def test_every_paged_listing_on_a_province_refuses_a_cursor_of_100000_levels(api):
    _assert_deep_cursors_refused(api, [o for o in CURSOR_OPERATIONS if "province" in o.stacks])


def test_every_paged_listing_at_the_ministry_refuses_a_cursor_of_100000_levels(ministry_api):
    operations = [o for o in CURSOR_OPERATIONS if o.stacks == MINISTRY]
    _assert_deep_cursors_refused(ministry_api, operations)


def _assert_deep_bodies_refused(api, operations: list[Operation]) -> None:
    # Given the caller each operation admits, with real values for its path
    callers = _Callers(api)
    assert operations
    wrong = {}
    for operation in operations:
        # When it sends a body nested 100,000 levels deep
        path, token = callers.path(operation.path), callers.token(operation.auth)
        answer = api.call(operation.method, path, token=token, raw=DEEP)
        # Then the door answers its own malformed-body error, naming the body and the rule
        if not _malformed_body_answer(operation, answer):
            wrong[_id(operation)] = (answer.status_code, answer.json)
    assert not wrong, wrong


def _malformed_body_answer(operation: Operation, answer: Any) -> bool:
    named = answer.json.get("errors") == [
        {
            "code": "invalid_field",
            "field": "body",
            "rule": "max_depth",
            "message": "the body nests deeper than 64 levels",
        }
    ]
    if operation.path in NATIONAL_PATHS:  # always HTTP 200; -2 is 参数格式不对 (bad format)
        national = answer.json["code"] == "-2" and answer.json["status"].startswith("参数格式不对")
        return answer.status_code == 200 and national and named
    rest = answer.status_code == 400 and answer.json["code"] == "malformed_json"
    return rest and named and 400 in operation.errors  # and the table documents the 400


def _assert_deep_cursors_refused(api, operations: list[Operation]) -> None:
    # Given the caller each listing admits
    callers = _Callers(api)
    assert operations
    wrong = {}
    for operation in operations:
        # When it pages with a cursor whose JSON nests 100,000 levels
        path, token = callers.path(operation.path), callers.token(operation.auth)
        answer = api.get(f"{path}?cursor={DEEP_CURSOR}", token)
        # Then the answer is a 400 naming the cursor
        errors = [(e["field"], e["rule"]) for e in (answer.json or {}).get("errors", [])]
        if answer.status_code != 400 or errors != [("cursor", "valid_cursor")]:
            wrong[_id(operation)] = (answer.status_code, answer.json)
    assert not wrong, wrong


@pytest.mark.parametrize(
    "page", ["/console/shops", "/console/complaints", "/console/reminders", "/console/audit"]
)
def test_every_paged_console_page_refuses_a_cursor_of_100000_levels(api, page):
    # Given a regulator signed in to the console (its "next page" links carry a cursor)
    browser = Browser(api)
    code = totp_code(TOTP_SECRETS[REGULATOR[0]])
    assert browser.sign_in(*REGULATOR, code=code).status_code == 303
    # When it follows a link whose cursor nests 100,000 levels
    answer = browser.request("GET", f"{page}?cursor={DEEP_CURSOR}")
    # Then the page answers 400, not 500
    assert answer.status_code == 400, answer.text[:300]


def test_the_portal_records_page_refuses_a_cursor_of_100000_levels_saying_so(api, shop):
    # Given a shop clerk signed in to the portal
    registered, _ = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    # When the clerk follows a "next page" link whose cursor nests 100,000 levels
    answer = browser.get(f"/portal/records?cursor={DEEP_CURSOR}")
    # Then the page answers 400 saying the link is not valid (not that the dates are wrong)
    assert answer.status == 400
    assert "翻页链接无效" in answer.text and "日期范围不正确" not in answer.text


# --- the doors one by one: nothing written, and the legitimate party still works -------------


def test_a_shop_cannot_write_through_the_rest_upload_with_a_deep_body(api, shop):
    # Given a shop with its token
    _, token = shop
    # When it uploads a deep body, a batch holding a deep record, and then a good record
    deep = api.call("POST", "/v1/records", token=token, raw=DEEP)
    batch = api.call("POST", "/v1/records/batch", token=token, raw='{"records":' + DEEP + "}")
    good = api.post("/v1/records", record_payload(), token)
    # Then both deep bodies are refused as malformed and only the good record is stored
    assert (deep.status_code, deep.json["code"]) == (400, "malformed_json")
    assert (batch.status_code, batch.json["code"]) == (400, "malformed_json")
    assert good.status_code == 201, good.json
    assert len(_own_records(api, token)) == 1


def test_the_national_door_answers_minus_2_for_a_deep_body_or_a_deep_json_text_list(api, shop):
    # Given a DMS holding a shop's credentials and a national token
    registered, rest_token = shop
    credentials = {"companycode": registered["companycode"]}
    credentials["companypassword"] = registered["secret"]
    token = api.post(NATIONAL, credentials).json["access_token"]
    deep_basic = {**compat_payload(token), "basicInfo": DEEP}
    deep_list = {**compat_payload(token), "repairprojectlist": DEEP}
    # When it sends a deep token body, a deep upload body, and uploads whose JSON-text
    # basicInfo or repairprojectlist nests 100,000 levels
    answers = [
        api.call("POST", NATIONAL, raw=DEEP),
        api.call("POST", NATIONAL_ADD, raw=DEEP),
        api.post(NATIONAL_ADD, deep_basic),
        api.post(NATIONAL_ADD, deep_list),
    ]
    # Then each is -2 参数格式不对 naming the field and the depth rule (never -99)
    assert [(a.status_code, a.json["code"]) for a in answers] == [(200, "-2")] * 4
    assert [(e["field"], e["rule"]) for a in answers for e in a.json["errors"]] == [
        ("body", "max_depth"),
        ("body", "max_depth"),
        ("basicInfo", "max_depth"),
        ("repairprojectlist", "max_depth"),
    ]
    # And nothing was stored, while a good upload still is
    assert _own_records(api, rest_token) == []
    assert api.post(NATIONAL_ADD, compat_payload(token)).json["code"] == "1"
    assert len(_own_records(api, rest_token)) == 1


def test_a_regulator_cannot_write_the_registry_with_a_deep_body(api):
    # Given a regulator signed in, and the registry as it stands
    token = api.regulator_token()
    before = api.get("/v1/shops", token).json["shops"]
    # When it signs in with a deep body and registers a shop with one
    sign_in = api.call("POST", "/v1/admin/token", raw=DEEP)
    register = api.call("POST", "/v1/shops", token=token, raw=DEEP)
    # Then both are malformed bodies, and the registry is unchanged
    assert (sign_in.status_code, sign_in.json["code"]) == (400, "malformed_json")
    assert (register.status_code, register.json["code"]) == (400, "malformed_json")
    assert api.get("/v1/shops", token).json["shops"] == before
    # And a good registration still goes through
    assert api.post("/v1/shops", shop_application(), token).status_code == 201


def test_a_province_cannot_write_at_the_ministry_with_a_deep_exchange_batch(ministry_api):
    # Given a province holding its exchange token
    api = ministry_api
    token = _exchange_token(api)
    # When it sends a deep batch, and a batch whose one item nests deep
    deep = api.call("POST", "/v1/exchange/batch", token=token, raw=DEEP)
    item = api.call("POST", "/v1/exchange/batch", token=token, raw='{"items":[' + DEEP + "]}")
    # Then both are malformed bodies and the ministry counted no batch from the province
    assert (deep.status_code, deep.json["code"]) == (400, "malformed_json")
    assert (item.status_code, item.json["code"]) == (400, "malformed_json")
    assert _batches(api, "320000") == 0
    # And the province's good batch is still applied
    ministry_vehicle(api, "320000")
    assert _batches(api, "320000") == 1


def test_an_oem_cannot_write_for_its_dealers_with_a_deep_batch(api):
    # Given an OEM account representing one dealer
    dealer, dealer_token = api.new_shop(name="示范4S店")
    _, token = _oem(api, [dealer["companycode"]])
    # When it uploads a deep batch
    deep = api.call("POST", "/v1/oem/records/batch", token=token, raw='{"records":' + DEEP + "}")
    # Then it is a malformed body and the dealer has no record
    assert (deep.status_code, deep.json["code"]) == (400, "malformed_json")
    assert _own_records(api, dealer_token) == []
    # And the OEM's good batch is still uploaded as the dealer
    item = {"companycode": dealer["companycode"], **record_payload(company_name=dealer["name"])}
    good = api.post("/v1/oem/records/batch", {"records": [item]}, token)
    assert good.status_code == 200, good.json
    assert len(_own_records(api, dealer_token)) == 1


def test_a_clerk_cannot_make_the_import_unpack_a_bomb_and_nothing_is_stored(api, shop):
    # Given a shop clerk signed in to the portal, holding issue 13's 0.2 MB workbook whose
    # shared strings unpack to 63 MB, and a good workbook
    registered, token = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    good = xlsx_bytes([HEADER_ZH, sheet_row()])
    # When the clerk imports the bomb, in each language
    refused = {
        lang: _import(browser, "bomb.xlsx", xlsx_bomb(), f"?lang={lang}")
        for lang in ("zh-CN", "en")
    }
    # Then it is refused whole, saying why in the page's language, and nothing was stored
    for lang, page in refused.items():
        assert page.status == 413, lang
        assert 'data-error="unpacked_too_large"' in page.text
    assert "文件解压后过大" in refused["zh-CN"].text and "32 MB" in refused["zh-CN"].text
    assert "unpacks to too much" in refused["en"].text
    assert _import_items() == [] and _own_records(api, token) == []
    # And the clerk's good workbook is still accepted as an import job
    assert _import(browser, "good.xlsx", good).status == 303
    assert _import_items() != []


def test_a_form_nesting_its_parts_is_refused_by_the_import_and_nothing_is_stored(api, shop):
    # Given a shop clerk signed in, sending the import form as a multipart body whose file part
    # is itself multipart, 20,000 levels deep (the email parser recursed: a 500)
    registered, token = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    csrf = browser.get("/portal/imports").csrf()
    opening = b"".join(
        b"--n%d\r\nContent-Type: multipart/mixed; boundary=n%d\r\n\r\n" % (i, i + 1)
        for i in range(1, 20_000)
    )
    closing = b"".join(b"\r\n--n%d--\r\n" % i for i in reversed(range(1, 20_000)))
    body = (
        (
            b'--n0\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n%s\r\n'
            b'--n0\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: multipart/mixed; boundary=n1\r\n\r\n" % csrf.encode()
        )
        + opening
        + b"--n20000--"
        + closing
        + b"\r\n--n0--\r\n"
    )
    # When it is posted
    answer = browser._send(
        "POST", "/portal/imports", body, {"Content-Type": "multipart/form-data; boundary=n0"}
    )
    # Then the form reads as broken (its CSRF token unread): a 4xx, and nothing was stored
    assert 400 <= answer.status < 500, answer.status
    assert _import_items() == [] and _own_records(api, token) == []


# --- helpers -----------------------------------------------------------------------------------


class _Callers:
    """Real credentials and real path values on one stack, each made once, when first needed:
    a route may look its object up (and answer 404) before it reads the body."""

    def __init__(self, api) -> None:
        self.api = api
        self._made: dict[str, Any] = {}

    def token(self, auth: str | None) -> str | None:
        if auth is None:  # the public and token doors
            return None
        if auth == "shop":
            return str(self._once("shop", self.api.new_shop)[1])
        if auth == "regulator":
            return str(self.api.regulator_token())
        if auth == "province":
            return self._once("province", lambda: _exchange_token(self.api))
        if auth == "oem":
            return self._once("oem", lambda: _oem(self.api, [self._companycode()]))[1]
        raise AssertionError(f"add a credential for {auth} to try its doors")

    def path(self, template: str) -> str:
        values = {
            "record_id": lambda: "0" * 32,
            "companycode": self._companycode,
            "complaint_id": self._complaint,
            "username": lambda: "regulator",
            "province_code": lambda: "320000",
            "agency_id": lambda: self._once("agency", self._agency),
            "oem_id": lambda: self._once("oem", lambda: _oem(self.api, [self._companycode()]))[0],
        }
        for name, value in values.items():
            if "{" + name + "}" in template:
                template = template.replace("{" + name + "}", value())
        assert "{" not in template, f"add a real value for the parameter of {template}"
        return template

    def _once(self, name: str, make: Any) -> Any:
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    def _companycode(self) -> str:
        return str(self._once("shop", self.api.new_shop)[0]["companycode"])

    def _complaint(self) -> str:
        def file() -> str:
            _, token = self._once("shop", self.api.new_shop)
            payload = record_payload()
            assert self.api.post("/v1/records", payload, token).status_code == 201
            complaint = {
                "kind": "incorrect",
                "vin": payload["vin"],
                "plate": payload["plate_number"],
                "settlement_list_code": payload["settlement_list_code"],
                "text": "结算清单上有更换刹车片，记录里没有",
                "contact_phone": "13800000000",
            }
            answer = self.api.post("/v1/complaints", complaint)
            assert answer.status_code == 201, answer.json
            return str(answer.json["code"])

        return str(self._once("complaint", file))

    def _agency(self) -> str:
        body = {"name": "示范财产保险公司", "kind": "insurance"}
        answer = self.api.post("/v1/agencies", body, self.api.regulator_token())
        assert answer.status_code == 201, answer.json
        return str(answer.json["agency_id"])


def _exchange_token(api) -> str:
    secret = api.exchange_secrets["320000"]
    answer = api.post("/v1/exchange/token", {"province_code": "320000", "secret": secret})
    return str(answer.json["access_token"])


def _oem(api, dealers: list[str]) -> tuple[str, str]:
    """(oem_id, a bearer token of the OEM), for an OEM account representing `dealers`."""
    body = {"name": "示范汽车（中国）有限公司", "uscc": shop_application()["uscc"]}
    body["dealers"] = dealers
    oem = api.post("/v1/oem/accounts", body, api.regulator_token())
    assert oem.status_code == 201, oem.json
    answer = api.post("/v1/oem/token", {"oem_id": oem.json["oem_id"], "secret": oem.json["secret"]})
    return str(oem.json["oem_id"]), str(answer.json["access_token"])


def _batches(api, province_code: str) -> int:
    provinces = api.get("/v1/provinces", api.regulator_token()).json["provinces"]
    # A province appears once it has exchanged anything
    return int(next((p["batches"] for p in provinces if p["province_code"] == province_code), 0))


def _import(browser: PortalClient, filename: str, data: bytes, query: str = "") -> Any:
    page = browser.get(f"/portal/imports{query}")
    return browser.post_file("/portal/imports", {"csrf_token": page.csrf()}, filename, data)


def _import_items() -> list[dict[str, Any]]:
    """Every import job item in the table (a refused file stores none)."""
    pages = (
        boto3.client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table_name)
    )
    prefix = keys.import_pk("")
    return [i for page in pages for i in page["Items"] if i[keys.PK]["S"].startswith(prefix)]


def _own_records(api, token: str) -> list[dict[str, Any]]:
    return api.get("/v1/records?from=1990-01-01&to=2030-12-31&limit=100", token).json["records"]
