"""The regulator console over real HTTP: the demo administrator signs in with a TOTP code."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from infra.seed import DEMO_REGULATOR, DEMO_TOTP_SECRETS
from tests.builders import totp_code


@pytest.fixture
def http_stack(http):
    """The package's province stack (named apart from the http module used here)."""
    return http


def test_demo_administrator_signs_in_with_a_totp_code_and_out_again(http_stack):
    # Given the package's API token of the demo administrator (signed in once, this step)
    http_stack.regulator()
    # And a browser-like client that keeps cookies and follows redirects
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(f"{http_stack.base}/console/login", timeout=30).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
    # When the demo administrator posts its password and the code of its authenticator
    username, password = DEMO_REGULATOR
    # (of the next time step: the API sign-in above used the current one)
    form = {
        "csrf_token": csrf,
        "lang": "en",
        "username": username,
        "password": password,
        "totp": totp_code(DEMO_TOTP_SECRETS[username], steps_ahead=1),
    }
    home = browser.open(
        f"{http_stack.base}/console/login", urllib.parse.urlencode(form).encode(), timeout=30
    )
    text = home.read().decode()
    # Then it lands on the console home, in English, as the provincial administrator
    assert home.url.endswith("/console?lang=en")
    assert "Provincial administrator" in text
    # And signing out with the page's token ends the session
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', text).group(1)
    out = browser.open(
        f"{http_stack.base}/console/logout",
        urllib.parse.urlencode({"csrf_token": csrf}).encode(),
        timeout=30,
    )
    assert "/console/login" in out.url
    again = browser.open(f"{http_stack.base}/console", timeout=30)
    assert again.url.endswith("/console/login")
