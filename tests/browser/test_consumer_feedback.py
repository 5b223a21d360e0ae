"""Consumer feedback in a real browser on a phone: rate a repair, complain with a photo,
follow the complaint, and find a shop to report a record that was never uploaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chalicelib.doors.public.texts import consumer_texts
from tests.builders import tiny_png, unique_plate, unique_vin

pytestmark = pytest.mark.browser
ZH, EN = consumer_texts("zh-CN"), consumer_texts("en")


def _vehicle_page(page, stack, vehicle, lang="zh-CN"):
    texts = ZH if lang == "zh-CN" else EN
    page.goto(f"{stack.url}/?lang={lang}")
    page.get_by_label(texts["vin"]).fill(vehicle.vin)
    page.get_by_label(texts["plate"]).fill(vehicle.plate)
    page.get_by_role("button", name=texts["query"]).click()
    expect(page.locator("li.record")).to_have_count(3)


def _settlement_number(stack, vehicle, name):
    """The number printed on the owner's settlement list (what the shop uploaded)."""
    answer = stack.call(
        "GET", f"/v1/records/{vehicle.receipts[name]['record_id']}", token=stack.shop_token()
    )
    return answer.body["settlement_list_code"]


def test_an_owner_rates_a_repair_from_the_timeline(stack, phone):
    # Given the owner looking at their vehicle on a phone
    vehicle = stack.new_vehicle()
    _vehicle_page(phone, stack, vehicle)
    brakes = phone.locator("li.record").nth(1)
    # When they tap "rate this repair" on the brake job and fill the form
    brakes.get_by_role("button", name=ZH["rate"]).click()
    expect(phone.get_by_role("heading", name=ZH["evaluate_title"])).to_be_visible()
    expect(phone.locator("main")).to_contain_text("2024-06-02")
    phone.get_by_label(ZH["settlement_list_code"]).fill(
        _settlement_number(stack, vehicle, "brakes")
    )
    for dimension, stars in (
        ("appointment", 5),
        ("attitude", 5),
        ("quality", 4),
        ("speed", 4),
        ("price", 3),
    ):
        group = phone.get_by_role("group", name=ZH[f"score_{dimension}"])
        group.get_by_label(f"{stars}★").check()
    phone.get_by_label("服务热情").check()
    phone.get_by_label(ZH["comment"]).fill("师傅耐心，换得很快")
    phone.get_by_role("button", name=ZH["submit"]).click()
    # Then they are thanked, and the timeline shows their rating instead of the button
    expect(phone.locator(".success")).to_have_text(ZH["thanks"])
    _vehicle_page(phone, stack, vehicle)
    brakes = phone.locator("li.record").nth(1)
    expect(brakes.locator(".rated")).to_have_text(f"{ZH['rated']}: 4.20 / 5")
    expect(brakes.get_by_role("button", name=ZH["rate"])).to_have_count(0)
    expect(brakes.locator(".rating")).to_contain_text("1 条评价")


def test_a_missing_score_is_pointed_out_and_the_rest_is_kept(stack, phone):
    vehicle = stack.new_vehicle()
    _vehicle_page(phone, stack, vehicle, "en")
    phone.locator("li.record").nth(2).get_by_role("button", name=EN["rate"]).click()
    phone.get_by_label(EN["settlement_list_code"]).fill(_settlement_number(stack, vehicle, "ac"))
    phone.get_by_label(EN["comment"]).fill("good")
    # The browser itself refuses to send a form with a required choice left empty
    phone.get_by_role("button", name=EN["submit"]).click()
    expect(phone.get_by_role("heading", name=EN["evaluate_title"])).to_be_visible()
    assert phone.evaluate("document.querySelector('form.stack').checkValidity()") is False
    expect(phone.get_by_label(EN["comment"])).to_have_value("good")


def test_an_owner_complains_with_a_photo_and_follows_the_complaint(stack, phone, artifacts):
    # Given the owner on their vehicle page
    vehicle = stack.new_vehicle()
    _vehicle_page(phone, stack, vehicle)
    # When they report the AC repair as wrong, with a photo of the voucher
    phone.locator("li.record").nth(2).get_by_role("button", name=ZH["report"]).click()
    expect(phone.get_by_role("heading", name=re.compile(ZH["kind_incorrect"]))).to_be_visible()
    phone.get_by_label(ZH["settlement_list_code"]).fill(_settlement_number(stack, vehicle, "ac"))
    phone.get_by_label(ZH["complaint_text"]).fill("实际更换了压缩机皮带，记录里没有")
    phone.get_by_label(ZH["photo"]).set_input_files(
        files=[{"name": "voucher.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    phone.get_by_role("button", name=ZH["submit"]).click()
    # Then a complaint code is shown
    code_box = phone.locator(".code-box")
    expect(code_box).to_have_text(re.compile(r"^TS[A-Z0-9]{16}$"))
    code = code_box.inner_text()
    artifacts.screenshot(phone, "-filed")
    # And following the code shows the complaint waiting for the regulator
    phone.locator("main").get_by_role("link", name=ZH["nav_follow"]).click()
    phone.get_by_label(ZH["follow_code"]).fill(code)
    phone.get_by_role("button", name=ZH["query"]).click()
    expect(phone.locator("dd.status")).to_have_text(ZH["status_submitted"])
    # And the regulator receives exactly the photo that was attached
    photo = stack.regulator_photo(code)
    assert photo == tiny_png()


def test_a_record_never_uploaded_is_reported_from_the_shop_list(stack, phone):
    # Given the district's shop list in English
    phone.goto(f"{stack.url}/shops?lang=en")
    phone.get_by_label(EN["division"]).select_option("320102")
    phone.get_by_role("button", name=EN["show"]).click()
    row = phone.locator(f'tr[data-companycode="{stack.shop_companycode}"]')
    expect(row).to_contain_text(stack.shop_name)
    # When the owner reports a repair the shop never uploaded
    row.get_by_role("link", name=EN["complain_about_shop"]).click()
    expect(phone.locator("main")).to_contain_text(stack.shop_name)
    phone.get_by_label(EN["vin"]).fill(unique_vin())
    phone.get_by_label(EN["plate"]).fill(unique_plate())
    phone.get_by_label(EN["settlement_date"]).fill("2024-10-08")
    phone.get_by_label(EN["settlement_list_code"]).fill("PAPER-7788")
    phone.get_by_label(EN["complaint_text"]).fill("Repaired three weeks ago, not in the file.")
    phone.get_by_role("button", name=EN["submit"]).click()
    # Then the complaint is filed and has a code to follow
    expect(phone.locator(".code-box")).to_have_text(re.compile(r"^TS[A-Z0-9]{16}$"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_vehicle_page_switches_language_without_asking_again(stack, phone):
    vehicle = stack.new_vehicle()
    _vehicle_page(phone, stack, vehicle)
    phone.locator("form.relang").get_by_role("button", name=ZH["switch"]).click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("li.record")).to_have_count(3)
    expect(phone.get_by_role("heading", name=EN["vehicle"], exact=True)).to_be_visible()
