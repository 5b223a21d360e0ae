"""Shop portal sign-in: the session cookie, login CSRF, lockout, sign-out, rotation, ministry."""

from __future__ import annotations

import pytest

from chalicelib.config import get_settings
from tests.functional.conftest import ANALYST
from tests.functional.console_browser import Browser, csrf_of, set_cookies
from tests.functional.portal_client import PortalClient


@pytest.fixture
def browser(api):
    return PortalClient(api.client)


def test_pages_send_a_visitor_without_a_session_to_the_sign_in_page(browser):
    # When a visitor opens portal pages without signing in
    answers = [browser.get(p) for p in ("/portal", "/portal/records", "/portal/imports")]
    # Then each answers with a redirect to the sign-in page
    assert {(a.status, a.location) for a in answers} == {(303, "/portal/login")}


def test_sign_in_sets_a_safe_session_cookie_and_opens_the_home_page(browser, shop):
    # Given a registered shop
    registered, _ = shop
    # When it signs in with its companycode and secret
    answer = browser.sign_in(registered["companycode"], registered["secret"])
    # Then the session cookie is HttpOnly, Secure (not a local run), SameSite=Strict
    session = next(c for c in answer.set_cookies() if c.startswith("vmehr_portal_session="))
    assert "HttpOnly" in session and "Secure" in session and "SameSite=Strict" in session
    assert answer.location == "/portal"
    home = browser.get("/portal")
    assert home.status == 200
    assert registered["name"] in home.text and registered["companycode"] in home.text


@pytest.mark.parametrize(("setting", "secure"), [(None, True), ("true", True), ("false", False)])
def test_session_cookies_are_secure_unless_cookie_secure_is_false(
    api, shop, monkeypatch, setting, secure
):
    # Given COOKIE_SECURE unset (the default), true, or false (a local run over plain HTTP)
    if setting is None:
        monkeypatch.delenv("COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("COOKIE_SECURE", setting)
    get_settings.cache_clear()
    registered, _ = shop
    # When a shop signs in to the portal and a regulator to the console
    portal = PortalClient(api.client).sign_in(registered["companycode"], registered["secret"])
    console = Browser(api).sign_in(*ANALYST)
    assert console.status_code == 303
    # Then both session cookies carry Secure only where it is not switched off, and are
    # HttpOnly and SameSite=Strict either way
    cookies = [
        next(c for c in portal.set_cookies() if c.startswith("vmehr_portal_session=")),
        next(c for c in set_cookies(console) if c.startswith("vmehr_console_session=")),
    ]
    for cookie in cookies:
        attributes = [a.strip() for a in cookie.split(";")]
        assert ("Secure" in attributes) is secure, cookie
        assert "HttpOnly" in attributes and "SameSite=Strict" in attributes, cookie


def test_a_wrong_secret_and_an_unknown_shop_read_the_same(browser, shop):
    # Given a shop and a companycode nobody has
    registered, _ = shop
    form = browser.get("/portal/login")
    # When one visitor gives a wrong secret and another an unknown companycode
    wrong = browser.post(
        "/portal/login",
        {"companycode": registered["companycode"], "secret": "nope", "csrf_token": form.csrf()},
    )
    unknown = browser.post(
        "/portal/login",
        {"companycode": "320102999999999", "secret": "nope", "csrf_token": wrong.csrf()},
    )
    # Then both see the same refusal and no session
    assert wrong.status == unknown.status == 401
    assert "企业编码或密码不正确" in wrong.text and "企业编码或密码不正确" in unknown.text
    assert "vmehr_portal_session" not in browser.cookies


def test_too_many_failures_lock_the_shop_out(browser, shop):
    # Given five failed sign-ins for one shop
    registered, _ = shop
    page = browser.get("/portal/login")
    for _ in range(5):
        page = browser.post(
            "/portal/login",
            {"companycode": registered["companycode"], "secret": "x", "csrf_token": page.csrf()},
        )
    # When the right secret is given next
    locked = browser.post(
        "/portal/login",
        {
            "companycode": registered["companycode"],
            "secret": registered["secret"],
            "csrf_token": page.csrf(),
        },
    )
    # Then the shop is locked out for now, and told for how long
    assert locked.status == 429
    assert "登录失败次数过多" in locked.text and "15 分钟" in locked.text


def test_a_sign_in_posted_from_elsewhere_is_refused(api, shop):
    # Given another site that posts the shop's credentials without our sign-in page's token
    registered, _ = shop
    browser = PortalClient(api.client)
    # When the browser posts the form without having loaded the sign-in page
    answer = browser.post(
        "/portal/login",
        {"companycode": registered["companycode"], "secret": registered["secret"]},
    )
    # Then no session is opened
    assert answer.status == 403
    assert "vmehr_portal_session" not in browser.cookies


def test_sign_out_needs_the_csrf_token_and_ends_the_session(browser, shop):
    # Given a signed-in shop
    registered, _ = shop
    browser.sign_in(registered["companycode"], registered["secret"])
    home = browser.get("/portal")
    stolen = dict(browser.cookies)
    # When a sign-out without the token arrives, then a real one
    forged = browser.post("/portal/logout", {})
    real = browser.post("/portal/logout", {"csrf_token": home.csrf()})
    # Then only the real one signs out, and the old cookie no longer opens any page
    assert forged.status == 403
    assert (real.status, real.location) == (303, "/portal/login?signed_out=1")
    assert "您已安全退出" in browser.get(real.location).text
    browser.cookies = stolen
    assert browser.get("/portal").status == 303


def test_the_console_and_the_portal_keep_their_own_sessions_in_one_browser(api, shop):
    # Given one browser (one cookie jar) signed in to the console as a regulator
    registered, _ = shop
    browser = Browser(api)
    assert browser.sign_in(*ANALYST).status_code == 303
    # When the regulator opens the portal, which is not its audience
    portal = browser.request("GET", "/portal")
    # Then it is sent to the portal's sign-in page, and its console session is untouched
    assert (portal.status_code, portal.headers["Location"]) == (303, "/portal/login")
    assert "vmehr_console_session" in browser.cookies
    assert browser.request("GET", "/console").status_code == 200
    # When a shop signs in to the portal in the same browser
    form = browser.request("GET", "/portal/login")
    signed_in = browser.request(
        "POST",
        "/portal/login",
        {
            "companycode": registered["companycode"],
            "secret": registered["secret"],
            "csrf_token": csrf_of(form.text),
        },
    )
    # Then each cookie keeps its own session: both the console and the portal open
    assert signed_in.status_code == 303
    assert set(browser.cookies) >= {"vmehr_console_session", "vmehr_portal_session"}
    assert browser.request("GET", "/console").status_code == 200
    home = browser.request("GET", "/portal")
    assert home.status_code == 200 and registered["companycode"] in home.text
    # And signing out of the portal leaves the console signed in
    out = browser.request("POST", "/portal/logout", {"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303 and "vmehr_portal_session" not in browser.cookies
    assert browser.request("GET", "/console").status_code == 200


def test_rotating_the_secret_ends_the_portal_session(api, browser, shop):
    # Given a signed-in shop
    registered, _ = shop
    browser.sign_in(registered["companycode"], registered["secret"])
    # When the province rotates its secret
    rotated = api.post(f"/v1/shops/{registered['companycode']}/secret", {}, api.regulator_token())
    assert rotated.status_code == 200
    # Then the portal sends the browser back to the sign-in page
    assert browser.get("/portal").location == "/portal/login"


def test_the_language_switch_is_remembered(browser, shop):
    # Given a signed-in shop
    registered, _ = shop
    browser.sign_in(registered["companycode"], registered["secret"])
    # When it switches to English once
    english = browser.get("/portal?lang=en")
    later = browser.get("/portal/records")
    # Then the next pages are English too
    assert '<html lang="en">' in english.text and "My records" in later.text
    assert browser.get("/portal?lang=zh-CN").text.count("我的记录") >= 1


def test_the_portal_does_not_exist_on_the_ministry(ministry_api):
    browser = PortalClient(ministry_api.client)
    assert browser.get("/portal/login").status == 404
    assert browser.get("/portal/records").status == 404
