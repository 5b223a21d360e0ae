"""Full-jitter exponential back-off between rounds of a DynamoDB batch call.

Why: BatchGetItem (and BatchWriteItem) answer part of a request as "unprocessed" when a
partition is busy. Sending the rest again at once only adds to the load that refused it, and
without a cap a caller can spin for as long as the table stays busy. AWS asks for
exponential back-off with jitter; "full jitter" (sleep a random share of the exponential
step) spreads concurrent callers best. The sleep and the random source are fields, so tests
hand in a recorder instead of sleeping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

BASE_SECONDS = 0.05
CAP_SECONDS = 1.0
ROUNDS = 6
"""Calls per batch before giving up: five pauses, at most 0.05+0.1+0.2+0.4+0.8 = 1.55 s."""


@dataclass(frozen=True)
class Backoff:
    base: float = BASE_SECONDS
    cap: float = CAP_SECONDS
    rounds: int = ROUNDS
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        """The pause after failed round `attempt` (0-based): uniform in [0, min(cap, base·2ⁿ)]."""
        return self.random() * min(self.cap, self.base * 2**attempt)

    def pause(self, attempt: int) -> None:
        self.sleep(self.delay(attempt))


DEFAULT_BACKOFF = Backoff()
