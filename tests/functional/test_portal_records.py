"""Shop portal records: manual entry with the API's rules, receipts, lists, corrections, voids."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.builders import record_payload, unique_code, unique_plate, unique_vin
from tests.functional.portal_client import PortalClient


@pytest.fixture
def signed_in(api, shop):
    registered, token = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    return browser, registered, token


def _entry(csrf: str, **overrides: str) -> list[tuple[str, str]]:
    """A filled entry form with one repair item, one part and a blank row of each."""
    values = {
        "settlement_list_code": unique_code(),
        "vin": unique_vin(),
        "plate_number": unique_plate(),
        "plate_color": "蓝",
        "company_name": "南京玄武示范汽车维修有限公司",
        "repair_date": "2024-03-01",
        "repair_mileage": "12000",
        "settlement_date": "2024-03-02",
        "fault_description": "常规保养",
    }
    values.update(overrides)
    rows = [
        ("item_name", "发动机油保养"),
        ("item_labour_hours", "1.5"),
        ("item_name", ""),
        ("item_labour_hours", ""),
        ("part_name", "机油"),
        ("part_code", "N/A"),
        ("part_quantity", "4.5"),
        ("part_name", ""),
        ("part_code", ""),
        ("part_quantity", ""),
    ]
    return [("csrf_token", csrf), ("action", "save"), *values.items(), *rows]


def _submit(browser: PortalClient, fields: list[tuple[str, str]], path="/portal/records/new"):
    return browser.post(path, fields)


def _record_id(receipt_page) -> str:
    marker = 'data-record="'
    start = receipt_page.text.index(marker) + len(marker)
    return receipt_page.text[start : start + 32]


def test_a_record_entered_by_hand_gets_a_receipt_and_joins_the_vehicle_history(api, signed_in):
    # Given a signed-in shop on the entry form
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = _entry(form.csrf())
    values = dict(fields)
    # When it submits a complete record
    receipt = _submit(browser, fields)
    # Then the receipt says created, and the owner finds the record by VIN and plate
    assert receipt.status == 200
    assert 'data-result="created"' in receipt.text and "新增成功" in receipt.text
    history = api.get(f"/v1/vehicles/{values['vin']}/history?plate={quote(values['plate_number'])}")
    assert history.status_code == 200
    assert history.json["records"][0]["repair_items"] == [
        {"name": "发动机油保养", "labour_hours": "1.5"}
    ]


def test_a_validation_error_shows_beside_its_field_and_the_fix_is_accepted(signed_in):
    # Given a form whose mileage is not a whole number and whose VIN is missing
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = _entry(form.csrf(), repair_mileage="12000.5", vin="")
    # When it is submitted
    refused = _submit(browser, fields)
    # Then both errors show beside their fields, and what was typed is kept
    assert refused.status == 400
    assert 'id="repair_mileage-error"' in refused.text and 'id="vin-error"' in refused.text
    assert "整数公里数" in refused.text and 'value="12000.5"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    # When the clerk fixes them and submits again
    fixed = [(k, {"repair_mileage": "12000", "vin": unique_vin()}.get(k, v)) for k, v in fields]
    fixed = [(k, refused.csrf() if k == "csrf_token" else v) for k, v in fixed]
    accepted = _submit(browser, fixed)
    # Then the record is created
    assert 'data-result="created"' in accepted.text


def test_the_api_rules_apply_settlement_before_repair_is_refused(signed_in):
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    refused = _submit(browser, _entry(form.csrf(), settlement_date="2024-02-01"))
    assert refused.status == 400
    assert 'id="settlement_date-error"' in refused.text and "不能早于送修日期" in refused.text


def test_an_item_error_is_shown_on_the_row_the_clerk_typed_it_in(signed_in):
    # Given a blank first item row and a second row without hours
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = [(k, v) for k, v in _entry(form.csrf()) if k not in ("item_name", "item_labour_hours")]
    fields += [("item_name", ""), ("item_labour_hours", ""), ("item_name", "更换刹车片")]
    fields += [("item_labour_hours", "")]
    # When it is submitted
    refused = _submit(browser, fields)
    # Then the error sits on form row 2 (the body's item 1)
    assert refused.status == 400
    assert 'id="item.1.labour_hours-error"' in refused.text
    assert "item.0.labour_hours-error" not in refused.text


def test_add_rows_re_renders_the_form_with_more_rows_and_no_errors(signed_in):
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = [(k, "add_items" if k == "action" else v) for k, v in _entry(form.csrf())]
    more = _submit(browser, fields)
    assert more.status == 200
    assert more.text.count('name="item_name"') == 5  # the two posted rows and three more
    assert "field-error" not in more.text and 'value="发动机油保养"' in more.text


def test_quality_flags_are_explained_on_the_receipt(signed_in):
    # Given a VIN with a wrong check digit and an odometer of 0
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = _entry(form.csrf(), vin=unique_vin(valid=False), repair_mileage="0")
    # When it is submitted
    receipt = _submit(browser, fields)
    # Then the record is accepted, each flag explained with how to fix it
    assert 'data-result="created"' in receipt.text
    assert (
        'data-flag="vin_check_digit"' in receipt.text and 'data-flag="mileage_zero"' in receipt.text
    )
    assert "改正方法" in receipt.text and "按行驶证逐位核对" in receipt.text


def test_a_form_without_the_csrf_token_stores_nothing(api, signed_in):
    # Given a form posted by another site (no CSRF token)
    browser, _, token = signed_in
    fields = [(k, v) for k, v in _entry("") if k != "csrf_token"]
    # When it arrives
    answer = _submit(browser, fields)
    # Then it is refused and nothing is stored
    assert answer.status == 403 and 'data-error="csrf"' in answer.text
    listed = api.get("/v1/records?from=1990-01-01&to=2030-12-31", token)
    assert listed.json["records"] == []


def test_a_form_over_64_kb_is_refused_as_too_large_saying_how_many_rows_fit(api, signed_in):
    # Given an entry form with its CSRF token whose fault description makes it over 64 KB
    browser, _, token = signed_in
    form = browser.get("/portal/records/new")
    fields = _entry(form.csrf(), fault_description="发动机异响" * 3000)
    # When it is submitted
    answer = _submit(browser, fields)
    # Then the page says the form is too large and how many rows a record may have, not that
    # the form expired; nothing is stored
    assert answer.status == 413 and 'data-error="record_form_too_large"' in answer.text
    assert (
        "表单太大（最多 64 KB）" in answer.text
        and "最多 200 行维修项目和 200 行配件" in answer.text
    )
    assert "表单已过期" not in answer.text
    listed = api.get("/v1/records?from=1990-01-01&to=2030-12-31", token)
    assert listed.json["records"] == []
    # And in English when the page is English
    english = browser.post("/portal/records/new?lang=en", fields)
    assert (
        english.status == 413 and "at most 200 repair item rows and 200 part rows" in english.text
    )


def test_a_record_with_150_items_and_150_parts_entered_by_hand_is_stored(api, signed_in):
    # Given an entry form with 150 rows of each list (750 row fields, well under 64 KB)
    browser, _, token = signed_in
    form = browser.get("/portal/records/new")
    rows = [f for n in range(150) for f in (("item_name", f"保养{n}"), ("item_labour_hours", "1"))]
    rows += [
        f
        for n in range(150)
        for f in (("part_name", f"配件{n}"), ("part_code", f"P{n}"), ("part_quantity", "1"))
    ]
    fields = [*_entry(form.csrf()), *rows]
    # When it is submitted
    receipt = _submit(browser, fields)
    # Then the record is stored with every row (not refused as an expired form)
    assert receipt.status == 200 and 'data-result="created"' in receipt.text
    [stored] = api.get("/v1/records?from=1990-01-01&to=2030-12-31", token).json["records"]
    assert (len(stored["repair_items"]), len(stored["parts"])) == (151, 151)


def test_other_portal_forms_over_64_kb_are_refused_as_too_large(signed_in):
    # Given a sign-out form (any portal form) padded over 64 KB, with its CSRF token
    browser, _, _ = signed_in
    home = browser.get("/portal")
    # When it is posted
    answer = browser.post("/portal/logout", {"csrf_token": home.csrf(), "pad": "x" * 70_000})
    # Then the page says the form is too large, and the session is still there
    assert answer.status == 413 and 'data-error="form_too_large"' in answer.text
    assert "表单太大" in answer.text and browser.get("/portal").status == 200


def test_the_same_record_from_the_api_and_the_form_is_one_record(api, signed_in):
    # Given a record uploaded through the REST door
    browser, _, token = signed_in
    payload = record_payload(repair_items=[{"name": "发动机油保养", "labour_hours": "1.5"}])
    payload["parts"] = [{"name": "机油", "code": "N/A", "quantity": "4.5"}]
    payload["plate_color"] = "蓝"
    api.post("/v1/records", payload, token)
    form = browser.get("/portal/records/new")
    # When the clerk types the same record into the form
    values = {k: str(v) for k, v in payload.items() if isinstance(v, str | int)}
    again = _submit(browser, _entry(form.csrf(), **values))
    # Then it reads unchanged: the same rules and the same idempotency
    assert 'data-result="unchanged"' in again.text


def test_a_correction_needs_a_reason_and_adds_a_version(signed_in):
    # Given a record entered by hand
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    record_id = _record_id(_submit(browser, _entry(form.csrf())))
    edit = browser.get(f"/portal/records/{record_id}/edit")
    assert edit.status == 200 and 'value="12000"' in edit.text
    fields = [
        ("csrf_token", edit.csrf()),
        ("action", "save"),
        *[(k, v) for k, v in _entry("")[2:] if k != "settlement_list_code"],
    ]
    fields = [(k, "13000" if k == "repair_mileage" else v) for k, v in fields]
    # When it is corrected without a reason, then with one
    missing = browser.post(f"/portal/records/{record_id}/edit", fields)
    fields.append(("correction_reason", "里程录入错误"))
    fields = [(k, missing.csrf() if k == "csrf_token" else v) for k, v in fields]
    corrected = browser.post(f"/portal/records/{record_id}/edit", fields)
    # Then the first is refused beside the reason, the second is version 2 with its reason
    assert missing.status == 400 and 'id="correction_reason-error"' in missing.text
    assert 'data-result="corrected"' in corrected.text
    page = browser.get(f"/portal/records/{record_id}")
    assert 'data-version="2"' in page.text and "里程录入错误" in page.text
    assert "13000" in page.text


def test_voiding_needs_a_reason_and_removes_the_record_from_the_vehicle_history(api, signed_in):
    # Given a record entered by hand
    browser, _, _ = signed_in
    form = browser.get("/portal/records/new")
    fields = _entry(form.csrf())
    values = dict(fields)
    record_id = _record_id(_submit(browser, fields))
    page = browser.get(f"/portal/records/{record_id}")
    # When it is voided without a reason, then with one
    empty = browser.post(f"/portal/records/{record_id}/void", {"csrf_token": page.csrf()})
    voided = browser.post(
        f"/portal/records/{record_id}/void", {"csrf_token": page.csrf(), "reason": "重复录入"}
    )
    # Then only the second voids it, and the vehicle history no longer shows it
    assert empty.status == 400 and 'id="reason-error"' in empty.text
    assert 'data-result="voided"' in voided.text
    assert 'data-status="void"' in browser.get(f"/portal/records/{record_id}").text
    history = api.get(f"/v1/vehicles/{values['vin']}/history?plate={quote(values['plate_number'])}")
    assert history.status_code == 404


def test_another_shops_record_answers_exactly_like_a_missing_one(api, signed_in):
    # Given a record of another shop
    browser, _, _ = signed_in
    _, other_token = api.new_shop()
    other_id = api.post("/v1/records", record_payload(), other_token).json["record_id"]
    missing_id = "0" * 32
    page = browser.get("/portal")
    # When this shop asks for it, to correct it and to void it
    answers = {
        "read": (
            browser.get(f"/portal/records/{other_id}"),
            browser.get(f"/portal/records/{missing_id}"),
        ),
        "edit": (
            browser.get(f"/portal/records/{other_id}/edit"),
            browser.get(f"/portal/records/{missing_id}/edit"),
        ),
        "void": (
            browser.post(
                f"/portal/records/{other_id}/void", {"csrf_token": page.csrf(), "reason": "x"}
            ),
            browser.post(
                f"/portal/records/{missing_id}/void", {"csrf_token": page.csrf(), "reason": "x"}
            ),
        ),
    }
    # Then every answer is the same 404 as for an id that does not exist
    for other, missing in answers.values():
        assert other.status == missing.status == 404
        assert other.text.replace(other_id, "ID") == missing.text.replace(missing_id, "ID")
    assert api.get(f"/v1/records/{other_id}", other_token).json["status"] == "active"


def test_my_records_lists_by_date_and_finds_by_vin_plate_or_number(api, signed_in):
    # Given three records of this shop and one of another shop with the same VIN
    browser, _, token = signed_in
    vin, plate, code = unique_vin(), unique_plate(), unique_code()
    mine = [
        record_payload(vin=vin, settlement_date="2024-03-02"),
        record_payload(plate_number=plate, settlement_date="2024-05-02", repair_date="2024-05-01"),
        record_payload(
            settlement_list_code=code, settlement_date="2024-07-02", repair_date="2024-07-01"
        ),
    ]
    for payload in mine:
        api.post("/v1/records", payload, token)
    _, other_token = api.new_shop()
    api.post("/v1/records", record_payload(vin=vin), other_token)

    def listed(query: str) -> list[str]:
        page = browser.get(f"/portal/records?{query}")
        assert page.status == 200
        return [p["settlement_list_code"] for p in mine if p["settlement_list_code"] in page.text]

    # Then the date range and each kind of search find exactly the shop's own matches
    assert listed("from=2024-04-01&to=2024-12-31") == [mine[1]["settlement_list_code"], code]
    assert listed(f"q={vin.lower()}") == [mine[0]["settlement_list_code"]]
    assert listed(f"q={quote(plate)}") == [mine[1]["settlement_list_code"]]
    assert listed(f"q={code}") == [code]
    assert browser.get(f"/portal/records?q={vin}").text.count('class="record-row"') == 1
