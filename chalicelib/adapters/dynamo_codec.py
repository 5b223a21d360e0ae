"""Plain Python values <-> DynamoDB attribute values.

Why: we use the low-level client (cheaper to import than the resource API) and keep numbers as
`Decimal`/`int` end to end; floats never reach DynamoDB.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any


@functools.cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@functools.cache
def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Serialize a dict of plain values; `None` values are dropped rather than stored as NULL."""
    ser = _serializer()
    return {k: ser.serialize(v) for k, v in values.items() if v is not None}


def to_value(value: Any) -> dict[str, Any]:
    return dict(_serializer().serialize(value))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    des = _deserializer()
    return {k: _plain(des.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    """Decimals that are whole numbers become ints so JSON and comparisons stay simple."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
