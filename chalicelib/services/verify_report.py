"""Report verification codes: issue one for a vehicle's file, and check one against storage.

Why: a printed or PDF report can be altered; its code cannot be forged without the province's
key. The code names the vehicle, the chain position the report covers and a signature over
the chain hash at that position. Checking recomputes every link from the *stored* record
versions (their content hashes included), so any later change to stored data, or a forged
code, fails verification.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from chalicelib.domain.chain import GENESIS, ChainLink, chain_message, link_hash, sign
from chalicelib.domain.record import chain_facts
from chalicelib.services.ports import RecordRepository

SIGNATURE_CHARS = 24


@dataclass(frozen=True)
class Verification:
    valid: bool
    vin: str
    seq: int
    reason: str


class ReportVerifier:
    def __init__(self, records: RecordRepository, key: bytes | None) -> None:
        self._records = records
        self._key = key

    def code_for(self, vin: str) -> str | None:
        """The verification code of the vehicle's file as it stands now (None: no chain)."""
        head = self._records.chain_head(vin)
        if head.seq == 0 or self._key is None:
            return None
        link = ChainLink(vin=vin, seq=head.seq, prev_hash="", hash=head.hash)
        return format_code(vin, head.seq, sign(self._key, chain_message(link)))

    def verify(self, code: str) -> Verification:
        parsed = parse_code(code)
        if parsed is None or self._key is None:
            return Verification(False, "", 0, "malformed")
        vin, seq, signature = parsed
        recomputed = self._recompute(vin, seq)
        if recomputed is None:
            return Verification(False, vin, seq, "records_changed")
        link = ChainLink(vin=vin, seq=seq, prev_hash="", hash=recomputed)
        expected = sign(self._key, chain_message(link))[:SIGNATURE_CHARS]
        if expected != signature:
            return Verification(False, vin, seq, "records_changed")
        return Verification(True, vin, seq, "matches")

    def _recompute(self, vin: str, seq: int) -> str | None:
        """The chain hash at `seq` rebuilt from stored versions, or None if a link is broken."""
        previous = GENESIS
        links = self._records.chain_links(vin, seq)
        if len(links) != seq:
            return None
        for expected_seq, link in enumerate(links, start=1):
            stored = self._records.version(link["record_id"], int(link["version"]))
            if stored is None or int(link["seq"]) != expected_seq:
                return None
            if stored.content.content_hash() != stored.content_hash:
                return None  # the stored content no longer matches what was chained
            digest = link_hash(previous, chain_facts(stored))
            if digest != link["hash"] or stored.chain is None or stored.chain.hash != digest:
                return None
            previous = digest
        return previous


def format_code(vin: str, seq: int, signature: str) -> str:
    """`<VIN>-<seq>-<signature prefix>`; a VIN that is not plain letters and digits is written
    `~<base32 of its UTF-8>`, so a stored VIN with `-`, `/` or other characters still makes
    a code that splits unambiguously and travels in a URL path."""
    readable = vin.isascii() and vin.isalnum() and vin == vin.upper()
    part = vin if readable else "~" + base64.b32encode(vin.encode("utf-8")).decode().rstrip("=")
    return f"{part}-{seq}-{signature[:SIGNATURE_CHARS]}"


def parse_code(code: str) -> tuple[str, int, str] | None:
    """(VIN, seq, signature) of a code as typed, or None when it cannot be one.

    Split from the right, so codes issued before VINs were encoded, whose VIN holds a `-`,
    still read.
    """
    parts = code.strip().rsplit("-", 2)
    if len(parts) != 3 or not _digits(parts[1]) or len(parts[1]) > 7:
        return None
    vin = _vin_part(parts[0])
    seq = int(parts[1])
    if vin is None or not 1 <= seq <= 1_000_000:
        return None
    return vin, seq, parts[2].lower()


def _vin_part(text: str) -> str | None:
    if not text.startswith("~"):
        return text.upper()[:32] or None
    encoded = text[1:].upper()
    try:
        vin = base64.b32decode(encoded + "=" * (-len(encoded) % 8)).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return vin if 0 < len(vin) <= 32 else None


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" or "①", which int() cannot read."""
    return text.isascii() and text.isdigit()
