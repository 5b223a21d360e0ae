"""The console's shop registry: register (secret shown once), edit over a version (audited),
suspend and reinstate, rotate the secret; each as the roles and districts may."""

from __future__ import annotations

import html
import re

import pytest

from tests.builders import record_payload, shop_application
from tests.functional.province_console import (
    ANALYST,
    OFFICER,
    build_province,
    csrf_of,
    form_of,
)


@pytest.fixture
def province(api):
    return build_province(api)


def _shown(page_text: str, name: str) -> str:
    match = re.search(rf'data-shown="{name}">([^<]*)<', page_text)
    assert match, f"{name} not shown"
    return html.unescape(match.group(1))


def _edit_form(browser, companycode):
    page = browser.request("GET", f"/console/shops/{companycode}")
    fields = form_of(page.text, f"/console/shops/{companycode}")
    values = {
        name: html.unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.text).group(1))
        for name in ("name", "address", "contact_name", "contact_phone")
    }
    selected = re.search(r'<option value="(\w+)" selected>', page.text)
    return {**fields, **values, "shop_class": selected.group(1) if selected else "class_2"}


def test_a_shop_registered_in_the_console_gets_its_secret_once_and_can_sign_in(province):
    # Given the administrator on the registry page
    browser = province.browser()
    page = browser.request("GET", "/console/shops")
    hidden = form_of(page.text, "/console/shops")
    # When it registers a shop
    application = shop_application(division_code="320104", shop_class="class_1")
    registered = browser.request("POST", "/console/shops", {**hidden, **application})
    # Then the answer shows the companycode and the secret, which work at once
    assert registered.status_code == 201, registered.text
    companycode, secret = _shown(registered.text, "companycode"), _shown(registered.text, "secret")
    assert companycode.startswith("320104")
    assert province.api.shop_token(companycode, secret)
    # And the registry lists it without the secret
    listing = browser.request("GET", "/console/shops")
    assert f'data-shop="{companycode}"' in listing.text and secret not in listing.text


def test_a_refused_registration_names_each_field(province):
    # Given the administrator on the registry page
    browser = province.browser()
    hidden = form_of(browser.request("GET", "/console/shops").text, "/console/shops")
    taken = province.shops["busy"]["uscc"]
    # When it sends a bad USCC and phone, then a USCC registered already
    bad = browser.request(
        "POST",
        "/console/shops",
        {**hidden, **shop_application(uscc="91320102MA1XY0000X", contact_phone="phone")},
    )
    twice = browser.request("POST", "/console/shops", {**hidden, **shop_application(uscc=taken)})
    # Then the form comes back naming each, with what was typed
    assert bad.status_code == 400
    assert 'data-field="contact_phone" data-rule="pattern"' in bad.text
    assert twice.status_code == 409
    assert 'data-field="uscc" data-rule="uscc_already_registered"' in twice.text
    assert f'value="{taken}"' in twice.text


def test_a_district_officer_registers_only_in_its_district_and_lists_only_its_shops(province):
    # Given the officer of 320102 on the registry page
    browser = province.browser(OFFICER)
    page = browser.request("GET", "/console/shops")
    hidden = form_of(page.text, "/console/shops")
    # When it lists the registry and registers in its own and in another district
    own = browser.request("POST", "/console/shops", {**hidden, **shop_application()})
    other = browser.request(
        "POST", "/console/shops", {**hidden, **shop_application(division_code="320104")}
    )
    # Then it sees its district's shops only, registers at home and is refused elsewhere
    assert province.shops["busy"]["companycode"] in page.text
    assert province.shops["other"]["companycode"] not in page.text
    assert '<select id="shop-division" name="division_code">' in page.text
    assert own.status_code == 201 and other.status_code == 403
    cc = province.shops["other"]["companycode"]
    assert browser.request("GET", f"/console/shops/{cc}").status_code == 404


def test_an_edit_is_saved_audited_and_a_stale_one_is_reported(province):
    # Given two administrators' pages opened on the same shop (same browser twice)
    browser = province.browser()
    busy = province.shops["busy"]
    first, second = (
        _edit_form(browser, busy["companycode"]),
        _edit_form(browser, busy["companycode"]),
    )
    # When the first changes the address and the second then changes the name
    saved = browser.request(
        "POST", f"/console/shops/{busy['companycode']}", {**first, "address": "南京市玄武区新址9号"}
    )
    stale = browser.request(
        "POST", f"/console/shops/{busy['companycode']}", {**second, "name": "后来者改名"}
    )
    # Then the first is saved; the second is told the entry changed, shown what it holds now
    assert saved.status_code == 303
    assert stale.status_code == 409 and 'data-conflict="shop_changed"' in stale.text
    assert "南京市玄武区新址9号" in stale.text and "后来者改名" not in stale.text
    # And the change is audited with the old and new address
    entries = province.api.get("/v1/audit", province.api.regulator_token()).json["entries"]
    (edit,) = [e for e in entries if e["action"] == "shop.edit"]
    assert edit["details"]["address"] == {"from": busy["address"], "to": "南京市玄武区新址9号"}


def test_a_bad_edit_is_refused_by_field_and_changes_nothing(province):
    # Given the administrator on a shop's page
    browser = province.browser()
    busy = province.shops["busy"]
    form = _edit_form(browser, busy["companycode"])
    # When it empties the name and types a bad phone
    refused = browser.request(
        "POST",
        f"/console/shops/{busy['companycode']}",
        {**form, "name": "", "contact_phone": "bad phone"},
    )
    # Then both fields are named and the entry is unchanged
    assert refused.status_code == 400
    assert 'data-field="name"' in refused.text and 'data-field="contact_phone"' in refused.text
    entry = province.api.get(f"/v1/shops/{busy['companycode']}", province.api.regulator_token())
    assert entry.json["version"] == 1 and entry.json["name"] == busy["name"]


def test_suspend_reinstate_and_a_new_secret_from_the_console(province):
    # Given the officer of 320102 on the busy shop's page
    browser = province.browser(OFFICER)
    cc = province.shops["busy"]["companycode"]
    csrf = csrf_of(browser.request("GET", f"/console/shops/{cc}").text)
    # When it asks to suspend the shop, it is asked to confirm; nothing changed yet
    asked = browser.request("POST", f"/console/shops/{cc}/suspend", {"csrf_token": csrf})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert 'data-status="active"' in browser.request("GET", f"/console/shops/{cc}").text
    # When it confirms
    suspended = browser.request(
        "POST", f"/console/shops/{cc}/suspend", {"csrf_token": csrf, "confirm": "yes"}
    )
    # Then the shop can no longer upload
    assert suspended.status_code == 303
    page = browser.request("GET", suspended.headers["Location"])
    assert 'data-status="suspended"' in page.text
    upload = record_payload(company_name=province.shops["busy"]["name"])
    assert province.api.post("/v1/records", upload, province.tokens["busy"]).status_code == 403
    # When it reinstates it and issues a new secret
    browser.request("POST", f"/console/shops/{cc}/reinstate", {"csrf_token": csrf})
    rotated = browser.request(
        "POST", f"/console/shops/{cc}/secret", {"csrf_token": csrf, "confirm": "yes"}
    )
    # Then the new secret is shown once and works, and the old token stopped
    secret = _shown(rotated.text, "secret")
    assert province.api.shop_token(cc, secret)
    assert province.api.get("/v1/records", province.tokens["busy"]).status_code == 401


def test_the_analyst_reads_the_registry_with_contacts_masked_and_changes_nothing(province):
    # Given the read-only analyst
    browser = province.browser(ANALYST)
    cc = province.shops["busy"]["companycode"]
    # When it opens the registry and a shop, and posts a suspension
    listing = browser.request("GET", "/console/shops")
    page = browser.request("GET", f"/console/shops/{cc}")
    refused = browser.request(
        "POST", f"/console/shops/{cc}/suspend", {"csrf_token": csrf_of(page.text)}
    )
    # Then contacts are masked, no form changes anything, and the post is forbidden
    assert province.shops["busy"]["contact_phone"] not in listing.text + page.text
    assert "******" in page.text
    assert 'method="post" action="/console/shops"' not in listing.text
    assert 'method="post" action="/console/shops/' not in page.text
    assert refused.status_code == 403


def test_the_registry_finds_a_shop_by_its_code(province):
    # Given the administrator
    browser = province.browser()
    cc = province.shops["idle"]["companycode"]
    # When it looks up a companycode
    found = browser.request("GET", f"/console/shops?find={cc}")
    # Then it is sent to the shop's page
    assert found.status_code == 303 and found.headers["Location"].startswith(f"/console/shops/{cc}")
