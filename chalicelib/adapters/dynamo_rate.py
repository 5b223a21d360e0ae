"""RateCounter on the statistics table: fixed-window request counters with TTL.

Why: the public endpoints (history, evaluation, complaint) need limits per client address and
per VIN that hold across every Lambda instance, so the count lives in DynamoDB: one atomic
`ADD` per request and window, and the item expires by itself shortly after its window. It is
the statistics table (no stream), so a counted request never wakes the stream handlers.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters import stats_keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter


class DynamoRateCounter(TableAdapter):
    def hit(self, bucket: str, window_seconds: int, now: datetime, offset_seconds: int = 0) -> int:
        epoch = int(now.timestamp()) + offset_seconds
        window = epoch // window_seconds
        with translate_errors():
            response = self.client.update_item(
                TableName=self._table,
                Key=to_item(stats_keys.rate_key(bucket, window)),
                UpdateExpression="ADD hits :one SET #ttl = :expires, kind = :kind",
                ExpressionAttributeNames={"#ttl": stats_keys.TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": to_value(1),
                    ":expires": to_value((window + 2) * window_seconds - offset_seconds),
                    ":kind": to_value("rate_window"),
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["hits"]["N"])
