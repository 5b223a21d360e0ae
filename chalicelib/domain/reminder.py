"""Reminder notices (提醒通知) from a regulator to shops, with read receipts.

Why: regulators remind shops that stopped uploading or upload with errors, and track how many
were sent and read (已提醒数 / 已读数, digest §1.7). A reminder goes to one shop or to a list;
each shop's copy is a delivery that is read once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

TITLE_MAX_LENGTH = 100
BODY_MAX_LENGTH = 1000
MAX_RECIPIENTS = 2000


@dataclass(frozen=True)
class Reminder:
    reminder_id: str
    province_code: str
    sender: str
    title: str
    body: str
    recipients: int
    read: int
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    reminder_id: str
    companycode: str
    title: str
    body: str
    sender: str
    created_at: datetime
    read_at: datetime | None = None


def reminder_id_for(sender: str, title: str, body: str, recipients: list[str], day: date) -> str:
    """Same sender, text and list on the same (China) day = the same reminder: a retried send
    never reminds twice, and a deliberate reminder the next day is a new one."""
    canonical = "\x1f".join([sender, title, body, ",".join(sorted(recipients)), day.isoformat()])
    return "RM" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20].upper()
