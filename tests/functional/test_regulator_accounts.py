"""Account management by the province administrator, and the audit trail it leaves."""

from __future__ import annotations

import urllib.parse

from tests.builders import totp_code
from tests.functional.conftest import ANALYST, REGULATOR


def _create(api, **body):
    request = {"username": "wang.officer", "role": "district_officer", "divisions": ["320102"]}
    request.update(body)
    return api.post("/v1/admin/accounts", request, api.regulator_token())


def _login(api, username, password, secret, steps_ahead=0):
    code = totp_code(secret, steps_ahead)
    return api.regulator_login(username, password, code=code)


def test_a_new_account_gets_its_password_and_totp_secret_once_and_can_sign_in(api):
    # When the province administrator creates a district officer
    created = _create(api)
    # Then the answer carries a password, a TOTP secret and its otpauth:// URI, once
    assert created.status_code == 201, created.json
    body = created.json
    assert body["role"] == "district_officer" and body["divisions"] == ["320102"]
    assert body["totp_uri"].startswith("otpauth://totp/")
    assert urllib.parse.quote(body["totp_secret"]) in body["totp_uri"]
    # And the new officer signs in with them
    signed_in = _login(api, "wang.officer", body["password"], body["totp_secret"])
    assert signed_in.status_code == 200
    assert signed_in.json["role"] == "district_officer"
    # And reading the account back never shows the secrets again
    again = api.get("/v1/admin/accounts/wang.officer", api.regulator_token()).json
    assert {"password", "totp_secret", "totp_uri", "password_hash"}.isdisjoint(again)
    listed = api.get("/v1/admin/accounts", api.regulator_token()).json["accounts"]
    assert "wang.officer" in {a["username"] for a in listed}


def test_account_rules_are_checked_field_by_field(api):
    # When accounts are requested with a ministry role, an officer without districts,
    # districts of another province and an existing name
    answers = {
        "ministry_role": _create(api, username="x1", role="ministry_admin", divisions=[]),
        "no_divisions": _create(api, username="x2", divisions=[]),
        "hubei": _create(api, username="x3", divisions=["420102"]),
        "analyst_with_divisions": _create(api, username="x4", role="province_analyst"),
        "taken": _create(api, username=REGULATOR[0], role="province_analyst", divisions=[]),
    }
    # Then each is refused with the failing field and rule
    rules = {
        key: (a.status_code, (a.json.get("errors") or [{}])[0].get("rule"))
        for key, a in answers.items()
    }
    assert rules == {
        "ministry_role": (400, "enum"),
        "no_divisions": (400, "count"),
        "hubei": (400, "gb_t_2260_this_province"),
        "analyst_with_divisions": (400, "none_for_role"),
        "taken": (409, None),
    }


def test_only_the_administrator_manages_accounts(api):
    # Given the analyst and a district officer
    officer = _create(api).json
    officer_token = _login(api, "wang.officer", officer["password"], officer["totp_secret"])
    tokens = [api.regulator_token(ANALYST), officer_token.json["access_token"]]
    # When they try to list or create accounts
    # Then they are refused
    for token in tokens:
        assert api.get("/v1/admin/accounts", token).status_code == 403
        body = {"username": "sneaky", "role": "province_admin"}
        assert api.post("/v1/admin/accounts", body, token).status_code == 403


def test_password_reset_ends_the_old_tokens_and_the_old_password(api):
    # Given an officer signed in
    officer = _create(api).json
    old = _login(api, "wang.officer", officer["password"], officer["totp_secret"])
    old_token = old.json["access_token"]
    assert api.get("/v1/shops", old_token).status_code == 200
    # When the administrator resets its password
    reset = api.post("/v1/admin/accounts/wang.officer/password", {}, api.regulator_token())
    # Then a new password is shown once, the old token and the old password stop working
    assert reset.status_code == 200
    assert reset.json["password"] != officer["password"]
    assert "totp_secret" not in reset.json
    assert api.get("/v1/shops", old_token).status_code == 401
    refused = _login(api, "wang.officer", officer["password"], officer["totp_secret"], 1)
    assert refused.status_code == 401
    # And the new password works with the same authenticator
    new = _login(api, "wang.officer", reset.json["password"], officer["totp_secret"], 1)
    assert new.status_code == 200


def test_totp_reset_issues_a_new_secret_and_retires_the_old_one(api):
    # Given an officer
    officer = _create(api).json
    # When the administrator resets its second factor
    reset = api.post("/v1/admin/accounts/wang.officer/totp", {}, api.regulator_token())
    # Then the new secret is shown once and codes of the old secret are refused
    assert reset.status_code == 200
    new_secret = reset.json["totp_secret"]
    assert new_secret != officer["totp_secret"]
    assert "password" not in reset.json
    if totp_code(officer["totp_secret"]) != totp_code(new_secret):
        old = _login(api, "wang.officer", officer["password"], officer["totp_secret"])
        assert old.status_code == 401
    assert _login(api, "wang.officer", officer["password"], new_secret, 1).status_code == 200


def test_disabling_ends_tokens_and_sign_in_until_enabled(api):
    # Given an officer signed in
    officer = _create(api).json
    token = _login(api, "wang.officer", officer["password"], officer["totp_secret"])
    token = token.json["access_token"]
    # When the administrator disables the account
    admin = api.regulator_token()
    disabled = api.post("/v1/admin/accounts/wang.officer/disable", {}, admin)
    # Then its token stops and it cannot sign in
    assert disabled.status_code == 200 and disabled.json["disabled"] is True
    assert api.get("/v1/shops", token).status_code == 401
    refused = _login(api, "wang.officer", officer["password"], officer["totp_secret"], 1)
    assert refused.status_code == 401
    # And once enabled again, it can
    assert api.post("/v1/admin/accounts/wang.officer/enable", {}, admin).status_code == 200
    again = _login(api, "wang.officer", officer["password"], officer["totp_secret"], 1)
    assert again.status_code == 200


def test_an_administrator_cannot_disable_its_own_account(api):
    response = api.post(f"/v1/admin/accounts/{REGULATOR[0]}/disable", {}, api.regulator_token())
    assert response.status_code == 409
    assert response.json["code"] == "own_account"
