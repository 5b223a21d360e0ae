"""The audit log's hash chains as pure rules (domain/audit_chain.py): what an entry's hash
covers, and what a check of a chain on its own names."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.audit_chain import (
    GENESIS,
    ChainEntry,
    canonical_json,
    check_chain,
    entry_hash,
    facts_of,
)

DAY = date(2026, 3, 1)


def _facts(n: int, **changes: object) -> dict[str, object]:
    values = {
        "entry_id": f"id{n}",
        "at": f"2026-03-01T10:00:{n:02d}+00:00",
        "actor": "regulator:admin",
        "role": "province_admin",
        "action": "shop.read",
        "target": f"32010200000000{n}",
        "source_ip": "10.0.0.1",
        "details": {"fields": ["contact_phone"], "count": n},
        "expires_at": 1_807_000_000 + n,
        **changes,
    }
    return facts_of(values)


def _chain(shard: int, count: int) -> list[ChainEntry]:
    entries, previous = [], GENESIS
    for seq in range(1, count + 1):
        facts = _facts(seq)
        link = entry_hash(DAY, shard, seq, previous, facts)
        entries.append(ChainEntry(f"s{shard}/{seq}", shard, seq, previous, link, facts))
        previous = link
    return entries


def _rehashed(entries: list[ChainEntry], seq: int, **changes: object) -> list[ChainEntry]:
    """A chain whose entry `seq` was rewritten by someone who also recomputed every later hash
    (the strongest overwrite a role that may put items can do)."""
    result, previous = [], GENESIS
    for entry in entries:
        facts = _facts(entry.seq or 0, **changes) if entry.seq == seq else entry.facts
        if (entry.seq or 0) >= seq:
            link = entry_hash(DAY, entry.shard, entry.seq or 0, previous, facts)
            entry = dataclasses.replace(entry, prev_hash=previous, hash=link, facts=facts)
        result.append(entry)
        previous = entry.hash or ""
    return result


def test_an_entry_hash_covers_its_facts_its_ttl_its_position_and_its_predecessor():
    # Given an entry's hash
    base = entry_hash(DAY, 3, 7, GENESIS, _facts(7))
    # When any one of its inputs changes / Then the hash changes
    assert entry_hash(DAY, 3, 7, GENESIS, _facts(7, action="shop.list")) != base
    assert entry_hash(DAY, 3, 7, GENESIS, _facts(7, expires_at=1)) != base  # a past TTL
    assert entry_hash(DAY, 3, 8, GENESIS, _facts(7)) != base
    assert entry_hash(DAY, 4, 7, GENESIS, _facts(7)) != base
    assert entry_hash(date(2026, 3, 2), 3, 7, GENESIS, _facts(7)) != base
    assert entry_hash(DAY, 3, 7, "f" * 64, _facts(7)) != base
    # and it is the same when computed again
    assert entry_hash(DAY, 3, 7, GENESIS, _facts(7)) == base


def test_numbers_hash_as_dynamodb_gives_them_back():
    # Given values as written and as DynamoDB returns them (whole numbers as int, others as
    # Decimal without trailing zeros)
    # Then they are the same canonical text, and a number never equals its digits as text
    assert canonical_json({"n": 2, "q": Decimal("1.50")}) == canonical_json(
        {"q": Decimal("1.5"), "n": Decimal("2")}
    )
    assert canonical_json({"n": Decimal("1.5")}) != canonical_json({"n": "1.5"})
    assert canonical_json({"b": True}) != canonical_json({"b": 1})


def test_absent_and_empty_facts_are_the_same_fact():
    # Given an entry stored without a role and read back with an empty one
    # Then both give the same facts (DynamoDB drops None; "" is what an older writer kept)
    assert facts_of({"role": None}) == facts_of({"role": ""}) == facts_of({})


def test_an_untouched_chain_has_no_finding():
    # Given a chain of five entries / When it is checked alone / Then nothing is found
    assert check_chain(DAY, 2, _chain(2, 5)) == []


def test_a_chain_checked_alone_names_a_changed_entry_a_gap_and_a_rehashed_one():
    chain = _chain(1, 6)
    # Given one entry changed without its hash, one removed, and one rewritten with its own
    # hash recomputed (but not the next entry's link to it)
    edited = dataclasses.replace(chain[1], facts=_facts(2, action="shop.delete"))
    rehashed = _rehashed(chain, 5, target="x")[4]
    damaged = [chain[0], edited, chain[3], rehashed, chain[5]]
    # When it is checked alone
    findings = check_chain(DAY, 1, damaged)
    # Then the changed entry, the gap and the broken link after the rewrite are each named
    assert [(f.kind, f.seq) for f in findings] == [
        ("overwritten", 2),
        ("missing", 3),
        ("broken_link", 6),
    ]


def test_a_rewrite_carried_through_to_the_end_is_invisible_without_the_digest():
    # Given a chain rewritten from seq 3 with every later hash recomputed
    rewritten = _rehashed(_chain(4, 5), 3, action="shop.delete")
    # When it is checked alone / Then it looks whole: only the digest can tell (next test)
    assert check_chain(DAY, 4, rewritten) == []


@pytest.mark.parametrize("value", [object(), 1.5j])
def test_a_fact_of_an_unknown_type_is_refused(value):
    with pytest.raises(TypeError):
        canonical_json({"x": value})
