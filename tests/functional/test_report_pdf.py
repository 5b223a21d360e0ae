"""The vehicle report as a PDF: same proof as the page, every record, the verification code."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader

from chalicelib import bootstrap
from chalicelib.config import get_settings
from tests.builders import record_payload, unique_plate, unique_vin

PDF_ACCEPT = "application/pdf,text/html;q=0.9,*/*;q=0.8"


def _post(api, path, fields, accept=PDF_ACCEPT):
    return api.client.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        body=urlencode(fields),
    )


def _text(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def vehicle(api, shop):
    """A vehicle with a corrected record and a later record whose odometer rolled back."""
    _, token = shop
    vin, plate = unique_vin(), unique_plate()
    first = record_payload(vin=vin, plate_number=plate, repair_mileage=30000)
    api.post("/v1/records", first, token)
    api.post("/v1/records", dict(first, fault_description="更正：更换空调滤芯"), token)
    later = record_payload(
        vin=vin,
        plate_number=plate,
        repair_mileage=20000,
        repair_date="2024-06-01",
        settlement_date="2024-06-02",
        fault_description="刹车异响",
        repair_items=[{"name": "更换前刹车片", "labour_hours": 2}],
        parts=[{"name": "前刹车片", "code": "BP-0042", "quantity": "2"}],
    )
    api.post("/v1/records", later, token)
    return vin, plate


def test_the_report_downloads_as_a_pdf_with_every_record_and_the_code(api, vehicle):
    # Given a vehicle file with a correction and an odometer rollback
    vin, plate = vehicle
    page = _post(api, "/vehicle", {"vin": vin, "plate": plate, "lang": "en"}).body.decode()
    code = re.search(r'<p class="mono code">([^<]+)</p>', page).group(1)
    # When the owner asks for the PDF in English
    response = _post(api, "/vehicle/report.pdf", {"vin": vin, "plate": plate, "lang": "en"})
    # Then the answer is the PDF file itself, named after the VIN
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="vehicle-report-{vin}.pdf"'
    )
    assert response.body.startswith(b"%PDF-")
    # And it carries the VIN, the code, the verify URL and each record's facts in words
    text, reader = _text(response.body)
    flat = re.sub(r"\s+", "", text)
    assert vin in flat and code in flat
    assert f"/verify/{code}" in flat
    for fact in ("2024-03-02", "2024-06-02", "30000", "20000", "BP-0042", "B11.42.8.570.590"):
        assert fact in flat, fact
    assert re.search(r"correctedon\d{4}-\d{2}-\d{2}", flat)
    assert "odometerlowerthantherecordof2024-03-02(30000km)" in flat.lower()
    assert reader.metadata.subject == vin


def test_the_chinese_report_carries_the_chinese_texts(api, vehicle):
    vin, plate = vehicle
    response = _post(api, "/vehicle/report.pdf", {"vin": vin, "plate": plate})
    text, _ = _text(response.body)
    flat = re.sub(r"\s+", "", text)
    for words in (
        "维修记录",
        "刹车异响",
        "更换前刹车片",
        "前刹车片",
        "更正：更换空调滤芯",
        "里程低于",
    ):
        assert words in flat, words


def test_a_wrong_plate_gets_the_same_not_found_page_as_the_vehicle_page(api, vehicle):
    # Given a vehicle on file and a visitor who does not know its plate
    vin, _ = vehicle
    fields = {"vin": vin, "plate": "苏Z99999", "lang": "zh-CN"}
    # When they ask for the page and for the PDF
    page = _post(api, "/vehicle", fields, accept="text/html")
    pdf = _post(api, "/vehicle/report.pdf", fields)
    # Then both answer the same 404 page, and no PDF
    assert pdf.status_code == page.status_code == 404
    assert pdf.headers["Content-Type"].startswith("text/html")
    assert pdf.body == page.body


def test_the_vehicle_page_offers_the_download_as_a_form_post(api, vehicle):
    vin, plate = vehicle
    html = _post(api, "/vehicle", {"vin": vin, "plate": plate}).body.decode()
    form = re.search(
        r'<form class="download" method="post" action="/vehicle/report.pdf">(.*?)</form>',
        html,
        re.S,
    )
    assert form, "a download form posts to the PDF route"
    assert f'name="vin" value="{vin}"' in form.group(1)
    assert f'name="plate" value="{plate}"' in form.group(1)
    assert "report.pdf?" not in html  # the plate never goes into a URL


def test_the_pdf_counts_against_the_same_public_limits_as_the_page(api, vehicle, monkeypatch):
    # Given a limit of 2 public requests per client address
    monkeypatch.setenv("PUBLIC_IP_LIMIT", "2")
    get_settings.cache_clear()
    bootstrap.public_gate.cache_clear()
    vin, plate = vehicle
    fields = {"vin": vin, "plate": plate}
    # When the same client asks for the page, the PDF, then the PDF again
    page = _post(api, "/vehicle", fields)
    first = _post(api, "/vehicle/report.pdf", fields)
    held_back = _post(api, "/vehicle/report.pdf", fields)
    # Then the third is the page's "too many requests" answer, not a PDF
    assert (page.status_code, first.status_code) == (200, 200)
    assert held_back.status_code == 429
    assert held_back.headers["Content-Type"].startswith("text/html")
    assert not held_back.body.startswith(b"%PDF-")
