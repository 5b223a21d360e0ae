"""The consumer query page in a real browser: query, timeline, language, keyboard, print, verify."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chalicelib.adapters import keys
from chalicelib.doors.public.texts import consumer_texts
from tests.browser.support import parse_rgb
from tests.builders import unique_vin

pytestmark = pytest.mark.browser
ZH, EN = consumer_texts("zh-CN"), consumer_texts("en")
TEXTS = {"zh-CN": ZH, "en": EN}


def _corrected_on_some_day(texts):
    """The correction note of a record corrected without a reason, whatever the day."""
    before, after = texts["corrected_on_no_reason"].split("{date}")
    return re.compile(f"^{re.escape(before)}\\d{{4}}-\\d{{2}}-\\d{{2}}{re.escape(after)}$")


def _look_up(page, stack, vin, plate, lang="zh-CN"):
    """Fill the form as a person does (fields found by their labels) and submit it."""
    texts = TEXTS[lang]
    page.goto(f"{stack.url}/?lang={lang}")
    page.get_by_label(texts["vin"]).fill(vin)
    page.get_by_label(texts["plate"]).fill(plate)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=texts["query"]).click()
    return navigation.value


def test_an_owner_queries_on_a_phone_and_reads_the_timeline(stack, phone):
    # Given a vehicle with a corrected service, a brake job and a later lower odometer reading
    vehicle = stack.new_vehicle()
    # When the owner types the VIN (in lower case, as people do) and the plate on a phone
    response = _look_up(phone, stack, vehicle.vin.lower(), vehicle.plate)
    # Then the vehicle page lists the three visits in settlement order
    assert response.status == 200
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.get_by_role("heading", name=ZH["vehicle"])).to_be_visible()
    expect(phone.locator("dd.mono").first).to_have_text(vehicle.vin)
    records = phone.locator("li.record")
    expect(records).to_have_count(3)
    maintenance, brakes, ac = records.nth(0), records.nth(1), records.nth(2)
    # And each visit shows shop and class, mileage, items with hours, parts with code and qty
    expect(maintenance.locator("h3")).to_have_text(f"2024-03-02 · {stack.shop_name} 二类")
    expect(maintenance).to_contain_text("送修里程: 12000 公里")
    expect(maintenance.locator("h4")).to_have_text([ZH["items"], ZH["parts"]])
    expect(maintenance.locator("li")).to_have_text(
        [
            "发动机油保养 — 1.5 工时",
            "机油滤清器 (编码 B11.42.8.570.590, 数量 1)",
            "机油 (编码 SN-5W30, 数量 4.5)",
        ]
    )
    expect(brakes.locator("li")).to_have_text(
        ["更换前刹车片 — 2 工时", "前刹车片 (编码 BP-0042, 数量 2)"]
    )
    # And the correction is noted, and the rollback explained in words on the visit it concerns
    expect(maintenance.locator(".corrected")).to_have_text(_corrected_on_some_day(ZH))
    expect(maintenance.locator(".flags")).to_have_count(0)
    expect(brakes.locator(".flags")).to_have_count(0)
    expect(ac.locator(".flags li")).to_have_text(["里程低于 2024-06-02 的记录（30000 公里）"])
    # And the odometer chart marks exactly that reading with a red dot
    chart = phone.locator("svg.mileage-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.reading")).to_have_count(2)
    rollback = chart.locator("circle.rollback")
    expect(rollback).to_have_count(1)
    expect(rollback.locator("title")).to_have_text("2024-09-01: 25000 km")
    fill = rollback.evaluate("dot => getComputedStyle(dot).fill")
    assert parse_rgb(fill)[:3] == (164, 22, 26)  # --warn
    # And nothing is wider than the phone's screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_unknown_vin_and_a_wrong_plate_give_the_same_page(stack, phone):
    # Given a vehicle on file
    vehicle = stack.new_vehicle()
    other_vin = unique_vin()
    # When one visitor gives a wrong plate, and another an unknown VIN with the right plate
    wrong = _look_up(phone, stack, vehicle.vin, "苏Z99999")
    wrong_page = phone.content().replace(vehicle.vin, "VIN")
    expect(phone.get_by_role("alert")).to_have_text(ZH["not_found"])
    unknown = _look_up(phone, stack, other_vin, vehicle.plate)
    unknown_page = phone.content().replace(other_vin, "VIN")
    # Then both see the same page, with the plate field emptied
    assert wrong.status == unknown.status == 404
    assert wrong_page == unknown_page
    expect(phone.get_by_label(ZH["plate"])).to_have_value("")
    assert vehicle.plate not in unknown_page


def test_the_language_switches_to_english_and_back(stack, phone):
    # Given the query page in its default language
    vehicle = stack.new_vehicle()
    phone.goto(stack.url + "/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.get_by_label(ZH["vin"])).to_be_visible()
    # When the visitor follows the language switch
    phone.get_by_role("link", name=ZH["switch"]).click()
    # Then the form is in English, and a query made there answers in English
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("button", name=EN["query"])).to_be_visible()
    phone.get_by_label(EN["vin"]).fill(vehicle.vin)
    phone.get_by_label(EN["plate"]).fill(vehicle.plate)
    with phone.expect_navigation():
        phone.get_by_role("button", name=EN["query"]).click()
    expect(phone.get_by_role("heading", name=EN["records"])).to_be_visible()
    expect(phone.locator("li.record").nth(2).locator(".flags li")).to_have_text(
        ["odometer lower than the record of 2024-06-02 (30000 km)"]
    )
    expect(phone.locator(".corrected")).to_have_text(_corrected_on_some_day(EN))
    # And the switch leads back to Chinese
    phone.get_by_role("link", name=EN["switch"]).click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.get_by_role("button", name=ZH["query"])).to_be_visible()


def _focused(page):
    return page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {id: e.id, tag: e.tagName.toLowerCase(), cls: e.className,
                    href: e.getAttribute('href') || '',
                    visible: e.matches(':focus-visible'), outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), left: e.getBoundingClientRect().left};
        }"""
    )


def test_the_page_works_with_the_keyboard_alone(stack, desktop):
    # Given the query page and a visitor without a mouse
    vehicle = stack.new_vehicle()
    desktop.goto(stack.url + "/")
    # When they press Tab: the first stop is the skip link, shown on screen with a focus ring
    desktop.keyboard.press("Tab")
    skip = _focused(desktop)
    assert skip["cls"] == "skip" and skip["left"] >= 0
    # And a few more Tabs reach the VIN field, with a visible focus ring on each stop
    stops = [skip]
    while stops[-1]["id"] != "vin" and len(stops) < 12:
        desktop.keyboard.press("Tab")
        stops.append(_focused(desktop))
    assert stops[-1]["id"] == "vin", stops
    for stop in stops:
        assert stop["visible"] and stop["outline"] == "solid" and stop["width"] >= 2, stop
    # When they type the VIN, Tab to the plate, type it and press Enter
    desktop.keyboard.type(vehicle.vin)
    desktop.keyboard.press("Tab")
    assert _focused(desktop)["id"] == "plate"
    desktop.keyboard.type(vehicle.plate)
    with desktop.expect_navigation() as navigation:
        desktop.keyboard.press("Enter")
    # Then the vehicle page answers, and its controls are reachable by Tab too
    assert navigation.value.status == 200
    expect(desktop.locator("li.record")).to_have_count(3)
    reached = [_focused(desktop)]
    while "/verify/" not in reached[-1]["href"] and len(reached) < 12:
        desktop.keyboard.press("Tab")
        reached.append(_focused(desktop))
    assert "/verify/" in reached[-1]["href"], reached
    desktop.keyboard.press("Tab")
    reached.append(_focused(desktop))
    assert reached[-1]["tag"] == "button"  # Download PDF
    assert all(stop["visible"] and stop["outline"] == "solid" for stop in reached[1:]), reached


_VISIBLE_CONTROLS = """() => [...document.querySelectorAll('form, button, nav')]
  .filter(e => e.checkVisibility()).map(e => e.outerHTML.slice(0, 80))"""


def test_the_print_view_keeps_the_report_and_drops_the_controls(stack, desktop, artifacts):
    # Given the query form, printed
    vehicle = stack.new_vehicle()
    desktop.goto(stack.url + "/")
    desktop.emulate_media(media="print")
    # Then the form is not printed
    expect(desktop.locator("form.query")).to_be_hidden()
    assert desktop.evaluate(_VISIBLE_CONTROLS) == []
    # Given a vehicle page, printed
    desktop.emulate_media(media="screen")
    _look_up(desktop, stack, vehicle.vin, vehicle.plate)
    code = desktop.locator("p.code").inner_text()
    expect(desktop.locator(".bar .switch")).to_be_visible()
    expect(desktop.locator("form.download")).to_be_visible()
    desktop.emulate_media(media="print")
    # Then the language switch, the download form and the footer are gone
    expect(desktop.locator(".bar .switch")).to_be_hidden()
    expect(desktop.locator("form.download")).to_be_hidden()
    expect(desktop.locator("footer")).to_be_hidden()
    assert desktop.evaluate(_VISIBLE_CONTROLS) == []  # nav links and feedback forms included
    # And the verification code, the chart and every record are printed
    expect(desktop.locator("p.code")).to_be_visible()
    expect(desktop.locator("p.code")).to_have_text(code)
    expect(desktop.locator("svg.mileage-chart")).to_be_visible()
    expect(desktop.locator("li.record")).to_have_count(3)
    for index in range(3):
        expect(desktop.locator("li.record").nth(index)).to_be_visible()
    artifacts.screenshot(desktop, "-print")
    desktop.pdf(path=str(artifacts.path("-print", ".pdf")), format="A4", print_background=True)


def test_the_verification_link_tells_whether_the_stored_records_still_match(
    stack, desktop, artifacts
):
    # Given a vehicle page and its report code
    vehicle = stack.new_vehicle()
    _look_up(desktop, stack, vehicle.vin, vehicle.plate)
    code = desktop.locator("p.code").inner_text()
    # When a reader follows the verification link
    desktop.get_by_role("link", name=f"/verify/{code}").click()
    # Then the report is verified
    expect(desktop.locator("section[data-valid]")).to_have_attribute("data-valid", "true")
    expect(desktop.get_by_role("status")).to_have_text(ZH["verify_ok"].format(seq=4))
    artifacts.screenshot(desktop, "-verified")
    # When someone changes a stored version behind the system's back
    record_id = vehicle.receipts["brakes"]["record_id"]
    stack.dynamodb().update_item(
        TableName=stack.table_name,
        Key={"PK": {"S": keys.record_pk(record_id)}, "SK": {"S": keys.version_sk(1)}},
        UpdateExpression="SET content.repair_mileage = :m",
        ExpressionAttributeValues={":m": {"N": "3000"}},
    )
    # Then the same link answers "not verified"
    response = desktop.reload()
    assert response.status == 404
    expect(desktop.locator("section[data-valid]")).to_have_attribute("data-valid", "false")
    expect(desktop.get_by_role("alert")).to_have_text(ZH["verify_bad"])
