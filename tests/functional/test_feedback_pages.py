"""The consumer feedback pages: rate from the timeline, complain with a photo, follow, browse."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest

from tests.builders import record_payload, tiny_jpeg, tiny_png, unique_plate, unique_vin

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


def test_the_form_files_the_owners_complaint_after_a_decoy_and_names_an_open_one(api, owner):
    # Given a decoy about the owner's record, filed first through the API under a phone
    decoy = {
        "kind": "incorrect",
        "vin": owner["vin"],
        "plate": owner["plate"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "text": "测试",
        "contact_phone": "13800001111",
    }
    assert api.post("/v1/complaints", decoy).status_code == 201
    fields = {**decoy, "ref": owner["ref"], "text": "里程写错了", "lang": "en"}
    # When the owner files through the form without a phone, and then with the decoy's phone
    filed = _multipart(api, "/complain/submit", {**fields, "contact_phone": ""}, {})
    blocked = _multipart(api, "/complain/submit", fields, {})
    # Then the first is filed with a code; the second says that phone's complaint is open
    assert filed.status_code == 201, filed.text
    assert re.search(r'data-complaint-code="TS[A-Z0-9]{16}"', filed.text)
    assert blocked.status_code == 409
    assert 'data-notice="complaint_exists"' in blocked.text
    assert "once it is rejected or closed" in blocked.text
    assert "里程写错了</textarea>" in blocked.text  # what the owner typed is kept


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


def _phone_photo(megabytes):
    return tiny_jpeg()[:-2] + b"\x00" * int(megabytes * 1024 * 1024) + b"\xff\xd9"


def test_a_phone_photo_over_two_megabytes_is_refused_on_its_field_and_the_form_is_kept(api, owner):
    # Given an owner's complaint whose photo straight from the phone is 3.5 MB
    fields = {
        "kind": "incorrect",
        "vin": owner["vin"],
        "plate": owner["plate"],
        "ref": owner["ref"],
        "settlement_list_code": owner["payload"]["settlement_list_code"],
        "text": "更换了刹车片，记录里没有",
        "contact_phone": "13800000000",
        "lang": "en",
    }
    # When it is submitted through the form
    page = _multipart(
        api, "/complain/submit", fields, {"photo": ("IMG_0001.jpg", _phone_photo(3.5))}
    )
    # Then the complaint page comes back with the error on the photo field, saying the limit
    assert page.status_code == 400
    error = re.search(r'<p class="field-error" id="photo-error">([^<]*)</p>', page.text)
    assert error and "at most 2 MB" in error.group(1) and "3.5 MB" in error.group(1)
    # And what the owner typed is still there, and nothing was filed
    assert "更换了刹车片，记录里没有</textarea>" in page.text
    assert 'value="13800000000"' in page.text
    assert f'value="{owner["payload"]["settlement_list_code"]}"' in page.text
    assert f'name="plate" value="{owner["plate"]}"' in page.text
    assert "data-complaint-code" not in page.text


def test_an_oversized_photo_and_a_missing_field_are_both_shown(api, owner):
    fields = {"kind": "incorrect", "vin": owner["vin"], "plate": owner["plate"], "text": "x"}
    page = _multipart(api, "/complain/submit", fields, {"photo": ("a.jpg", _phone_photo(2.5))})
    assert page.status_code == 400
    assert 'id="photo-error"' in page.text and "照片不能超过 2 MB" in page.text
    assert 'id="settlement_list_code-error"' in page.text


def test_a_form_too_large_to_read_still_answers_the_complaint_page(api, owner):
    # When a complaint body over Lambda's 6 MB limit arrives (possible with `chalice local`)
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + _phone_photo(6.5)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    page = api.client.http.post(
        "/complain/submit?lang=en&kind=not_uploaded",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        body=body,
    )
    html = page.body.decode("utf-8")
    # Then it is the complaint form of that kind and language, with the error on the photo
    assert page.status_code == 413
    assert '<html lang="en">' in html and 'name="kind" value="not_uploaded"' in html
    assert 'id="photo-error"' in html and "at most 2 MB" in html


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
