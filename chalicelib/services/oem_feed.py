"""The OEM bulk feed (总对总): OEM accounts, and batches uploaded on behalf of dealers.

Why: a carmaker's head office uploads its dealers' records in bulk (digest §1.1, §1.9). The
province registers the OEM (credentials hashed, token like a shop's) with the dealers it
represents. Each item of a batch goes through the very same `RecordService.upload` as the
dealer's own upload, as that dealer: validated, flagged, idempotent by (dealer, settlement
number), chained, counted for the dealer and forwarded to the ministry; it only carries
`source = oem:<id>` so statistics count 总对总 apart. An item for a dealer the OEM does not
represent, an unknown or a suspended dealer is refused on its own, and the others go on.

Why at the province (not the ministry): the province is the system of record for collection
(JT/T 1132.2), the dealer's chain is signed there, its statistics and the 总对总 counts per
district are kept there (a provincial platform shows them: digest §1.1), and its records
reach the ministry through the existing forwarder. A ministry intake would need a new
ministry-to-province write path for no gain; an OEM has one account in each province it
serves, as a chain's central system does (digest §1.9).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.credentials import hash_secret, new_secret
from chalicelib.domain.oem import OemAccount, checked_dealers, oem_id_for, source_of
from chalicelib.domain.record import Receipt, RecordContent
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.errors import (
    ConflictError,
    DomainError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    ValidationFailedError,
)
from chalicelib.services.audit import Actor, AuditTrail
from chalicelib.services.ports import Clock, ShopRepository
from chalicelib.services.records import RecordService
from chalicelib.services.sharing_ports import OemAccountStore

NAME_MAX_LENGTH = 100


class OemAccountService:
    def __init__(
        self,
        store: OemAccountStore,
        shops: ShopRepository,
        audit: AuditTrail,
        clock: Clock,
        province_code: str,
    ) -> None:
        self._store = store
        self._shops = shops
        self._audit = audit
        self._clock = clock
        self._province = province_code

    def register(
        self, actor: Actor, name: str, uscc: str, dealers: list[str]
    ) -> tuple[OemAccount, str]:
        """A new OEM account and its secret (shown once).

        Raises ValidationFailedError (name, USCC, dealers: each a registered shop of this
        province) or ConflictError `oem_exists` (the USCC has an account already).
        """
        from stdnum.cn import uscc as uscc_number  # imported here: only registration needs it

        name, uscc = " ".join(name.split()), uscc.strip().upper()
        errors = []
        if not 1 <= len(name) <= NAME_MAX_LENGTH:
            errors.append(FieldError("name", "length", f"name must be 1–{NAME_MAX_LENGTH} chars"))
        if not uscc_number.is_valid(uscc):
            errors.append(FieldError("uscc", "gb32100", "not a valid unified social credit code"))
        if errors:
            raise ValidationFailedError(errors)
        now = self._clock.now()
        account = OemAccount(
            oem_id=oem_id_for(uscc),
            name=name,
            uscc=uscc,
            dealers=self._registered(dealers),
            status="active",
            generation=1,
            created_at=now,
            updated_at=now,
            created_by=actor.actor_id,
        )
        secret = new_secret()
        if not self._store.create(account, hash_secret(secret)):
            raise ConflictError(
                f"this OEM has an account already: {account.oem_id}", code="oem_exists"
            )
        self._audit.record(
            actor, "oem.registered", account.oem_id, {"name": name, "dealers": len(account.dealers)}
        )
        return account, secret

    def accounts(self) -> list[OemAccount]:
        return sorted(self._store.all(), key=lambda a: a.name)

    def get(self, oem_id: str) -> OemAccount:
        account = self._store.get(oem_id[:20])
        if account is None:
            raise NotFoundError("no such OEM account", code="oem_not_found")
        return account

    def set_dealers(self, actor: Actor, oem_id: str, dealers: list[str]) -> OemAccount:
        """Replace the dealers the OEM represents (its tokens stay valid)."""
        account = self.get(oem_id)
        changed = dataclasses.replace(
            account, dealers=self._registered(dealers), updated_at=self._clock.now()
        )
        self._store.save(changed, account)
        self._audit.record(
            actor,
            "oem.dealers_changed",
            oem_id,
            {
                "added": sorted(set(changed.dealers) - set(account.dealers))[:100],
                "removed": sorted(set(account.dealers) - set(changed.dealers))[:100],
            },
        )
        return changed

    def rotate_secret(self, actor: Actor, oem_id: str) -> tuple[OemAccount, str]:
        """A new secret; the old one and every token issued with it stop at once."""
        account = self.get(oem_id)
        rotated = dataclasses.replace(
            account, generation=account.generation + 1, updated_at=self._clock.now()
        )
        secret = new_secret()
        self._store.save(rotated, account, hash_secret(secret))
        self._audit.record(actor, "oem.secret_rotated", oem_id)
        return rotated, secret

    def _registered(self, dealers: list[str]) -> tuple[str, ...]:
        codes = checked_dealers(dealers, self._province)
        unknown = [c for c in codes if self._shops.get(c) is None]
        if unknown:
            raise ValidationFailedError(
                [
                    FieldError(
                        "dealers",
                        "registered_shop",
                        "not registered shops of this province: " + ", ".join(unknown[:20]),
                    )
                ]
            )
        return codes


ItemParser = Callable[[Any, int], tuple[RecordContent, str | None]]
"""Reads one batch item (its index given): (record content, correction reason); raises
ValidationFailedError naming the item's fields."""


@dataclass(frozen=True)
class ItemOutcome:
    """One batch item's outcome: the dealer's receipt, or the error that refused the item."""

    index: int
    companycode: str | None
    receipt: Receipt | None = None
    error: DomainError | None = None


class OemFeedService:
    def __init__(self, records: RecordService, shops: ShopRepository, audit: AuditTrail) -> None:
        self._records = records
        self._shops = shops
        self._audit = audit

    def upload_batch(
        self, account: OemAccount, items: list[Any], parse: ItemParser, actor: Actor
    ) -> list[ItemOutcome]:
        """One outcome per item, in order; a refused item never stops the others."""
        dealers: dict[str, Shop | None] = {}
        outcomes = [self._item(account, i, item, parse, dealers) for i, item in enumerate(items)]
        counts: dict[str, int] = {}
        for outcome in outcomes:
            name = "refused" if outcome.error else str(outcome.companycode)
            counts[name] = counts.get(name, 0) + 1
        self._audit.record(actor, "oem.records_uploaded", account.oem_id, {"items": counts})
        return outcomes

    def _item(
        self,
        account: OemAccount,
        index: int,
        item: Any,
        parse: ItemParser,
        dealers: dict[str, Shop | None],
    ) -> ItemOutcome:
        companycode = item.get("companycode") if isinstance(item, dict) else None
        named = companycode if isinstance(companycode, str) else None
        try:
            dealer = self._dealer(account, companycode, index, dealers)
            content, reason = parse(item, index)
            receipt = self._records.upload(
                dealer, content, reason, source=source_of(account.oem_id)
            )
        except DomainError as exc:
            return ItemOutcome(index, named, error=exc)
        return ItemOutcome(index, dealer.companycode, receipt=receipt)

    def _dealer(
        self,
        account: OemAccount,
        companycode: Any,
        index: int,
        dealers: dict[str, Shop | None],
    ) -> Shop:
        if not isinstance(companycode, str) or not COMPANYCODE_PATTERN.match(companycode):
            raise ValidationFailedError(
                [
                    FieldError(
                        f"records.{index}.companycode",
                        "companycode",
                        "each item names its dealer's 15-digit companycode",
                    )
                ]
            )
        # Representation is checked before existence: an OEM cannot probe the registry.
        if not account.represents(companycode):
            raise ForbiddenError(
                "this OEM does not represent this dealer", code="dealer_not_represented"
            )
        if companycode not in dealers:
            dealers[companycode] = self._shops.get(companycode, consistent=True)
        dealer = dealers[companycode]
        if dealer is None:
            raise NotFoundError("this dealer is not registered", code="dealer_unknown")
        return dealer
