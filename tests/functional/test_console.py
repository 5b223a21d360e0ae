"""The regulator console: sign-in with a TOTP code, home page by role, sign-out with CSRF."""

from __future__ import annotations

import re

from tests.builders import totp_code
from tests.functional.conftest import REGULATOR, TOTP_SECRETS, add_regulator
from tests.functional.console_browser import Browser, csrf_of, set_cookies


def test_sign_in_with_password_and_code_opens_the_console(api):
    # Given the sign-in page
    browser = Browser(api)
    page = browser.request("GET", "/console/login")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text
    # When the administrator signs in with its password and current code
    answer = browser.sign_in(*REGULATOR)
    # Then it is sent to the console with a session cookie that scripts cannot read
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console?lang=zh-CN"
    session = next(c for c in set_cookies(answer) if c.startswith("vmehr_console_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    max_age = int(re.search(r"Max-Age=(\d+)", session).group(1))
    assert 0 < max_age <= 1800
    # And the home page says who it is, its role and the sections it may use
    home = browser.request("GET", "/console")
    assert home.status_code == 200
    assert "regulator" in home.text and "省级管理员" in home.text
    for section in ("accounts", "audit", "registry", "complaints"):
        assert f'data-section="{section}"' in home.text
    assert 'data-section="provinces"' not in home.text


def test_a_failed_sign_in_shows_one_message_whatever_was_wrong(api):
    # Given wrong codes, a wrong password and an unknown account
    attempts = [
        (
            REGULATOR[0],
            REGULATOR[1],
            "000000" if totp_code(TOTP_SECRETS[REGULATOR[0]]) != "000000" else "111111",
        ),
        (REGULATOR[0], "wrong-password", None),
        ("nobody", "whatever-password", "123456"),
    ]
    pages = []
    for username, password, code in attempts:
        if username == "nobody":
            TOTP_SECRETS.setdefault("nobody", TOTP_SECRETS[REGULATOR[0]])
        pages.append(Browser(api).sign_in(username, password, code))
    # Then each is the sign-in page again with the same message, and no session
    for page in pages:
        assert page.status_code == 401
        assert 'data-error="sign_in_failed"' in page.text
        assert not any(c.startswith("vmehr_console_session=") for c in set_cookies(page))


def test_sign_in_without_the_form_token_is_refused(api):
    # Given a browser that never loaded our sign-in page (another site's form)
    browser = Browser(api)
    form = {
        "username": REGULATOR[0],
        "password": REGULATOR[1],
        "totp": totp_code(TOTP_SECRETS[REGULATOR[0]]),
    }
    # When it posts the credentials without a token, and with a made-up token
    missing = browser.request("POST", "/console/login", form)
    made_up = browser.request("POST", "/console/login", {**form, "csrf_token": "f" * 64})
    # Then both are refused before any sign-in is tried
    assert missing.status_code == made_up.status_code == 403
    assert 'data-error="csrf"' in missing.text
    assert "vmehr_console_session" not in browser.cookies


def test_the_console_needs_a_session(api):
    # When a browser without a session opens the console
    answer = Browser(api).request("GET", "/console")
    # Then it is sent to the sign-in page
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console/login"


def test_sign_out_needs_the_session_csrf_token(api):
    # Given a signed-in administrator, and an attacker signed in with its own account
    victim = Browser(api)
    victim.sign_in(*REGULATOR)
    home = victim.request("GET", "/console")
    attacker = Browser(api)
    add_regulator("mallory", "province_analyst")
    attacker.sign_in("mallory", "mallory-test-password")
    attackers_token = csrf_of(attacker.request("GET", "/console").text)
    # When the victim's browser posts sign-out without a token, or with the attacker's
    without = victim.request("POST", "/console/logout", {"lang": "zh-CN"})
    foreign = victim.request("POST", "/console/logout", {"csrf_token": attackers_token})
    # Then both are refused and the victim stays signed in
    assert without.status_code == foreign.status_code == 403
    assert victim.request("GET", "/console").status_code == 200
    # And with its own page's token it signs out: the session ends on the server too
    token_before = victim.cookies["vmehr_console_session"]
    signed_out = victim.request("POST", "/console/logout", {"csrf_token": csrf_of(home.text)})
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"].startswith("/console/login")
    assert "vmehr_console_session" not in victim.cookies
    assert api.get("/v1/shops", token_before).status_code == 401


def test_a_district_officer_sees_its_districts_and_its_sections_only(api):
    # Given a district officer for 玄武区 and 秦淮区
    add_regulator("zhao", "district_officer", ("320102", "320104"))
    browser = Browser(api)
    # When it signs in in English
    assert browser.sign_in("zhao", "zhao-test-password", lang="en").status_code == 303
    home = browser.request("GET", "/console?lang=en")
    # Then the page is in English, lists both districts by name, and no administration
    assert home.status_code == 200
    assert 'lang="en"' in home.text and "District officer" in home.text
    assert 'data-division="320102"' in home.text and "玄武区" in home.text
    assert 'data-division="320104"' in home.text
    assert 'data-section="registry"' in home.text
    assert 'data-section="accounts"' not in home.text
    assert 'data-section="audit"' not in home.text


def test_a_shop_session_does_not_open_the_console(api, shop):
    # Given a browser holding a shop's token as its session cookie
    _, shop_token = shop
    browser = Browser(api)
    browser.cookies["vmehr_console_session"] = shop_token
    # When it opens the console
    answer = browser.request("GET", "/console")
    # Then it is sent to sign in as a regulator
    assert answer.status_code == 303


def test_the_ministry_console_shows_the_ministry_sections(ministry_api):
    # Given the ministry administrator
    browser = Browser(ministry_api)
    # When it signs in
    assert browser.sign_in(*REGULATOR).status_code == 303
    home = browser.request("GET", "/console")
    # Then the console is the ministry's, with the provinces' link and no district
    assert home.status_code == 200
    assert "部级监管平台" in home.text and "部级管理员" in home.text
    assert 'data-section="provinces"' in home.text
    assert 'data-section="reminders"' not in home.text
    assert "全国" in home.text


def test_every_sign_in_and_sign_out_is_audited(api):
    # Given the administrator's API token, then a sign-in and a sign-out in the console
    token = api.regulator_token(REGULATOR)
    browser = Browser(api)
    code = totp_code(TOTP_SECRETS[REGULATOR[0]], steps_ahead=1)
    assert browser.sign_in(*REGULATOR, code=code).status_code == 303
    home = browser.request("GET", "/console")
    browser.request("POST", "/console/logout", {"csrf_token": csrf_of(home.text)})
    # When the administrator reads the trail
    entries = api.get("/v1/audit?actor=regulator", token).json["entries"]
    # Then both sign-ins and the sign-out are there
    actions = [e["action"] for e in entries]
    assert actions.count("auth.token_issued") == 2
    assert "auth.sign_out" in actions
