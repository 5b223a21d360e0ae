"""Test-wide environment: fake AWS credentials and a province configuration, never real AWS."""

from __future__ import annotations

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_NAMESPACE": "VehicleMaintenanceRecordsTest",
        "POWERTOOLS_SERVICE_NAME": "vmehr-test",
        "POWERTOOLS_DEV": "false",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray here (tests/functional/test_tracing.py)
        "STACK_ROLE": "province",
        "PROVINCE_CODE": "320000",
        "TABLE_NAME": "vmehr-test",
        "SIGNING_KEY": "test-signing-key-0123456789abcdef0123",
        "PHOTO_BUCKET": "vmehr-photos-test",
        "TOTP_KEY": "test-totp-key-0123456789abcdef0123456789",
        "AUDIT_DIGEST_BUCKET": "vmehr-audit-digests-test",
        "AUDIT_DIGEST_KEY": "test-audit-digest-key-0123456789abcdef",
    }
)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
