"""Send exchange items to the ministry in requests cut by size; answer for each item.

Why: the forwarder and the dead-letter re-drive both send items that can each be a few hundred
kilobytes. Items are packed in order into requests under the byte budget
(chalicelib/exchange/requests.py); a request refused for its size (HTTP 413, say from a proxy
with a lower limit) is halved until it passes; an item that cannot be sent alone is answered
`hopeless` at once, so it is parked instead of retried and never holds back the others. Once
the ministry is found down, the remaining requests are not sent (each would wait out its
timeout): their items fail with the same reason and are retried later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.exchange.requests import REQUEST_BUDGET_BYTES, RequestTooLargeError, encode, pack
from chalicelib.observability import logger

OK_RESULTS = ("applied", "duplicate", "stale")


class Ministry(Protocol):
    def send(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST one request of items; the ministry's answers in order.

        Raises RequestTooLargeError for a 413, any other exception when it is unreachable.
        """


@dataclass(frozen=True)
class Delivery:
    """What became of one item: delivered (or already held), or why not."""

    delivered: bool
    reason: str = ""
    hopeless: bool = False  # too large to send at all: a retry cannot succeed


def deliver(
    ministry: Ministry, items: Sequence[dict[str, Any]], budget: int = REQUEST_BUDGET_BYTES
) -> list[Delivery]:
    """Send every item once, in order, in requests of at most `budget` bytes."""
    sizes = [len(encode(item)) for item in items]
    requests, too_large = pack(sizes, budget)
    outcomes: dict[int, Delivery] = {
        i: Delivery(
            False,
            f"the item's {sizes[i]} bytes exceed the exchange request budget of {budget} bytes",
            hopeless=True,
        )
        for i in too_large
    }
    down = ""
    for request in requests:
        down = _send(ministry, items, request, outcomes, down)
    return [outcomes[i] for i in range(len(items))]


def _send(
    ministry: Ministry,
    items: Sequence[dict[str, Any]],
    request: list[int],
    outcomes: dict[int, Delivery],
    down: str,
) -> str:
    """Send one request (halved on 413) unless the ministry is down; return why it is down."""
    if down:
        outcomes.update((i, Delivery(False, down)) for i in request)
        return down
    try:
        results = ministry.send([items[i] for i in request])
        if len(results) != len(request):
            raise ValueError("the ministry answered a different number of items")
    except RequestTooLargeError:
        if len(request) == 1:
            reason = "the ministry refused the item alone for its size (HTTP 413)"
            outcomes[request[0]] = Delivery(False, reason, hopeless=True)
            return ""
        half = len(request) // 2
        down = _send(ministry, items, request[:half], outcomes, down)
        return _send(ministry, items, request[half:], outcomes, down)
    except Exception as exc:  # the ministry is down or misbehaving: this request failed
        logger.warning("ministry exchange failed", extra={"error": str(exc)})
        outcomes.update((i, Delivery(False, str(exc) or type(exc).__name__)) for i in request)
        return str(exc) or type(exc).__name__
    for index, result in zip(request, results, strict=True):
        ok = result.get("result") in OK_RESULTS
        outcomes[index] = Delivery(True) if ok else Delivery(False, _reason(result))
    return ""


def _reason(result: dict[str, Any]) -> str:
    """The ministry's reason (exchange/v1 names the field and rule in it)."""
    return str(result.get("reason") or result.get("result"))
