"""Exchange requests by size: the body's encoding, its byte limits, and items packed into bodies.

Why: one maximum-size record is about 260 KB as an item, so a count of items says nothing
about a body's size. The ministry's door takes what Lambda takes (6 MiB); a province cuts its
items into requests of at most `REQUEST_BUDGET_BYTES` and `MAX_ITEMS`, measured on the exact
bytes it sends (compact JSON, UTF-8), leaving room for the API Gateway event around the body.
An item that alone exceeds the budget can never be sent and is reported, not retried.
Standard library only: the province's forwarder and redrive, and the HTTP client, use it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

CONTRACT = "exchange/v1"
MAX_ITEMS = 100
MAX_BODY_BYTES = 6 * 1024 * 1024  # the ministry's door: Lambda's synchronous payload limit
REQUEST_BUDGET_BYTES = 5 * 1024 * 1024  # a province's requests: 1 MiB under the door


class RequestTooLargeError(Exception):
    """The ministry (or a proxy before it) refused a request for its size (HTTP 413)."""


def encode(body: Any) -> bytes:
    """The bytes sent for a body (and measured for packing): compact JSON, UTF-8 as is."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def envelope(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"contract": CONTRACT, "items": items}


ENVELOPE_BYTES = len(encode(envelope([])))


def body_size(item_sizes: Sequence[int]) -> int:
    """The encoded size of an envelope holding items of these encoded sizes (commas included)."""
    return ENVELOPE_BYTES + sum(item_sizes) + max(len(item_sizes) - 1, 0)


def pack(
    item_sizes: Sequence[int],
    budget: int = REQUEST_BUDGET_BYTES,
    max_items: int = MAX_ITEMS,
) -> tuple[list[list[int]], list[int]]:
    """Cut items, in order, into requests of at most `budget` bytes and `max_items` items.

    Returns (requests as lists of item indexes, indexes of items too large to send alone).
    Order is kept within and across requests, so the ministry sees a record's versions in the
    order the stream gave them.
    """
    requests: list[list[int]] = []
    too_large: list[int] = []
    current: list[int] = []
    size = ENVELOPE_BYTES
    for index, item_size in enumerate(item_sizes):
        if body_size([item_size]) > budget:
            too_large.append(index)
            continue
        grown = size + item_size + (1 if current else 0)
        if current and (grown > budget or len(current) >= max_items):
            requests.append(current)
            current, grown = [], ENVELOPE_BYTES + item_size
        current.append(index)
        size = grown
    if current:
        requests.append(current)
    return requests, too_large
