"""ReminderStore on the province table: reminders, their per-shop deliveries, read receipts.

Why: a reminder to a list of shops is one summary item (with sent and read counts) and one
delivery item per shop in the shop's own partition. Every delivery is a conditional write, so
re-sending never resets a read receipt, and a read sets `read_at` and adds one to the
summary's read count in one transaction, so a receipt counts once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.reminder import Delivery, Reminder

DELIVERY_WORKERS = 16


class DynamoReminderStore(TableAdapter):
    def create(self, reminder: Reminder) -> bool:
        created = reminder.created_at.isoformat()
        item = {
            **keys.key(keys.reminder_pk(reminder.reminder_id), keys.REMINDER),
            keys.GSI1PK: keys.reminders_gsi_pk(reminder.province_code),
            keys.GSI1SK: f"{created}#{reminder.reminder_id}",
            "kind": "reminder",
            "reminder_id": reminder.reminder_id,
            "province_code": reminder.province_code,
            "sender": reminder.sender,
            "title": reminder.title,
            "body": reminder.body,
            "recipients": reminder.recipients,
            "read": 0,
            "created_at": created,
        }
        return self._put_new(item)

    def deliver(self, reminder: Reminder, companycodes: list[str]) -> None:
        with ThreadPoolExecutor(max_workers=DELIVERY_WORKERS) as pool:
            list(pool.map(lambda c: self._deliver_one(reminder, c), companycodes))

    def _deliver_one(self, reminder: Reminder, companycode: str) -> None:
        item = {
            **keys.key(keys.shop_reminders_pk(companycode), _delivery_sk(reminder)),
            "kind": "reminder_delivery",
            "reminder_id": reminder.reminder_id,
            "companycode": companycode,
            "title": reminder.title,
            "body": reminder.body,
            "sender": reminder.sender,
            "created_at": reminder.created_at.isoformat(),
        }
        self._put_new(item)  # an existing delivery (read or not) stays as it is

    def get(self, reminder_id: str) -> Reminder | None:
        item = self._get(keys.reminder_pk(reminder_id), keys.REMINDER)
        return _reminder_from(item) if item else None

    def sent(
        self, province_code: str, limit: int, cursor: str | None
    ) -> tuple[list[Reminder], str | None]:
        partition = (keys.GSI1PK, keys.reminders_gsi_pk(province_code))
        items, next_cursor = self._page(partition, limit, cursor, index=keys.GSI1)
        # The index projects keys only for reminders; read the summaries themselves.
        ids = [str(i["PK"]).removeprefix("REMINDER#") for i in items]
        return [r for r in (self.get(i) for i in ids) if r is not None], next_cursor

    def deliveries(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        partition = (keys.PK, keys.shop_reminders_pk(companycode))
        items, next_cursor = self._page(partition, limit, cursor)
        return [_delivery_from(i) for i in items], next_cursor

    def delivery(self, companycode: str, reminder_id: str) -> Delivery | None:
        reminder = self.get(reminder_id)
        if reminder is None:
            return None
        item = self._get(keys.shop_reminders_pk(companycode), _delivery_sk(reminder))
        return _delivery_from(item) if item else None

    def mark_read(self, delivery: Delivery, at: datetime) -> bool:
        sk = f"{delivery.created_at.isoformat()}#{delivery.reminder_id}"
        actions = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(keys.key(keys.shop_reminders_pk(delivery.companycode), sk)),
                    "UpdateExpression": "SET read_at = :at",
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(read_at)",
                    "ExpressionAttributeValues": {":at": to_value(at.isoformat())},
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(keys.key(keys.reminder_pk(delivery.reminder_id), keys.REMINDER)),
                    "UpdateExpression": "ADD #read :one",
                    "ExpressionAttributeNames": {"#read": "read"},
                    "ExpressionAttributeValues": {":one": to_value(1)},
                }
            },
        ]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            if cancellation_reasons(exc)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True


def _delivery_sk(reminder: Reminder) -> str:
    return f"{reminder.created_at.isoformat()}#{reminder.reminder_id}"


def _reminder_from(item: dict[str, Any]) -> Reminder:
    return Reminder(
        reminder_id=item["reminder_id"],
        province_code=item["province_code"],
        sender=item["sender"],
        title=item["title"],
        body=item["body"],
        recipients=int(item["recipients"]),
        read=int(item.get("read", 0)),
        created_at=datetime.fromisoformat(item["created_at"]),
    )


def _delivery_from(item: dict[str, Any]) -> Delivery:
    read_at = item.get("read_at")
    return Delivery(
        reminder_id=item["reminder_id"],
        companycode=item["companycode"],
        title=item["title"],
        body=item["body"],
        sender=item["sender"],
        created_at=datetime.fromisoformat(item["created_at"]),
        read_at=datetime.fromisoformat(read_at) if read_at else None,
    )
