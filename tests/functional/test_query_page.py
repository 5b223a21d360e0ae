"""The hosted query page: form, timeline, flags in plain words, chart, language, safety."""

from __future__ import annotations

from urllib.parse import urlencode

from chalicelib.adapters.aws import dynamodb_client
from tests.builders import record_payload, unique_plate, unique_vin
from tests.faults import DynamoFaults

READS = frozenset({"Query", "GetItem", "BatchGetItem"})


def _lookup(api, vin, plate, lang="zh-CN"):
    body = urlencode({"vin": vin, "plate": plate, "lang": lang})
    response = api.client.http.post(
        "/vehicle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=body,
    )
    response.text = response.body.decode("utf-8")
    return response


def test_the_form_is_served_with_labels_in_chinese_by_default(api):
    response = api.client.http.get("/")
    html = response.body.decode("utf-8")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh-CN">' in html
    assert '<label for="vin">' in html and '<label for="plate">' in html
    assert 'method="post"' in html.lower()


def test_english_switch(api):
    html = api.client.http.get("/?lang=en").body.decode("utf-8")
    assert '<html lang="en">' in html
    assert "Vehicle identification number" in html


def test_the_timeline_shows_records_flags_in_words_and_the_chart(api, shop):
    # Given a vehicle with two records, the later one with a lower odometer
    _, token = shop
    vin, plate = unique_vin(), unique_plate()
    api.post(
        "/v1/records", record_payload(vin=vin, plate_number=plate, repair_mileage=30000), token
    )
    later = record_payload(
        vin=vin,
        plate_number=plate,
        repair_mileage=20000,
        repair_date="2024-06-01",
        settlement_date="2024-06-01",
        fault_description="刹车异响",
    )
    api.post("/v1/records", later, token)
    # When the owner looks it up in English
    response = _lookup(api, vin.lower(), plate, "en")
    # Then the page lists both visits, explains the rollback in words and marks it on the chart
    assert response.status_code == 200
    html = response.text
    assert html.count('<li class="record">') == 2
    assert "刹车异响" in html
    assert "odometer lower than the record of 2024-03-02 (30000 km)" in html
    assert 'class="rollback"' in html and "<svg" in html
    assert "SAIC Volkswagen" in html  # decoded from the VIN prefix LSV


def test_wrong_plate_and_unknown_vin_render_the_same_page(api, shop):
    # Given a vehicle on file
    _, token = shop
    payload = record_payload()
    api.post("/v1/records", payload, token)
    other_vin = unique_vin()
    # When one visitor gives a wrong plate and another an unknown VIN
    wrong = _lookup(api, payload["vin"], "苏Z99999")
    unknown = _lookup(api, other_vin, payload["plate_number"])
    # Then both get the same page (but for the VIN they typed), and no plate is echoed
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace(payload["vin"], "V") == unknown.text.replace(other_vin, "V")
    assert payload["plate_number"] not in unknown.text


def test_shop_text_is_escaped(api, shop):
    _, token = shop
    payload = record_payload(fault_description="<script>alert(1)</script>")
    api.post("/v1/records", payload, token)
    html = _lookup(api, payload["vin"], payload["plate_number"]).text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_pages_carry_a_strict_content_security_policy(api):
    headers = api.client.http.get("/").headers
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_stylesheet_is_served_by_the_app_and_nothing_else_is(api):
    css = api.client.http.get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert api.client.http.get("/static/..%2Fi18n.py").status_code == 404
    assert api.client.http.get("/static/render.py").status_code == 404


def test_a_storage_outage_says_try_again_instead_of_no_vehicle_matches(api, shop):
    # Given a vehicle on file
    _, token = shop
    payload = record_payload()
    api.post("/v1/records", payload, token)
    code = api.client.http.post(
        "/vehicle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"vin": payload["vin"], "plate": payload["plate_number"]}),
    ).body.decode("utf-8")
    code = code.split('<p class="mono code">')[1].split("<")[0]
    # When DynamoDB fails every read while the owner looks it up (page, PDF, verification)
    with DynamoFaults(dynamodb_client(), rate=1.0, lost_answers=0.0, operations=READS):
        page = _lookup(api, payload["vin"], payload["plate_number"], "en")
        pdf = api.client.http.post(
            "/vehicle/report.pdf",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode({"vin": payload["vin"], "plate": payload["plate_number"], "lang": "en"}),
        )
        verify = api.client.http.get(f"/verify/{code}?lang=en")
    # Then each answers 503 with Retry-After and asks to try again; none says "no match"
    for response in (page, pdf, verify):
        html = response.body.decode("utf-8")
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert 'data-notice="unavailable"' in html and "try again" in html
        assert "No vehicle file matches" not in html
