"""PhotoStore on S3: complaint photo vouchers, private, encrypted, one object per complaint.

Why: photos (up to 2 MB) do not belong in a DynamoDB item (400 KB); S3 keeps them private
behind the API, which audits every read. Locally the same code talks to moto's S3.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import NotFoundError


@functools.cache
def s3_client() -> Any:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    kwargs: dict[str, Any] = {
        "region_name": settings.aws_region,
        "config": Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2),
    }
    endpoint = settings.s3_endpoint_url or settings.dynamodb_endpoint_url
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    return boto3.client("s3", **kwargs)


class S3PhotoStore:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client()
        return self._client

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from chalicelib.adapters.dynamo_errors import translate_errors

        with translate_errors():
            self.client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ServerSideEncryption="AES256",
            )

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        from chalicelib.adapters.dynamo_errors import translate_errors

        try:
            with translate_errors():
                response = self.client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            raise NotFoundError("no such photo") from exc
        return bytes(response["Body"].read())
