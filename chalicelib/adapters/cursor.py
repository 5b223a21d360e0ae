"""Opaque paging cursors: DynamoDB's LastEvaluatedKey, encoded for clients and checked back.

Why: a cursor comes back from the client, so it is untrusted input. Decoding checks that it
belongs to the listing being asked for (the same partition), so a shop cannot page into
another shop's partition by editing one. Its JSON is read within the nesting limit (a cursor of
100,000 `[` raised RecursionError: a 500).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.domain.json_limits import loads_bounded
from chalicelib.errors import FieldError, ValidationFailedError


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(from_item(last_key), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str, partition_attr: str, expected_partition: str) -> dict[str, Any]:
    try:
        data = loads_bounded(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _invalid() from exc
    if (
        not isinstance(data, dict)
        or data.get(partition_attr) != expected_partition
        or not all(isinstance(v, str) for v in data.values())
    ):
        raise _invalid()
    return to_item(data)


def _invalid() -> ValidationFailedError:
    return ValidationFailedError(
        [FieldError("cursor", "valid_cursor", "cursor is not one this API issued")]
    )
