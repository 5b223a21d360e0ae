"""The provincial console in a real browser: sign in with a TOTP code, coverage and the idle
shop, a reminder the shop reads, a complaint handled end to end, record search and CSV export,
the registry; on a phone and by keyboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.province_console import (
    EN,
    ZH,
    api_token,
    file_complaint,
    new_regulator,
    register_shop,
    sign_in,
    upload,
)
from tests.browser.support import parse_rgb

pytestmark = pytest.mark.browser

_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""


def _reload_until(page, locator, text, tries=40):
    """Reload until `locator` shows `text`: the stream poller updates statistics and runs
    jobs a moment after the write (each reload is a fresh read, nothing is timed)."""
    for _ in range(tries):
        if locator.count() and text in locator.first.inner_text():
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(locator.first).to_contain_text(text)


def _row(page, attribute, value):
    return page.locator(f'tr[{attribute}="{value}"]')


def test_an_officer_signs_in_sees_coverage_and_reminds_the_idle_shop_which_reads_it(stack, desktop):
    # Given a district with two shops, one uploading and one that never uploads
    district = "320105"
    admin = api_token(stack, new_regulator(stack, "province_admin"))
    busy = register_shop(stack, admin, district=district)
    idle = register_shop(stack, admin, district=district)
    upload(stack, busy)
    officer = new_regulator(stack, "district_officer", (district,))
    # When its district officer signs in with the code of an authenticator app
    sign_in(desktop, stack, officer)
    # Then the console greets it, and its coverage shows one of its two shops uploading
    welcome = ZH["welcome"].format(username=officer.username)
    expect(desktop.get_by_role("heading", name=welcome)).to_be_visible()
    desktop.get_by_role("navigation", name=ZH["nav_label"]).get_by_role(
        "link", name="上传监控"
    ).click()
    total = _row(desktop, "data-class", "all")
    _reload_until(desktop, total, "50.0%")
    expect(total.locator("td").nth(0)).to_have_text("2")
    expect(total.locator("td").nth(1)).to_have_text("1")
    expect(desktop.locator("svg.trend-chart")).to_be_visible()
    # When it opens the shops not uploading
    desktop.get_by_role("link", name=ZH["idle_link"].format(days=7)).click()
    # Then the idle shop is listed, never uploaded, ticked for a reminder; the busy one is not
    row = _row(desktop, "data-shop", idle.companycode)
    expect(row).to_contain_text(ZH["never_uploaded"])
    expect(row.get_by_role("checkbox")).to_be_checked()
    expect(_row(desktop, "data-shop", busy.companycode)).to_have_count(0)
    # When it sends the reminder to the shops ticked
    desktop.get_by_role("button", name=ZH["remind_send_selected"]).click()
    # Then the reminder is listed as sent to one shop and read by none
    expect(desktop.get_by_role("status")).to_have_text(ZH["reminder_sent"])
    reminder_id = desktop.get_by_role("status").get_attribute("data-sent")
    sent = _row(desktop, "data-reminder", reminder_id)
    expect(sent.locator("[data-recipients]")).to_have_text("1")
    expect(sent.locator("[data-read]")).to_contain_text("0")
    # When the shop reads it through its API
    inbox = stack.call("GET", "/v1/shop/reminders", token=idle.token).body
    assert [r["reminder_id"] for r in inbox["reminders"]] == [reminder_id]
    stack.call("POST", f"/v1/shop/reminders/{reminder_id}/read", {}, idle.token)
    # Then the console counts it read
    desktop.reload()
    expect(sent.locator("[data-read]")).to_contain_text("1")


def test_a_complaint_is_accepted_answered_by_the_shop_and_closed(stack, desktop):
    # Given an owner's complaint, with a photo, about a record of a shop of the district
    district = "320106"
    admin = api_token(stack, new_regulator(stack, "province_admin"))
    shop = register_shop(stack, admin, district=district)
    record = upload(stack, shop)
    code = file_complaint(stack, record, "配件数量与实际不符")
    officer = new_regulator(stack, "district_officer", (district,))
    # When the district officer opens its complaints to decide and picks that one
    sign_in(desktop, stack, officer)
    desktop.goto(f"{stack.url}/console/complaints")
    desktop.get_by_role("link", name=code).click()
    # Then it reads the complaint, the record concerned and the photo voucher
    expect(desktop.get_by_text("配件数量与实际不符")).to_be_visible()
    expect(desktop.get_by_text(record["fault_description"])).to_be_visible()
    photo = desktop.get_by_role("img", name=ZH["photo_alt"])
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 24
    # When it accepts it
    desktop.get_by_role("button", name=ZH["accept"]).click()
    expect(desktop.get_by_role("status")).to_have_text(ZH["done_accept"])
    # And the shop reads and answers it through its API
    answer = stack.call(
        "POST", f"/v1/shop/complaints/{code}/reply", {"text": "已核实，已更正数量"}, shop.token
    )
    assert answer.status == 200, answer.body
    # Then the console shows the reply, and the officer closes it as resolved with a note
    desktop.reload()
    expect(desktop.locator("[data-reply]")).to_contain_text("已核实，已更正数量")
    desktop.get_by_label(ZH["complaint_resolved"]).check()
    desktop.get_by_label(ZH["outcome_note"]).fill("企业已更正")
    desktop.get_by_role("button", name=ZH["close_complaint"]).click()
    expect(desktop.locator("dd[data-status]")).to_have_text(ZH["complaint_resolved"])
    # And the owner following the code sees the outcome
    follow = stack.call("POST", "/v1/complaints/follow", {"code": code}).body
    assert (follow["status"], follow["outcome_note"]) == ("resolved", "企业已更正")


def test_records_are_searched_and_exported_as_csv(stack, desktop, artifacts):
    # Given a shop of the district with two uploads, one with odometer 0
    district = "320111"
    admin = api_token(stack, new_regulator(stack, "province_admin"))
    shop = register_shop(stack, admin, district=district)
    settled = date.today() - timedelta(days=3)
    dates = {"settlement_date": settled.isoformat(), "repair_date": settled.isoformat()}
    upload(stack, shop, **dates)
    flagged = upload(stack, shop, repair_mileage=0, **dates)
    officer = new_regulator(stack, "district_officer", (district,))
    sign_in(desktop, stack, officer)
    # When it searches the shop's records of the period
    desktop.goto(f"{stack.url}/console/records")
    desktop.get_by_label(ZH["companycode"]).fill(shop.companycode)
    desktop.get_by_label(ZH["settled_from"]).fill((settled - timedelta(days=1)).isoformat())
    desktop.get_by_label(ZH["settled_to"], exact=True).fill(settled.isoformat())
    desktop.get_by_role("button", name=ZH["search"]).click()
    # Then both are listed; narrowed to the odometer-0 flag, one
    expect(desktop.locator("tr[data-record]")).to_have_count(2)
    desktop.get_by_label(ZH["flag"], exact=True).select_option("mileage_zero")
    desktop.get_by_role("button", name=ZH["search"]).click()
    expect(desktop.locator("tr[data-record]")).to_have_count(1)
    expect(desktop.locator("tr[data-record]")).to_contain_text(flagged["settlement_list_code"])
    # When it exports the result, the job page refreshes itself until the file is ready
    desktop.get_by_role("button", name=ZH["export_csv"]).click()
    link = desktop.get_by_role("link", name=ZH["download_csv"])
    expect(link).to_be_visible(timeout=60_000)
    with desktop.expect_download() as started:
        link.click()
    # Then the CSV holds that one record, readable by Excel (UTF-8 with a BOM)
    kept = artifacts.path("", ".csv")
    started.value.save_as(kept)
    data = kept.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["companycode"], r["settlement_list_code"]) for r in rows] == [
        (shop.companycode, flagged["settlement_list_code"])
    ]


def test_a_shop_is_registered_and_corrected_in_the_registry(stack, desktop):
    # Given a district officer
    district = "320113"
    officer = new_regulator(stack, "district_officer", (district,))
    sign_in(desktop, stack, officer, lang="en")
    # When it registers a shop in its district
    desktop.goto(f"{stack.url}/console/shops?lang=en")
    from tests.builders import shop_application

    application = shop_application(division_code=district)
    desktop.get_by_label(EN["field_uscc"]).fill(application["uscc"])
    desktop.get_by_label(EN["field_name"]).fill(application["name"])
    desktop.get_by_label(EN["field_address"]).fill(application["address"])
    desktop.get_by_label(EN["field_contact_name"]).fill(application["contact_name"])
    desktop.get_by_label(EN["field_contact_phone"]).fill(application["contact_phone"])
    desktop.get_by_role("button", name=EN["register"], exact=True).click()
    # Then its company code and secret are shown once, and the secret works
    companycode = desktop.locator('[data-shown="companycode"]').inner_text()
    secret = desktop.locator('[data-shown="secret"]').inner_text()
    assert companycode.startswith(district)
    token = stack.call("POST", "/v1/auth/token", {"companycode": companycode, "secret": secret})
    assert token.status == 200
    # When it corrects the shop's address
    desktop.get_by_role("link", name=EN["open_shop"]).click()
    desktop.get_by_label(EN["field_address"]).fill("南京市栖霞区更正路8号")
    desktop.get_by_role("button", name=EN["save"]).click()
    # Then the entry holds it, at its next version
    expect(desktop.get_by_role("status")).to_have_text(EN["saved_edit"])
    expect(desktop.locator("dl")).to_contain_text("南京市栖霞区更正路8号")
    expect(desktop.locator("dl")).to_contain_text(f"{EN['version']} 2")


def test_the_console_works_on_a_phone_and_by_keyboard(stack, phone):
    # Given a provincial administrator signing in on a phone, by keyboard alone
    admin = new_regulator(stack, "province_admin")
    phone.goto(f"{stack.url}/console/login")
    phone.keyboard.press("Tab")  # the skip link comes first
    expect(phone.locator(":focus")).to_have_text(ZH["skip_to_content"])
    focus = phone.locator(":focus")
    assert focus.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    from tests.browser.province_console import fresh_code

    phone.get_by_label(ZH["username"]).focus()
    phone.keyboard.type(admin.username)
    phone.keyboard.press("Tab")
    phone.keyboard.type(admin.password)
    phone.keyboard.press("Tab")
    phone.keyboard.type(fresh_code(admin))
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    welcome = ZH["welcome"].format(username=admin.username)
    expect(phone.get_by_role("heading", name=welcome)).to_be_visible()
    # Then every section's page fits the phone: nothing wider than the screen, tables scroll
    # inside their own region, every field has a label, and focus stays visible
    for path in (
        "/console/coverage",
        "/console/coverage/idle",
        "/console/coverage/errors",
        "/console/shops",
        "/console/records",
        "/console/complaints",
        "/console/reminders",
    ):
        phone.goto(stack.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert phone.evaluate(_UNLABELLED) == [], path
        region = phone.locator(".table-scroll").first
        if region.count():
            assert region.evaluate("r => r.scrollWidth > r.clientWidth"), path
            region.focus()
            assert region.evaluate("e => getComputedStyle(e).outlineStyle") != "none", path
    # And the coverage page's figures read as numbers in the accent colour
    phone.goto(stack.url + "/console/coverage")
    figure = phone.locator("[data-figure=today] .figure")
    assert re.fullmatch(r"\d+", figure.inner_text())
    assert parse_rgb(figure.evaluate("e => getComputedStyle(e).color"))[:3] == (11, 92, 173)
