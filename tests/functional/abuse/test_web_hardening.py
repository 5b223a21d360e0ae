"""Anyone against the web layer: forged forms, redirects, cookies, files and response headers.

The attacker is any website or person on the network. It holds no account; it can make a
signed-in regulator's or shop clerk's browser post a form to us (CSRF), craft links with a
`next` or `lang` parameter, plant a cookie before a sign-in, ask `/static/` for any name, and
frame or sniff what we answer. It tries each: every signed-in POST form of the console and
the portal refuses a form without the session's own token (the table below must list every
such route), no sign-in sends the browser off-site, cookies are HttpOnly, Secure and
SameSite=Strict, `/static/` serves its two stylesheets only, and every answer carries the
headers that stop framing, sniffing and caching of personal data.

Public forms (query, feedback, grants) are not in the CSRF table: they hold no session, and
each carries its own proof (VIN, plate, settlement number) in the form itself.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.builders import record_payload, shop_application, tiny_png
from tests.functional.conftest import ANALYST, REGULATOR, Api, add_regulator
from tests.functional.console_browser import Browser, csrf_of, set_cookies
from tests.functional.portal_client import PortalClient
from tests.functional.province_console import Province
from tests.functional.sharing_support import agency_key, ministry_vehicle
from tests.spreadsheets import HEADER_ZH, csv_bytes, sheet_row

# Every signed-in POST form, by stack: its route and the fields a real form would carry.
PROVINCE_FORMS = {
    "/console/logout": {},
    "/console/accounts": {"username": "newbie", "role": "province_analyst", "divisions": ""},
    "/console/accounts/{username}/{action}": {},
    "/console/shops": shop_application(),
    "/console/shops/{companycode}": {"version": "1", "name": "被改的名字"},
    "/console/shops/{companycode}/secret": {"confirm": "yes"},
    "/console/shops/{companycode}/suspend": {"confirm": "yes"},
    "/console/shops/{companycode}/reinstate": {},
    "/console/records/exports": {"vin": "LSVAU2180N2183294"},
    "/console/complaints/{complaint_id}/accept": {},
    "/console/complaints/{complaint_id}/reject": {"reason": "伪造的驳回"},
    "/console/complaints/{complaint_id}/close": {"outcome": "resolved", "note": ""},
    "/console/reminders": {"title": "伪造的提醒", "body": "伪造"},
    "/portal/logout": {},
    "/portal/records/new": {"settlement_list_code": "FORGED-1", "vin": "LSVAU2180N2183294"},
    "/portal/records/{record_id}/edit": {"correction_reason": "伪造的更正"},
    "/portal/records/{record_id}/void": {"reason": "伪造的作废"},
    "/portal/imports": {},
    "/portal/messages/complaints/{complaint_id}/reply": {"text": "伪造的回复"},
}
MINISTRY_FORMS = {
    "/console/provinces/{province_code}/credential/{credential_action}": {"confirm": "yes"},
    "/console/agencies": {"name": "伪造的机构", "kind": "insurance"},
    "/console/agencies/{agency_id}/keys": {"purpose": "claims_assessment", "field_scope": "full"},
    "/console/agencies/{agency_id}/keys/{key_id}/{key_action}": {},
}
SIGN_IN_FORMS = {"/console/login", "/portal/login"}  # login CSRF: a pre-session nonce


def test_every_signed_in_post_form_is_in_the_csrf_table():
    # Given the app's routes
    from app import app

    forms = {
        path
        for path, methods in app.routes.items()
        if "POST" in methods and path.startswith(("/console", "/portal"))
    }
    # Then each POST form of the console and the portal is tried below
    listed = set(PROVINCE_FORMS) | set(MINISTRY_FORMS) | SIGN_IN_FORMS
    assert forms - listed == set(), "add these forms to the CSRF table"
    assert listed - forms == set(), "these forms are gone: remove them from the CSRF table"


@pytest.fixture
def province(api: Api) -> dict[str, Any]:
    """A shop with a record and a complaint about it, an account to act on, and the signed-in
    browsers of the administrator and the shop (each with another session's valid token)."""
    registered, token = api.new_shop(name="南京玄武示范汽车维修有限公司")
    payload = record_payload()
    record_id = api.post("/v1/records", payload, token).json["record_id"]
    complaint = api.post(
        "/v1/complaints",
        {
            "kind": "incorrect",
            "vin": payload["vin"],
            "plate": payload["plate_number"],
            "settlement_list_code": payload["settlement_list_code"],
            "text": "记录有误",
        },
    ).json["code"]
    add_regulator("target", "province_analyst")
    other_shop, _ = api.new_shop()
    return {
        "shop": registered,
        "token": token,
        "record_id": record_id,
        "complaint": complaint,
        "console": Province(api).browser(REGULATOR),
        "other_console": Province(api).browser(ANALYST),
        "portal": _portal(api, registered),
        "other_portal": _portal(api, other_shop),
    }


def test_a_forged_form_changes_nothing_in_the_province_console_or_portal(api, province):
    # Given the administrator and the shop signed in, and the objects each form acts on
    cc = province["shop"]["companycode"]
    values = {
        "username": "target",
        "action": "disable",
        "companycode": cc,
        "complaint_id": province["complaint"],
        "record_id": province["record_id"],
    }
    console, portal = province["console"], province["portal"]
    other_tokens = {
        "console": csrf_of(province["other_console"].request("GET", "/console").text),
        "portal": province["other_portal"].get("/portal").csrf(),
    }
    # When another site makes each browser post each form, without a token and with the
    # token of another session
    refused = []
    for route, fields in PROVINCE_FORMS.items():
        path = _fill(route, values)
        fields = {**fields, "companycodes": cc} if route == "/console/reminders" else fields
        for forged in ("", other_tokens["portal" if route.startswith("/portal") else "console"]):
            form = {**fields, "csrf_token": forged}
            if route.startswith("/portal"):
                status = _portal_post(portal, path, form)
            else:
                status = console.request("POST", path, form).status_code
            refused.append((route, forged != "", status))
    # Then every one is refused as forged (403)
    assert [r for r in refused if r[2] != 403] == []
    # And nothing changed: the shop, its secret, the account, the record, the complaint, the
    # reminders, the imports, and both sessions are as they were
    admin = api.regulator_token()
    entry = api.get(f"/v1/shops/{cc}", admin).json
    assert (entry["name"], entry["status"], entry["version"]) == (
        province["shop"]["name"],
        "active",
        1,
    )
    assert api.get("/v1/records", province["token"]).status_code == 200
    assert api.get("/v1/admin/accounts/target", admin).json["disabled"] is False
    assert api.get("/v1/admin/accounts/newbie", admin).status_code == 404
    record = api.get(f"/v1/records/{province['record_id']}", province["token"]).json
    assert (record["status"], record["version"]) == ("active", 1)
    followed = api.post("/v1/complaints/follow", {"code": province["complaint"]}).json
    assert (followed["status"], followed["shop_reply"]) == ("submitted", None)
    assert api.get("/v1/shop/reminders", province["token"]).json["reminders"] == []
    assert 'data-job="' not in portal.get("/portal/imports").text
    assert console.request("GET", "/console").status_code == 200
    assert portal.get("/portal").status == 200


def test_a_forged_form_changes_nothing_in_the_ministry_console(ministry_api):
    # Given the ministry administrator signed in, Jiangsu's exchange credential, an agency
    # with a key, and another session's valid token
    api = ministry_api
    ministry_vehicle(api)
    key = agency_key(api, "甲保险公司", "insurance", "claims_assessment")
    add_regulator("viewer", "ministry_analyst")
    console = Province(api).browser(REGULATOR)
    other = csrf_of(
        Province(api).browser(("viewer", "viewer-test-password")).request("GET", "/console").text
    )
    values = {
        "province_code": "320000",
        "credential_action": "revoke",
        "agency_id": key["agency_id"],
        "key_id": key["key_id"],
        "key_action": "revoke",
    }
    # When another site makes the browser post each ministry form, with no token and another's
    statuses = [
        (
            route,
            console.request(
                "POST", _fill(route, values), {**fields, "csrf_token": forged}
            ).status_code,
        )
        for route, fields in MINISTRY_FORMS.items()
        for forged in ("", other)
    ]
    # Then every one is refused, and the credential, the agencies and the key are as they were
    assert [s for s in statuses if s[1] != 403] == []
    admin = api.regulator_token()
    credentials = api.get("/v1/exchange/credentials", admin).json["credentials"]
    assert [c["status"] for c in credentials if c["province_code"] == "320000"] == ["active"]
    assert [a["name"] for a in api.get("/v1/agencies", admin).json["agencies"]] == ["甲保险公司"]
    keys = api.get(f"/v1/agencies/{key['agency_id']}", admin).json["keys"]
    assert [k["status"] for k in keys] == ["active"]


def test_a_sign_in_form_posted_from_another_site_signs_nobody_in(api, shop):
    # Given a shop's and a regulator's valid credentials, posted without the sign-in page's
    # nonce (another site's form: login CSRF)
    registered, _ = shop
    portal = PortalClient(api.client)
    console = Browser(api)
    # When each sign-in form arrives
    shop_answer = portal.post(
        "/portal/login",
        {
            "companycode": registered["companycode"],
            "secret": registered["secret"],
            "csrf_token": "x",
        },
    )
    regulator_answer = console.request(
        "POST",
        "/console/login",
        {"username": REGULATOR[0], "password": REGULATOR[1], "totp": "000000", "csrf_token": "x"},
    )
    # Then both are refused and no session cookie is set
    assert shop_answer.status == regulator_answer.status_code == 403
    assert not any("session=" in c and "Max-Age=0" not in c for c in shop_answer.set_cookies())
    assert not any("session=" in c and "Max-Age=0" not in c for c in set_cookies(regulator_answer))


def test_no_sign_in_sends_the_browser_off_site(api, shop):
    # Given links to the sign-in pages with a `next` (and a `lang`) pointing elsewhere
    registered, _ = shop
    evil = "https://evil.example/phish"
    # When a regulator and a shop clerk sign in through them, and open them again signed in
    console = Browser(api)
    page = console.request("GET", f"/console/login?next={evil}&lang={evil}")
    signed_in = console.request(
        "POST",
        f"/console/login?next={evil}",
        {
            "csrf_token": csrf_of(page.text),
            "username": REGULATOR[0],
            "password": REGULATOR[1],
            "totp": _totp(api, REGULATOR[0]),
            "next": evil,
            "lang": evil,
        },
    )
    again = console.request("GET", f"/console/login?next={evil}")
    portal = PortalClient(api.client)
    form = portal.get(f"/portal/login?next={evil}")
    portal_in = portal.post(
        f"/portal/login?next={evil}",
        {
            "companycode": registered["companycode"],
            "secret": registered["secret"],
            "csrf_token": form.csrf(),
            "next": evil,
        },
    )
    portal_again = portal.get(f"/portal/login?next={evil}")
    # Then every redirect stays on this site, at the console's or the portal's home
    locations = [
        signed_in.headers["Location"],
        again.headers["Location"],
        portal_in.location,
        portal_again.location,
    ]
    assert [re.sub(r"\?.*", "", loc) for loc in locations] == [
        "/console",
        "/console",
        "/portal",
        "/portal",
    ]
    assert all("evil" not in loc for loc in locations)


def test_every_cookie_is_httponly_secure_and_same_site_strict_and_a_planted_one_is_replaced(
    api, shop
):
    # Given a session cookie an attacker planted in the browser before it signs in
    registered, _ = shop
    portal = PortalClient(api.client)
    portal.cookies["vmehr_portal_session"] = "planted-by-the-attacker"
    console = Browser(api)
    console.cookies["vmehr_console_session"] = "planted-by-the-attacker"
    # When the clerk and the regulator sign in (and the clerk switches language)
    cookies = [*portal.get("/portal/login?lang=en").set_cookies()]
    form = portal.get("/portal/login")
    answer = portal.post(
        "/portal/login",
        {
            "companycode": registered["companycode"],
            "secret": registered["secret"],
            "csrf_token": form.csrf(),
        },
    )
    cookies += answer.set_cookies()
    page = console.request("GET", "/console/login")
    cookies += set_cookies(page)
    signed = console.request(
        "POST",
        "/console/login",
        {
            "csrf_token": csrf_of(page.text),
            "username": REGULATOR[0],
            "password": REGULATOR[1],
            "totp": _totp(api, REGULATOR[0]),
        },
    )
    cookies += set_cookies(signed)
    # Then every cookie set is HttpOnly, Secure and SameSite=Strict
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"vmehr_lang", "vmehr_login", "vmehr_portal_session", "vmehr_console_login"} <= names
    assert "vmehr_console_session" in names
    for cookie in cookies:
        attributes = {a.strip() for a in cookie.split(";")[1:]}
        assert {"HttpOnly", "Secure", "SameSite=Strict"} <= attributes, cookie
    # And the planted sessions were replaced by new ones the server issued
    assert portal.cookies["vmehr_portal_session"] != "planted-by-the-attacker"
    assert console.cookies["vmehr_console_session"] != "planted-by-the-attacker"


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fapp.py",
        "..%2F..%2Fapp.py",
        "%2e%2e%2fconfig.py",
        "..%5C..%5Capp.py",
        "..",
        ".gitignore",
        "render.py",
        "%2Fetc%2Fpasswd",
        "app.css%00.py",
        "..%2Ftemplates%2Fbase.html",
        "..%2Fstatic%2Fapp.css",
    ],
)
def test_static_serves_no_file_but_its_stylesheets(api, name):
    # When anyone asks /static/ for a path or a file that is not one of its stylesheets
    answer = api.client.http.get(f"/static/{name}")
    # Then it is not found, and says nothing of any file
    assert answer.status_code == 404
    assert answer.body == b"not found"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_static_stylesheets_are_served_as_css_that_is_never_sniffed(api):
    for name in ("app.css", "console.css"):
        answer = api.client.http.get(f"/static/{name}")
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/css; charset=utf-8"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_every_kind_of_answer_carries_its_protective_headers(api, shop):
    # Given a shop clerk and a regulator signed in, a record, an import and a complaint photo
    registered, token = shop
    payload = record_payload()
    record_id = api.post("/v1/records", payload, token).json["record_id"]
    code = api.post(
        "/v1/complaints",
        {
            "kind": "incorrect",
            "vin": payload["vin"],
            "plate": payload["plate_number"],
            "settlement_list_code": payload["settlement_list_code"],
            "text": "记录有误",
            "photo_base64": base64.b64encode(tiny_png()).decode(),
        },
    ).json["code"]
    portal = _portal(api, registered)
    form = portal.get("/portal/imports")
    job = portal.post_file(
        "/portal/imports", {"csrf_token": form.csrf()}, "a.csv", csv_bytes([HEADER_ZH, sheet_row()])
    ).location
    console = Province(api).browser(REGULATOR)
    http = api.client.http
    # When each kind of answer is fetched
    pages = {
        "public page": http.get("/"),
        "public 404 page": http.post(
            "/vehicle",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body="vin=LSVAU2180N2183294&plate=x",
        ),
        "console sign-in": http.get("/console/login"),
        "console page": console.request("GET", "/console"),
        "console 404 page": console.request("GET", "/console/complaints/TSAAAAAAAAAAAAAAAA"),
        "portal page": _as_response(portal.get(f"/portal/records/{record_id}")),
        "portal 404 page": _as_response(portal.get("/portal/records/" + "0" * 32)),
    }
    api_answers = {
        "JSON answer": api.get(f"/v1/records/{record_id}", token),
        "JSON error": api.get("/v1/records/" + "0" * 32, token),
        "JSON 401": api.get("/v1/records"),
    }
    files = {
        "import results": _as_response(portal.get(f"{job}/results.csv")),
        "import template": _as_response(portal.get("/portal/templates/records-zh-CN.xlsx")),
        "photo (API)": http.get(
            f"/v1/complaints/{code}/photo",
            headers={"Authorization": f"Bearer {api.regulator_token()}", "Accept": "image/png"},
        ),
        "photo (console)": console.request(
            "GET", f"/console/complaints/{code}/photo", headers={"Accept": "image/png"}
        ),
        "report PDF": http.post(
            "/vehicle/report.pdf",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/pdf",
            },
            body=urlencode({"vin": payload["vin"], "plate": payload["plate_number"]}),
        ),
    }
    # Then pages may not be framed, sniffed, cached or run anything not ours
    for name, answer in pages.items():
        _assert_page_headers(name, answer.headers)
    # And JSON and downloads are never sniffed nor stored by a cache
    for name, answer in {**api_answers, **files}.items():
        headers = answer.headers
        assert headers.get("X-Content-Type-Options") == "nosniff", name
        assert headers.get("Cache-Control") == "no-store", name
    for name, answer in files.items():
        assert answer.status_code == 200, name
    # And a redirect is never cached
    redirect = console.request("GET", "/console/login")
    assert redirect.status_code == 303 and redirect.headers["Cache-Control"] == "no-store"


def test_the_ministrys_agency_read_export_carries_its_protective_headers(ministry_api):
    # Given an agency that read a vehicle
    api = ministry_api
    vehicle = ministry_vehicle(api)
    key = agency_key(api, "缺陷产品管理中心", "recall", "recall_campaign")
    api.call("GET", f"/v1/agency/vehicles/{vehicle['vin']}/history", token=key["key"])
    # When the regulator exports its reads as CSV, and the agency reads again (JSON)
    export = api.client.http.get(
        f"/v1/agencies/{key['agency_id']}/reads/csv",
        headers={"Authorization": f"Bearer {api.regulator_token()}"},
    )
    read = api.call("GET", f"/v1/agency/vehicles/{vehicle['vin']}/history", token=key["key"])
    # Then neither is sniffed nor stored by a cache
    for answer in (export, read):
        assert answer.status_code == 200
        assert answer.headers.get("X-Content-Type-Options") == "nosniff"
        assert answer.headers.get("Cache-Control") == "no-store"


def _assert_page_headers(name: str, headers: Any) -> None:
    policy = {
        directive.split(" ", 1)[0]: directive
        for directive in (d.strip() for d in headers["Content-Security-Policy"].split(";"))
    }
    assert policy["default-src"] == "default-src 'none'", name
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", name
    assert policy["form-action"] == "form-action 'self'", name
    assert "script-src" not in policy, name  # no script at all
    assert headers.get("X-Frame-Options") == "DENY", name
    assert headers.get("X-Content-Type-Options") == "nosniff", name
    assert headers.get("Cache-Control") == "no-store", name
    assert headers.get("Referrer-Policy") == "no-referrer", name


def _fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route)


def _portal(api: Api, registered: dict[str, Any]) -> PortalClient:
    client = PortalClient(api.client)
    client.sign_in(registered["companycode"], registered["secret"])
    return client


def _portal_post(portal: PortalClient, path: str, form: dict[str, str]) -> int:
    if path == "/portal/imports":
        fields = dict(form)
        return portal.post_file(
            path, fields, "forged.csv", csv_bytes([HEADER_ZH, sheet_row()])
        ).status
    return portal.post(path, form).status


def _totp(api: Api, username: str) -> str:
    """The account's code for a browser sign-in: the next one if the API used this one."""
    from tests.builders import totp_code
    from tests.functional.conftest import TOTP_SECRETS

    ahead = 1 if username in api._regulator_tokens else 0
    return totp_code(TOTP_SECRETS[username], steps_ahead=ahead)


class _Answer:
    """A portal page in the shape of the test client's answers (status_code, headers)."""

    def __init__(self, page: Any) -> None:
        self.status_code = page.status
        self.headers = page.headers
        self.body = page.body


def _as_response(page: Any) -> _Answer:
    return _Answer(page)
