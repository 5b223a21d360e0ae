"""The complaint photo bucket of a province: created locally (moto) with the settings a
deployment template gives it (private, encrypted at rest).

Why: local runs and tests need the same bucket the deployed stack has, under the name the
stack's environment gives (`PHOTO_BUCKET`).
"""

from __future__ import annotations

from typing import Any


def photo_bucket_name(table_name: str) -> str:
    """Local convention: one bucket per stack, named after its table."""
    return f"{table_name}-photos".lower()


def create_photo_bucket(s3: Any, bucket: str, region: str) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
