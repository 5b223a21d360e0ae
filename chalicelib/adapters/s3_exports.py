"""ExportSink on S3: a CSV streamed into a multipart upload, downloaded by a short-lived link.

Why: an export can be larger than any Lambda response or memory, so it is written in parts of
5 MiB (S3's minimum part size) as it is produced, and handed out as a presigned link that
expires after 15 minutes. It shares the province's private bucket with the complaint photos,
under `exports/`.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.s3_photos import s3_client

PART_BYTES = 5 * 1024 * 1024
LINK_SECONDS = 900


class S3MultipartWriter:
    def __init__(self, client: Any, bucket: str, key: str, content_type: str) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None

    def write(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= PART_BYTES:
            self._flush()

    def close(self) -> None:
        if self._upload_id is None:  # small: one plain object
            self._client.put_object(
                Bucket=self._bucket,
                Key=self._key,
                Body=bytes(self._buffer),
                ContentType=self._content_type,
                ServerSideEncryption="AES256",
            )
            return
        if self._buffer:
            self._flush()
        self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    def abort(self) -> None:
        if self._upload_id is not None:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
        self._buffer.clear()

    def _flush(self) -> None:
        if self._upload_id is None:
            created = self._client.create_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                ContentType=self._content_type,
                ServerSideEncryption="AES256",
            )
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        response = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})
        self._buffer.clear()


class S3ExportSink:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client()
        return self._client

    def open(self, key: str, content_type: str) -> S3MultipartWriter:
        return S3MultipartWriter(self.client, self._bucket, key, content_type)

    def link(self, key: str, filename: str) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=LINK_SECONDS,
            )
        )
