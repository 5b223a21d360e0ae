"""Append-only audit log on the province table (who, what, when, from where).

Why: every regulator action and every read of cross-shop data leaves a trace, kept at least
180 days (we keep 400 through TTL). Entries are spread over a few shards per day so a busy day
never makes a hot partition, and they are written with `attribute_not_exists` so an entry is
never overwritten.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter

RETENTION = timedelta(days=400)


class DynamoAuditLog(TableAdapter):
    def __init__(self, table_name: str, clock: Any, client: Any = None) -> None:
        super().__init__(table_name, client)
        self._clock = clock

    def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        source_ip: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        now: datetime = self._clock.now()
        item = {
            keys.PK: keys.audit_pk(now.date(), random.randrange(keys.AUDIT_SHARDS)),
            keys.SK: f"{now.isoformat()}#{uuid.uuid4().hex}",
            "kind": "audit",
            "at": now.isoformat(),
            "actor": actor,
            "action": action,
            "target": target,
            "source_ip": source_ip,
            "details": details or None,
            keys.TTL_ATTRIBUTE: int((now + RETENTION).timestamp()),
        }
        with translate_errors():
            self.client.put_item(
                TableName=self._table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK)",
            )
