"""Report verification codes: issue one for a vehicle's file, and check one against storage.

Why: a printed or PDF report can be altered; its code cannot be forged without the province's
key. The code names the vehicle, the chain position the report covers and a signature over
the chain hash at that position. Checking recomputes every link from the *stored* record
versions (their content hashes included), so any later change to stored data, or a forged
code, fails verification.
"""

from __future__ import annotations

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
        return f"{vin}-{head.seq}-{sign(self._key, chain_message(link))[:SIGNATURE_CHARS]}"

    def verify(self, code: str) -> Verification:
        parts = code.strip().split("-")
        if len(parts) != 3 or not _digits(parts[1]) or self._key is None:
            return Verification(False, "", 0, "malformed")
        vin, seq, signature = parts[0].upper()[:32], int(parts[1]), parts[2].lower()
        if not 1 <= seq <= 1_000_000:
            return Verification(False, vin, seq, "malformed")
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


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" or "①", which int() cannot read."""
    return text.isascii() and text.isdigit()
