"""exchange/v1 on its own: items round-trip domain objects, every model is strict, the rules
that tie an item to its sender, the packing of items into requests by bytes, and the package's
imports (a leaf both stacks can use)."""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

from chalicelib.domain.shop import Shop
from chalicelib.errors import ValidationFailedError
from chalicelib.exchange import v1
from chalicelib.exchange.requests import (
    ENVELOPE_BYTES,
    MAX_ITEMS,
    body_size,
    encode,
    envelope,
    pack,
)
from tests.builders import largest_record_payload, record_payload
from tests.exchange_items import chained, registry_copy, stored_version, version_change


def _rules(raw) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailedError) as caught:
        v1.parse_item(raw)
    return [(e.field, e.rule) for e in caught.value.errors]


def test_a_version_round_trips_through_its_item():
    # Given a stored version at the schema's limits, flagged and voided with a reason
    record = stored_version(payload=largest_record_payload(), status="void", reason="作废")
    # When the province builds its item and the ministry reads it
    read = v1.stored_record(v1.parse_item(v1.record_version_item(record)).record)
    # Then the ministry holds exactly the province's version, and it passes every rule
    assert read == record
    assert v1.record_refusal(read, "320000") is None


def test_a_registry_entry_travels_without_its_contacts():
    now = registry_copy().updated_at
    shop = Shop(
        "320102000000001", "示范", "91320102MA1XY0000E", "320102", "class_2",
        "南京市玄武区测试路1号", "李师傅", "025-80000000", "active", now, now,
    )  # fmt: skip
    item = v1.shop_item(shop)
    assert set(item["shop"]) == {
        "companycode", "province_code", "name", "uscc", "division_code", "shop_class",
        "status", "created_at", "updated_at",
    }  # fmt: skip
    copy = v1.registry_copy(v1.parse_item(item).shop)
    assert (copy.companycode, copy.province_code, copy.updated_at) == (
        "320102000000001",
        "320000",
        now,
    )


def test_unknown_keys_are_refused_at_every_level():
    item = version_change()
    planted = {
        **item,
        "PK": "TOKEN#x",
        "record": {
            **item["record"],
            "SK": "TOKEN",
            "content": {**item["record"]["content"], "kind": "token"},
        },
    }
    assert sorted(_rules(planted)) == [
        ("PK", "unknown_field"),
        ("record.SK", "unknown_field"),
        ("record.content.kind", "unknown_field"),
    ]


def test_values_are_taken_as_they_are_not_coerced():
    item = version_change()
    record = item["record"]
    assert _rules({**item, "record": {**record, "version": "2"}}) == [("record.version", "type")]
    assert _rules({**item, "record": {**record, "version": True}}) == [("record.version", "type")]
    content = {**record["content"], "repair_mileage": 1.0}
    assert _rules({**item, "record": {**record, "content": content}}) == [
        ("record.content.repair_mileage", "type")
    ]


def test_strings_lists_and_codes_are_bounded():
    item = version_change()
    record = item["record"]
    long_fault = {**record["content"], "fault_description": "长" * 501}
    many_parts = {**record["content"], "parts": record["content"]["parts"] * 201}
    cases = {
        ("record.content.fault_description", "max_length"): {"content": long_fault},
        ("record.content.parts", "max_items"): {"content": many_parts},
        ("record.companycode", "pattern"): {"companycode": "３２０１０２０００００００01"},
        ("record.record_id", "pattern"): {"record_id": "A" * 32},
        ("record.updated_at", "pattern"): {"updated_at": "2024-03-02"},
        ("record.status", "one_of"): {"status": "deleted"},
    }
    for expected, change in cases.items():
        assert _rules({**item, "record": {**record, **change}}) == [expected], expected


def test_an_item_of_no_known_type_is_refused_by_its_type():
    assert _rules({"type": "token", "token": {}}) == [("type", "one_of")]
    assert _rules(["record_version"]) == [("item", "object")]


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ("foreign", "record.companycode", "own_province"),
        ("record_id", "record.record_id", "derived_id"),
        ("content", "record.content_hash", "content_hash"),
        ("chain_vin", "record.chain.vin", "chain_vin"),
        ("chain_hash", "record.chain.hash", "chain_link"),
    ],
)
def test_a_version_must_be_its_own_provinces_and_hash_to_its_link(change, field, rule):
    record = stored_version()
    other = stored_version()
    altered = {
        "foreign": stored_version("420102000000001"),
        "record_id": dataclasses.replace(record, record_id=other.record_id),
        "content": dataclasses.replace(
            record, content=dataclasses.replace(record.content, repair_mileage=1)
        ),
        "chain_vin": dataclasses.replace(
            record, chain=dataclasses.replace(record.chain, vin=other.content.vin)
        ),
        "chain_hash": dataclasses.replace(
            record, chain=dataclasses.replace(record.chain, hash="0" * 64)
        ),
    }[change]
    refusal = v1.record_refusal(altered, "320000")
    assert refusal is not None and (refusal.field, refusal.rule) == (field, rule)


def test_a_swapped_version_fails_its_own_record_id():
    # Given record B's id with a genuine version of record A (content, hash and link of A)
    a, b = stored_version(), stored_version()
    swapped = chained(dataclasses.replace(a, record_id=b.record_id))
    # Then it is refused for its id, even with a chain link made for it
    refusal = v1.record_refusal(swapped, "320000")
    assert refusal is not None and refusal.rule == "derived_id"


def test_a_registry_copy_must_be_of_its_own_province_and_division():
    def refusal(companycode="320102000000001", **changes):
        shop = v1.parse_item(v1.shop_item(registry_copy(companycode))).shop
        found = v1.shop_refusal(shop.model_copy(update=changes), "320000")
        return None if found is None else (found.field, found.rule)

    assert refusal() is None
    assert refusal("420102000000001") == ("shop.companycode", "own_province")
    assert refusal(province_code="420000") == ("shop.province_code", "own_province")
    assert refusal(division_code="320104") == ("shop.division_code", "companycode_division")
    assert refusal(division_code="420102") == ("shop.division_code", "companycode_division")


def test_the_batch_names_its_contract():
    assert v1.parse_batch({"contract": "exchange/v1", "items": [{}]}).items == [{}]
    for body, field in (
        ({"items": [{}]}, "contract"),
        ({"contract": "exchange/v2", "items": [{}]}, "contract"),
        ({"contract": "exchange/v1", "items": []}, "items"),
        ({"contract": "exchange/v1", "items": [{}] * 101}, "items"),
        ({"contract": "exchange/v1", "items": [{}], "PK": "x"}, "PK"),
    ):
        with pytest.raises(ValidationFailedError) as caught:
            v1.parse_batch(body)
        assert [e.field for e in caught.value.errors] == [field]


# --- packing by bytes ------------------------------------------------------------------------


def test_a_body_is_measured_exactly():
    items = [version_change(payload=record_payload()) for _ in range(3)]
    sizes = [len(encode(i)) for i in items]
    assert body_size(sizes) == len(encode(envelope(items)))
    assert body_size([]) == ENVELOPE_BYTES


def test_items_are_packed_in_order_under_the_budget_and_the_item_cap():
    sizes = [400, 400, 400, 900, 50]
    requests, too_large = pack(sizes, budget=ENVELOPE_BYTES + 850)
    assert requests == [[0, 1], [2, 4]] and too_large == [3]
    for request in requests:
        assert body_size([sizes[i] for i in request]) <= ENVELOPE_BYTES + 850
    small = pack([10] * 250)[0]
    assert [len(r) for r in small] == [MAX_ITEMS, MAX_ITEMS, 50]


def test_the_largest_record_fits_the_budget_many_times():
    size = len(encode(v1.record_version_item(stored_version(payload=largest_record_payload()))))
    requests, too_large = pack([size] * 100)
    assert too_large == [] and len(requests[0]) == (5 * 1024 * 1024 - ENVELOPE_BYTES) // (size + 1)


# --- the package is a leaf -------------------------------------------------------------------

ALLOWED = ("chalicelib.domain", "chalicelib.errors", "chalicelib.exchange", "pydantic")


def test_the_contract_imports_only_the_standard_library_pydantic_and_the_domain():
    package = Path(v1.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                standard = name.split(".")[0] in sys.stdlib_module_names or name == "__future__"
                assert standard or name.startswith(ALLOWED), f"{module.name} imports {name}"
