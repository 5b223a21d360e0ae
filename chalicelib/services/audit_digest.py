"""The audit log's daily digest: written once per UTC day, and a day verified against it.

Why: the audit log must show whether anyone changed it (等保: audit records are protected
against deletion, modification and overwriting). Shortly after a UTC day ends, the scheduled
handler reads every shard's chain of that day, checks it, and stores the signed digest where
no role of the stack can replace it (domain/audit_digest.py). An operator verifies any day
later (`python -m infra.admin audit-verify --day`): the table's chains are recomputed and
compared with the digest, and every overwritten, missing or extra entry is named.

Writing is idempotent: a digest that is stored already is never read again or replaced
(the bucket's Object Lock would keep the first one anyway); a retry or a second run for the
same day writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from chalicelib.domain.audit_chain import Finding
from chalicelib.domain.audit_digest import (
    DigestUnreadableError,
    build_digest,
    parse,
    render,
    verify_day,
)
from chalicelib.errors import DomainError
from chalicelib.services.ports import AuditChains, AuditDigestStore, Clock, StoredDigest


class DayNotOverError(DomainError):
    """A digest of a day that is not over would call its later entries forged."""

    code = "day_not_over"


@dataclass(frozen=True)
class DigestOutcome:
    day: date
    written: bool  # False: the day's digest was stored already, nothing was written
    entries: int = 0
    findings: tuple[Finding, ...] = ()  # what was already wrong when it was written


@dataclass(frozen=True)
class Verification:
    day: date
    entries: int  # entries found in the table
    digest_created_at: str | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


class AuditDigestService:
    def __init__(
        self,
        chains: AuditChains,
        store: AuditDigestStore,
        key: bytes,
        scope: str,
        clock: Clock,
    ) -> None:
        self._chains = chains
        self._store = store
        self._key = key
        self._scope = scope
        self._clock = clock

    def write_yesterday(self) -> DigestOutcome:
        """The scheduled run: the digest of the UTC day that ended last."""
        return self.write(self._today() - timedelta(days=1))

    def write(self, day: date, *, open_day: bool = False) -> DigestOutcome:
        """Store the digest of a day unless it is stored already.

        Raises
        ------
        DayNotOverError
            The day has not ended (UTC) and `open_day` was not given: entries written later
            that day would show as extra forever.
        """
        if day >= self._today() and not open_day:
            raise DayNotOverError(f"{day.isoformat()} is not over yet (UTC)")
        if self._store.exists(self._scope, day):
            return DigestOutcome(day, written=False)
        chains = self._chains.day_chains(day)
        digest = build_digest(self._scope, day, chains, self._clock.now().isoformat())
        written = self._store.put_new(self._scope, day, render(digest, self._key))
        findings = tuple(Finding("at_digest", m) for m in digest.findings)
        return DigestOutcome(day, written, digest.entries, findings if written else ())

    def verify(self, day: date) -> Verification:
        """Every finding of a day: its digest's state, then each entry that differs from it."""
        chains = self._chains.day_chains(day)
        stored = self._store.get(self._scope, day)
        document = stored.document if stored else None
        findings = _storage_findings(stored) + verify_day(
            self._scope, day, chains, document, self._key, day_over=day < self._today()
        )
        entries = sum(len(entries) for entries in chains.values())
        return Verification(
            day, entries, _created_at(document), tuple(self._located(day, f) for f in findings)
        )

    def _located(self, day: date, finding: Finding) -> Finding:
        """A missing entry named by the key it had, like the entries that are there."""
        if finding.kind != "missing" or finding.shard is None or finding.seq is None:
            return finding
        position = f"shard {finding.shard} seq {finding.seq}"
        if not finding.message.startswith(f"{position}:"):
            return finding  # a gap of several positions stays as it is
        where = self._chains.location(day, finding.shard, finding.seq)
        rest = finding.message.removeprefix(position)
        return Finding(finding.kind, f"{where} ({position}){rest}", finding.shard, finding.seq)

    def _today(self) -> date:
        return self._clock.now().astimezone(UTC).date()


def _storage_findings(stored: StoredDigest | None) -> list[Finding]:
    """A digest is written once: any later version, or a delete marker, came from elsewhere
    (the first version is the one checked; Object Lock keeps it)."""
    findings = []
    if stored is not None and stored.versions > 1:
        findings.append(
            Finding(
                "digest_replaced",
                f"{stored.versions} versions of the digest are stored: the first is checked, "
                "the later ones were put by someone other than the digest run",
            )
        )
    if stored is not None and stored.hidden:
        findings.append(
            Finding(
                "digest_hidden", "a delete marker hides the digest; its first version is checked"
            )
        )
    return findings


def _created_at(document: bytes | None) -> str | None:
    if document is None:
        return None
    try:
        return parse(document)[0].created_at
    except DigestUnreadableError:
        return None
