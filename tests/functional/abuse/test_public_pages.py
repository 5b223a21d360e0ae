"""A consumer against the public pages: nothing beyond what its proof opens.

The attacker is a member of the public. It holds what a consumer can hold: a VIN (on the
windscreen), a plate (on the car, perhaps an old one from before a sale), a settlement number
(on a voucher), a phone number, complaint codes (its own, and guesses), and report codes
printed on reports it was shown. It tries to read a vehicle's file with an old plate, to
follow someone else's complaint, to make the public pages show what the proof does not cover
(earlier plates, settlement numbers, shop codes, the complainant's phone), and to make a report
code vouch for something else. The owner's own proof still opens its pages.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.builders import record_payload, unique_plate, unique_vin
from tests.functional.conftest import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def sold_car(api: Api, shop) -> dict[str, Any]:
    """A vehicle serviced under its first plate, then (after a sale) under a new plate."""
    registered, token = shop
    vin, old_plate, new_plate = unique_vin(), unique_plate(), unique_plate()
    first = record_payload(vin=vin, plate_number=old_plate)
    second = record_payload(
        vin=vin,
        plate_number=new_plate,
        repair_date="2024-06-01",
        settlement_date="2024-06-02",
        repair_mileage=30_000,
    )
    for payload in (first, second):
        assert api.post("/v1/records", payload, token).status_code == 201
    return {
        "vin": vin,
        "old_plate": old_plate,
        "new_plate": new_plate,
        "codes": [first["settlement_list_code"], second["settlement_list_code"]],
        "companycode": registered["companycode"],
        "shop_name": registered["name"],
    }


def _vehicle_page(api: Api, vin: str, plate: str, path: str = "/vehicle") -> Any:
    body = urlencode({"vin": vin, "plate": plate})
    return api.client.http.request("POST", path, headers=FORM, body=body)


def test_an_earlier_plate_opens_nothing_and_the_current_one_shows_no_earlier_plate(api, sold_car):
    # Given a car sold since its first service, the attacker holding its VIN and the old plate
    vin = sold_car["vin"]
    # When it asks for the file with the old plate (page, PDF report, JSON history)
    page = _vehicle_page(api, vin, sold_car["old_plate"])
    pdf = _vehicle_page(api, vin, sold_car["old_plate"], "/vehicle/report.pdf")
    history = api.get(f"/v1/vehicles/{vin}/history?plate={sold_car['old_plate']}")
    stranger = unique_vin()
    unknown = _vehicle_page(api, stranger, sold_car["old_plate"])
    # Then each answers exactly as for a VIN that is not on file
    assert page.status_code == pdf.status_code == history.status_code == unknown.status_code == 404
    assert _without_vin(page, vin) == _without_vin(pdf, vin) == _without_vin(unknown, stranger)
    # And the current owner's proof opens a file that shows neither the old plate nor the
    # settlement numbers (the proof of evaluations and grants) nor the shop's code
    owner = _vehicle_page(api, vin, sold_car["new_plate"])
    text = owner.body.decode("utf-8")
    assert owner.status_code == 200 and sold_car["shop_name"] in text
    for private in (sold_car["old_plate"], *sold_car["codes"], sold_car["companycode"]):
        assert private not in text
    json_text = api.get(f"/v1/vehicles/{vin}/history?plate={sold_car['new_plate']}").body
    for private in (sold_car["old_plate"], *sold_car["codes"], sold_car["companycode"]):
        assert private.encode("utf-8") not in json_text


def test_a_report_code_vouches_for_its_own_file_only(api, sold_car):
    # Given a report code the attacker was shown, and another vehicle of its own
    code = _report_code(api, sold_car["vin"], sold_car["new_plate"])
    vin, seq, signature = code.rsplit("-", 2)
    _, token = api.new_shop()
    mine = record_payload(vin=unique_vin(), plate_number=unique_plate())
    api.post("/v1/records", mine, token)
    # When it moves the code to its own VIN, to a later position, or changes its signature
    forged = [
        f"{mine['vin']}-{seq}-{signature}",
        f"{vin}-{int(seq) + 1}-{signature}",
        f"{vin}-{seq}-{'0' * len(signature)}",
    ]
    pages = [api.client.http.get(f"/verify/{c}") for c in forged]
    # Then none verifies, and none shows a record of either vehicle
    for page in pages:
        text = page.body.decode("utf-8")
        assert page.status_code == 404 and 'data-valid="false"' in text
        assert sold_car["shop_name"] not in text and 'class="record"' not in text
    # And the genuine code shows the records it covered without plates, numbers or shop code
    genuine = api.client.http.get(f"/verify/{code}").body.decode("utf-8")
    assert 'data-valid="true"' in genuine and genuine.count('class="record"') == 2
    for private in (sold_car["old_plate"], sold_car["new_plate"], *sold_car["codes"]):
        assert private not in genuine
    assert sold_car["companycode"] not in genuine


def test_a_complaint_is_followed_with_its_own_code_only_and_shows_no_party(api, sold_car):
    # Given an owner's complaint (with a phone number) about the car's last record
    filed = api.post(
        "/v1/complaints",
        {
            "kind": "incorrect",
            "vin": sold_car["vin"],
            "plate": sold_car["new_plate"],
            "settlement_list_code": sold_car["codes"][1],
            "text": "里程数写错了",
            "contact_phone": "13912345678",
        },
    )
    assert filed.status_code == 201, filed.json
    code = filed.json["code"]
    # When the attacker follows codes it guessed: one character off, and a made-up one
    guesses = [code[:-1] + ("A" if code[-1] != "A" else "B"), "TS" + "2" * 16]
    answers = [api.post("/v1/complaints/follow", {"code": g}) for g in guesses]
    pages = [
        api.client.http.request(
            "POST", "/complaints/follow", headers=FORM, body=urlencode({"code": g})
        )
        for g in guesses
    ]
    # Then each is "no complaint has this code", the same answer for both
    assert [a.status_code for a in answers] == [404, 404] and answers[0].json == answers[1].json
    assert [p.status_code for p in pages] == [404, 404]
    # And the owner's own code shows the workflow, never the phone, VIN, plate or its text
    own = api.post("/v1/complaints/follow", {"code": code})
    page = api.client.http.request(
        "POST", "/complaints/follow", headers=FORM, body=urlencode({"code": code})
    )
    assert own.status_code == page.status_code == 200
    for text in (own.body.decode("utf-8"), page.body.decode("utf-8")):
        for private in ("13912345678", sold_car["vin"], sold_car["new_plate"], "里程数写错了"):
            assert private not in text


def test_a_record_of_another_vehicle_is_not_shown_as_context_of_a_feedback_form(api, sold_car):
    # Given the attacker's own car (its VIN and plate), and the record id of the sold car's
    # visit (record ids derive from the shop's public code and the settlement number)
    _, token = api.new_shop(name="另一家维修厂")
    mine = record_payload(vin=unique_vin(), plate_number=unique_plate())
    api.post("/v1/records", mine, token)
    history = _vehicle_page(api, sold_car["vin"], sold_car["new_plate"]).body.decode("utf-8")
    victims_ref = re.findall(r'name="ref" value="([0-9a-f]{32})"', history)[0]
    # When it opens the evaluation and complaint forms with its own proof and that reference
    fields = {"vin": mine["vin"], "plate": mine["plate_number"], "ref": victims_ref}
    pages = [
        api.client.http.request("POST", path, headers=FORM, body=urlencode(fields))
        for path in ("/evaluate", "/complain")
    ]
    # Then the forms open without the other car's visit (no shop, no date)
    for page in pages:
        text = page.body.decode("utf-8")
        assert page.status_code == 200
        assert sold_car["shop_name"] not in text and "2024-06-02" not in text


def _report_code(api: Api, vin: str, plate: str) -> str:
    text = _vehicle_page(api, vin, plate).body.decode("utf-8")
    match = re.search(r'<p class="mono code">([^<]+)</p>', text)
    assert match, "the vehicle page shows a report verification code"
    return match.group(1)


def _without_vin(response: Any, vin: str) -> str:
    """The page's text with the VIN it echoes taken out (the forms keep what was typed)."""
    return response.body.decode("utf-8", "replace").replace(vin, "")
