"""The storage and clock interfaces the services depend on.

Why: services never import adapters. Each port has a DynamoDB implementation in `adapters/`
and the composition root (`bootstrap.py`) wires them; tests can hand in other ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain.audit_chain import ChainEntry
from chalicelib.domain.chain import ChainHead, StoredLink
from chalicelib.domain.complaint import Complaint
from chalicelib.domain.evaluation import Evaluation, RatingTotals
from chalicelib.domain.principal import Principal
from chalicelib.domain.record import EarlierReading, StoredRecord
from chalicelib.domain.record_import import ImportChunk, ImportJob, RowOutcome
from chalicelib.domain.regulator_account import RegulatorAccount
from chalicelib.domain.shop import Shop
from chalicelib.domain.statistics import DayCounts, ShopMonthRow
from chalicelib.errors import SearchTooBroadError


class RecordAlreadyExistsError(Exception):
    """A create lost the race: a record with this id exists (the caller re-reads it)."""


class StaleVersionError(Exception):
    """A replace was based on a version that is no longer the current one."""


class ChainMovedError(Exception):
    """Another version joined the vehicle's chain first; re-read the chain head and retry."""


@dataclass(frozen=True)
class Page:
    items: list[StoredRecord]
    cursor: str | None


@dataclass
class ReadBudget:
    """How much one request may read, charged by the adapter that reads.

    Why here: the numbers are the service's policy, the counting happens at the storage
    call. Before each read the adapter asks `next_read()`, which refuses once either bound
    is spent (so the request stops reading rather than scanning on) and tells how many
    items the read may return at most; after it, `spend(items)`. None: no bound.

    Raises SearchTooBroadError from `next_read()` when the budget is spent.
    """

    max_items: int | None
    max_requests: int | None
    items: int = 0
    requests: int = 0

    def next_read(self) -> int | None:
        items_left = None if self.max_items is None else self.max_items - self.items
        if (items_left is not None and items_left <= 0) or (
            self.max_requests is not None and self.requests >= self.max_requests
        ):
            raise SearchTooBroadError()
        self.requests += 1
        return items_left

    def spend(self, items: int) -> None:
        self.items += items


@dataclass(frozen=True)
class ProvinceExchange:
    """What the ministry keeps of one province's exchange: when its last batch came, how far
    behind its newest change was then, and how many batches it has sent."""

    province_code: str
    last_exchange_at: str | None = None
    last_lag_seconds: int | None = None
    batches: int = 0


@dataclass(frozen=True)
class ExchangeCredential:
    """A province's exchange credential as the ministry stores it. `secret_hash` is None when
    it was not read (listings never read it); every issue, rotation and revocation moves
    `generation`, which ends the tokens issued before."""

    province_code: str
    generation: int = 0
    revoked: bool = False
    issued_at: str | None = None
    revoked_at: str | None = None
    secret_hash: str | None = field(default=None, repr=False)


class Clock(Protocol):
    def now(self) -> datetime: ...


class RecordRepository(Protocol):
    def get(self, record_id: str, *, consistent: bool = False) -> StoredRecord | None: ...

    def create(self, record: StoredRecord) -> None:
        """Write version 1, its head and the vehicle entry atomically.

        Raises RecordAlreadyExistsError if the head exists.
        """

    def replace(self, current: StoredRecord, new: StoredRecord) -> None:
        """Write `new` (version = current.version + 1) atomically if `current` is still head.

        Raises StaleVersionError otherwise.
        """

    def versions(self, record_id: str) -> list[StoredRecord]: ...

    def by_shop(
        self,
        companycode: str,
        date_from: date,
        date_to: date,
        limit: int,
        cursor: str | None,
    ) -> Page: ...

    def vehicle_history(self, vin: str, *, consistent: bool = False) -> list[StoredRecord]:
        """The vehicle's entries (the current active version of each record), by date."""

    def chain_head(self, vin: str) -> ChainHead: ...

    def chain_links(self, vin: str, upto_seq: int) -> list[StoredLink]:
        """The vehicle's links 1..upto_seq that exist, oldest first (strongly consistent)."""

    def version(self, record_id: str, version: int) -> StoredRecord | None: ...

    def versions_at(
        self, refs: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], StoredRecord]: ...

    def heads(self, record_ids: Sequence[str]) -> list[StoredRecord]: ...

    def earlier_reading(
        self, vin: str, settlement_date: date, exclude_record_id: str
    ) -> EarlierReading | None: ...


class ShopRepository(Protocol):
    def next_sequence(self, division_code: str) -> int: ...

    def create(self, shop: Shop, secret_hash: str) -> None:
        """Raises ConflictError if the USCC is already registered."""

    def get(self, companycode: str, *, consistent: bool = False) -> Shop | None: ...

    def save(self, shop: Shop, expected_version: int) -> None:
        """Write the profile over `expected_version`; ConflictError (`shop_changed`) if another
        change landed first."""

    def set_secret(self, shop: Shop, secret_hash: str, expected_version: int) -> None:
        """Store a new hash and the shop's bumped credential generation atomically, over
        `expected_version` of the profile (ConflictError `shop_changed` otherwise)."""

    def secret_hash(self, companycode: str) -> str | None: ...

    def existing_companycode(self, uscc: str) -> str | None: ...

    def list_registry(
        self,
        province_code: str,
        limit: int,
        cursor: str | None,
        divisions: tuple[str, ...] | None = None,
    ) -> tuple[list[Shop], str | None]:
        """By division then companycode; with `divisions`, only shops of those divisions."""


class AccountRepository(Protocol):
    def create_regulator(self, account: RegulatorAccount) -> None:
        """Raises ConflictError if the username is taken."""

    def regulator(self, username: str) -> RegulatorAccount | None: ...

    def replace_regulator(self, account: RegulatorAccount, expected_generation: int) -> None:
        """Raises ConflictError if the stored generation is no longer `expected_generation`."""

    def accept_totp_step(self, username: str, step: int) -> bool:
        """Atomically remember `step` as used; False if it (or a later one) was used already."""

    def list_regulators(self) -> list[RegulatorAccount]: ...

    def exchange_credential(self, province_code: str) -> ExchangeCredential | None: ...


class TokenStore(Protocol):
    def put(self, digest: str, principal: Principal) -> None: ...

    def get(self, digest: str) -> Principal | None: ...

    def delete(self, digest: str) -> None: ...


@dataclass(frozen=True)
class AttemptCount:
    """A sign-in attempt counter just after counting: its count and when its window ends."""

    count: int
    window_ends: datetime


class AttemptCounter(Protocol):
    """Sign-in attempt counters shared by every instance, each in a window of its own."""

    def count(self, bucket: str, now: datetime, window_seconds: int) -> AttemptCount:
        """Atomically add one attempt to `bucket` and return the new count; a window that has
        ended (or none yet) starts a new one at `now`, counting this attempt as its first."""

    def release(self, bucket: str, now: datetime) -> None:
        """Take back one counted attempt (it turned out not to be a failure)."""

    def clear(self, bucket: str, now: datetime) -> None:
        """Set the bucket's count to zero for the rest of its window."""

    def mark(self, bucket: str, until: datetime) -> None:
        """Remember `bucket` until `until` (no count)."""

    def marked(self, bucket: str, now: datetime) -> bool: ...


class AuditLog(Protocol):
    def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        source_ip: str,
        details: dict[str, Any] | None = None,
        role: str = "",
        user_agent: str = "",
    ) -> None:
        """Append one entry; entries are never changed or deleted (they expire by TTL)."""


class AuditReader(Protocol):
    def entries(
        self,
        since: datetime,
        until: datetime,
        *,
        actor: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]: ...


class AuditChains(Protocol):
    """The audit log's stored entries of one UTC day, per shard (for digests and checks)."""

    def day_chains(self, day: date) -> dict[int, list[ChainEntry]]: ...

    def location(self, day: date, shard: int, seq: int) -> str: ...


@dataclass(frozen=True)
class StoredDigest:
    """The first version stored of a day's digest, and whether anything came after it."""

    document: bytes
    versions: int = 1  # more than one: someone put another document over the first
    hidden: bool = False  # the newest version is a delete marker


class AuditDigestStore(Protocol):
    """Where each day's signed digest is kept, once: a stored digest is never replaced."""

    def exists(self, scope: str, day: date) -> bool: ...

    def get(self, scope: str, day: date) -> StoredDigest | None: ...

    def put_new(self, scope: str, day: date, document: bytes) -> bool:
        """Store the day's digest unless one is there already (then False, nothing written)."""


class SecretBox(Protocol):
    """Seals secrets that must stay recoverable (TOTP) with a key kept outside the table."""

    def seal(self, plaintext: str, context: str) -> str: ...

    def open(self, sealed: str, context: str) -> str | None: ...


Records = Sequence[StoredRecord]


class EvaluationExistsError(Exception):
    """The record has been evaluated already (an evaluation is written once)."""


class ComplaintExistsError(Exception):
    """A complaint with this id exists already (the caller re-reads it)."""


class FeedbackRepository(Protocol):
    """Evaluations and the running rating totals of shops and of the province."""

    def evaluation(self, record_id: str) -> Evaluation | None: ...

    def evaluations(self, record_ids: Sequence[str]) -> dict[str, Evaluation]: ...

    def add_evaluation(self, evaluation: Evaluation, province_code: str) -> None:
        """Write the evaluation and add it to the shop's and province's totals, atomically.

        Raises EvaluationExistsError if the record has an evaluation already.
        """

    def set_reply(self, record_id: str, reply: str, at: datetime) -> None:
        """Store the shop's one reply. Raises ConflictError if it has replied already."""

    def shop_evaluations(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Evaluation], str | None]: ...

    def shop_totals(self, companycodes: Sequence[str]) -> dict[str, RatingTotals]: ...

    def province_totals(self, province_code: str) -> RatingTotals: ...


class ComplaintRepository(Protocol):
    def get(self, complaint_id: str) -> Complaint | None: ...

    def create(self, complaint: Complaint, content_hash: str) -> None:
        """Raises ComplaintExistsError if the id is taken."""

    def stored(self, complaint_id: str) -> tuple[Complaint, str] | None:
        """The complaint and the content hash it was filed with (one read), or None."""

    def save(self, complaint: Complaint) -> None:
        """Write `complaint` (version = previous + 1) if the stored one is still the previous.

        Raises StaleVersionError otherwise.
        """

    def by_shop(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]: ...

    def queue(
        self, province_code: str, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]: ...


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


class RateCounter(Protocol):
    def hit(self, bucket: str, window_seconds: int, now: datetime, offset_seconds: int = 0) -> int:
        """Count one request in the current window of `bucket`; return the window's count.

        Windows start at multiples of `window_seconds` after the epoch shifted by
        `offset_seconds` (8 h for China days)."""


class ShopDirectory(Protocol):
    def division_shops(self, division_code: str) -> list[dict[str, str]]:
        """Public facts (companycode, name, shop_class, status, division_code) of a division."""

    def province_shops(self, province_code: str) -> list[dict[str, str]]: ...

    def entries(self, companycodes: Sequence[str]) -> list[dict[str, str]]:
        """The registry entries of these shops that exist (companycode, province_code,
        division_code), read by key: as many reads as shops asked for, whatever the
        registry's size."""


class MonitoringStats(Protocol):
    """What the consoles read from the statistics table (see adapters/dynamo_stats.py)."""

    def docked_counts(self, province_code: str) -> dict[tuple[str, str], int]:
        """Docked shops counted now by (division, class); classes at 0 left out."""

    def shop_rows(self, province_code: str, month: str) -> list[ShopMonthRow]:
        """Every shop's row of one month (YYYY-MM) in a province."""

    def day_counters(self, scope: str, scope_id: str, first: str, last: str) -> list[DayCounts]:
        """The scope's counters of days first..last (ISO dates), oldest first."""

    def last_upload(self, scope: str, scope_id: str) -> datetime | None: ...


class ImportStore(Protocol):
    """Spreadsheet imports of the shop portal: jobs, chunks and per-row outcomes."""

    def store(
        self,
        job: ImportJob,
        chunks: list[ImportChunk],
        refused: list[tuple[int, list[RowOutcome]]],
    ) -> None: ...

    def put_outcomes(
        self, job_id: str, index: int, phase: str, outcomes: list[RowOutcome], now: datetime
    ) -> bool: ...

    def has_outcomes(self, job_id: str, index: int, phase: str) -> bool: ...

    def job(self, job_id: str) -> ImportJob | None: ...

    def outcomes(self, job_id: str) -> tuple[list[RowOutcome], int]: ...

    def jobs_of(self, companycode: str, limit: int) -> list[ImportJob]: ...


class StatsReader(Protocol):
    """Read side of the statistics table (the aggregator writes it)."""

    def day_counters(self, scope: str, scope_id: str, first: str, last: str) -> list[DayCounts]:
        """The scope's counters of days first..last (ISO dates), oldest first."""

    def last_upload(self, scope: str, scope_id: str) -> datetime | None: ...


class ShopRecordSearch(Protocol):
    def search_by_shop(
        self,
        companycode: str,
        date_from: date,
        date_to: date,
        text: str,
        limit: int,
        cursor: str | None,
    ) -> Page:
        """The shop's records whose VIN, plate or settlement number contains `text`."""
