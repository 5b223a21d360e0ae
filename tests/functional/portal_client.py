"""A cookie-keeping form client for the shop portal over chalice's test client.

Why: the portal is used by a browser: it keeps cookies, reads the CSRF token from the page it
was given and posts forms (URL-encoded or multipart). This client does exactly that and
nothing more, so the functional tests exercise the real routes, cookies and CSRF checks.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')

Fields = dict[str, str] | list[tuple[str, str]]


@dataclass
class Page:
    status: int
    headers: dict[str, Any]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def location(self) -> str:
        return str(self.headers.get("Location", ""))

    def csrf(self) -> str:
        match = CSRF.search(self.text)
        assert match, "the page has no form with a CSRF token"
        return match.group(1)

    def set_cookies(self) -> list[str]:
        raw = self.headers.get("Set-Cookie") or []
        return [raw] if isinstance(raw, str) else list(raw)


class PortalClient:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> Page:
        return self._send("GET", path, None, headers or {})

    def post(self, path: str, fields: Fields, headers: dict[str, str] | None = None) -> Page:
        body = urlencode(fields).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self._send("POST", path, body, headers)

    def post_file(
        self, path: str, fields: Fields, filename: str, data: bytes, name: str = "file"
    ) -> Page:
        boundary = uuid.uuid4().hex
        chunks = []
        items = fields.items() if isinstance(fields, dict) else fields
        for key, value in items:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
                + value.encode("utf-8")
                + b"\r\n"
            )
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._send("POST", path, body, headers)

    def sign_in(self, companycode: str, secret: str) -> Page:
        form = self.get("/portal/login")
        answer = self.post(
            "/portal/login",
            {"companycode": companycode, "secret": secret, "csrf_token": form.csrf()},
        )
        assert answer.status == 303, answer.text
        return answer

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Page:
        all_headers = {"Accept": "text/html,*/*;q=0.8", **headers}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.http.request(method, path, headers=all_headers, body=body or b"")
        page = Page(response.status_code, dict(response.headers), response.body)
        for header in page.set_cookies():
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return page
