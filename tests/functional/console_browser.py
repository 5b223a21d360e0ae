"""A minimal browser for console tests: cookies, form posts, CSRF fields; no redirects followed."""

from __future__ import annotations

import re
import urllib.parse

from tests.builders import totp_code
from tests.functional.conftest import TOTP_SECRETS

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Browser:
    """Just enough of a browser: keeps cookies, posts forms, does not follow redirects."""

    def __init__(self, api) -> None:
        self.http = api.client.http
        self.cookies: dict[str, str] = {}

    def request(self, method, path, form=None, headers=None):
        headers = {**(FORM if form is not None else {}), **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(form) if form is not None else None
        response = self.http.request(method, path, headers=headers, body=body)
        for header in set_cookies(response):
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        response.text = response.body.decode("utf-8", "replace") if response.body else ""
        return response

    def sign_in(self, username, password, code=None, lang="zh-CN"):
        page = self.request("GET", f"/console/login?lang={lang}")
        return self.request(
            "POST",
            "/console/login",
            {
                "csrf_token": csrf_of(page.text),
                "lang": lang,
                "username": username,
                "password": password,
                "totp": code or totp_code(TOTP_SECRETS[username]),
            },
        )


def set_cookies(response) -> list[str]:
    value = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    return value if isinstance(value, list) else [value]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)
