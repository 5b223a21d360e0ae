"""Stream events from moto's real table stream, in the shape Lambda hands to a handler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3

from chalicelib.config import get_settings


def stream_event() -> dict[str, Any]:
    """Every record of the table's stream so far, as one Lambda event."""
    settings = get_settings()
    arn = boto3.client("dynamodb").describe_table(TableName=settings.table_name)["Table"][
        "LatestStreamArn"
    ]
    streams = boto3.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            for record in response["Records"]:
                record["dynamodb"].pop("ApproximateCreationDateTime", None)
                records.append({**record, "eventSourceARN": arn})
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return {"Records": records}


def received_at(event: dict[str, Any], moments: dict[str, datetime]) -> dict[str, Any]:
    """The event with the versions of some records received (and changed) at another moment.

    The app's clock is real, so every upload of a test lands today; this moves a record's
    versions to another day (of this month, or the last one) the way the stream would carry
    them had they been uploaded then. `moments` maps record id → the moment.
    """
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage") or {}
        moment = moments.get(image.get("record_id", {}).get("S", ""))
        if moment is not None and image.get("kind", {}).get("S") == "record_version":
            image["received_at"] = {"S": moment.isoformat()}
            image["updated_at"] = {"S": moment.isoformat()}
    return event


def run_handler(api: Any, name: str) -> dict[str, Any]:
    """Deliver the whole stream so far to one stream handler, through Chalice's Lambda invoke."""
    return dict(api.client.lambda_.invoke(name, stream_event()).payload)
