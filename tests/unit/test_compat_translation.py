"""The national payload's translation into our record, and its error paths."""

from __future__ import annotations

import json

import pytest

from chalicelib.doors.shop_api.national_models import parse_compat_record
from chalicelib.errors import ValidationFailedError
from tests.builders import compat_payload


def test_string_values_become_typed_content():
    payload = compat_payload("t", repairmileage="73896", settledate="20240302")
    content = parse_compat_record(payload)
    assert content.repair_mileage == 73896
    assert content.settlement_date.isoformat() == "2024-03-02"
    assert str(content.parts[0].quantity) == "4.00"


def test_json_string_lists_are_decoded():
    payload = compat_payload("t")
    payload["repairprojectlist"] = json.dumps(payload["repairprojectlist"])
    assert parse_compat_record(payload).repair_items[0].name == "发动机油保养"


def test_unknown_keys_inside_rows_are_ignored():
    payload = compat_payload("t")
    payload["vehiclepartslist"][0]["remark"] = "备注"
    assert parse_compat_record(payload).parts[0].name == "机油"


def test_errors_carry_national_paths():
    payload = compat_payload("t", settledate="20240230")
    payload["vehiclepartslist"] = [{"partsname": "机油", "partscode": "x", "partsquantity": "0"}]
    with pytest.raises(ValidationFailedError) as caught:
        parse_compat_record(payload)
    assert {e.field for e in caught.value.errors} == {
        "basicInfo.settledate",
        "vehiclepartslist.0.partsquantity",
    }


def test_list_that_is_neither_array_nor_json_is_refused():
    payload = compat_payload("t")
    payload["vehiclepartslist"] = "机油"
    with pytest.raises(ValidationFailedError) as caught:
        parse_compat_record(payload)
    assert caught.value.errors[0].field == "vehiclepartslist"
