"""In-memory twins of every port the services depend on, each honest to its port's contract.

Why: the services' rules (an upload replayed, a correction, two uploads racing, statistics
counted once under replays, a change parked after N failures) are tested without moto or a
socket, on these fakes. Each keeps what its adapter promises, not how the adapter stores it:
a conditional create raises the same domain error, a write over a stale version is refused the
same way, idempotent writes stay idempotent, and a page comes with an opaque cursor that pages
only within its own listing (a forged one is refused naming `cursor`, as the adapters do).
They hold domain objects, never items, and spell no storage key.

Two helpers make the hard cases easy to stage: `Faults.fail(method, times)` makes the next
calls of a method raise ServiceUnavailableError (a busy table), and
`InMemoryRecordRepository.interleave(other_writer)` runs another writer between a service's
read and its write, which is how a race is lost.

`PORTS` pairs every Protocol of chalicelib/services with its fake here;
tests/unit/test_fakes_cover_ports.py checks that none is missing and that each fake has the
port's methods, and mypy checks the fakes against the ports (`_conformance` below).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.domain.agency import Agency, AgencyKey, Grant
from chalicelib.domain.audit_chain import GENESIS as AUDIT_GENESIS
from chalicelib.domain.audit_chain import ChainEntry, entry_hash, facts_of
from chalicelib.domain.chain import ChainHead, StoredLink
from chalicelib.domain.china_time import china_date
from chalicelib.domain.complaint import Complaint
from chalicelib.domain.evaluation import SCORE_DIMENSIONS, Evaluation, RatingTotals
from chalicelib.domain.oem import OemAccount
from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.principal import Principal
from chalicelib.domain.record import EarlierReading, StoredRecord
from chalicelib.domain.record_import import ImportChunk, ImportJob, RowOutcome
from chalicelib.domain.regulator_account import RegulatorAccount
from chalicelib.domain.reminder import Delivery, Reminder
from chalicelib.domain.shop import RegistryChange, RegistryCopy, Shop, active_count_deltas
from chalicelib.domain.shop import registry_change as registry_change_of
from chalicelib.domain.statistics import CounterKey, DayCounts, ShopMonthRow
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.exchange.requests import RequestTooLargeError, encode, envelope
from chalicelib.services.ports import (
    AttemptCount,
    ChainMovedError,
    ComplaintExistsError,
    EvaluationExistsError,
    ExchangeCredential,
    Page,
    ProvinceExchange,
    ReadBudget,
    RecordAlreadyExistsError,
    StaleVersionError,
    StoredDigest,
)
from chalicelib.services.sharing_ports import AgencyRead

if TYPE_CHECKING:
    from chalicelib.services.exchange import ExchangeService
    from chalicelib.services.record_export import ExportJob

T = TypeVar("T")
AUDIT_SHARDS = 8  # the log's shards per day (this log writes shard 0, as one warm instance)
AUDIT_RETENTION = timedelta(days=400)
SEARCH_READ = 100  # items one index read returns at most, as the adapters ask for


class StorageConditionError(Exception):
    """A write refused for a reason its port does not name (the adapter lets the storage
    error through: a bug in the caller, never an answer to translate)."""


def _cursor_error() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )


def _encode_cursor(listing: str, after: str) -> str:
    raw = json.dumps({"listing": listing, "after": after}, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_cursor(listing: str, cursor: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _cursor_error() from exc
    if not isinstance(data, dict) or data.get("listing") != listing:
        raise _cursor_error()
    after = data.get("after")
    if not isinstance(after, str):
        raise _cursor_error()
    return after


def page_of(
    listing: str,
    keyed: Iterable[tuple[str, T]],
    limit: int,
    cursor: str | None,
    *,
    newest_first: bool = True,
) -> tuple[list[T], str | None]:
    """One page of a listing ordered by sort key, resuming after the cursor's key; the
    cursor names its listing, so it pages nowhere else."""
    ordered = sorted(keyed, key=lambda pair: pair[0], reverse=newest_first)
    if cursor:
        after = _decode_cursor(listing, cursor)
        ordered = [p for p in ordered if (p[0] < after if newest_first else p[0] > after)]
    page = ordered[:limit]
    more = len(ordered) > limit
    return [value for _, value in page], (_encode_cursor(listing, page[-1][0]) if more else None)


class Faults:
    """Busy-table injection: `fail("apply", 2)` makes the next two `apply` calls raise
    ServiceUnavailableError before they change anything."""

    def __init__(self) -> None:
        self._failing: dict[str, int] = {}

    def fail(self, method: str, times: int = 1) -> None:
        self._failing[method] = self._failing.get(method, 0) + times

    def _busy(self, method: str) -> None:
        left = self._failing.get(method, 0)
        if left:
            self._failing[method] = left - 1
            raise ServiceUnavailableError("storage is busy, retry shortly", 1)


# --- clock ----------------------------------------------------------------------------------


class FakeClock:
    """The Clock port at a moment the test sets and moves."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 3, 2, 1, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


# --- records --------------------------------------------------------------------------------


class InMemoryRecordRepository(Faults):
    """RecordRepository (plus put_version and the shop's text search) in memory: heads,
    immutable versions, the vehicle file's entries and each vehicle's chain.

    Writes are all-or-nothing and conditional as on DynamoDB: a create over an existing head
    raises RecordAlreadyExistsError, a replace from a version that is no longer the head (or
    that would rewrite a held version) raises StaleVersionError, and a version whose chain
    link does not follow the vehicle's chain head raises ChainMovedError (a province keeps
    chains; the ministry, `maintain_chain=False`, stores links as received).
    """

    def __init__(self, *, maintain_chain: bool = True) -> None:
        super().__init__()
        self.maintain_chain = maintain_chain
        self.heads_by_id: dict[str, StoredRecord] = {}
        self.stored_versions: dict[tuple[str, int], StoredRecord] = {}
        self.entries: dict[str, dict[str, StoredRecord]] = defaultdict(dict)
        self.chain_heads: dict[str, ChainHead] = {}
        self.links: dict[str, dict[int, StoredLink]] = defaultdict(dict)
        self.writes = 0
        self._interleaved: list[Callable[[], object]] = []

    def interleave(self, other_writer: Callable[[], object]) -> None:
        """Run `other_writer` at the start of the next create or replace, after the caller
        has read and before its conditional write: the caller then loses the race."""
        self._interleaved.append(other_writer)

    def get(self, record_id: str, *, consistent: bool = False) -> StoredRecord | None:
        return self.heads_by_id.get(record_id)

    def create(self, record: StoredRecord) -> None:
        self._before_write("create")
        if record.record_id in self.heads_by_id:
            raise RecordAlreadyExistsError(record.record_id)
        if (record.record_id, record.version) in self.stored_versions:
            raise StorageConditionError(f"version {record.version} of {record.record_id} held")
        self._check_chain(record)
        self._store(record)
        if record.status == "active":
            self.entries[record.content.vin][_entry_key(record)] = record

    def replace(self, current: StoredRecord, new: StoredRecord) -> None:
        self._before_write("replace")
        head = self.heads_by_id.get(new.record_id)
        if head is None or head.version != current.version:
            raise StaleVersionError(new.record_id)
        if (new.record_id, new.version) in self.stored_versions:
            raise StaleVersionError(new.record_id)
        self._check_chain(new)
        self._store(new)
        old_vin, old_key = current.content.vin, _entry_key(current)
        moved = (old_vin, old_key) != (new.content.vin, _entry_key(new))
        if current.status == "active" and (moved or new.status != "active"):
            self.entries[old_vin].pop(old_key, None)
        if new.status == "active":
            self.entries[new.content.vin][_entry_key(new)] = new

    def put_version(self, record: StoredRecord) -> bool:
        self._busy("put_version")
        if (record.record_id, record.version) in self.stored_versions:
            return False
        self.stored_versions[(record.record_id, record.version)] = record
        return True

    def versions(self, record_id: str) -> list[StoredRecord]:
        found = [r for (rid, _), r in self.stored_versions.items() if rid == record_id]
        return sorted(found, key=lambda r: r.version)

    def version(self, record_id: str, version: int) -> StoredRecord | None:
        return self.stored_versions.get((record_id, version))

    def versions_at(self, refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], StoredRecord]:
        return {ref: self.stored_versions[ref] for ref in refs if ref in self.stored_versions}

    def heads(self, record_ids: Sequence[str]) -> list[StoredRecord]:
        return [self.heads_by_id[r] for r in dict.fromkeys(record_ids) if r in self.heads_by_id]

    def by_shop(
        self, companycode: str, date_from: date, date_to: date, limit: int, cursor: str | None
    ) -> Page:
        keyed = [
            (_shop_key(r), r)
            for r in self.heads_by_id.values()
            if r.companycode == companycode and date_from <= r.content.settlement_date <= date_to
        ]
        items, next_cursor = page_of(f"shoprec:{companycode}", keyed, limit, cursor)
        return Page(items, next_cursor)

    def search_by_shop(
        self,
        companycode: str,
        date_from: date,
        date_to: date,
        text: str,
        limit: int,
        cursor: str | None,
    ) -> Page:
        vin, plate = normalize_vin(text) or text, normalize_plate(text) or text
        keyed = [
            (_shop_key(r), r)
            for r in self.heads_by_id.values()
            if r.companycode == companycode
            and date_from <= r.content.settlement_date <= date_to
            and (
                vin in r.content.vin
                or plate in (r.content.plate_number or "")
                or text in r.content.settlement_list_code
            )
        ]
        items, next_cursor = page_of(f"shoprec:{companycode}", keyed, limit, cursor)
        return Page(items, next_cursor)

    def vehicle_history(self, vin: str, *, consistent: bool = False) -> list[StoredRecord]:
        return [self.entries[vin][k] for k in sorted(self.entries.get(vin, {}))]

    def earlier_reading(
        self, vin: str, settlement_date: date, exclude_record_id: str
    ) -> EarlierReading | None:
        best: EarlierReading | None = None
        for entry in self.vehicle_history(vin):
            if entry.content.settlement_date > settlement_date:
                continue
            if entry.record_id == exclude_record_id:
                continue
            if best is None or entry.content.repair_mileage > best.mileage:
                best = EarlierReading(
                    mileage=entry.content.repair_mileage,
                    settlement_date=entry.content.settlement_date,
                    record_id=entry.record_id,
                )
        return best

    def chain_head(self, vin: str) -> ChainHead:
        return self.chain_heads.get(vin, ChainHead(vin))

    def chain_links(self, vin: str, upto_seq: int) -> list[StoredLink]:
        held = self.links.get(vin, {})
        return [held[seq] for seq in sorted(held) if 1 <= seq <= upto_seq]

    def _before_write(self, method: str) -> None:
        self._busy(method)
        pending, self._interleaved = self._interleaved, []
        for other_writer in pending:  # one registered now runs before the next write
            other_writer()

    def _check_chain(self, record: StoredRecord) -> None:
        if record.chain is None or not self.maintain_chain:
            return
        previous = record.chain.seq - 1
        head = self.chain_heads.get(record.chain.vin)
        if (previous == 0 and head is not None) or (
            previous and (head is None or head.seq != previous)
        ):
            raise ChainMovedError(record.content.vin)

    def _store(self, record: StoredRecord) -> None:
        self.writes += 1
        self.heads_by_id[record.record_id] = record
        self.stored_versions[(record.record_id, record.version)] = record
        link = record.chain
        if link is not None and self.maintain_chain:
            self.chain_heads[link.vin] = ChainHead(link.vin, link.seq, link.hash)
            self.links[link.vin][link.seq] = StoredLink(
                link.seq, link.prev_hash, link.hash, record.record_id, record.version
            )


def _entry_key(record: StoredRecord) -> str:
    return f"{record.content.settlement_date.isoformat()}#{record.record_id}"


def _shop_key(record: StoredRecord) -> str:
    return f"{record.content.settlement_date.isoformat()}#{record.record_id}"


SUMMARY_FIELDS = (
    "record_id",
    "companycode",
    "version",
    "status",
    "vin",
    "settlement_date",
    "settlement_list_code",
    "plate_number",
    "flag_codes",
    "received_at",
    "mileage",
    "shop_name",
)


class InMemoryRecordIndex:
    """The record search's RecordIndex over an InMemoryRecordRepository: summaries newest
    first (a day's district walk in companycode order), every read charged to the budget,
    and a resume position refused unless it is one of this very walk's."""

    def __init__(self, records: InMemoryRecordRepository) -> None:
        self._records = records

    def by_vin(
        self, vin: str, budget: ReadBudget, start: dict[str, str] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        keyed = [(_entry_key(r), r) for r in self._records.vehicle_history(vin)]
        yield from self._walk(f"vin:{vin}", keyed, budget, start, newest_first=True)

    def by_plate(
        self, plate: str, budget: ReadBudget, start: dict[str, str] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        keyed = [
            (_entry_key(r), r)
            for entries in self._records.entries.values()
            for r in entries.values()
            if r.content.plate_number and r.content.plate_number == plate
        ]
        yield from self._walk(f"plate:{plate}", keyed, budget, start, newest_first=True)

    def by_shop(
        self,
        companycode: str,
        first: date,
        last: date,
        budget: ReadBudget,
        start: dict[str, str] | None,
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        keyed = [
            (_shop_key(r), r)
            for r in self._records.heads_by_id.values()
            if r.companycode == companycode and first <= r.content.settlement_date <= last
        ]
        walk = f"shop:{companycode}:{first}:{last}"
        yield from self._walk(walk, keyed, budget, start, newest_first=True)

    def by_day(
        self,
        province_code: str,
        day: date,
        prefix: str,
        budget: ReadBudget,
        start: dict[str, str] | None,
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        keyed = [
            (f"{r.companycode}#{r.record_id}", r)
            for r in self._records.heads_by_id.values()
            if r.companycode[:2] + "0000" == province_code
            and r.content.settlement_date == day
            and r.companycode.startswith(prefix)
        ]
        walk = f"day:{province_code}:{day}:{prefix}"
        yield from self._walk(walk, keyed, budget, start, newest_first=False)

    def heads(self, record_ids: list[str]) -> list[StoredRecord]:
        return [self._records.heads_by_id[r] for r in record_ids if r in self._records.heads_by_id]

    def _walk(
        self,
        walk: str,
        keyed: list[tuple[str, StoredRecord]],
        budget: ReadBudget,
        start: dict[str, str] | None,
        *,
        newest_first: bool,
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        ordered = sorted(keyed, key=lambda pair: pair[0], reverse=newest_first)
        if start is not None:
            if set(start) != {"walk", "after"} or start["walk"] != walk:
                raise ValidationFailedError(
                    [FieldError("cursor", "valid_cursor", "cursor is not one this search issued")]
                )
            after = start["after"]
            ordered = [p for p in ordered if (p[0] < after if newest_first else p[0] > after)]
        while True:
            allowed = budget.next_read()
            size = SEARCH_READ if allowed is None else min(SEARCH_READ, allowed)
            chunk, ordered = ordered[:size], ordered[size:]
            budget.spend(len(chunk))
            for key, record in chunk:
                yield _summary(record), {"walk": walk, "after": key}
            if not ordered:
                return


def _summary(record: StoredRecord) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "companycode": record.companycode,
        "version": record.version,
        "status": record.status,
        "vin": record.content.vin,
        "settlement_date": record.content.settlement_date.isoformat(),
        "settlement_list_code": record.content.settlement_list_code,
        "plate_number": record.content.plate_number,
        "flag_codes": [f.code for f in record.flags] or None,
        "received_at": record.received_at.isoformat(),
        "mileage": record.content.repair_mileage,
        "shop_name": record.shop_name,
    }


# --- shops, directory, accounts, tokens -----------------------------------------------------


class InMemoryShopRepository(Faults):
    """ShopRepository in memory: a USCC registers once (ConflictError
    `uscc_already_registered`), a companycode's sequence never repeats, and a profile is
    written only over the version it was read at (ConflictError `shop_changed`)."""

    def __init__(self) -> None:
        super().__init__()
        self.shops: dict[str, Shop] = {}
        self.hashes: dict[str, str] = {}
        self.usccs: dict[str, str] = {}
        self.sequences: dict[str, int] = defaultdict(int)

    def next_sequence(self, division_code: str) -> int:
        self.sequences[division_code] += 1
        return self.sequences[division_code]

    def create(self, shop: Shop, secret_hash: str) -> None:
        self._busy("create")
        if shop.uscc in self.usccs:
            raise ConflictError(
                "a shop with this unified social credit code is already registered",
                code="uscc_already_registered",
            )
        if shop.companycode in self.shops:
            raise StorageConditionError(f"profile {shop.companycode} exists")
        self.usccs[shop.uscc] = shop.companycode
        self.shops[shop.companycode] = shop
        self.hashes[shop.companycode] = secret_hash

    def get(self, companycode: str, *, consistent: bool = False) -> Shop | None:
        return self.shops.get(companycode)

    def save(self, shop: Shop, expected_version: int) -> None:
        self._busy("save")
        self._check_version(shop.companycode, expected_version)
        self.shops[shop.companycode] = shop

    def set_secret(self, shop: Shop, secret_hash: str, expected_version: int) -> None:
        self._busy("set_secret")
        self._check_version(shop.companycode, expected_version)
        self.shops[shop.companycode] = shop
        self.hashes[shop.companycode] = secret_hash

    def secret_hash(self, companycode: str) -> str | None:
        return self.hashes.get(companycode)

    def existing_companycode(self, uscc: str) -> str | None:
        return self.usccs.get(uscc)

    def list_registry(
        self,
        province_code: str,
        limit: int,
        cursor: str | None,
        divisions: tuple[str, ...] | None = None,
    ) -> tuple[list[Shop], str | None]:
        keyed = [
            (f"{s.division_code}#{s.companycode}", s)
            for s in self.shops.values()
            if s.province_code == province_code
            and (divisions is None or s.division_code in divisions)
        ]
        listing = f"registry:{province_code}:{','.join(sorted(divisions or ()))}"
        return page_of(listing, keyed, limit, cursor, newest_first=False)

    def registry_entries(self) -> list[Shop | RegistryCopy]:
        return list(self.shops.values())

    def _check_version(self, companycode: str, expected_version: int) -> None:
        held = self.shops.get(companycode)
        if (held is None and expected_version != 1) or (
            held is not None and held.version != expected_version
        ):
            raise ConflictError(
                "the shop's registry entry changed meanwhile: reload it and retry",
                code="shop_changed",
            )


class InMemoryShopDirectory:
    """ShopDirectory (and the aggregator's RegistryEntries) over a registry held elsewhere:
    a province's InMemoryShopRepository or the ministry's InMemoryExchangeStore copies.
    It answers public facts only, never contacts."""

    def __init__(self, registry: InMemoryShopRepository | InMemoryExchangeStore) -> None:
        self._registry = registry

    def division_shops(self, division_code: str) -> list[dict[str, str]]:
        return [s for s in self._facts() if s["division_code"] == division_code]

    def province_shops(self, province_code: str) -> list[dict[str, str]]:
        return [s for s in self._facts() if s["companycode"][:2] + "0000" == province_code]

    def entries(self, companycodes: Sequence[str]) -> list[dict[str, str]]:
        held = {e.companycode: e for e in self._registry.registry_entries()}
        return [
            {
                "companycode": held[c].companycode,
                "province_code": held[c].province_code,
                "division_code": held[c].division_code,
            }
            for c in dict.fromkeys(companycodes)
            if c in held
        ]

    def registry_state(self, companycode: str) -> RegistryChange | None:
        for entry in self._registry.registry_entries():
            if entry.companycode == companycode:
                return registry_change_of(
                    {
                        "companycode": entry.companycode,
                        "shop_class": entry.shop_class,
                        "status": entry.status,
                        "updated_at": entry.updated_at.isoformat(),
                    }
                )
        return None

    def _facts(self) -> list[dict[str, str]]:
        entries = sorted(
            self._registry.registry_entries(), key=lambda e: (e.division_code, e.companycode)
        )
        return [
            {
                "companycode": e.companycode,
                "name": e.name,
                "shop_class": e.shop_class,
                "status": e.status,
                "division_code": e.division_code,
            }
            for e in entries
        ]


class InMemoryAccountRepository:
    """AccountRepository in memory: a username is taken once, an account is replaced only
    over the generation it was read at, and a TOTP step is accepted once (never an earlier
    one). Exchange credentials are the ministry's, read from its exchange store."""

    def __init__(self, credentials: InMemoryExchangeStore | None = None) -> None:
        self.accounts: dict[str, RegulatorAccount] = {}
        self._credentials = credentials

    def create_regulator(self, account: RegulatorAccount) -> None:
        if account.username in self.accounts:
            raise ConflictError("this regulator account exists already", code="account_exists")
        self.accounts[account.username] = account

    def regulator(self, username: str) -> RegulatorAccount | None:
        return self.accounts.get(username)

    def replace_regulator(self, account: RegulatorAccount, expected_generation: int) -> None:
        held = self.accounts.get(account.username)
        if held is None or held.generation != expected_generation:
            raise ConflictError(
                "the account changed meanwhile; read it again", code="account_changed"
            )
        self.accounts[account.username] = account

    def accept_totp_step(self, username: str, step: int) -> bool:
        held = self.accounts.get(username)
        if held is None or held.totp_last_step >= step:
            return False
        self.accounts[username] = dataclasses.replace(held, totp_last_step=step)
        return True

    def list_regulators(self) -> list[RegulatorAccount]:
        return [self.accounts[u] for u in sorted(self.accounts)]

    def exchange_credential(self, province_code: str) -> ExchangeCredential | None:
        if self._credentials is None:
            return None
        return self._credentials.credential(province_code)


class InMemoryTokenStore:
    """TokenStore in memory: a token's principal under the digest of its value."""

    def __init__(self) -> None:
        self.tokens: dict[str, Principal] = {}

    def put(self, digest: str, principal: Principal) -> None:
        self.tokens[digest] = principal

    def get(self, digest: str) -> Principal | None:
        return self.tokens.get(digest)

    def delete(self, digest: str) -> None:
        self.tokens.pop(digest, None)


class InMemorySignInAttempts:
    """The sign-in gate's AttemptCounter in memory: each bucket's count and window end; a
    window that has ended restarts at the next attempt."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[int, datetime]] = {}

    def count(self, bucket: str, now: datetime, window_seconds: int) -> AttemptCount:
        count, ends = self.buckets.get(bucket, (0, now))
        if ends <= now:
            count, ends = 0, now + timedelta(seconds=window_seconds)
        self.buckets[bucket] = (count + 1, ends)
        return AttemptCount(count + 1, ends)

    def release(self, bucket: str, now: datetime) -> None:
        count, ends = self.buckets.get(bucket, (0, now))
        if ends > now and count > 0:
            self.buckets[bucket] = (count - 1, ends)

    def clear(self, bucket: str, now: datetime) -> None:
        count, ends = self.buckets.get(bucket, (0, now))
        if ends > now:
            self.buckets[bucket] = (0, ends)

    def mark(self, bucket: str, until: datetime) -> None:
        count, _ = self.buckets.get(bucket, (0, until))
        self.buckets[bucket] = (count, until)

    def marked(self, bucket: str, now: datetime) -> bool:
        return bucket in self.buckets and self.buckets[bucket][1] > now


# --- audit ----------------------------------------------------------------------------------


class InMemoryAuditLog:
    """AuditLog, AuditReader and AuditChains in memory: one hash chain a day (shard 0, as one
    warm instance writes), entries never changed; read newest first within a range."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self.chains: dict[date, list[ChainEntry]] = defaultdict(list)
        self.appended: list[dict[str, Any]] = []

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
        now = self._clock.now()
        chain = self.chains[now.date()]
        previous = chain[-1] if chain else None
        at = max(now, datetime.fromisoformat(previous.facts["at"])) if previous else now
        values = {
            "entry_id": f"e{len(self.appended):08d}",
            "at": at.isoformat(),
            "actor": actor,
            "role": role or None,
            "action": action,
            "target": target,
            "source_ip": source_ip,
            "user_agent": user_agent[:256] or None,
            "details": json.loads(json.dumps(details, default=str)) if details else None,
            "expires_at": int((at + AUDIT_RETENTION).timestamp()),
        }
        facts = facts_of(values)
        seq = len(chain) + 1
        prev_hash = previous.hash if previous and previous.hash else AUDIT_GENESIS
        link = entry_hash(now.date(), 0, seq, prev_hash, facts)
        chain.append(ChainEntry(self.location(now.date(), 0, seq), 0, seq, prev_hash, link, facts))
        self.appended.append(values)

    def entries(
        self,
        since: datetime,
        until: datetime,
        *,
        actor: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        keyed = [
            (f"{e['at']}#{e['entry_id']}", _audit_view(e))
            for e in self.appended
            if since <= datetime.fromisoformat(e["at"]) < until
            and (not actor or e["actor"] == actor)
        ]
        return page_of(f"audit:{since}:{until}:{actor}", keyed, limit, cursor)

    def day_chains(self, day: date) -> dict[int, list[ChainEntry]]:
        return {s: list(self.chains.get(day, [])) if s == 0 else [] for s in range(AUDIT_SHARDS)}

    def location(self, day: date, shard: int, seq: int) -> str:
        return f"audit {day.isoformat()} shard {shard} entry {seq}"


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    names = ("at", "actor", "role", "action", "target", "source_ip", "user_agent", "details")
    return {name: values.get(name) for name in names}


class InMemoryDigestStore:
    """AuditDigestStore in memory: a day's digest is stored once; `put_over` stands for
    someone who got past the bucket's lock (a second version after the first)."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, date], list[bytes]] = defaultdict(list)

    def exists(self, scope: str, day: date) -> bool:
        return bool(self.versions.get((scope, day)))

    def get(self, scope: str, day: date) -> StoredDigest | None:
        held = self.versions.get((scope, day))
        return StoredDigest(held[0], len(held)) if held else None

    def put_new(self, scope: str, day: date, document: bytes) -> bool:
        if self.versions.get((scope, day)):
            return False
        self.versions[(scope, day)].append(document)
        return True

    def put_over(self, scope: str, day: date, document: bytes) -> None:
        self.versions[(scope, day)].append(document)


class FakeSecretBox:
    """SecretBox without cryptography: a sealed value opens only in the context it was
    sealed for, and anything malformed opens to None."""

    def seal(self, plaintext: str, context: str) -> str:
        body = json.dumps([context, plaintext]).encode("utf-8")
        return "fake$" + base64.urlsafe_b64encode(body).decode("ascii")

    def open(self, sealed: str, context: str) -> str | None:
        scheme, _, body = sealed.partition("$")
        try:
            sealed_for, plaintext = json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            return None
        if scheme != "fake" or sealed_for != context or not isinstance(plaintext, str):
            return None
        return plaintext


# --- feedback -------------------------------------------------------------------------------


class InMemoryFeedbackRepository(Faults):
    """FeedbackRepository in memory: one evaluation a record (EvaluationExistsError), added
    to the shop's and the province's totals with it; one reply (ConflictError)."""

    def __init__(self) -> None:
        super().__init__()
        self.evaluations_by_record: dict[str, Evaluation] = {}
        self.shop_sums: dict[str, RatingTotals] = {}
        self.province_sums: dict[str, RatingTotals] = {}

    def evaluation(self, record_id: str) -> Evaluation | None:
        return self.evaluations_by_record.get(record_id)

    def evaluations(self, record_ids: Sequence[str]) -> dict[str, Evaluation]:
        held = self.evaluations_by_record
        return {r: held[r] for r in dict.fromkeys(record_ids) if r in held}

    def add_evaluation(self, evaluation: Evaluation, province_code: str) -> None:
        self._busy("add_evaluation")
        if evaluation.record_id in self.evaluations_by_record:
            raise EvaluationExistsError(evaluation.record_id)
        self.evaluations_by_record[evaluation.record_id] = evaluation
        for totals, key in (
            (self.shop_sums, evaluation.companycode),
            (self.province_sums, province_code),
        ):
            totals[key] = _plus(totals.get(key, RatingTotals()), evaluation)

    def set_reply(self, record_id: str, reply: str, at: datetime) -> None:
        held = self.evaluations_by_record.get(record_id)
        if held is None or held.reply is not None:
            raise ConflictError(
                "the shop has replied to this evaluation already", code="already_replied"
            )
        self.evaluations_by_record[record_id] = dataclasses.replace(
            held, reply=reply, replied_at=at
        )

    def shop_evaluations(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Evaluation], str | None]:
        keyed = [
            (f"{e.created_at.isoformat()}#{e.record_id}", e)
            for e in self.evaluations_by_record.values()
            if e.companycode == companycode
        ]
        return page_of(f"shopeval:{companycode}", keyed, limit, cursor)

    def shop_totals(self, companycodes: Sequence[str]) -> dict[str, RatingTotals]:
        return {c: self.shop_sums[c] for c in set(companycodes) if c in self.shop_sums}

    def province_totals(self, province_code: str) -> RatingTotals:
        return self.province_sums.get(province_code, RatingTotals())


def _plus(totals: RatingTotals, evaluation: Evaluation) -> RatingTotals:
    sums = {d: totals.sums.get(d, 0) + evaluation.scores[d] for d in SCORE_DIMENSIONS}
    tags = dict(totals.tag_counts)
    for tag in set(evaluation.tags):
        tags[tag] = tags.get(tag, 0) + 1
    return RatingTotals(totals.count + 1, sums, tags)


class InMemoryComplaintRepository(Faults):
    """ComplaintRepository in memory: an id is filed once (ComplaintExistsError) with its
    content hash; a change is saved only over the version it was made from."""

    def __init__(self) -> None:
        super().__init__()
        self.complaints: dict[str, tuple[Complaint, str]] = {}

    def get(self, complaint_id: str) -> Complaint | None:
        held = self.complaints.get(complaint_id)
        return held[0] if held else None

    def stored(self, complaint_id: str) -> tuple[Complaint, str] | None:
        return self.complaints.get(complaint_id)

    def create(self, complaint: Complaint, content_hash: str) -> None:
        self._busy("create")
        if complaint.complaint_id in self.complaints:
            raise ComplaintExistsError(complaint.complaint_id)
        self.complaints[complaint.complaint_id] = (complaint, content_hash)

    def save(self, complaint: Complaint) -> None:
        self._busy("save")
        held = self.complaints.get(complaint.complaint_id)
        if held is None or held[0].version != complaint.version - 1:
            raise StaleVersionError(complaint.complaint_id)
        self.complaints[complaint.complaint_id] = (complaint, held[1])

    def by_shop(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]:
        keyed = [(_complaint_key(c), c) for c, _ in self.complaints.values()]
        mine = [(k, c) for k, c in keyed if c.companycode == companycode]
        return page_of(f"shopcomplaints:{companycode}", mine, limit, cursor)

    def queue(
        self, province_code: str, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]:
        keyed = [
            (_complaint_key(c), c)
            for c, _ in self.complaints.values()
            if c.companycode[:2] + "0000" == province_code and c.status == status
        ]
        listing = f"complaintq:{province_code}:{status}"
        return page_of(listing, keyed, limit, cursor, newest_first=False)


def _complaint_key(complaint: Complaint) -> str:
    return f"{complaint.created_at.isoformat()}#{complaint.complaint_id}"


class InMemoryPhotoStore:
    """PhotoStore in memory; an unknown key is NotFoundError, as on S3."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFoundError("no such photo")
        return self.objects[key][0]


class InMemoryRateCounter:
    """RateCounter in memory: one count per bucket and window (windows start at multiples of
    `window_seconds` after the epoch shifted by `offset_seconds`)."""

    def __init__(self) -> None:
        self.windows: dict[tuple[str, int], int] = defaultdict(int)

    def hit(self, bucket: str, window_seconds: int, now: datetime, offset_seconds: int = 0) -> int:
        window = (int(now.timestamp()) + offset_seconds) // window_seconds
        self.windows[(bucket, window)] += 1
        return self.windows[(bucket, window)]


# --- statistics -----------------------------------------------------------------------------


@dataclasses.dataclass
class _Counter:
    day: str = ""
    shop_class: str = ""
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    last_upload_at: str | None = None


@dataclasses.dataclass
class _DockedMarker:
    first_upload_at: str
    province_code: str
    counted_class: str
    registry_updated_at: str | None = None


class InMemoryStatsStore(Faults):
    """The statistics table in memory, with every role it plays: the aggregators' StatsStore,
    the consoles' MonitoringStats and StatsReader, and the forwarder's AttemptCounter.

    Exactly once, as on DynamoDB: a change's deltas are added to a counter with a marker of
    (counter, change id), and a change whose marker is there adds nothing; a shop is docked
    once; a registry change moves a docked shop only if it is newer than the last one
    applied. Last-upload times are maxima (a replay changes nothing).
    """

    def __init__(self) -> None:
        super().__init__()
        self.counters_by_key: dict[tuple[str, str, str], _Counter] = {}
        self.markers: set[tuple[tuple[str, str, str], str]] = set()
        self.last_uploads: dict[tuple[str, str], str] = {}
        self.docked_markers: dict[str, _DockedMarker] = {}
        self.docked: dict[tuple[str, str, str], int] = defaultdict(int)
        self.attempts: dict[str, int] = defaultdict(int)
        self.parked: set[str] = set()

    # StatsStore (the aggregators)

    def apply(self, key: CounterKey, contributions: dict[str, dict[str, int]]) -> int:
        self._busy("apply")
        identity = _counter_identity(key)
        new = [c for c in contributions if (identity, c) not in self.markers]
        if not new:
            return 0
        counter = self.counters_by_key.setdefault(identity, _Counter())
        counter.day, counter.shop_class = key.day.isoformat(), key.shop_class or ""
        for change_id in new:
            for name, value in contributions[change_id].items():
                counter.counts[name] = counter.counts.get(name, 0) + value
            self.markers.add((identity, change_id))
        return len(new)

    def raise_last_upload(self, scope: str, scope_id: str, moment: datetime) -> None:
        self._busy("raise_last_upload")
        held = self.last_uploads.get((scope, scope_id))
        if held is None or held < moment.isoformat():
            self.last_uploads[(scope, scope_id)] = moment.isoformat()

    def raise_row_last_upload(self, key: CounterKey, moment: datetime) -> None:
        self._busy("raise_row_last_upload")
        counter = self.counters_by_key.setdefault(_counter_identity(key), _Counter())
        if counter.last_upload_at is None or counter.last_upload_at < moment.isoformat():
            counter.last_upload_at = moment.isoformat()

    def dock(self, province_code: str, shop_class: str, companycode: str, moment: datetime) -> bool:
        self._busy("dock")
        if companycode in self.docked_markers:
            return False
        self.docked_markers[companycode] = _DockedMarker(
            moment.isoformat(), province_code, shop_class
        )
        self.docked[(companycode[:2] + "0000", companycode[:6], shop_class)] += 1
        return True

    def follow_registry(self, change: RegistryChange) -> bool:
        self._busy("follow_registry")
        marker = self.docked_markers.get(change.companycode)
        if marker is None:
            return False
        applied = marker.registry_updated_at
        if applied is not None and applied >= change.updated_at:
            return False
        counted = marker.counted_class
        marker.counted_class, marker.registry_updated_at = change.counted_class, change.updated_at
        if counted == change.counted_class:
            return False
        province, division = change.companycode[:2] + "0000", change.companycode[:6]
        for shop_class, delta in ((counted, -1), (change.counted_class, 1)):
            if shop_class:
                self.docked[(province, division, shop_class)] += delta
        return True

    # MonitoringStats and StatsReader (the consoles, the portal)

    def docked_counts(self, province_code: str) -> dict[tuple[str, str], int]:
        return {
            (division, shop_class): count
            for (province, division, shop_class), count in sorted(self.docked.items())
            if province == province_code and count
        }

    def shop_rows(self, province_code: str, month: str) -> list[ShopMonthRow]:
        wanted = ("shopmonth", f"{province_code}#{month}")
        return [
            ShopMonthRow(row, counter.shop_class, dict(counter.counts), counter.last_upload_at)
            for (scope, scope_id, row), counter in sorted(self.counters_by_key.items())
            if (scope, scope_id) == wanted
        ]

    def day_counters(self, scope: str, scope_id: str, first: str, last: str) -> list[DayCounts]:
        return [
            DayCounts(counter.day, dict(counter.counts))
            for (s, i, sk), counter in sorted(self.counters_by_key.items())
            if (s, i) == (scope, scope_id) and first <= sk <= last + "#~"
        ]

    def counters(self, scope: str, scope_id: str) -> list[DayCounts]:
        return self.day_counters(scope, scope_id, "", "~")

    def last_upload(self, scope: str, scope_id: str) -> datetime | None:
        held = self.last_uploads.get((scope, scope_id))
        return datetime.fromisoformat(held) if held else None

    # AttemptCounter (the forwarder)

    def add_attempt(self, change_id: str) -> tuple[int, bool]:
        self._busy("add_attempt")
        self.attempts[change_id] += 1
        return self.attempts[change_id], change_id in self.parked

    def mark_parked(self, change_id: str) -> None:
        self.parked.add(change_id)

    def totals(self) -> dict[tuple[str, str, str], dict[str, int]]:
        """Every counter's counts, by (scope, scope id, day or row): what a recount gives."""
        return {k: dict(c.counts) for k, c in self.counters_by_key.items() if c.counts}


def _counter_identity(key: CounterKey) -> tuple[str, str, str]:
    if key.row is not None:
        return key.scope, key.scope_id, key.row
    return (
        key.scope,
        key.scope_id,
        key.day.isoformat() + (f"#{key.shop_class}" if key.shop_class else ""),
    )


# --- spreadsheet imports, exports -----------------------------------------------------------


class InMemoryImportStore(Faults):
    """ImportStore in memory: chunks and up-front refusals first, then the job; a chunk's
    outcomes are stored once (a redelivery keeps the first). `chunks` is what the stream
    would deliver next."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, ImportJob] = {}
        self.chunks: list[ImportChunk] = []
        self.results: dict[tuple[str, int, str], list[RowOutcome]] = {}

    def store(
        self,
        job: ImportJob,
        chunks: list[ImportChunk],
        refused: list[tuple[int, list[RowOutcome]]],
    ) -> None:
        self._busy("store")
        if job.job_id in self.jobs:
            raise StorageConditionError(f"import {job.job_id} exists")
        self.chunks += chunks
        for index, outcomes in refused:
            self.results.setdefault((job.job_id, index, "checked"), list(outcomes))
        self.jobs[job.job_id] = job

    def put_outcomes(
        self, job_id: str, index: int, phase: str, outcomes: list[RowOutcome], now: datetime
    ) -> bool:
        self._busy("put_outcomes")
        if (job_id, index, phase) in self.results:
            return False
        self.results[(job_id, index, phase)] = list(outcomes)
        return True

    def has_outcomes(self, job_id: str, index: int, phase: str) -> bool:
        return (job_id, index, phase) in self.results

    def job(self, job_id: str) -> ImportJob | None:
        return self.jobs.get(job_id)

    def outcomes(self, job_id: str) -> tuple[list[RowOutcome], int]:
        mine = sorted((k, v) for k, v in self.results.items() if k[0] == job_id)
        outcomes = [o for _, held in mine for o in held]
        return outcomes, sum(1 for (_, _, phase), _ in mine if phase == "uploaded")

    def jobs_of(self, companycode: str, limit: int) -> list[ImportJob]:
        mine = [j for j in self.jobs.values() if j.companycode == companycode]
        mine.sort(key=lambda j: (j.created_at.isoformat(), j.job_id), reverse=True)
        return mine[:limit]


class InMemoryExportJobStore:
    """ExportJobStore in memory: a job is created once; each start counts an attempt."""

    def __init__(self) -> None:
        self.jobs: dict[str, ExportJob] = {}

    def create(self, job: ExportJob) -> bool:
        if job.job_id in self.jobs:
            return False
        self.jobs[job.job_id] = job
        return True

    def get(self, job_id: str) -> ExportJob | None:
        return self.jobs.get(job_id)

    def start(self, job_id: str) -> int:
        job = self._held(job_id)
        self.jobs[job_id] = dataclasses.replace(job, status="running", attempts=job.attempts + 1)
        return job.attempts + 1

    def finish(self, job_id: str, rows: int, object_key: str) -> None:
        job = self._held(job_id)
        self.jobs[job_id] = dataclasses.replace(
            job, status="done", rows=rows, object_key=object_key
        )

    def fail(self, job_id: str, error: str) -> None:
        self.jobs[job_id] = dataclasses.replace(self._held(job_id), status="failed", error=error)

    def _held(self, job_id: str) -> ExportJob:
        if job_id not in self.jobs:
            raise StorageConditionError(f"no export job {job_id}")
        return self.jobs[job_id]


class InMemoryObjectWriter:
    """ObjectWriter in memory: the object exists only once closed; an aborted one never."""

    def __init__(self, sink: InMemoryExportSink, key: str, content_type: str) -> None:
        self._sink, self._key, self._type = sink, key, content_type
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self._buffer += data

    def close(self) -> None:
        self._sink.objects[self._key] = (bytes(self._buffer), self._type)

    def abort(self) -> None:
        self._buffer.clear()


class InMemoryExportSink:
    """ExportSink in memory: written objects by key; links name the key they open."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def open(self, key: str, content_type: str) -> InMemoryObjectWriter:
        return InMemoryObjectWriter(self, key, content_type)

    def link(self, key: str, filename: str) -> str:
        return f"memory://exports/{key}?filename={filename}"


# --- reminders ------------------------------------------------------------------------------


class InMemoryReminderStore:
    """ReminderStore in memory: a reminder is written once, each shop's delivery once (a read
    delivery stays read), and a read counts once on its reminder."""

    def __init__(self) -> None:
        self.reminders: dict[str, Reminder] = {}
        self.delivered: dict[tuple[str, str], Delivery] = {}

    def create(self, reminder: Reminder) -> bool:
        if reminder.reminder_id in self.reminders:
            return False
        self.reminders[reminder.reminder_id] = reminder
        return True

    def deliver(self, reminder: Reminder, companycodes: list[str]) -> None:
        for companycode in companycodes:
            self.delivered.setdefault(
                (companycode, reminder.reminder_id),
                Delivery(
                    reminder.reminder_id,
                    companycode,
                    reminder.title,
                    reminder.body,
                    reminder.sender,
                    reminder.created_at,
                ),
            )

    def get(self, reminder_id: str) -> Reminder | None:
        return self.reminders.get(reminder_id)

    def sent(
        self, province_code: str, limit: int, cursor: str | None
    ) -> tuple[list[Reminder], str | None]:
        keyed = [
            (f"{r.created_at.isoformat()}#{r.reminder_id}", r)
            for r in self.reminders.values()
            if r.province_code == province_code
        ]
        return page_of(f"reminders:{province_code}", keyed, limit, cursor)

    def deliveries(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        keyed = [
            (f"{d.created_at.isoformat()}#{d.reminder_id}", d)
            for (c, _), d in self.delivered.items()
            if c == companycode
        ]
        return page_of(f"shopreminders:{companycode}", keyed, limit, cursor)

    def delivery(self, companycode: str, reminder_id: str) -> Delivery | None:
        if reminder_id not in self.reminders:
            return None
        return self.delivered.get((companycode, reminder_id))

    def mark_read(self, delivery: Delivery, at: datetime) -> bool:
        key = (delivery.companycode, delivery.reminder_id)
        held = self.delivered.get(key)
        if held is None or held.read_at is not None:
            return False
        self.delivered[key] = dataclasses.replace(held, read_at=at)
        reminder = self.reminders.get(delivery.reminder_id)
        if reminder is not None:
            self.reminders[reminder.reminder_id] = dataclasses.replace(
                reminder, read=reminder.read + 1
            )
        return True


# --- agency sharing (ministry), OEM accounts (province) -------------------------------------


class InMemoryAgencyStore:
    """AgencyStore in memory: an agency is created once; a key's terms and its lookup entry
    change together; a rotation retires the old secret (its lookup says `revoked`) and is
    refused over a revoked key (`key_revoked`) or a changed one (`key_changed`)."""

    def __init__(self) -> None:
        self.agencies_by_id: dict[str, Agency] = {}
        self.keys: dict[tuple[str, str], tuple[AgencyKey, str]] = {}
        self.lookup: dict[str, AgencyKey] = {}

    def create_agency(self, agency: Agency) -> bool:
        if agency.agency_id in self.agencies_by_id:
            return False
        self.agencies_by_id[agency.agency_id] = agency
        return True

    def agency(self, agency_id: str) -> Agency | None:
        return self.agencies_by_id.get(agency_id)

    def agencies(self) -> list[Agency]:
        return [self.agencies_by_id[a] for a in sorted(self.agencies_by_id)]

    def add_key(self, key: AgencyKey, digest: str) -> None:
        if (key.agency_id, key.key_id) in self.keys or digest in self.lookup:
            raise StorageConditionError(f"key {key.key_id} exists")
        self.keys[(key.agency_id, key.key_id)] = (key, digest)
        self.lookup[digest] = key

    def keys_of(self, agency_id: str) -> list[AgencyKey]:
        return [k for (a, _), (k, _) in sorted(self.keys.items()) if a == agency_id]

    def key(self, agency_id: str, key_id: str) -> AgencyKey | None:
        held = self.keys.get((agency_id, key_id))
        return held[0] if held else None

    def key_by_digest(self, digest: str) -> AgencyKey | None:
        return self.lookup.get(digest)

    def rotate_key(self, key: AgencyKey, new_digest: str, at: datetime) -> AgencyKey:
        held = self.keys.get((key.agency_id, key.key_id))
        if held is None or held[0].status != "active":
            raise ConflictError("a revoked key cannot be rotated", code="key_revoked")
        stored, old_digest = held
        if stored.generation != key.generation or new_digest in self.lookup:
            raise ConflictError("the key changed meanwhile; read it again", code="key_changed")
        rotated = dataclasses.replace(key, generation=key.generation + 1, rotated_at=at)
        self.keys[(key.agency_id, key.key_id)] = (rotated, new_digest)
        self.lookup[new_digest] = rotated
        self._retire(old_digest, at)
        return rotated

    def revoke_key(self, key: AgencyKey, at: datetime) -> AgencyKey:
        held = self.keys.get((key.agency_id, key.key_id))
        if held is None:
            raise ConflictError("no such key", code="key_changed")
        stored, digest = held
        if stored.status == "revoked":
            return stored
        revoked = dataclasses.replace(key, status="revoked", revoked_at=at)
        self.keys[(key.agency_id, key.key_id)] = (revoked, digest)
        self._retire(digest, at)
        return revoked

    def _retire(self, digest: str, at: datetime) -> None:
        if digest in self.lookup:
            self.lookup[digest] = dataclasses.replace(
                self.lookup[digest], status="revoked", revoked_at=at
            )


class InMemoryGrantStore:
    """GrantStore in memory: a vehicle's grants; a revocation keeps its first moment."""

    def __init__(self) -> None:
        self.by_vin: dict[str, dict[str, Grant]] = defaultdict(dict)

    def grants(self, vin: str) -> list[Grant]:
        held = self.by_vin.get(vin, {})
        return [held[g] for g in sorted(held)]

    def add_grant(self, grant: Grant) -> None:
        if grant.grant_id in self.by_vin[grant.vin]:
            raise StorageConditionError(f"grant {grant.grant_id} exists")
        self.by_vin[grant.vin][grant.grant_id] = grant

    def revoke_grant(self, vin: str, grant_id: str, at: datetime) -> Grant | None:
        held = self.by_vin.get(vin, {}).get(grant_id)
        if held is None:
            return None
        if held.revoked_at is None:
            held = dataclasses.replace(held, revoked_at=at)
            self.by_vin[vin][grant_id] = held
        return held


class InMemoryAgencyReadLog:
    """AgencyReadLog in memory: each read under its vehicle (newest first) and under its
    agency's China day (oldest first, a page at a time from an opaque token)."""

    def __init__(self) -> None:
        self.reads: list[AgencyRead] = []

    def append(self, read: AgencyRead) -> None:
        self.reads.append(read)

    def of_vehicle(self, vin: str, limit: int) -> list[AgencyRead]:
        mine = [r for r in self.reads if r.vin == vin]
        return sorted(mine, key=_read_key, reverse=True)[:limit]

    def of_agency(
        self, agency_id: str, day: date, after: str | None, limit: int
    ) -> tuple[list[AgencyRead], str | None]:
        keyed = [
            (_read_key(r), r)
            for r in self.reads
            if r.agency_id == agency_id and china_date(r.at) == day
        ]
        return page_of(f"agencyreads:{agency_id}:{day}", keyed, limit, after, newest_first=False)


def _read_key(read: AgencyRead) -> str:
    return f"{read.at.isoformat()}#{read.read_id}"


class InMemoryOemAccountStore:
    """OemAccountStore in memory: an account is created once; a change is saved only over
    the generation and time it was read at (ConflictError `oem_changed`)."""

    def __init__(self) -> None:
        self.accounts: dict[str, tuple[OemAccount, str]] = {}

    def create(self, account: OemAccount, secret_hash: str) -> bool:
        if account.oem_id in self.accounts:
            return False
        self.accounts[account.oem_id] = (account, secret_hash)
        return True

    def get(self, oem_id: str) -> OemAccount | None:
        held = self.accounts.get(oem_id)
        return held[0] if held else None

    def all(self) -> list[OemAccount]:
        return [self.accounts[o][0] for o in sorted(self.accounts)]

    def secret_hash(self, oem_id: str) -> str | None:
        held = self.accounts.get(oem_id)
        return held[1] if held else None

    def save(
        self, account: OemAccount, previous: OemAccount, secret_hash: str | None = None
    ) -> None:
        held = self.accounts.get(previous.oem_id)
        if held is None or (held[0].generation, held[0].updated_at) != (
            previous.generation,
            previous.updated_at,
        ):
            raise ConflictError("the account changed meanwhile; read it again", code="oem_changed")
        self.accounts[account.oem_id] = (account, secret_hash or held[1])


# --- the exchange (ministry side), the ministry as the province sees it, dead letters --------


class InMemoryExchangeStore(Faults):
    """The ministry's exchange storage in memory, with every role it plays: ExchangeStore
    (registry copies, newest `updated_at` wins, counted by class as they change),
    CredentialStore (each issue, rotation and revocation moves the generation once) and
    ExchangeStatus (when each province last sent, how far behind)."""

    def __init__(self) -> None:
        super().__init__()
        self.copies: dict[str, RegistryCopy] = {}
        self.active: dict[str, dict[str, int]] = defaultdict(dict)
        self.status: dict[str, ProvinceExchange] = {}
        self.held_credentials: dict[str, ExchangeCredential] = {}

    def put_shop_copy(self, shop: RegistryCopy) -> bool:
        self._busy("put_shop_copy")
        held = self.copies.get(shop.companycode)
        if held is not None and held.updated_at >= shop.updated_at:
            return False
        before = held.counting_view() if held is not None else None
        counts = self.active[shop.province_code]
        for shop_class, delta in active_count_deltas(before, shop.counting_view()).items():
            counts[shop_class] = counts.get(shop_class, 0) + delta
        self.copies[shop.companycode] = shop
        return True

    def has_shop(self, companycode: str) -> bool:
        return companycode in self.copies

    def touch_province(self, province_code: str, at: datetime, lag_seconds: float | None) -> None:
        self._busy("touch_province")
        held = self.status.get(province_code, ProvinceExchange(province_code))
        self.status[province_code] = ProvinceExchange(
            province_code,
            at.isoformat(),
            round(lag_seconds) if lag_seconds is not None else held.last_lag_seconds,
            held.batches + 1,
        )

    def provinces(self) -> list[ProvinceExchange]:
        return [self.status[code] for code in sorted(self.status)]

    def active_counts(self, province_code: str) -> dict[str, int]:
        return {c: n for c, n in self.active.get(province_code, {}).items() if n}

    def registry_entries(self) -> list[Shop | RegistryCopy]:
        return list(self.copies.values())

    def put_credential(self, province_code: str, secret_hash: str, at: datetime) -> int:
        held = self.held_credentials.get(province_code, ExchangeCredential(province_code))
        self.held_credentials[province_code] = ExchangeCredential(
            province_code, held.generation + 1, False, at.isoformat(), None, secret_hash
        )
        return held.generation + 1

    def revoke_credential(self, province_code: str, at: datetime) -> ExchangeCredential | None:
        held = self.held_credentials.get(province_code)
        if held is None or held.revoked:
            return held
        revoked = dataclasses.replace(
            held, generation=held.generation + 1, revoked=True, revoked_at=at.isoformat()
        )
        self.held_credentials[province_code] = revoked
        return revoked

    def credential(self, province_code: str) -> ExchangeCredential | None:
        return self.held_credentials.get(province_code)

    def credentials(self, province_codes: list[str]) -> dict[str, ExchangeCredential]:
        return {
            code: dataclasses.replace(self.held_credentials[code], secret_hash=None)
            for code in province_codes
            if code in self.held_credentials
        }


class MinistryUnreachableError(Exception):
    """What the province's ministry client raises when the ministry cannot be reached."""


class InMemoryMinistry:
    """The Ministry port as a province's forwarder sees it, answered by a real ministry
    ExchangeService on in-memory storage: items travel as the wire's JSON (so nothing but
    the contract crosses), a request over `limit` bytes is refused as a 413 would be, and
    `down` makes the ministry unreachable."""

    def __init__(
        self, exchange: ExchangeService, province_code: str, *, limit: int | None = None
    ) -> None:
        self._exchange = exchange
        self._province = province_code
        self.limit = limit
        self.down = False
        self.requests: list[int] = []

    def send(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.down:
            raise MinistryUnreachableError("ministry unreachable")
        body = encode(envelope(items))
        if self.limit is not None and len(body) > self.limit:
            raise RequestTooLargeError(f"exchange refused {len(body)} bytes (HTTP 413)")
        self.requests.append(len(items))
        sent = json.loads(body)["items"]
        results = self._exchange.apply_batch(self._province, sent)
        return [{"index": i, **r} for i, r in enumerate(results)]


class InMemoryDeadLetterQueue:
    """The forwarder's DeadLetters and re-drive's ParkedQueue in memory, as SQS behaves: a
    parked change is a JSON message; a received message is hidden until deleted or until
    `release()` (its visibility timeout running out)."""

    def __init__(self) -> None:
        self.messages: dict[str, dict[str, Any]] = {}
        self.hidden: set[str] = set()
        self._next = 0

    def park(self, item: dict[str, Any], reason: str, attempts: int) -> None:
        body = {"item": item, "reason": reason, "attempts": attempts}
        self._next += 1
        self.messages[f"m{self._next:06d}"] = json.loads(json.dumps(body, default=str))

    def receive(self, max_messages: int = 10) -> list[tuple[str, dict[str, Any]]]:
        visible = [h for h in sorted(self.messages) if h not in self.hidden][:max_messages]
        self.hidden.update(visible)
        return [(handle, self.messages[handle]) for handle in visible]

    def delete(self, receipt_handle: str) -> None:
        self.messages.pop(receipt_handle, None)
        self.hidden.discard(receipt_handle)

    def release(self) -> None:
        self.hidden.clear()

    @property
    def parked(self) -> list[tuple[dict[str, Any], str, int]]:
        """What is parked, oldest first, as it was parked: (item, reason, attempts)."""
        bodies = [self.messages[h] for h in sorted(self.messages)]
        return [(b["item"], b["reason"], b["attempts"]) for b in bodies]


# --- which fake stands for which port -------------------------------------------------------

PORTS: dict[str, type] = {
    "chalicelib.services.ports.Clock": FakeClock,
    "chalicelib.services.ports.RecordRepository": InMemoryRecordRepository,
    "chalicelib.services.ports.ShopRecordSearch": InMemoryRecordRepository,
    "chalicelib.services.exchange.VersionedRecords": InMemoryRecordRepository,
    "chalicelib.services.record_search.RecordIndex": InMemoryRecordIndex,
    "chalicelib.services.ports.ShopRepository": InMemoryShopRepository,
    "chalicelib.services.ports.ShopDirectory": InMemoryShopDirectory,
    "chalicelib.services.aggregate_statistics.RegistryEntries": InMemoryShopDirectory,
    "chalicelib.services.ports.AccountRepository": InMemoryAccountRepository,
    "chalicelib.services.ports.TokenStore": InMemoryTokenStore,
    "chalicelib.services.ports.AttemptCounter": InMemorySignInAttempts,
    "chalicelib.services.ports.AuditLog": InMemoryAuditLog,
    "chalicelib.services.ports.AuditReader": InMemoryAuditLog,
    "chalicelib.services.ports.AuditChains": InMemoryAuditLog,
    "chalicelib.services.ports.AuditDigestStore": InMemoryDigestStore,
    "chalicelib.services.ports.SecretBox": FakeSecretBox,
    "chalicelib.services.ports.FeedbackRepository": InMemoryFeedbackRepository,
    "chalicelib.services.ports.ComplaintRepository": InMemoryComplaintRepository,
    "chalicelib.services.ports.PhotoStore": InMemoryPhotoStore,
    "chalicelib.services.ports.RateCounter": InMemoryRateCounter,
    "chalicelib.services.ports.MonitoringStats": InMemoryStatsStore,
    "chalicelib.services.ports.StatsReader": InMemoryStatsStore,
    "chalicelib.services.aggregate_statistics.StatsStore": InMemoryStatsStore,
    "chalicelib.services.forward_changes.AttemptCounter": InMemoryStatsStore,
    "chalicelib.services.ports.ImportStore": InMemoryImportStore,
    "chalicelib.services.record_export.ExportJobStore": InMemoryExportJobStore,
    "chalicelib.services.record_export.ExportSink": InMemoryExportSink,
    "chalicelib.services.record_export.ObjectWriter": InMemoryObjectWriter,
    "chalicelib.services.reminders.ReminderStore": InMemoryReminderStore,
    "chalicelib.services.sharing_ports.AgencyStore": InMemoryAgencyStore,
    "chalicelib.services.sharing_ports.GrantStore": InMemoryGrantStore,
    "chalicelib.services.sharing_ports.AgencyReadLog": InMemoryAgencyReadLog,
    "chalicelib.services.sharing_ports.OemAccountStore": InMemoryOemAccountStore,
    "chalicelib.services.exchange.ExchangeStore": InMemoryExchangeStore,
    "chalicelib.services.exchange_credentials.CredentialStore": InMemoryExchangeStore,
    "chalicelib.services.national_monitoring.ExchangeStatus": InMemoryExchangeStore,
    "chalicelib.services.exchange_delivery.Ministry": InMemoryMinistry,
    "chalicelib.services.forward_changes.DeadLetters": InMemoryDeadLetterQueue,
    "chalicelib.services.redrive.ParkedQueue": InMemoryDeadLetterQueue,
}
"""Every Protocol of chalicelib/services (module.name) and the fake that implements it."""


if TYPE_CHECKING:  # mypy checks each fake against its port; nothing runs here

    def _conformance(exchange: ExchangeService) -> None:
        from chalicelib.services import (
            aggregate_statistics,
            exchange_credentials,
            exchange_delivery,
            forward_changes,
            national_monitoring,
            ports,
            record_export,
            record_search,
            redrive,
            reminders,
            sharing_ports,
        )
        from chalicelib.services import exchange as exchange_module

        clock = FakeClock()
        records = InMemoryRecordRepository()
        shops = InMemoryShopRepository()
        stats = InMemoryStatsStore()
        exchange_store = InMemoryExchangeStore()
        audit = InMemoryAuditLog(clock)
        letters = InMemoryDeadLetterQueue()
        sink = InMemoryExportSink()
        directory = InMemoryShopDirectory(shops)
        _c: ports.Clock = clock
        _r: ports.RecordRepository = records
        _rs: ports.ShopRecordSearch = records
        _vr: exchange_module.VersionedRecords = records
        _ri: record_search.RecordIndex = InMemoryRecordIndex(records)
        _s: ports.ShopRepository = shops
        _d: ports.ShopDirectory = directory
        _re: aggregate_statistics.RegistryEntries = directory
        _a: ports.AccountRepository = InMemoryAccountRepository(exchange_store)
        _t: ports.TokenStore = InMemoryTokenStore()
        _sa: ports.AttemptCounter = InMemorySignInAttempts()
        _al: ports.AuditLog = audit
        _ar: ports.AuditReader = audit
        _ac: ports.AuditChains = audit
        _ad: ports.AuditDigestStore = InMemoryDigestStore()
        _sb: ports.SecretBox = FakeSecretBox()
        _f: ports.FeedbackRepository = InMemoryFeedbackRepository()
        _co: ports.ComplaintRepository = InMemoryComplaintRepository()
        _p: ports.PhotoStore = InMemoryPhotoStore()
        _rc: ports.RateCounter = InMemoryRateCounter()
        _ms: ports.MonitoringStats = stats
        _sr: ports.StatsReader = stats
        _ss: aggregate_statistics.StatsStore = stats
        _fa: forward_changes.AttemptCounter = stats
        _i: ports.ImportStore = InMemoryImportStore()
        _ej: record_export.ExportJobStore = InMemoryExportJobStore()
        _es: record_export.ExportSink = sink
        _ow: record_export.ObjectWriter = sink.open("k", "text/csv")
        _rm: reminders.ReminderStore = InMemoryReminderStore()
        _ag: sharing_ports.AgencyStore = InMemoryAgencyStore()
        _g: sharing_ports.GrantStore = InMemoryGrantStore()
        _arl: sharing_ports.AgencyReadLog = InMemoryAgencyReadLog()
        _o: sharing_ports.OemAccountStore = InMemoryOemAccountStore()
        _x: exchange_module.ExchangeStore = exchange_store
        _cs: exchange_credentials.CredentialStore = exchange_store
        _xs: national_monitoring.ExchangeStatus = exchange_store
        _m: exchange_delivery.Ministry = InMemoryMinistry(exchange, "320000")
        _dl: forward_changes.DeadLetters = letters
        _pq: redrive.ParkedQueue = letters
