"""The audit trail: who (account and role) did what to which target, when and from where.

Why: 等保 level 3 and the Cybersecurity Law ask that every regulator action, and every read of
personal or cross-shop data, can be traced for at least 180 days. Services record through
`AuditTrail.record` with an `Actor` the API layer builds from the request; administrators read
the trail through `AuditTrail.search`, and that read is itself recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.ports import AuditLog, AuditReader

MAX_RANGE = timedelta(days=400)
MAX_PAGE = 200


@dataclass(frozen=True)
class Actor:
    """Who acts and from where, for the audit log."""

    actor_id: str
    source_ip: str
    role: str = ""
    user_agent: str = ""


def regulator_actor_id(username: str) -> str:
    return f"regulator:{username}"


class AuditTrail:
    def __init__(self, log: AuditLog, reader: AuditReader) -> None:
        self._log = log
        self._reader = reader

    def record(
        self, actor: Actor, action: str, target: str, details: dict[str, Any] | None = None
    ) -> None:
        self._log.append(
            actor=actor.actor_id,
            role=actor.role,
            action=action,
            target=target,
            source_ip=actor.source_ip,
            user_agent=actor.user_agent,
            details=details,
        )

    def search(
        self,
        reader: Actor,
        since: datetime,
        until: datetime,
        *,
        actor: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Entries with since <= at < until, newest first, optionally of one actor.

        A bare username means that regulator ("admin" = "regulator:admin"). Raises
        ValidationFailedError for an empty or too long range.
        """
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        if until <= since or until - since > MAX_RANGE:
            raise ValidationFailedError(
                [FieldError("from", "range", "from must lie before to, at most 400 days apart")]
            )
        if actor and ":" not in actor:
            actor = regulator_actor_id(actor.strip().lower())
        self.record(
            reader,
            "audit.read",
            actor or "*",
            {"from": since.isoformat(), "to": until.isoformat()},
        )
        return self._reader.entries(
            since, until, actor=actor or None, limit=min(max(limit, 1), MAX_PAGE), cursor=cursor
        )
