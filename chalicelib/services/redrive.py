"""Re-drive the forwarder's dead-letter queue once the cause is fixed.

Why: parked changes must reach the ministry eventually; an operator runs
`python -m infra.admin redrive` and every parked change is sent again, in requests cut by size
like the forwarder's. A change the ministry now accepts (or already holds) is removed from the
queue; one it still refuses, or that cannot be sent, stays parked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.exchange.requests import REQUEST_BUDGET_BYTES
from chalicelib.services.exchange_delivery import Ministry, deliver


class ParkedQueue(Protocol):
    def receive(self, max_messages: int = 10) -> list[tuple[str, dict[str, Any]]]: ...

    def delete(self, receipt_handle: str) -> None: ...


@dataclass
class RedriveReport:
    delivered: int = 0
    still_refused: int = 0


def redrive(
    queue: ParkedQueue,
    ministry: Ministry,
    max_rounds: int = 1000,
    request_budget: int = REQUEST_BUDGET_BYTES,
) -> RedriveReport:
    report = RedriveReport()
    for _ in range(max_rounds):
        messages = queue.receive(10)
        if not messages:
            break
        outcomes = deliver(ministry, [body["item"] for _, body in messages], request_budget)
        for (handle, _), outcome in zip(messages, outcomes, strict=True):
            if outcome.delivered:
                queue.delete(handle)
                report.delivered += 1
            else:
                report.still_refused += 1
        if report.still_refused and not report.delivered:
            break  # everything left is still refused: stop instead of spinning
    return report
