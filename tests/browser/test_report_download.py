"""The vehicle report downloads as a PDF from the vehicle page, in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from chalicelib.doors.public.texts import TEXTS

pytestmark = pytest.mark.browser
ZH = TEXTS["zh-CN"]


def test_the_download_button_saves_the_report_as_a_pdf(stack, phone, artifacts):
    # Given the owner's vehicle page on a phone
    vehicle = stack.new_vehicle()
    phone.goto(stack.url + "/")
    phone.get_by_label(ZH["vin"]).fill(vehicle.vin)
    phone.get_by_label(ZH["plate"]).fill(vehicle.plate)
    with phone.expect_navigation():
        phone.get_by_role("button", name=ZH["query"]).click()
    code = phone.locator("p.code").inner_text()
    # When they press "Download PDF report"
    with phone.expect_download() as started:
        phone.get_by_role("button", name=ZH["download_pdf"]).click()
    download = started.value
    # Then a PDF named after the VIN arrives, posted for (the plate never went into a URL)
    assert download.suggested_filename == f"vehicle-report-{vehicle.vin}.pdf"
    assert download.url == f"{stack.url}/vehicle/report.pdf"
    kept = artifacts.path("", ".pdf")
    download.save_as(kept)
    data = kept.read_bytes()
    assert data.startswith(b"%PDF-")
    # And it holds the vehicle, the code with its verify URL, and the visits in words
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", text)
    assert vehicle.vin in flat and code in flat
    assert f"{stack.url}/verify/{code}" in flat
    for words in ("刹车异响", "更换前刹车片", "BP-0042", "里程低于2024-06-02的记录（30000公里）"):
        assert words in flat, words
    # And the vehicle page is still there
    expect(phone.locator("li.record")).to_have_count(3)
