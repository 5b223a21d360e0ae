"""The ministry console in a real browser: sign in with a TOTP code, see every province with
its figures and link, open one, replace its exchange credential (confirmed first, the secret
shown once) and search its records nationally; in English too.

A ministry stack runs beside the browser tier's province stack (same moto server, its own
table and poller); Jiangsu's records reach it through the exchange API, as a province's
forwarder sends them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.exchange.requests import envelope
from chalicelib.exchange.v1 import record_version_item
from infra.local.stack import ProvinceApp, free_port, provision
from tests.browser.province_console import EN, ZH, Regulator, sign_in
from tests.browser.support import LocalStack
from tests.builders import record_payload, unique_plate, unique_vin
from tests.exchange_items import shop_change, stored_version

pytestmark = pytest.mark.browser
MINISTRY_TABLE = "vmehr-browser-ministry"


@pytest.fixture(scope="module")
def ministry(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A ministry stack with an administrator and Jiangsu's exchange credential."""
    import pyotp

    from infra.seed import create_exchange_credential, create_regulator

    provision(stack.moto, MINISTRY_TABLE)
    admin = Regulator("ministry-admin", "ministry-admin-password", pyotp.random_base32())
    create_regulator(
        MINISTRY_TABLE,
        admin.username,
        admin.password,
        "ministry_admin",
        totp_secret=admin.totp_secret,
    )
    secret = create_exchange_credential(MINISTRY_TABLE, "320000")
    app = ProvinceApp(
        free_port(),
        "000000",
        MINISTRY_TABLE,
        stack.moto.url,
        role="ministry",
        poller_handlers="apply_record_changes,run_jobs",
    )
    app.log_path = tmp_path_factory.mktemp("ministry") / "chalice.log"
    app.start()
    app.start_poller()
    try:
        yield type("Ministry", (), {"url": app.url, "admin": admin, "secret": secret})
    finally:
        app.stop()


def _post(url: str, body: Any, token: str = "") -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def _send_jiangsu_record(ministry: Any) -> dict[str, Any]:
    """One Jiangsu record (and its shop) through the exchange API; returns its payload."""
    token = _post(
        f"{ministry.url}/v1/exchange/token",
        {"province_code": "320000", "secret": ministry.secret},
    )["access_token"]
    payload = record_payload(vin=unique_vin(), plate_number=unique_plate())
    shop = shop_change("320102000000901", name="部级浏览器测试维修厂")
    record = stored_version("320102000000901", payload=payload, shop_name="部级浏览器测试维修厂")
    items = [shop, record_version_item(record)]
    answer = _post(f"{ministry.url}/v1/exchange/batch", envelope(items), token)
    assert [r["result"] for r in answer["results"]] == ["applied", "applied"], answer
    return payload


def test_the_ministry_sees_provinces_replaces_a_credential_and_searches_nationally(
    ministry, desktop, artifacts
):
    # Given Jiangsu has sent a record to the ministry
    sent = _send_jiangsu_record(ministry)
    # When the ministry administrator signs in and opens the provinces' link
    sign_in(desktop, ministry, ministry.admin)
    desktop.get_by_role("navigation").get_by_role("link", name="部省联网").click()
    jiangsu = desktop.locator('tr[data-province="320000"]')
    for _ in range(40):  # the ministry's poller counts the record a moment after it arrives
        if jiangsu.locator('[data-uploads="1"]').count():
            break
        desktop.wait_for_timeout(500)
        desktop.reload()
    # Then Jiangsu is connected with its upload, Beijing is not connected
    expect(jiangsu.locator("[data-uploads]")).to_have_text("1")
    expect(jiangsu.locator("[data-credential]")).to_have_attribute("data-credential", "active")
    expect(desktop.locator('tr[data-province="110000"]')).to_contain_text(ZH["not_connected"])
    expect(desktop.locator("svg.trend-chart")).to_be_visible()
    artifacts.screenshot(desktop, "-provinces")
    # When it opens Jiangsu and replaces its credential, confirming when asked
    jiangsu.get_by_role("link", name="江苏省").click()
    desktop.get_by_role("button", name=ZH["credential_rotate"]).click()
    expect(desktop.get_by_role("alert")).to_contain_text(ZH["confirm_rotate_text"][:10])
    desktop.get_by_role("button", name=ZH["credential_rotate"]).click()
    # Then the new secret is shown once, and the old one gets no token any more
    secret = desktop.locator('[data-shown="secret"]').inner_text()
    assert secret and secret != ministry.secret
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(
            f"{ministry.url}/v1/exchange/token",
            {"province_code": "320000", "secret": ministry.secret},
        )
    assert refused.value.code == 401
    # When it searches Jiangsu's records nationally, in English
    desktop.goto(f"{ministry.url}/console/records?lang=en")
    desktop.get_by_label(EN["province"]).select_option("320000")
    desktop.get_by_label(EN["vin"], exact=True).fill(sent["vin"])
    desktop.get_by_label(EN["settled_from"]).fill(sent["settlement_date"])
    desktop.get_by_label(EN["settled_to"]).fill(sent["settlement_date"])
    desktop.get_by_role("button", name=EN["search"]).click()
    # Then the record is found, with its shop
    expect(desktop.locator("tr[data-record]")).to_contain_text("部级浏览器测试维修厂")
