"""Console pages of the administrator: accounts (created, reset, disabled) and the audit log."""

from __future__ import annotations

import html
import re

from tests.builders import totp_code
from tests.functional.conftest import ANALYST, REGULATOR
from tests.functional.console_browser import Browser, csrf_of


def _admin(api) -> tuple[Browser, str]:
    browser = Browser(api)
    assert browser.sign_in(*REGULATOR).status_code == 303
    page = browser.request("GET", "/console/accounts")
    assert page.status_code == 200, page.text
    return browser, csrf_of(page.text)


def _shown(page_text: str, name: str) -> str:
    match = re.search(rf'data-shown="{name}">([^<]*)<', page_text)
    assert match, f"{name} not shown"
    return html.unescape(match.group(1))


def test_the_administrator_creates_an_account_whose_credentials_are_shown_once(api):
    # Given the administrator on the accounts page
    browser, csrf = _admin(api)
    # When it creates a district officer for two districts
    created = browser.request(
        "POST",
        "/console/accounts",
        {
            "csrf_token": csrf,
            "username": "zhou",
            "role": "district_officer",
            "divisions": "320102, 320104",
        },
    )
    # Then the answer shows the password and the TOTP secret once
    assert created.status_code == 201, created.text
    password, secret = _shown(created.text, "password"), _shown(created.text, "totp_secret")
    assert _shown(created.text, "totp_uri").startswith("otpauth://totp/")
    # And the list shows the account without them, and the new officer can sign in
    listing = browser.request("GET", "/console/accounts").text
    assert 'data-account="zhou"' in listing and secret not in listing and password not in listing
    signed_in = api.regulator_login("zhou", password, code=totp_code(secret))
    assert signed_in.json["divisions"] == ["320102", "320104"]


def test_a_refused_account_is_explained_field_by_field(api):
    # Given the administrator on the accounts page
    browser, csrf = _admin(api)
    # When it asks for a district officer without districts
    page = browser.request(
        "POST",
        "/console/accounts",
        {"csrf_token": csrf, "username": "wu", "role": "district_officer", "divisions": ""},
    )
    # Then the form comes back naming the field and rule, with what was typed
    assert page.status_code == 400
    assert 'data-field="divisions" data-rule="count"' in page.text
    assert 'value="wu"' in page.text


def test_reset_and_disable_from_the_console(api):
    # Given the analyst signed in through the API, and the administrator on the accounts page
    analyst_token = api.regulator_token(ANALYST)
    browser, csrf = _admin(api)
    # When the administrator resets the analyst's second factor and disables the account
    reset = browser.request("POST", "/console/accounts/analyst/totp", {"csrf_token": csrf})
    disabled = browser.request("POST", "/console/accounts/analyst/disable", {"csrf_token": csrf})
    # Then the new secret is shown once, and the analyst's token stops
    assert reset.status_code == 200
    assert _shown(reset.text, "totp_secret")
    assert disabled.status_code == 303
    assert api.get("/v1/shops", analyst_token).status_code == 401
    listing = browser.request("GET", "/console/accounts").text
    assert re.search(r'data-account="analyst">(?:(?!</tr>).)*停用', listing, re.S)


def test_account_forms_need_the_session_token(api):
    # Given the administrator signed in
    browser, _ = _admin(api)
    # When a form is posted without its token (another site's form)
    answer = browser.request("POST", "/console/accounts/analyst/disable", {})
    # Then it is refused and nothing changes
    assert answer.status_code == 403
    assert api.regulator_login(*ANALYST).status_code == 200


def test_the_audit_page_lists_the_day_by_account(api):
    # Given the administrator's actions of today
    browser, _ = _admin(api)
    # When it opens the audit page for itself
    page = browser.request("GET", "/console/audit?actor=regulator")
    # Then its sign-in and its reading of the accounts are listed
    assert page.status_code == 200
    assert 'data-action="auth.token_issued"' in page.text
    assert 'data-action="account.list"' in page.text


def test_the_analyst_has_neither_page(api):
    browser = Browser(api)
    assert browser.sign_in(*ANALYST).status_code == 303
    assert browser.request("GET", "/console/accounts").status_code == 403
    assert browser.request("GET", "/console/audit").status_code == 403
