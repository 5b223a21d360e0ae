"""The shop portal on the system `make run` builds: sign in, enter, import, see it everywhere.

The demo shop signs in over real HTTP, enters a record by hand, imports the sample spreadsheet
(docs/samples/import-sample.xlsx) and sees each row's result once the province's stream poller
has run `run_jobs` (every batch delivered three times in this tier); the records then
appear in the vehicle's history, at the province and at the ministry.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest

from infra.samples import FORMULA_ROW, ROWS, SAMPLES
from infra.seed import DEMO_SHOP_SECRET
from tests.builders import unique_code, unique_plate, unique_vin
from tests.e2e_national.support import JIANGSU_SHOP, NationalSystem, eventually, get

pytestmark = pytest.mark.e2e
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Page:
    status: int
    headers: Any
    text: str

    def csrf(self) -> str:
        match = CSRF.search(self.text)
        assert match, self.text[:500]
        return match.group(1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Real HTTP with cookies, like a browser without script (redirects are looked at)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_NoRedirects)

    def get(self, path: str) -> Page:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send(urllib.request.Request(self.base + path, body, headers, method="POST"))

    def post_file(self, path: str, csrf: str, filename: str, data: bytes) -> Page:
        boundary = uuid.uuid4().hex
        disposition = "Content-Disposition: form-data; name="
        head = (
            f'--{boundary}\r\n{disposition}"csrf_token"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\n{disposition}"file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._send(urllib.request.Request(self.base + path, body, headers, method="POST"))

    def _send(self, request: urllib.request.Request) -> Page:
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self._opener.open(request, timeout=30) as response:
                page = Page(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as exc:
            page = Page(exc.code, exc.headers, exc.read().decode(errors="replace"))
        for header in page.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return page


def _results(page: Page) -> list[str]:
    return re.findall(r'data-row="\d+" data-result="(\w+)"', page.text)


def test_the_demo_shop_enters_imports_and_finds_its_records_in_the_vehicle_history(
    national: NationalSystem,
) -> None:
    # Given the demo shop signed in to its province's portal
    browser = Browser(national.jiangsu.url)
    login = browser.get("/portal/login")
    signed = browser.post(
        "/portal/login",
        {"companycode": JIANGSU_SHOP, "secret": DEMO_SHOP_SECRET, "csrf_token": login.csrf()},
    )
    assert (signed.status, signed.headers["Location"]) == (303, "/portal")
    # When it enters a record by hand
    vin, plate = unique_vin(), unique_plate()
    form = browser.get("/portal/records/new")
    receipt = browser.post(
        "/portal/records/new",
        {
            "csrf_token": form.csrf(),
            "action": "save",
            "settlement_list_code": unique_code("WEB"),
            "vin": vin,
            "plate_number": plate,
            "company_name": "南京玄武示范汽车维修有限公司",
            "repair_date": "2026-11-01",
            "repair_mileage": "23000",
            "settlement_date": "2026-11-01",
            "fault_description": "常规保养",
            "item_name": "发动机油保养",
            "item_labour_hours": "1.5",
        },
    )
    assert 'data-result="created"' in receipt.text
    # And imports the sample spreadsheet
    imports = browser.get("/portal/imports")
    sample = (SAMPLES / "import-sample.xlsx").read_bytes()
    started = browser.post_file("/portal/imports", imports.csrf(), "import-sample.xlsx", sample)
    assert started.status == 303
    job = started.headers["Location"]

    # Then, once the poller has processed the chunks, every row shows its documented result
    def finished() -> Page:
        page = browser.get(job)
        assert 'data-done="true"' in page.text
        return page

    expected = [result for _, _, result in ROWS] + [FORMULA_ROW[2]]
    assert _results(eventually(finished, timeout=60)) == expected
    # And the records are in the vehicle's history, at the province and at the ministry
    demo_vin, demo_plate = ROWS[2][0][1], ROWS[2][0][2]
    query = urllib.parse.urlencode({"plate": demo_plate})
    province = get(f"{national.jiangsu.url}/v1/vehicles/{demo_vin}/history?{query}")
    assert province.status == 200
    assert "空调不制冷" in {r["fault_description"] for r in province.json["records"]}

    def nationally_visible() -> None:
        answer = national.national_history(vin, plate)
        assert answer.status == 200 and len(answer.json["records"]) == 1

    eventually(nationally_visible)
