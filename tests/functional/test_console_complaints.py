"""The console's complaint queue and workflow: accept or reject with a reason, the shop's
reply, close as resolved or unresolved; the photo voucher inline; districts kept apart."""

from __future__ import annotations

import base64
import re

import pytest

from tests.builders import tiny_png
from tests.functional.province_console import (
    ANALYST,
    OFFICER,
    OTHER_OFFICER,
    build_province,
    csrf_of,
)

# What Chromium asks for when it loads an <img> (API Gateway reads the first type only).
IMG_ACCEPT = {"Accept": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}


@pytest.fixture
def complaints(api):
    """The province, an "incorrect" complaint (with photo) about the busy shop of 320102 and a
    "not uploaded" complaint about the shop of 320104."""
    province = build_province(api)
    upload = province.uploads[0]
    proof = {
        "vin": upload["vin"],
        "plate": upload["plate_number"],
        "settlement_list_code": upload["settlement_list_code"],
    }
    photo = base64.b64encode(tiny_png()).decode()
    own = api.post(
        "/v1/complaints",
        {
            **proof,
            "kind": "incorrect",
            "text": "里程不对",
            "photo_base64": photo,
            "contact_phone": "13700000000",
        },
    )
    other = api.post(
        "/v1/complaints",
        {
            **proof,
            "kind": "not_uploaded",
            "settlement_list_code": "NOT-UP-1",
            "companycode": province.shops["other"]["companycode"],
            "settlement_date": upload["settlement_date"],
            "text": "没有上传",
        },
    )
    assert own.status_code == other.status_code == 201, (own.json, other.json)
    province.complaints = {"own": own.json["code"], "other": other.json["code"]}
    return province


def _step(browser, code, step, **fields):
    page = browser.request("GET", f"/console/complaints/{code}")
    return browser.request(
        "POST", f"/console/complaints/{code}/{step}", {"csrf_token": csrf_of(page.text), **fields}
    )


def test_a_complaint_is_handled_end_to_end(complaints):
    # Given the district officer of 320102 and its queue of complaints to decide
    browser = complaints.browser(OFFICER)
    code = complaints.complaints["own"]
    queue = browser.request("GET", "/console/complaints")
    assert f'data-complaint="{code}"' in queue.text
    # When it opens the complaint
    page = browser.request("GET", f"/console/complaints/{code}")
    # Then it sees the text, the phone, the record concerned and the photo inline
    assert page.status_code == 200
    assert "里程不对" in page.text and "13700000000" in page.text
    assert complaints.uploads[0]["fault_description"] in page.text
    assert f'<img src="/console/complaints/{code}/photo"' in page.text
    photo = browser.request("GET", f"/console/complaints/{code}/photo", headers=IMG_ACCEPT)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"
    assert photo.body == tiny_png()
    # When it accepts it
    accepted = _step(browser, code, "accept")
    assert accepted.status_code == 303
    # Then the shop sees it and replies through its API
    token = complaints.tokens["busy"]
    assert complaints.api.get(f"/v1/shop/complaints/{code}", token).status_code == 200
    reply = complaints.api.post(
        f"/v1/shop/complaints/{code}/reply", {"text": "已核实并更正"}, token
    )
    assert reply.status_code == 200, reply.json
    # And the console shows the reply; the officer closes it as resolved
    answered = browser.request("GET", f"/console/complaints/{code}")
    assert 'data-status="replied"' in answered.text and "已核实并更正" in answered.text
    closed = _step(browser, code, "close", outcome="resolved", note="已更正")
    assert closed.status_code == 303
    final = browser.request("GET", closed.headers["Location"])
    assert 'data-status="resolved"' in final.text and 'data-done="close"' in final.text
    # And the complainant following the code sees it resolved
    follow = complaints.api.post("/v1/complaints/follow", {"code": code}).json
    assert follow["status"] == "resolved" and follow["outcome_note"] == "已更正"


def test_a_rejection_needs_a_reason_which_the_complainant_then_sees(complaints):
    # Given the administrator on a submitted complaint
    browser = complaints.browser()
    code = complaints.complaints["other"]
    # When it rejects without a reason, then with one
    empty = _step(browser, code, "reject", reason="  ")
    rejected = _step(browser, code, "reject", reason="不属于本平台受理范围")
    # Then the first is refused naming the field, the second lands
    assert empty.status_code == 400 and 'data-field="reason"' in empty.text
    assert rejected.status_code == 303
    follow = complaints.api.post("/v1/complaints/follow", {"code": code}).json
    assert follow["status"] == "rejected"
    assert follow["rejection_reason"] == "不属于本平台受理范围"


def test_a_step_the_workflow_does_not_allow_is_explained(complaints):
    # Given a complaint the administrator has accepted already
    browser = complaints.browser()
    code = complaints.complaints["own"]
    assert _step(browser, code, "accept").status_code == 303
    # When a second page, opened before, rejects it
    late = _step(browser, code, "reject", reason="迟到的拒绝")
    # Then the page says the complaint has moved on, and nothing changed
    assert late.status_code == 409 and 'data-conflict="complaint_state"' in late.text
    assert 'data-status="accepted"' in late.text


def test_districts_are_kept_apart(complaints):
    # Given the officers of 320102 and 320104
    own, other = complaints.complaints["own"], complaints.complaints["other"]
    officer = complaints.browser(OFFICER)
    # When the officer of 320102 lists its queue and opens the other district's complaint
    queue = officer.request("GET", "/console/complaints")
    page = officer.request("GET", f"/console/complaints/{other}")
    photo = officer.request("GET", f"/console/complaints/{other}/photo", headers=IMG_ACCEPT)
    # Then it sees only its own, and the other does not exist for it
    assert own in queue.text and other not in queue.text
    assert page.status_code == 404 and photo.status_code == 404
    # And the officer of 320104 may not accept the complaint about 320102
    other_officer = complaints.browser(OTHER_OFFICER)
    csrf = csrf_of(other_officer.request("GET", "/console/complaints").text)
    refused = other_officer.request(
        "POST", f"/console/complaints/{own}/accept", {"csrf_token": csrf}
    )
    assert refused.status_code == 404


def test_the_analyst_reads_but_cannot_decide(complaints):
    # Given the read-only analyst
    browser = complaints.browser(ANALYST)
    code = complaints.complaints["own"]
    # When it opens a complaint and tries to accept it
    page = browser.request("GET", f"/console/complaints/{code}")
    accept = browser.request(
        "POST", f"/console/complaints/{code}/accept", {"csrf_token": csrf_of(page.text)}
    )
    # Then it reads it without decision forms, and the step is forbidden
    assert page.status_code == 200 and "/accept" not in page.text
    assert accept.status_code == 403


def test_every_read_of_a_complaint_and_its_photo_is_audited(complaints):
    # Given the administrator, who opens a complaint and its photo
    browser = complaints.browser()
    code = complaints.complaints["own"]
    browser.request("GET", f"/console/complaints/{code}")
    browser.request("GET", f"/console/complaints/{code}/photo", headers=IMG_ACCEPT)
    # When the audit log is read
    entries = complaints.api.get("/v1/audit", complaints.api.regulator_token()).json["entries"]
    # Then both reads are there, about that complaint
    actions = {(e["action"], e["target"]) for e in entries}
    assert ("complaint.read", code) in actions and ("complaint.photo_read", code) in actions


def test_a_step_without_the_forms_token_is_refused(complaints):
    # Given the administrator signed in
    browser = complaints.browser()
    code = complaints.complaints["own"]
    # When a form arrives without the CSRF token (another site's form)
    forged = browser.request("POST", f"/console/complaints/{code}/accept", {"csrf_token": "x"})
    # Then it is refused and the complaint is still to decide
    assert forged.status_code == 403
    page = browser.request("GET", f"/console/complaints/{code}")
    assert re.search(r'data-status="submitted"', page.text)
