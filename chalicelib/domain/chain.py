"""The tamper-evident vehicle file: every accepted record version is a link in its VIN's chain.

Why: a used-car buyer is handed a report and must be able to trust that nobody rewrote the
history afterwards. Each link's hash covers the version's facts (including the hash of its
content) and the previous link's hash, so changing any stored version breaks every later
link; the province signs each link (HMAC-SHA256 with its key) so a forged chain cannot be
passed off as the province's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainLink:
    """Position of one record version in its vehicle's chain."""

    vin: str
    seq: int
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"vin": self.vin, "seq": self.seq, "prev_hash": self.prev_hash, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChainLink:
        return cls(
            vin=data["vin"], seq=int(data["seq"]), prev_hash=data["prev_hash"], hash=data["hash"]
        )


@dataclass(frozen=True)
class StoredLink:
    """A link as its vehicle's chain keeps it: its position and hashes, and the record
    version it vouches for."""

    seq: int
    prev_hash: str
    hash: str
    record_id: str
    version: int


@dataclass(frozen=True)
class ChainHead:
    """The latest link of a vehicle's chain (seq 0 and the genesis hash when it is empty)."""

    vin: str
    seq: int = 0
    hash: str = GENESIS


def link_facts(
    *,
    record_id: str,
    version: int,
    status: str,
    companycode: str,
    content_hash: str,
    reason: str | None,
    updated_at: str,
) -> dict[str, Any]:
    """What a link vouches for: the version's identity, state and content hash."""
    return {
        "record_id": record_id,
        "version": version,
        "status": status,
        "companycode": companycode,
        "content_hash": content_hash,
        "reason": reason,
        "updated_at": updated_at,
    }


def link_hash(prev_hash: str, facts: dict[str, Any]) -> str:
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def next_link(head: ChainHead, facts: dict[str, Any]) -> ChainLink:
    return ChainLink(
        vin=head.vin, seq=head.seq + 1, prev_hash=head.hash, hash=link_hash(head.hash, facts)
    )


def chain_message(link: ChainLink) -> str:
    """What the province signs for a link: the vehicle, the position and the hash there."""
    return f"{link.vin}|{link.seq}|{link.hash}"


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_valid(key: bytes, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)
