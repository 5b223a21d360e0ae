"""The capacity rules the cost model rests on (bench/capacity_units.py), on worked examples."""

from __future__ import annotations

from bench.capacity_units import Index, TableShape, item_size, read_units, write_units


def test_item_size_counts_names_and_values_by_type():
    # Given an item with a string, a number, a list and a map
    item = {
        "PK": {"S": "苏A"},  # 2 + 4 UTF-8 bytes (苏 takes 3)
        "n": {"N": "12000"},  # 1 + (2 significant digits / 2 + 1) = 1 + 2
        "l": {"L": [{"BOOL": True}]},  # 1 + 3 + (1 + 1)
        "m": {"M": {"k": {"NULL": True}}},  # 1 + 3 + (1 + 1 + 1)
    }
    # When its size is computed / Then every rule applies
    assert item_size(item) == 6 + 3 + 6 + 7


def test_write_and_read_units_round_up_by_their_blocks():
    # Given sizes around DynamoDB's 1 KB write and 4 KB read blocks
    # When units are computed / Then they round up, with a minimum, and halve when eventual
    assert (write_units(0), write_units(1024), write_units(1025)) == (1, 1, 2)
    assert (read_units(4096, True), read_units(4097, True), read_units(100, False)) == (1, 2, 0.5)


def test_an_index_key_change_costs_a_delete_and_a_put():
    # Given a table with one index projecting keys only
    shape = TableShape(("PK", "SK"), (Index("GSI1", ("G",), "KEYS_ONLY"),))
    before = {"PK": {"S": "a"}, "SK": {"S": "b"}, "G": {"S": "old"}}
    after = {"PK": {"S": "a"}, "SK": {"S": "b"}, "G": {"S": "new"}}
    # When the index writes are counted / Then moving the entry costs 2, an unchanged entry 0
    assert shape.index_write_units(before, after) == 2
    assert shape.index_write_units(before, {**before, "other": {"S": "x"}}) == 0
    assert shape.index_write_units(None, after) == 1
