"""The consumer feedback pages: rate from the timeline, complain with a photo, follow, browse."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest

from tests.builders import record_payload, tiny_png, unique_plate, unique_vin

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _post(api, path, fields):
    response = api.client.http.post(path, headers=FORM, body=urlencode(fields, doseq=True))
    response.text = response.body.decode("utf-8")
    return response


def _get(api, path):
    response = api.client.http.get(path)
    response.text = response.body.decode("utf-8")
    return response


def _multipart(api, path, fields, files):
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        chunks.append(head.encode() + f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        chunks.append(head.encode() + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = api.client.http.post(path, headers=headers, body=body)
    response.text = response.body.decode("utf-8")
    return response


@pytest.fixture
def owner(api, shop):
    entry, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    api.post("/v1/records", payload, token)
    page = _post(api, "/vehicle", {"vin": vin, "plate": plate})
    ref = re.search(r'name="ref" value="([0-9a-f]{32})"', page.text).group(1)
    return {"vin": vin, "plate": plate, "ref": ref, "payload": payload, "shop": entry, "page": page}


def test_the_timeline_offers_to_rate_and_to_complain(owner):
    html = owner["page"].text
    assert 'action="/evaluate"' in html and 'action="/complain"' in html
    assert "评价本次维修" in html


def test_rating_from_the_timeline_with_the_settlement_number(api, owner):
    # Given the owner opened the evaluation form from the timeline
    base = {"vin": owner["vin"], "plate": owner["plate"], "ref": owner["ref"], "lang": "zh-CN"}
    form = _post(api, "/evaluate", base)
    assert form.status_code == 200
    assert owner["shop"]["name"] in form.text and "结算清单编号" in form.text
    # When they submit scores, tags and the settlement number
    fields = {
        **base,
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "score_appointment": "5",
        "score_attitude": "5",
        "score_quality": "4",
        "score_speed": "4",
        "score_price": "3",
        "tags": ["warm_service", "quick_repair"],
        "text": "很满意",
    }
    done = _post(api, "/evaluate/submit", fields)
    # Then it is accepted, and the timeline shows the rating instead of the button
    assert done.status_code == 201 and "感谢您的评价" in done.text
    page = _post(api, "/vehicle", {"vin": owner["vin"], "plate": owner["plate"]})
    assert "您已评价: 4.20 / 5" in page.text
    assert "1 条评价" in page.text


def test_a_missing_score_is_shown_next_to_its_field_and_nothing_is_stored(api, owner):
    fields = {
        "vin": owner["vin"],
        "plate": owner["plate"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "score_appointment": "5",
        "lang": "en",
    }
    page = _post(api, "/evaluate/submit", fields)
    assert page.status_code == 400
    assert 'id="score_price-error"' in page.text
    assert "Please correct the marked fields" in page.text
    timeline = _post(api, "/vehicle", {"vin": owner["vin"], "plate": owner["plate"]})
    assert "您已评价" not in timeline.text


def test_a_wrong_settlement_number_shows_the_one_failed_proof_sentence(api, owner):
    fields = {
        "vin": owner["vin"],
        "plate": owner["plate"],
        "settlement_list_code": "NOT-THIS-ONE",
        **{f"score_{d}": "3" for d in ("appointment", "attitude", "quality", "speed", "price")},
    }
    page = _post(api, "/evaluate/submit", fields)
    assert page.status_code == 404
    assert "没有与该车辆识别代号、号牌和结算清单编号相符的维修记录" in page.text


def test_complaining_with_a_photo_gives_a_code_that_the_follow_page_finds(api, owner):
    # When the owner files an "incorrect" complaint with a PNG voucher through the form
    fields = {
        "kind": "incorrect",
        "vin": owner["vin"],
        "plate": owner["plate"],
        "ref": owner["ref"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "text": "里程写错了",
        "lang": "zh-CN",
    }
    filed = _multipart(api, "/complain/submit", fields, {"photo": ("voucher.png", tiny_png())})
    # Then a code is shown, and the follow page shows its status
    assert filed.status_code == 201, filed.text
    code = re.search(r'data-complaint-code="(TS[A-Z0-9]{16})"', filed.text).group(1)
    followed = _post(api, "/complaints/follow", {"code": code})
    assert followed.status_code == 200 and 'data-status="submitted"' in followed.text
    # And the regulator gets the exact photo
    photo = api.client.http.get(
        f"/v1/complaints/{code}/photo",
        headers={"Authorization": f"Bearer {api.regulator_token()}", "Accept": "image/png"},
    )
    assert photo.body == tiny_png()


def test_a_photo_that_is_not_an_image_is_refused_next_to_the_field(api, owner):
    fields = {
        "kind": "incorrect",
        "vin": owner["vin"],
        "plate": owner["plate"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "text": "x",
        "lang": "en",
    }
    page = _multipart(api, "/complain/submit", fields, {"photo": ("a.png", b"not a png" * 10)})
    assert page.status_code == 400
    assert 'id="photo-error"' in page.text and "JPEG or PNG" in page.text


def test_the_directory_ranks_a_district_and_links_to_a_not_uploaded_complaint(api, owner):
    division = owner["shop"]["division_code"]
    page = _get(api, f"/shops?division={division}&lang=en")
    assert page.status_code == 200
    assert f'data-companycode="{owner["shop"]["companycode"]}"' in page.text
    link = f"/complain/new?shop={owner['shop']['companycode']}&amp;lang=en"
    assert link in page.text
    form = _get(api, link.replace("&amp;", "&"))
    assert form.status_code == 200 and owner["shop"]["name"] in form.text
    assert "The record was not uploaded" in form.text


def test_an_unknown_code_is_said_plainly(api):
    page = _post(api, "/complaints/follow", {"code": "TS0000000000000000", "lang": "en"})
    assert page.status_code == 404 and "No complaint has this code." in page.text


def test_a_score_in_non_ascii_digits_is_a_form_error_not_a_500(api, owner):
    # Given a score written "⁵" (str.isdigit() says yes, int() cannot read it)
    fields = {
        "vin": owner["vin"],
        "plate": owner["plate"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        **{f"score_{d}": "3" for d in ("appointment", "attitude", "quality", "speed")},
        "score_price": "⁵",
    }
    # When the form is submitted
    page = _post(api, "/evaluate/submit", fields)
    # Then the field is marked, as for any other bad score
    assert page.status_code == 400
    assert 'id="score_price-error"' in page.text
