"""AttemptCounter on the statistics table: sign-in attempts counted atomically, per window.

Why: a token door must count an attempt *before* it evaluates the secret, in a count every
Lambda instance shares, or parallel guesses all read "below the limit" and are all evaluated
(check-then-act). One `UpdateItem ... ADD` returns the new count; a window that has ended is
restarted by a conditional write that only one of several racing attempts can win, and the
losers count again in the new window. Items expire through TTL shortly after their window.
It is the statistics table (no stream), so a flood of guesses never wakes the stream handlers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters import stats_keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.services.ports import AttemptCount

_TTL = {"#ttl": stats_keys.TTL_ATTRIBUTE}
# A window restart can lose to another restart and then to the window that one started; three
# rounds are more than any real interleaving needs.
_ROUNDS = 3


class DynamoAttemptCounter(TableAdapter):
    def count(self, bucket: str, now: datetime, window_seconds: int) -> AttemptCount:
        epoch = int(now.timestamp())
        for _ in range(_ROUNDS):
            counted = self._add_in_window(bucket, epoch, epoch + window_seconds)
            if counted is None:
                counted = self._restart_window(bucket, epoch, epoch + window_seconds)
            if counted is not None:
                return counted
        raise RuntimeError(f"sign-in counter {bucket!r} kept changing windows")  # pragma: no cover

    def release(self, bucket: str, now: datetime) -> None:
        self._conditional_update(
            bucket,
            "ADD attempts :minus",
            "#ttl > :now AND attempts > :zero",
            {":minus": -1, ":now": int(now.timestamp()), ":zero": 0},
        )

    def clear(self, bucket: str, now: datetime) -> None:
        self._conditional_update(
            bucket,
            "SET attempts = :zero",
            "#ttl > :now",
            {":now": int(now.timestamp()), ":zero": 0},
        )

    def mark(self, bucket: str, until: datetime) -> None:
        with translate_errors():
            self.client.update_item(
                TableName=self._table,
                Key=_key(bucket),
                UpdateExpression="SET #ttl = :until, kind = :kind",
                ExpressionAttributeNames=_TTL,
                ExpressionAttributeValues=to_item(
                    {":until": int(until.timestamp()), ":kind": "sign_in_mark"}
                ),
            )

    def marked(self, bucket: str, now: datetime) -> bool:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table, Key=_key(bucket), ConsistentRead=True
            )
        item = from_item(response["Item"]) if response.get("Item") else {}
        return int(item.get(stats_keys.TTL_ATTRIBUTE, 0)) > int(now.timestamp())

    def _add_in_window(self, bucket: str, epoch: int, window_end: int) -> AttemptCount | None:
        """ADD one to the open window (or to a new item); None if the window has ended."""
        try:
            with translate_errors():
                response = self.client.update_item(
                    TableName=self._table,
                    Key=_key(bucket),
                    UpdateExpression="ADD attempts :one SET #ttl = if_not_exists(#ttl, :end), "
                    "kind = :kind",
                    ConditionExpression="attribute_not_exists(#ttl) OR #ttl > :now",
                    ExpressionAttributeNames=_TTL,
                    ExpressionAttributeValues=to_item(
                        {":one": 1, ":end": window_end, ":now": epoch, ":kind": "sign_in_window"}
                    ),
                    ReturnValues="ALL_NEW",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return _counted(response["Attributes"])

    def _restart_window(self, bucket: str, epoch: int, window_end: int) -> AttemptCount | None:
        """Start a new window counting this attempt; None if another attempt restarted it."""
        try:
            with translate_errors():
                response = self.client.update_item(
                    TableName=self._table,
                    Key=_key(bucket),
                    UpdateExpression="SET attempts = :one, #ttl = :end",
                    ConditionExpression="#ttl <= :now",
                    ExpressionAttributeNames=_TTL,
                    ExpressionAttributeValues=to_item(
                        {":one": 1, ":end": window_end, ":now": epoch}
                    ),
                    ReturnValues="ALL_NEW",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return _counted(response["Attributes"])

    def _conditional_update(
        self, bucket: str, update: str, condition: str, values: dict[str, Any]
    ) -> None:
        """An update that only applies within an open window (else there is nothing to do)."""
        try:
            with translate_errors():
                self.client.update_item(
                    TableName=self._table,
                    Key=_key(bucket),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=_TTL,
                    ExpressionAttributeValues=to_item(values),
                )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise


def _key(bucket: str) -> dict[str, Any]:
    return to_item(stats_keys.sign_in_key(bucket))


def _counted(attributes: dict[str, Any]) -> AttemptCount:
    item = from_item(attributes)
    ends = datetime.fromtimestamp(int(item[stats_keys.TTL_ATTRIBUTE]), UTC)
    return AttemptCount(int(item["attempts"]), ends)
