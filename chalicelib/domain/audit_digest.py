"""The daily digest of the audit log: every shard's chain of one day, hashed and signed.

Why: a chain shows a change only to someone who knows what the chain was before. The digest
keeps that outside the table: written once a day to a bucket whose objects no role of the
stack can overwrite or delete (S3 Object Lock, compliance mode), it holds per shard the count,
the first and last seq, the head hash and each entry's hash, a hash over all of it, and an
HMAC-SHA256 signature with the stack's audit digest key. (HMAC means whoever checks a digest
holds the key that could forge one; a later issue moves report signing to KMS asymmetric
keys, and digests with it.) `verify_day` compares a day's chains with its digest and names
every entry that was overwritten, removed or added since.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain.audit_chain import ChainEntry, Finding, canonical_json, check_chain

FORMAT = "vmehr-audit-digest/1"
ALGORITHM = "HMAC-SHA256"


class DigestUnreadableError(ValueError):
    """A stored document that is not a digest of this format."""


@dataclass(frozen=True)
class ShardDigest:
    """One shard's chain of the day as the digest fixed it (hashes[i] is seq first_seq + i;
    None where that position was already missing when the digest was written)."""

    shard: int
    count: int
    first_seq: int
    last_seq: int
    head_hash: str
    hashes: tuple[str | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "shard": self.shard,
            "count": self.count,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "hashes": list(self.hashes),
        }


@dataclass(frozen=True)
class AuditDigest:
    """What a stack's audit log held for one (UTC) day when the digest was written."""

    scope: str  # the province code (the ministry's stack: 000000)
    day: date
    created_at: str
    shards: tuple[ShardDigest, ...]
    findings: tuple[str, ...] = ()  # what was already wrong when it was written

    @property
    def entries(self) -> int:
        return sum(s.count for s in self.shards)

    def body(self) -> dict[str, Any]:
        """Everything the digest hash covers."""
        return {
            "format": FORMAT,
            "scope": self.scope,
            "day": self.day.isoformat(),
            "created_at": self.created_at,
            "shards": [s.to_dict() for s in self.shards],
            "findings": list(self.findings),
        }

    @property
    def digest_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body()).encode("utf-8")).hexdigest()


def build_digest(
    scope: str, day: date, chains: Mapping[int, Sequence[ChainEntry]], created_at: str
) -> AuditDigest:
    """The digest of a day's chains (shard -> its stored entries), checked as it is built."""
    shards: list[ShardDigest] = []
    findings: list[Finding] = []
    for shard in sorted(chains):
        entries = chains[shard]
        findings += check_chain(day, shard, entries)
        chained = {e.seq: e for e in entries if e.seq is not None}
        if not chained:
            continue
        first, last = min(chained), max(chained)
        hashes = tuple(chained[s].hash if s in chained else None for s in range(first, last + 1))
        head = chained[last].hash or ""
        shards.append(ShardDigest(shard, len(chained), first, last, head, hashes))
    return AuditDigest(scope, day, created_at, tuple(shards), tuple(str(f) for f in findings))


def signing_message(digest: AuditDigest) -> str:
    """What the key signs; the prefix keeps it apart from anything else a key may sign."""
    return f"audit-digest|{digest.scope}|{digest.day.isoformat()}|{digest.digest_hash}"


def render(digest: AuditDigest, key: bytes) -> bytes:
    """The stored document: the body, its hash and the signature over both."""
    document = {
        **digest.body(),
        "entries": digest.entries,
        "digest_hash": digest.digest_hash,
        "algorithm": ALGORITHM,
        "signature": _sign(key, signing_message(digest)),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def parse(document: bytes) -> tuple[AuditDigest, str, str]:
    """The digest a document holds, with the hash and signature stored beside it."""
    try:
        data = json.loads(document)
        if data["format"] != FORMAT or data["algorithm"] != ALGORITHM:
            raise DigestUnreadableError(f"not a {FORMAT} document signed {ALGORITHM}")
        shards = tuple(
            ShardDigest(
                int(s["shard"]),
                int(s["count"]),
                int(s["first_seq"]),
                int(s["last_seq"]),
                str(s["head_hash"]),
                tuple(None if h is None else str(h) for h in s["hashes"]),
            )
            for s in data["shards"]
        )
        digest = AuditDigest(
            str(data["scope"]),
            date.fromisoformat(data["day"]),
            str(data["created_at"]),
            shards,
            tuple(str(f) for f in data["findings"]),
        )
        return digest, str(data["digest_hash"]), str(data["signature"])
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, DigestUnreadableError):
            raise
        raise DigestUnreadableError(f"unreadable digest: {exc!r}") from exc


def verify_day(
    scope: str,
    day: date,
    chains: Mapping[int, Sequence[ChainEntry]],
    document: bytes | None,
    key: bytes,
    *,
    day_over: bool = True,
) -> list[Finding]:
    """Every finding of a day: the digest's own state, then each entry that differs from it.

    Without a trustworthy digest (none, unreadable, altered, signed with another key) each
    chain is checked against itself, which still shows changes that were not carried through
    to the chain's end. A day that is not over has no digest yet, which is no finding.
    """
    trusted, findings = _trusted_digest(scope, day, document, key, day_over)
    if trusted is None:
        return findings + [f for s in sorted(chains) for f in check_chain(day, s, chains[s])]
    fixed = {s.shard: s for s in trusted.shards}
    for shard in sorted(set(chains) | set(fixed)):
        expected = fixed.get(shard)
        findings += check_chain(
            day,
            shard,
            chains.get(shard, ()),
            expected.hashes if expected else (),
            expected.first_seq if expected else 1,
        )
    # What was wrong when the digest was written stays a finding, named once.
    now = {str(f) for f in findings}
    earlier = [
        Finding("at_digest", f"already when the digest was written: {m}")
        for m in trusted.findings
        if m not in now
    ]
    return earlier + findings


def _trusted_digest(
    scope: str, day: date, document: bytes | None, key: bytes, day_over: bool
) -> tuple[AuditDigest | None, list[Finding]]:
    if document is None:
        missing = Finding("digest_missing", f"no digest of {scope} {day.isoformat()} is stored")
        return None, [missing] if day_over else []
    try:
        digest, stored_hash, signature = parse(document)
    except DigestUnreadableError as exc:
        return None, [Finding("digest_unreadable", str(exc))]
    if digest.scope != scope or digest.day != day:
        found = f"{digest.scope} {digest.day.isoformat()}"
        return None, [Finding("digest_misplaced", f"the stored digest is of {found}")]
    if stored_hash != digest.digest_hash:
        altered = f"its content hashes to {digest.digest_hash}, it says {stored_hash}"
        return None, [Finding("digest_altered", altered)]
    if not hmac.compare_digest(_sign(key, signing_message(digest)), signature):
        return None, [
            Finding("digest_signature", "the signature does not verify with this stack's key")
        ]
    return digest, []


def _sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
