"""The forwarder's dead-letter queue on SQS: changes that could not be delivered, with why.

Why: nothing may be dropped silently. After the configured number of failed attempts a change
is parked here with its reason and attempt count, and `python -m infra.admin redrive` sends it
again once the cause is fixed.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from chalicelib.config import get_settings


@functools.cache
def _sqs() -> Any:
    import boto3

    settings = get_settings()
    kwargs: dict[str, Any] = {"region_name": settings.aws_region}
    if settings.sqs_endpoint_url:
        kwargs["endpoint_url"] = settings.sqs_endpoint_url
    return boto3.client("sqs", **kwargs)


class SqsDeadLetters:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or _sqs()

    def park(self, item: dict[str, Any], reason: str, attempts: int) -> None:
        body = {"item": item, "reason": reason, "attempts": attempts}
        self.client.send_message(
            QueueUrl=self._url, MessageBody=json.dumps(body, ensure_ascii=False, default=str)
        )

    def receive(self, max_messages: int = 10) -> list[tuple[str, dict[str, Any]]]:
        """Up to `max_messages` parked entries with their receipt handles."""
        response = self.client.receive_message(
            QueueUrl=self._url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0
        )
        return [(m["ReceiptHandle"], json.loads(m["Body"])) for m in response.get("Messages", [])]

    def delete(self, receipt_handle: str) -> None:
        self.client.delete_message(QueueUrl=self._url, ReceiptHandle=receipt_handle)

    def depth(self) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=self._url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])


def reset() -> None:
    _sqs.cache_clear()
