"""Editing a registry entry: which fields, over which version, and what the audit log keeps."""

from __future__ import annotations

import json

from tests.functional.conftest import add_regulator


def _edit(api, shop, body, token=None):
    return api.call(
        "PATCH", f"/v1/shops/{shop['companycode']}", body, token or api.regulator_token()
    )


def _audit(api, action):
    entries = api.get("/v1/audit?limit=200", api.regulator_token()).json["entries"]
    return [e for e in entries if e["action"] == action]


def test_a_regulator_edits_name_address_class_and_contacts(api, shop):
    # Given a registered shop at version 1
    entry, _ = shop
    assert entry["version"] == 1
    # When the administrator changes its name, class and phone
    edited = _edit(
        api,
        entry,
        {
            "version": 1,
            "name": "南京玄武新名称汽修",
            "shop_class": "一类",
            "contact_phone": "13800000000",
        },
    )
    # Then the entry holds the new values at version 2, and reads back so
    assert edited.status_code == 200, edited.json
    assert (edited.json["name"], edited.json["shop_class"], edited.json["version"]) == (
        "南京玄武新名称汽修",
        "class_1",
        2,
    )
    read = api.get(f"/v1/shops/{entry['companycode']}", api.regulator_token()).json
    assert (read["contact_phone"], read["address"], read["version"]) == (
        "13800000000",
        entry["address"],
        2,
    )


def test_the_audit_lists_old_and_new_values_but_never_copies_contacts(api, shop):
    # Given a registered shop
    entry, _ = shop
    # When its name and both contacts change
    edited = _edit(
        api,
        entry,
        {"version": 1, "name": "新名称", "contact_name": "赵师傅", "contact_phone": "13912345678"},
    )
    assert edited.status_code == 200
    # Then the audit entry names each changed field, with old and new name, and only says
    # that the contacts changed
    (logged,) = _audit(api, "shop.edit")
    assert logged["target"] == entry["companycode"]
    assert logged["details"]["changed"] == "name,contact_name,contact_phone"
    assert logged["details"]["name"] == {"from": entry["name"], "to": "新名称"}
    text = json.dumps(logged, ensure_ascii=False)
    assert "13912345678" not in text and "赵师傅" not in text
    assert entry["contact_phone"] not in text and entry["contact_name"] not in text


def test_of_two_concurrent_edits_only_the_first_wins(api, shop):
    # Given two regulators who both read the entry at version 1
    entry, _ = shop
    # When both change it from that version
    first = _edit(api, entry, {"version": 1, "address": "南京市玄武区第一路1号"})
    second = _edit(api, entry, {"version": 1, "address": "南京市玄武区第二路2号"})
    # Then the second is refused and the first value stays
    assert first.status_code == 200
    assert second.status_code == 409 and second.json["code"] == "shop_changed"
    read = api.get(f"/v1/shops/{entry['companycode']}", api.regulator_token()).json
    assert read["address"] == "南京市玄武区第一路1号"


def test_a_retried_edit_answers_the_entry_and_logs_nothing_new(api, shop):
    # Given an edit that landed
    entry, _ = shop
    body = {"version": 1, "name": "重试汽修"}
    assert _edit(api, entry, body).status_code == 200
    # When the same request comes again (a client retry)
    again = _edit(api, entry, body)
    # Then it answers the entry as it is, and the change is logged once
    assert again.status_code == 200 and again.json["version"] == 2
    assert len(_audit(api, "shop.edit")) == 1


def test_other_writes_raise_the_version_too(api, shop):
    # Given a regulator who read the entry, then suspended the shop
    entry, _ = shop
    api.post(f"/v1/shops/{entry['companycode']}/suspend", {}, api.regulator_token())
    # When it edits from the version it read before the suspension
    stale = _edit(api, entry, {"version": 1, "name": "过期修改"})
    # Then it is told the entry changed; from the current version the edit lands
    assert stale.status_code == 409
    rotated = api.post(f"/v1/shops/{entry['companycode']}/secret", {}, api.regulator_token())
    assert rotated.json["version"] == 3
    assert _edit(api, entry, {"version": 3, "name": "当前修改"}).status_code == 200


def test_identity_fields_and_bad_values_are_refused_by_name(api, shop):
    # Given a registered shop
    entry, _ = shop
    # When an edit names the USCC, the division, a bad class or a bad phone
    identity = _edit(api, entry, {"version": 1, "uscc": "91320102MA1XY0000E", "division_code": "1"})
    bad = _edit(api, entry, {"version": 1, "shop_class": "四类", "contact_phone": "call me"})
    no_version = _edit(api, entry, {"name": "无版本"})
    # Then each is refused, naming the field and the rule, and nothing changed
    assert identity.status_code == 400
    assert {(e["field"], e["rule"]) for e in identity.json["errors"]} == {
        ("uscc", "unknown_field"),
        ("division_code", "unknown_field"),
    }
    assert {(e["field"], e["rule"]) for e in bad.json["errors"]} == {("contact_phone", "pattern")}
    assert _edit(api, entry, {"version": 1, "shop_class": "四类"}).json["errors"][0]["rule"] == (
        "enum"
    )
    assert no_version.json["errors"][0]["field"] == "version"
    read = api.get(f"/v1/shops/{entry['companycode']}", api.regulator_token()).json
    assert read["version"] == 1


def test_only_writers_in_scope_may_edit(api, shop):
    # Given the analyst and a district officer of another district
    entry, _ = shop
    analyst = api.regulator_token(("analyst", "analyst-test-password"))
    add_regulator("officer-edit", "district_officer", ("320104",))
    officer = api.regulator_token(("officer-edit", "officer-edit-test-password"))
    # When each tries to edit the shop of 320102
    by_analyst = _edit(api, entry, {"version": 1, "name": "分析员修改"}, analyst)
    by_officer = _edit(api, entry, {"version": 1, "name": "他区修改"}, officer)
    # Then the analyst is forbidden and the shop does not exist for the officer
    assert by_analyst.status_code == 403
    assert by_officer.status_code == 404
