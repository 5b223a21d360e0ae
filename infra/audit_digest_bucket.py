"""The audit digest bucket of a stack, created locally (moto) as the deployment template does.

Why: local runs and tests need the bucket the digest function writes to, with the settings
that make a digest permanent: S3 Object Lock in compliance mode with a default retention,
versioning (which Object Lock requires), public access blocked, encryption at rest; under the
name the stack's environment gives (`AUDIT_DIGEST_BUCKET`).
"""

from __future__ import annotations

from typing import Any

LOCAL_RETENTION_DAYS = 180  # the floor the template allows (AuditDigestRetentionDays)


def audit_digest_bucket_name(table_name: str) -> str:
    """Local convention: one bucket per stack, named after its table."""
    return f"{table_name}-audit-digests".lower()


def create_audit_digest_bucket(
    s3: Any, bucket: str, region: str, retention_days: int = LOCAL_RETENTION_DAYS
) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": region},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": retention_days}},
        },
    )
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
