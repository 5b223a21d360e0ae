"""Re-drive the forwarder's dead-letter queue once the cause is fixed.

Why: parked changes must reach the ministry eventually; an operator runs
`python -m infra.admin redrive` and every parked change is sent again. A change the ministry
now accepts (or already holds) is removed from the queue; one it still refuses stays parked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.services.forward_changes import OK_RESULTS, Ministry


class ParkedQueue(Protocol):
    def receive(self, max_messages: int = 10) -> list[tuple[str, dict[str, Any]]]: ...

    def delete(self, receipt_handle: str) -> None: ...


@dataclass
class RedriveReport:
    delivered: int = 0
    still_refused: int = 0


def redrive(queue: ParkedQueue, ministry: Ministry, max_rounds: int = 1000) -> RedriveReport:
    report = RedriveReport()
    for _ in range(max_rounds):
        messages = queue.receive(10)
        if not messages:
            break
        results = ministry.send([body["item"] for _, body in messages])
        for (handle, _), result in zip(messages, results, strict=True):
            if result.get("result") in OK_RESULTS:
                queue.delete(handle)
                report.delivered += 1
            else:
                report.still_refused += 1
        if report.still_refused and not report.delivered:
            break  # everything left is still refused: stop instead of spinning
    return report
