"""The audit log's daily digest as pure rules (domain/audit_digest.py): what it fixes, how it
is signed, and what verifying a day against it names."""

from __future__ import annotations

import json

from chalicelib.domain.audit_chain import ChainEntry, entry_hash
from chalicelib.domain.audit_digest import build_digest, parse, render, verify_day
from tests.unit.test_audit_chain import DAY, _chain, _facts, _rehashed

KEY = b"unit-audit-digest-key-0123456789abcdef"


def test_a_digest_names_each_overwritten_missing_and_extra_entry_even_behind_rehashing():
    # Given a day digested with two shards
    chains = {0: _chain(0, 4), 5: _chain(5, 3)}
    document = render(build_digest("320000", DAY, chains, "2026-03-02T00:10:00+00:00"), KEY)
    # When shard 0's seq 2 is rewritten with every later hash recomputed, shard 5 loses
    # seq 2 and gains a forged seq 4 that links to its seq 3
    forged_facts = _facts(4, action="forged")
    forged_hash = entry_hash(DAY, 5, 4, chains[5][2].hash or "", forged_facts)
    forged = ChainEntry("s5/4", 5, 4, chains[5][2].hash, forged_hash, forged_facts)
    damaged = {0: _rehashed(chains[0], 2, target="x"), 5: [chains[5][0], chains[5][2], forged]}
    findings = verify_day("320000", DAY, damaged, document, KEY)
    # Then each one is named, with what the digest expected
    assert [(f.kind, f.shard, f.seq) for f in findings] == [
        ("overwritten", 0, 2),
        ("overwritten", 0, 3),  # its content is unchanged but its stored hash was replaced
        ("overwritten", 0, 4),
        ("missing", 5, 2),
        ("extra", 5, 4),
    ]
    assert chains[5][1].hash in findings[3].message
    # and the untouched day verifies
    assert verify_day("320000", DAY, chains, document, KEY) == []


def test_a_digest_that_is_missing_altered_or_signed_with_another_key_is_named():
    chains = {0: _chain(0, 2)}
    document = render(build_digest("320000", DAY, chains, "2026-03-02T00:10:00+00:00"), KEY)
    altered = json.loads(document)
    altered["shards"][0]["count"] = 1
    # When each kind of bad digest is verified / Then it is named for what it is
    cases = {
        "digest_missing": None,
        "digest_signature": render(
            build_digest("320000", DAY, chains, "2026-03-02T00:10:00+00:00"), b"x" * 40
        ),
        "digest_altered": json.dumps(altered).encode(),
        "digest_unreadable": b"{not json",
        "digest_misplaced": render(build_digest("420000", DAY, chains, "t"), KEY),
    }
    for kind, bad in cases.items():
        assert [f.kind for f in verify_day("320000", DAY, chains, bad, KEY)] == [kind]
    # And a day that is not over has no digest yet, which is no finding
    assert verify_day("320000", DAY, chains, None, KEY, day_over=False) == []


def test_what_was_wrong_when_the_digest_was_written_stays_a_finding():
    # Given a day whose shard had a gap already when it was digested
    chain = _chain(3, 3)
    gapped = {3: [chain[0], chain[2]]}
    digest = build_digest("320000", DAY, gapped, "2026-03-02T00:10:00+00:00")
    # Then the digest records it, and verifying the unchanged day still names it
    assert digest.findings == ("missing: shard 3 seq 2: a gap in the chain",)
    assert digest.shards[0].hashes == (chain[0].hash, None, chain[2].hash)
    findings = verify_day("320000", DAY, gapped, render(digest, KEY), KEY)
    assert [f.kind for f in findings] == ["at_digest"]


def test_a_stored_digest_reads_back_as_it_was_written():
    # Given a digest / When it is rendered and parsed
    digest = build_digest("320000", DAY, {1: _chain(1, 3)}, "2026-03-02T00:10:00+00:00")
    parsed, stored_hash, _ = parse(render(digest, KEY))
    # Then it is the same digest, and its hash is the one stored
    assert parsed == digest
    assert stored_hash == digest.digest_hash
    assert (parsed.shards[0].count, parsed.shards[0].first_seq, parsed.shards[0].last_seq) == (
        3,
        1,
        3,
    )
