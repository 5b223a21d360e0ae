"""Reminders: a regulator sends a notice to one shop or a list; shops read it; the console
counts sent and read.

Why: the regulator's everyday tool against non-uploading and erroneous shops (digest §1.7).
Sending is idempotent (the reminder id is derived from sender, text, list and day; every
delivery is a conditional write), and a read receipt counts once (the delivery's `read_at`
and the reminder's read counter change in one transaction). Recipients are checked by key, so
a send reads as many registry entries as it has recipients, whatever the registry's size.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from chalicelib.domain.china_time import china_date
from chalicelib.domain.reminder import (
    BODY_MAX_LENGTH,
    MAX_RECIPIENTS,
    TITLE_MAX_LENGTH,
    Delivery,
    Reminder,
    reminder_id_for,
)
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.errors import FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.ports import AuditLog, Clock, ShopDirectory

MAX_PAGE_SIZE = 100


class ReminderStore(Protocol):
    def create(self, reminder: Reminder) -> bool:
        """Write the reminder once; False if it exists already."""

    def deliver(self, reminder: Reminder, companycodes: list[str]) -> None:
        """Write each shop's delivery once (existing deliveries, read or not, are kept)."""

    def get(self, reminder_id: str) -> Reminder | None: ...

    def sent(
        self, province_code: str, limit: int, cursor: str | None
    ) -> tuple[list[Reminder], str | None]: ...

    def deliveries(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]: ...

    def delivery(self, companycode: str, reminder_id: str) -> Delivery | None: ...

    def mark_read(self, delivery: Delivery, at: datetime) -> bool:
        """Set read_at and count it on the reminder, once; False if it was read already."""


class ReminderService:
    def __init__(
        self,
        store: ReminderStore,
        directory: ShopDirectory,
        audit: AuditLog,
        clock: Clock,
        province_code: str,
    ) -> None:
        self._store = store
        self._directory = directory
        self._audit = audit
        self._clock = clock
        self._province = province_code

    def send(
        self,
        sender: str,
        companycodes: list[str],
        title: str,
        body: str,
        *,
        source_ip: str,
        may_remind: Callable[[str], bool] = lambda companycode: True,
    ) -> Reminder:
        """Send (or re-send, idempotently) a reminder to registered shops of the province.

        Raises ValidationFailedError naming the field: empty or oversized text, an empty or
        oversized list, unknown shops or shops outside the sender's scope (listed).
        """
        title, body = title.strip(), body.strip()
        recipients = sorted({c.strip() for c in companycodes if c.strip()})
        errors = _text_errors(title, body)
        if not 1 <= len(recipients) <= MAX_RECIPIENTS:
            errors.append(FieldError("companycodes", "count", f"send to 1–{MAX_RECIPIENTS} shops"))
            raise ValidationFailedError(errors)  # before any read: the list is its size bound
        known = self._registered(recipients)
        refused = [c for c in recipients if c not in known or not may_remind(c)]
        if refused:
            errors.append(
                FieldError(
                    "companycodes",
                    "registered_in_scope",
                    "not shops you may remind: " + ", ".join(refused[:20]),
                )
            )
        if errors:
            raise ValidationFailedError(errors)
        now = self._clock.now()
        reminder = Reminder(
            reminder_id=reminder_id_for(sender, title, body, recipients, china_date(now)),
            province_code=self._province,
            sender=sender,
            title=title,
            body=body,
            recipients=len(recipients),
            read=0,
            created_at=now,
        )
        self._store.create(reminder)
        stored = self._store.get(reminder.reminder_id) or reminder
        self._store.deliver(stored, recipients)
        self._audit.append(
            actor=sender,
            action="reminder.send",
            target=stored.reminder_id,
            source_ip=source_ip,
            details={"recipients": len(recipients)},
        )
        return stored

    def sent(
        self, limit: int, cursor: str | None, *, sender: str | None = None
    ) -> tuple[list[Reminder], str | None]:
        """Reminders of the province, newest first (optionally only one sender's)."""
        items, next_cursor = self._store.sent(
            self._province, min(max(limit, 1), MAX_PAGE_SIZE), cursor
        )
        if sender is not None:
            items = [r for r in items if r.sender == sender]
        return items, next_cursor

    def for_shop(
        self, shop: Shop, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        return self._store.deliveries(shop.companycode, min(max(limit, 1), MAX_PAGE_SIZE), cursor)

    def read(self, shop: Shop, reminder_id: str) -> Delivery:
        """Open a reminder: the first opening is its read receipt (counted once)."""
        delivery = self._store.delivery(shop.companycode, reminder_id[:32])
        if delivery is None:
            raise NotFoundError("no such reminder")
        if delivery.read_at is None:
            self._store.mark_read(delivery, self._clock.now())
            delivery = self._store.delivery(shop.companycode, reminder_id[:32]) or delivery
        return delivery

    def _registered(self, companycodes: list[str]) -> set[str]:
        """Those of the companycodes that are shops registered in this province, read by key
        (never the whole registry: a list of three reads three entries). A malformed code is
        not read at all: it cannot be a shop, and it must not become a storage key."""
        wellformed = [c for c in companycodes if COMPANYCODE_PATTERN.match(c)]
        if not wellformed:
            return set()
        return {
            entry["companycode"]
            for entry in self._directory.entries(wellformed)
            if entry["province_code"] == self._province
        }


def _text_errors(title: str, body: str) -> list[FieldError]:
    errors = []
    if not 1 <= len(title) <= TITLE_MAX_LENGTH:
        errors.append(FieldError("title", "length", f"title: 1–{TITLE_MAX_LENGTH} characters"))
    if not 1 <= len(body) <= BODY_MAX_LENGTH:
        errors.append(FieldError("body", "length", f"body: 1–{BODY_MAX_LENGTH} characters"))
    return errors
