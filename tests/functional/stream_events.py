"""Stream events from moto's real table stream, in the shape Lambda hands to a handler."""

from __future__ import annotations

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


def run_handler(api: Any, name: str) -> dict[str, Any]:
    """Deliver the whole stream so far to one stream handler, through Chalice's Lambda invoke."""
    return dict(api.client.lambda_.invoke(name, stream_event()).payload)
