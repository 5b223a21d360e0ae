"""The shop portal in a real browser: sign-in, entry, import, scorecard, and what is refused.

A shop clerk uses the portal on a phone or a desktop, without any script on the page: forms
post, the import's result page refreshes itself (HTTP Refresh) until every row has its
result. Texts are read from the portal's own catalogue, so these tests follow the words.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from chalicelib.doors.portal.texts import FIELD_LABELS, PORTAL_TEXTS
from infra.samples import FORMULA_ROW, ROWS, SAMPLES
from tests.builders import (
    record_payload,
    shop_application,
    unique_code,
    unique_plate,
    unique_vin,
)

pytestmark = pytest.mark.browser
T, L = PORTAL_TEXTS["zh-CN"], FIELD_LABELS["zh-CN"]


def _sign_in(page, stack, secret=None):
    page.goto(f"{stack.url}/portal/login")
    page.get_by_label(T["companycode"]).fill(stack.shop_companycode)
    page.get_by_label(T["secret"]).fill(secret or stack.shop_secret)
    with page.expect_navigation():
        page.get_by_role("button", name=T["login"]).click()


def _nav(page, name):
    """A link of the portal's navigation bar."""
    return page.get_by_role("navigation").get_by_role("link", name=name)


def _field(page, field):
    """A field of the entry form by its label (a required one ends with its marker: *)."""
    return page.get_by_label(re.compile(f"^{re.escape(L[field])}( \\*)?$"))


def _fill_record(page, **values):
    """Type a record into the entry form as a clerk does, fields found by their labels."""
    for field, value in values.items():
        _field(page, field).fill(value)


def _submit(page):
    with page.expect_navigation():
        page.get_by_role("button", name=T["submit_record"], exact=True).last.click()


def test_a_clerk_signs_in_on_a_phone_and_a_wrong_secret_is_refused(stack, phone):
    # When the clerk gives a wrong secret
    _sign_in(phone, stack, secret="not-the-secret")
    # Then the sign-in page says so, and no portal page opens
    expect(phone.get_by_role("alert")).to_have_text(T["login_failed"])
    phone.goto(f"{stack.url}/portal/records")
    expect(phone).to_have_url(re.compile(r"/portal/login$"))
    # When the right secret is given
    _sign_in(phone, stack)
    # Then the home page greets the shop, with its navigation, within the phone's width
    expect(phone).to_have_url(re.compile(r"/portal$"))
    expect(phone.get_by_role("heading", level=2)).to_have_text(
        T["welcome"].format(name=stack.shop_name)
    )
    expect(_nav(phone, T["nav_imports"])).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    session = next(c for c in phone.context.cookies() if c["name"] == "vmehr_portal_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"


def test_manual_entry_shows_a_rule_beside_its_field_and_accepts_the_fix(stack, phone):
    # Given a signed-in clerk on the entry form
    _sign_in(phone, stack)
    _nav(phone, T["nav_new"]).click()
    vin, plate = unique_vin(), unique_plate()
    # When the VIN is left empty, the browser itself holds the form back (before submit)
    _fill_record(phone, settlement_list_code=unique_code("PW"), plate_number=plate)
    phone.get_by_role("button", name=T["submit_record"], exact=True).last.click()
    vin_field = _field(phone, "vin")
    assert vin_field.evaluate("e => !e.validity.valid && e.validationMessage !== ''")
    expect(phone).to_have_url(re.compile(r"/portal/records/new$"))
    # When the form is complete but settled before the repair date (a rule of the API)
    _fill_record(
        phone,
        vin=vin,
        repair_date="2024-03-05",
        repair_mileage="12000",
        settlement_date="2024-03-01",
        fault_description="刹车异响",
    )
    phone.get_by_label(f"{T['item_name']} 1").fill("更换前刹车片")
    phone.get_by_label(f"{T['item_hours']} 1").fill("2")
    _submit(phone)
    # Then the rule shows right beside the settlement date, and what was typed is kept
    error = phone.locator("#settlement_date-error")
    expect(error).to_have_text("不能早于送修日期")
    expect(_field(phone, "settlement_date")).to_have_attribute("aria-invalid", "true")
    expect(_field(phone, "vin")).to_have_value(vin)
    # When the clerk fixes the date and submits again
    _fill_record(phone, settlement_date="2024-03-06")
    _submit(phone)
    # Then the receipt says created, and the owner finds the visit by VIN and plate
    expect(phone.locator("[data-result]")).to_have_attribute("data-result", "created")
    expect(phone.get_by_role("status")).to_have_text(T["result_created"])
    history = stack.call("GET", f"/v1/vehicles/{vin}/history?plate={quote(plate)}")
    assert history.status == 200
    assert history.body["records"][0]["fault_description"] == "刹车异响"


def test_an_import_shows_each_rows_result_and_offers_them_as_a_file(stack, desktop):
    # Given a signed-in clerk on the import page
    _sign_in(desktop, stack)
    _nav(desktop, T["nav_imports"]).click()
    # When the sample spreadsheet (good and bad rows) is uploaded
    desktop.get_by_label(T["file"]).set_input_files(str(SAMPLES / "import-sample.xlsx"))
    with desktop.expect_navigation():
        desktop.get_by_role("button", name=T["upload"]).click()
    # Then the result page refreshes itself until every row has its result
    expect(desktop.locator('[data-done="true"]')).to_be_visible(timeout=60_000)
    expected = [result for _, _, result in ROWS] + [FORMULA_ROW[2]]
    rows = desktop.locator("tr.outcome")
    expect(rows).to_have_count(len(expected))
    results = [rows.nth(i).get_attribute("data-result") for i in range(len(expected))]
    assert [r if r != "unchanged" else "created" for r in results] == expected
    expect(desktop.locator('tr[data-row="5"]')).to_contain_text("车辆识别代码（VIN）：必填")
    expect(desktop.locator('tr[data-row="9"]')).to_contain_text("第 F 列的单元格是公式")
    # And the results download as a CSV Excel reads (UTF-8 with BOM), a row per row
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name=T["download_results"]).click()
    data = download.value.path().read_bytes()
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == len(expected) + 1 and table[0][6] == T["error_reason"]


def test_the_scorecard_shows_the_shops_own_figures(stack, desktop):
    # Given uploads of the demo shop, one of them flagged (a wrong VIN check digit)
    stack.upload(record_payload(company_name=stack.shop_name))
    stack.upload(record_payload(company_name=stack.shop_name, vin=unique_vin(valid=False)))
    _sign_in(desktop, stack)
    # When the clerk opens the scorecard (statistics follow the uploads within seconds)
    _nav(desktop, T["nav_scorecard"]).click()

    def uploads() -> int:
        desktop.reload()
        return int(desktop.locator('[data-figure="uploads"]').get_attribute("data-value"))

    for _ in range(60):
        if uploads() >= 2:
            break
        desktop.wait_for_timeout(500)
    # Then uploads, error rate and timeliness are shown, and the flag with what to fix
    assert uploads() >= 2
    expect(desktop.locator('[data-figure="error_rate"] meter')).to_be_visible()
    expect(desktop.locator('[data-advice="vin_check_digit"]')).to_contain_text("按行驶证逐位核对")
    expect(desktop.locator("table.periods tbody tr")).to_have_count(30)


def test_a_form_posted_from_another_site_or_without_its_token_is_refused(stack, browser):
    # Given a signed-in clerk
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        _sign_in(page, stack)
        code = unique_code("CSRF")
        # When a page from elsewhere posts a record form to the portal (no token)
        page.set_content(
            f'<form method="post" action="{stack.url}/portal/records/new">'
            f'<input name="action" value="save"><input name="settlement_list_code" value="{code}">'
            '<button id="go">go</button></form>'
        )
        with page.expect_navigation():
            page.click("#go")
        # Then it is refused: without the session (SameSite) or, if the browser sent it, for
        # want of the form's token
        refused = page.locator("[data-error]")
        if "/portal/login" not in page.url:
            expect(refused).to_have_attribute("data-error", "csrf")
        # When a form of the portal itself is posted without its token
        page.goto(f"{stack.url}/portal/records/new")
        page.locator('form.record-form input[name="csrf_token"]').evaluate("e => e.remove()")
        _field(page, "settlement_list_code").fill(code)
        page.locator("form.record-form").evaluate("f => f.noValidate = true")
        with page.expect_navigation():
            page.get_by_role("button", name=T["submit_record"], exact=True).last.click()
        # Then it is refused, and nothing was stored under that number
        expect(page.locator("[data-error]")).to_have_attribute("data-error", "csrf")
        listed = stack.call(
            "GET", "/v1/records?from=1990-01-01&to=2030-12-31&limit=100", token=stack.shop_token()
        )
        assert code not in {r["settlement_list_code"] for r in listed.body["records"]}
    finally:
        context.close()


def test_another_shops_record_reads_like_a_missing_one(stack, phone):
    # Given a record of another shop of the province (registered as `make run` seeds shops)
    from infra.seed import DEMO_SHOP_SECRET, create_demo_shop

    other = create_demo_shop(
        stack.table_name, "320102", "南京另一家汽车维修有限公司", shop_application()["uscc"]
    )
    token = stack.call(
        "POST", "/v1/auth/token", {"companycode": other.companycode, "secret": DEMO_SHOP_SECRET}
    ).body["access_token"]
    other_id = stack.upload(record_payload(company_name=other.name), token)["record_id"]
    missing_id = "0" * 32
    # When the demo shop's clerk opens that record's page, and the page of an id nobody has
    _sign_in(phone, stack)
    theirs = phone.goto(f"{stack.url}/portal/records/{other_id}")
    theirs_page = phone.content().replace(other_id, "ID")
    missing = phone.goto(f"{stack.url}/portal/records/{missing_id}")
    # Then both answer 404 with the very same page
    assert theirs is not None and missing is not None
    assert theirs.status == missing.status == 404
    assert theirs_page == phone.content().replace(missing_id, "ID")
    expect(phone.locator("[data-error]")).to_have_attribute("data-error", "not_found")
