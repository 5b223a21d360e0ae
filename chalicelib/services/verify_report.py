"""Report verification codes: issue one for what the vehicle page serves, and check one.

Why: a printed or PDF report can be altered; its code cannot be forged without the province's
key. The code names the vehicle, the chain position the report covers and a signature over
the chain hash at that position. The chain is computed from the immutable record versions
(`REC#id/V#n`), but readers are served copies: the page, the PDF and the JSON history render
the vehicle's entries (`VIN#…/REC#…`) and the shop reads the record's head. So checking
recomputes every link from the stored versions *and* requires every served copy to be the
version its record's latest link chained; an entry or a head edited behind the system's back,
a hidden or an invented entry, or a forged code, fails verification. The page itself shows
only entries that still hash to their record's latest link, and no code when one does not.

Limit: a link vouches for the version's content, state and identity (`chain_facts`), not for
the shop's registered name, class or the quality flags stored beside them; verification
compares those with the version item, which is as editable as the entry, so they are checked
for consistency only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.chain import (
    GENESIS,
    ChainLink,
    StoredLink,
    chain_message,
    link_hash,
    sign,
)
from chalicelib.domain.china_time import china_date
from chalicelib.domain.record import StoredRecord, chain_facts, matches_its_link
from chalicelib.observability import logger, metrics
from chalicelib.services.ports import RecordRepository

SIGNATURE_CHARS = 24
_HEX = re.compile(r"[0-9a-f]{1,64}")
MAX_SEQ = 999_999_999


@dataclass(frozen=True)
class CoveredEntry:
    """One record as the report showed it (the version chained at or before the code's
    position), and what became of it since: a reader compares it with the printout."""

    settlement_date: str
    shop_name: str
    mileage: int
    repair_items: tuple[tuple[str, str], ...]  # (name, labour hours)
    parts: tuple[tuple[str, str], ...]  # (name, quantity)
    change: str | None = None  # "corrected" or "voided" after the report was issued
    changed_on: str | None = None  # China date of that change
    change_reason: str | None = None


@dataclass(frozen=True)
class Verification:
    valid: bool
    vin: str
    seq: int
    reason: str
    entries: tuple[CoveredEntry, ...] = ()
    added_later: int = 0  # records of the vehicle first uploaded after the report


@dataclass(frozen=True)
class ServedFile:
    """What the vehicle page may show of a file: the entries that match the chain, how many
    did not (withheld, never shown) and the code vouching for the shown ones (None if any
    entry was withheld, the chain is broken, or this stack keeps no chain)."""

    records: list[StoredRecord]
    withheld: int
    code: str | None


class ReportVerifier:
    def __init__(
        self, records: RecordRepository, key: bytes | None, *, chains_here: bool = True
    ) -> None:
        self._records = records
        self._key = key
        self._chains_here = chains_here  # False at the ministry: it stores links as received

    def served(self, vin: str, entries: list[StoredRecord]) -> ServedFile:
        """Check the entries a page is about to show against the vehicle's chain.

        Each entry must be its record's latest link, and its content and facts must still
        hash to that link; the links must follow each other from the genesis hash. Before
        withholding anything, the entries and links are read again (strongly consistent), so
        an upload landing between two reads is not taken for tampering.
        """
        if not self._chains_here:
            return ServedFile(entries, 0, None)
        for attempt in range(2):
            links = self._records.chain_links(vin, MAX_SEQ)
            latest = _latest_links(links)
            shown = [e for e in entries if _is_latest(e, vin, latest)]
            intact = _continuous(links)
            if intact and len(shown) == len(entries):
                break
            if attempt == 0:
                entries = self._records.vehicle_history(vin, consistent=True)
        withheld = len(entries) - len(shown)
        if withheld or not intact:
            _report_mismatch(
                "vehicle file does not match its chain",
                [e.record_id for e in entries if e not in shown],
            )
            return ServedFile(shown, withheld, None)
        code = self._code(vin, len(links), links[-1].hash) if links else None
        return ServedFile(shown, 0, code)

    def verify(self, code: str) -> Verification:
        """Whether a report's code still matches everything stored and served for its VIN.

        A failure on the served copies is checked once more, so an upload that lands while
        the check reads is not reported as tampering.
        """
        parsed = parse_code(code)
        if parsed is None or self._key is None:
            return Verification(False, "", 0, "malformed")
        vin, seq, signature = parsed
        result = self._verify(vin, seq, signature)
        if result.reason == "served_changed":
            result = self._verify(vin, seq, signature)
        return result

    def _verify(self, vin: str, seq: int, signature: str) -> Verification:
        head = self._records.chain_head(vin)
        if head.seq < seq:
            return Verification(False, vin, seq, "records_changed")
        links = self._records.chain_links(vin, head.seq)
        versions = self._chained_versions(links, head.hash) if len(links) == head.seq else None
        if versions is None:
            return Verification(False, vin, seq, "records_changed")
        assert self._key is not None
        at_seq = ChainLink(vin=vin, seq=seq, prev_hash="", hash=links[seq - 1].hash)
        expected = sign(self._key, chain_message(at_seq))[:SIGNATURE_CHARS]
        if not hmac.compare_digest(expected, signature):
            return Verification(False, vin, seq, "forged")
        latest = {v.record_id: v for v in versions}  # versions are in chain order
        heads = self._served_heads(vin, latest)
        if heads is None:
            _report_mismatch("served copies do not match the chain", list(latest))
            return Verification(False, vin, seq, "served_changed")
        covered = {v.record_id: v for v in versions[:seq]}
        entries = sorted(
            (_covered(v, heads[r]) for r, v in covered.items() if v.status == "active"),
            key=lambda e: e.settlement_date,
        )
        added = sum(1 for r, v in latest.items() if r not in covered and v.status == "active")
        return Verification(True, vin, seq, "matches", tuple(entries), added)

    def _chained_versions(
        self, links: list[StoredLink], head_hash: str
    ) -> list[StoredRecord] | None:
        """Every chained version, rebuilt link by link, or None if any link is broken."""
        refs = [(link.record_id, link.version) for link in links]
        stored = self._records.versions_at(refs)
        previous, versions = GENESIS, []
        for expected_seq, (link, ref) in enumerate(zip(links, refs, strict=True), start=1):
            version = stored.get(ref)
            if version is None or link.seq != expected_seq:
                return None
            if not matches_its_link(version):
                return None  # the stored content or facts no longer hash to what was chained
            digest = link_hash(previous, chain_facts(version))
            if digest != link.hash or version.chain is None or version.chain.hash != digest:
                return None
            previous = digest
            versions.append(version)
        return versions if previous == head_hash else None

    def _served_heads(
        self, vin: str, latest: dict[str, StoredRecord]
    ) -> dict[str, StoredRecord] | None:
        """The records' heads, if heads and vehicle entries are exactly the latest chained
        version of each record and the entries exactly the records whose latest version is
        active; None otherwise."""
        heads = {h.record_id: h for h in self._records.heads(list(latest))}
        if sorted(heads) != sorted(latest):
            return None
        moved = {r for r, h in heads.items() if h != latest[r]}
        if not all(self._moved_away(vin, heads[r], latest[r]) for r in moved):
            return None
        entries = self._records.vehicle_history(vin, consistent=True)
        expected = sorted(r for r, v in latest.items() if v.status == "active" and r not in moved)
        if sorted(e.record_id for e in entries) != expected:
            return None
        return heads if all(e == latest[e.record_id] for e in entries) else None

    def _moved_away(self, vin: str, head: StoredRecord, chained: StoredRecord) -> bool:
        """A correction gave the record another VIN: its later versions are links of that
        vehicle's chain, where its head must be the latest link."""
        if head.chain is None or head.chain.vin == vin or head.version <= chained.version:
            return False
        links = self._records.chain_links(head.chain.vin, head.chain.seq)
        return (
            matches_its_link(head)
            and len(links) == head.chain.seq
            and links[-1].hash == head.chain.hash
            and links[-1].record_id == head.record_id
        )

    def _code(self, vin: str, seq: int, chain_hash: str) -> str | None:
        if self._key is None:
            return None
        link = ChainLink(vin=vin, seq=seq, prev_hash="", hash=chain_hash)
        return format_code(vin, seq, sign(self._key, chain_message(link)))


def _covered(version: StoredRecord, head: StoredRecord) -> CoveredEntry:
    """The report's view of a record, with its later correction or void if there is one."""
    content = version.content.to_dict()
    entry = CoveredEntry(
        settlement_date=content["settlement_date"],
        shop_name=version.shop_name,
        mileage=content["repair_mileage"],
        repair_items=tuple((i["name"], i["labour_hours"]) for i in content["repair_items"]),
        parts=tuple((p["name"], p["quantity"]) for p in content["parts"]),
    )
    if head.version <= version.version:
        return entry
    return dataclasses.replace(
        entry,
        change="voided" if head.status == "void" else "corrected",
        changed_on=china_date(head.updated_at).isoformat(),
        change_reason=head.reason,
    )


def _latest_links(links: Sequence[StoredLink]) -> dict[str, StoredLink]:
    """Each record's latest link (links come oldest first)."""
    return {link.record_id: link for link in links}


def _is_latest(entry: StoredRecord, vin: str, latest: dict[str, StoredLink]) -> bool:
    """The entry is the version its record's latest link chained, and still hashes to it."""
    link = latest.get(entry.record_id)
    return (
        link is not None
        and entry.status == "active"
        and entry.chain is not None
        and entry.chain.vin == vin
        and entry.chain.seq == link.seq
        and entry.chain.hash == link.hash
        and entry.version == link.version
        and matches_its_link(entry)
    )


def _continuous(links: Sequence[StoredLink]) -> bool:
    """Links numbered 1, 2, … each pointing at the previous one's hash."""
    previous = GENESIS
    for expected_seq, link in enumerate(links, start=1):
        if link.seq != expected_seq or link.prev_hash != previous:
            return False
        previous = link.hash
    return True


def _report_mismatch(message: str, record_ids: list[str]) -> None:
    """Tampering is an incident: log the records concerned (never the VIN) and count it."""
    logger.error(message, extra={"record_ids": record_ids[:20]})
    metrics.add_metric(name="ChainMismatch", unit="Count", value=1)


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
    signature = parts[2].lower()
    # hex only: hmac.compare_digest raises TypeError on non-ASCII text (a 500, not "no match")
    if vin is None or not 1 <= seq <= 1_000_000 or not _HEX.fullmatch(signature):
        return None
    return vin, seq, signature


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
