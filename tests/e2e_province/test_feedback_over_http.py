"""Feedback over real HTTP (`chalice local` + moto S3): a multipart complaint with a photo
voucher reaches the regulator byte for byte, and an evaluation is counted once."""

from __future__ import annotations

import re
import urllib.request
import uuid

from tests.builders import evaluation_payload, record_payload, tiny_jpeg, unique_plate, unique_vin


def _multipart(url, fields, files):
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += f"{value}\r\n".encode()
    for name, (filename, data) in files.items():
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def test_a_photo_voucher_travels_byte_for_byte(http, shop):
    # Given a record uploaded over HTTP
    _, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    assert http.call("POST", "/v1/records", payload, token).status == 201
    # When the owner files a complaint through the hosted form with a JPEG voucher
    fields = {
        "kind": "incorrect",
        "vin": vin,
        "plate": plate,
        "settlement_list_code": payload["settlement_list_code"],
        "text": "工时不对",
        "lang": "zh-CN",
    }
    status, html = _multipart(
        http.base + "/complain/submit", fields, {"photo": ("v.jpg", tiny_jpeg())}
    )
    assert status == 201
    code = re.search(r'data-complaint-code="(TS[A-Z0-9]{16})"', html).group(1)
    # Then the regulator downloads exactly the bytes that were sent
    request = urllib.request.Request(
        f"{http.base}/v1/complaints/{code}/photo",
        headers={"Authorization": f"Bearer {http.regulator()}", "Accept": "image/jpeg"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.read() == tiny_jpeg()


def test_an_evaluation_over_http_is_counted_once_under_retries(http, shop):
    entry, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    http.call("POST", "/v1/records", payload, token)
    body = evaluation_payload(vin, plate, payload["settlement_list_code"])
    statuses = [http.call("POST", "/v1/evaluations", body).status for _ in range(3)]
    assert statuses == [201, 200, 200]
    listing = http.call("GET", f"/v1/directory/shops?division={entry['division_code']}").body
    row = next(s for s in listing["shops"] if s["companycode"] == entry["companycode"])
    assert row["count"] == 1
