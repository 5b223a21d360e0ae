"""The audit log's hash chains: every entry is a link in the chain of its day's shard.

Why: the application writes entries with `attribute_not_exists`, but a role allowed to put
items could still overwrite one without that condition, or give it a past TTL so DynamoDB
removes it. Each entry therefore carries its position (`seq`, 1, 2, ... within its day and
shard), the previous entry's hash and its own hash over both and over its facts (the TTL
included), so a changed, removed or inserted entry breaks the chain where it happened. The
daily digest (`audit_digest.py`) takes every chain's hashes out of the table, where no role of
the stack can change them; `check_chain` names what differs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
# What an entry's hash vouches for, beside its position: every attribute the log stores.
FACT_NAMES = (
    "entry_id",
    "at",
    "actor",
    "role",
    "action",
    "target",
    "source_ip",
    "user_agent",
    "details",
    "expires_at",
)


@dataclass(frozen=True)
class ChainHead:
    """The newest link of one chain (seq 0, the genesis hash and no time when it is empty)."""

    seq: int = 0
    hash: str = GENESIS
    at: str = ""


@dataclass(frozen=True)
class ChainEntry:
    """One stored entry as the chain sees it; `location` names its key for people.

    `seq`, `prev_hash` and `hash` are None for an item without a chain position (written
    before the log was chained, or by someone who did not follow it).
    """

    location: str
    shard: int
    seq: int | None
    prev_hash: str | None
    hash: str | None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One way a day's log differs from its chains or its digest, for the operator."""

    kind: str  # overwritten, missing, extra, broken_link, unchained, digest_*
    message: str
    shard: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def facts_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed facts of an entry from its stored values (absent and empty mean None)."""
    return {name: values.get(name) if values.get(name) != "" else None for name in FACT_NAMES}


def entry_hash(day: date, shard: int, seq: int, prev_hash: str, facts: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of position and facts."""
    body = {"day": day.isoformat(), "shard": shard, "seq": seq, **facts}
    return hashlib.sha256(f"{prev_hash}|{canonical_json(body)}".encode()).hexdigest()


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, and numbers as DynamoDB gives them back
    (a whole number is an int, any other keeps its digits without trailing zeros)."""
    return json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def check_chain(
    day: date,
    shard: int,
    entries: Sequence[ChainEntry],
    expected: Sequence[str | None] | None = None,
    first_seq: int = 1,
) -> list[Finding]:
    """What is wrong with one shard's chain, against the digest's hashes when given.

    With `expected` (the digest's hash of seq first_seq, first_seq + 1, ...), each position is
    recomputed from the digest's previous hash, so only the entries that changed are named:
    overwritten (its content, its hash or its link differs from what the digest fixed),
    missing, or extra (a position the digest does not have). Without it the chain is checked
    against itself: an entry whose hash does not match its content, a link to a previous hash
    that is not its predecessor's, and gaps. Entries without a position are always named.
    """
    chained = sorted((e for e in entries if e.seq is not None), key=lambda e: e.seq or 0)
    findings = [_unchained(e) for e in entries if e.seq is None]
    if expected is None:
        return findings + _check_alone(day, shard, chained)
    return findings + _check_against(day, shard, chained, list(expected), first_seq)


def _check_against(
    day: date, shard: int, chained: list[ChainEntry], expected: list[str | None], first_seq: int
) -> list[Finding]:
    findings: list[Finding] = []
    by_seq = {e.seq: e for e in chained}
    last_seq = first_seq + len(expected) - 1
    for offset, wanted in enumerate(expected):
        seq = first_seq + offset
        if wanted is None:
            continue  # already missing when the digest was written (the digest says so)
        previous = expected[offset - 1] if offset else (GENESIS if seq == 1 else None)
        entry = by_seq.get(seq)
        if entry is None:
            message = f"shard {shard} seq {seq}: the digest expects hash {wanted}"
            findings.append(Finding("missing", message, shard, seq))
            continue
        recomputed = entry_hash(day, shard, seq, previous, entry.facts) if previous else None
        linked = previous is None or entry.prev_hash == previous
        if entry.hash != wanted or not linked or (recomputed and recomputed != wanted):
            findings.append(
                Finding(
                    "overwritten",
                    f"{entry.location} (shard {shard} seq {seq}): its content hashes to "
                    f"{recomputed or entry.hash}, stored hash {entry.hash}, the digest "
                    f"expects {wanted}",
                    shard,
                    seq,
                )
            )
    for entry in chained:
        if not first_seq <= (entry.seq or 0) <= last_seq:
            findings.append(
                Finding(
                    "extra",
                    f"{entry.location} (shard {shard} seq {entry.seq}): not in the digest "
                    f"(which has seq {first_seq}-{last_seq} of this shard)"
                    if expected
                    else f"{entry.location} (shard {shard} seq {entry.seq}): not in the "
                    "digest (which has no entry in this shard)",
                    shard,
                    entry.seq,
                )
            )
    return findings


def _check_alone(day: date, shard: int, chained: list[ChainEntry]) -> list[Finding]:
    findings: list[Finding] = []
    previous: ChainEntry | None = None
    for entry in chained:
        seq = entry.seq or 0
        gap_from = (previous.seq or 0) + 1 if previous else 1
        if seq > gap_from:
            span = f"seq {gap_from}" if seq == gap_from + 1 else f"seq {gap_from}-{seq - 1}"
            findings.append(
                Finding("missing", f"shard {shard} {span}: a gap in the chain", shard, gap_from)
            )
        recomputed = entry_hash(day, shard, seq, entry.prev_hash or "", entry.facts)
        if recomputed != entry.hash:
            findings.append(
                Finding(
                    "overwritten",
                    f"{entry.location} (shard {shard} seq {seq}): its content hashes to "
                    f"{recomputed}, its stored hash is {entry.hash}",
                    shard,
                    seq,
                )
            )
        want = previous.hash if previous and previous.seq == seq - 1 else None
        if seq == 1:
            want = GENESIS
        if want is not None and entry.prev_hash != want:
            findings.append(
                Finding(
                    "broken_link",
                    f"{entry.location} (shard {shard} seq {seq}): links to {entry.prev_hash}, "
                    f"but seq {seq - 1} hashes to {want} (one of the two was rewritten)",
                    shard,
                    seq,
                )
            )
        previous = entry
    return findings


def _unchained(entry: ChainEntry) -> Finding:
    return Finding(
        "unchained",
        f"{entry.location} (shard {entry.shard}): an entry outside the chain (no position: "
        "written before the log was chained, or by someone who bypassed it)",
        entry.shard,
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        number = Decimal(str(value)) if isinstance(value, float) else value
        if number == number.to_integral_value():
            return int(number)
        return {"$number": format(number.normalize(), "f")}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=canonical_json)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"an audit fact cannot hold {type(value).__name__}")
