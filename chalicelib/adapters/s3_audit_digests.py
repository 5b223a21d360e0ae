"""AuditDigestStore on S3: one object per stack and UTC day, written once, in a locked bucket.

Why: the digest must live where no role that writes the table can change it. The bucket has
S3 Object Lock in compliance mode (infra/cfn/audit_digests.py): no one, the account's root
included, can delete or overwrite a stored version until its retention ends, and only the
digest function's role may put objects at all. The write is conditional (`If-None-Match: *`),
so a second run for a day never adds a different version beside the first; reading takes
the first version, so a document put over it later (by whoever got past the bucket policy)
is no substitute for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.s3_photos import s3_client
from chalicelib.services.ports import StoredDigest

PREFIX = "audit-digests"
_ABSENT = {"404", "NoSuchKey", "NotFound"}
_TAKEN = {"412", "PreconditionFailed", "ConditionalRequestConflict"}


def digest_key(scope: str, day: date) -> str:
    return f"{PREFIX}/{scope}/{day.isoformat()}.json"


class S3AuditDigestStore:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client()
        return self._client

    def exists(self, scope: str, day: date) -> bool:
        try:
            with translate_errors():
                self.client.head_object(Bucket=self._bucket, Key=digest_key(scope, day))
        except Exception as exc:
            if error_code(exc) in _ABSENT:
                return False
            raise
        return True

    def get(self, scope: str, day: date) -> StoredDigest | None:
        """The first version of the day's digest: the digest run writes one, once, so a later
        version (or a delete marker over it) is someone else's, and said so."""
        key = digest_key(scope, day)
        with translate_errors():
            listing = self.client.list_object_versions(Bucket=self._bucket, Prefix=key)
        # S3 lists a key's versions newest first.
        versions = [v for v in listing.get("Versions", []) if v["Key"] == key]
        markers = [m for m in listing.get("DeleteMarkers", []) if m["Key"] == key]
        if not versions:
            return None
        with translate_errors():
            response = self.client.get_object(
                Bucket=self._bucket, Key=key, VersionId=versions[-1]["VersionId"]
            )
        hidden = any(m.get("IsLatest") for m in markers)
        return StoredDigest(bytes(response["Body"].read()), len(versions), hidden)

    def put_new(self, scope: str, day: date, document: bytes) -> bool:
        try:
            with translate_errors():
                self.client.put_object(
                    Bucket=self._bucket,
                    Key=digest_key(scope, day),
                    Body=document,
                    ContentType="application/json",
                    IfNoneMatch="*",
                    # A bucket with Object Lock refuses a put without an integrity checksum.
                    ChecksumAlgorithm="SHA256",
                    ServerSideEncryption="AES256",
                )
        except Exception as exc:
            if error_code(exc) in _TAKEN:
                return False
            raise
        return True
