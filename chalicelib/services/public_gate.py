"""Abuse resistance of the public endpoints: limits per client address and per VIN.

Why: the history, evaluation and complaint endpoints need no account, so the only brake on
someone guessing plates or settlement numbers (or flooding shops with complaints) is a limit
on how often one client address may ask, and how often any VIN may be asked about. Both
counters are hit on every attempt whether the VIN exists or not, so the limit itself never
tells which VINs the province holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import RateLimitedError
from chalicelib.services.ports import Clock, RateCounter

IP_WINDOW_SECONDS = 600
VIN_WINDOW_SECONDS = 3600
SUBMIT_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Limits:
    per_ip: int
    per_vin: int
    submissions_per_ip: int


class PublicGate:
    def __init__(self, counter: RateCounter, clock: Clock, limits: Limits) -> None:
        self._counter = counter
        self._clock = clock
        self._limits = limits

    def admit(self, source_ip: str, vin: str | None = None, *, submission: bool = False) -> None:
        """Count this request; raise RateLimitedError (429) once any limit is passed."""
        now = self._clock.now()
        checks = [(f"ip#{source_ip}", IP_WINDOW_SECONDS, self._limits.per_ip)]
        if vin:
            checks.append(
                (f"vin#{normalize_vin(vin)[:32]}", VIN_WINDOW_SECONDS, self._limits.per_vin)
            )
        if submission:
            checks.append(
                (f"submit#{source_ip}", SUBMIT_WINDOW_SECONDS, self._limits.submissions_per_ip)
            )
        for bucket, window, limit in checks:
            if self._counter.hit(bucket, window, now) > limit:
                elapsed = int(now.timestamp()) % window
                raise RateLimitedError("too many requests; try again later", window - elapsed)
