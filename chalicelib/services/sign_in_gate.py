"""The sign-in gate: every token door counts an attempt before it evaluates a secret.

Why: companycodes are public and usernames guessable, so a lockout counted per principal
alone let anyone lock a shop, a regulator or a province's exchange credential out with five
wrong secrets; and a lockout that read the count, evaluated, then added one let 40 parallel
guesses through a limit of 5. Here every attempt first adds itself to shared counters (one
atomic `ADD` each, returning the new count) and the secret is evaluated only if every count
is within its limit, so at most `limit` wrong secrets per window are evaluated however many
arrive at once. The counters, each in a window that starts at its first attempt:

- **source**: failures from one source address across all principals and doors
  (`per_source`), so one address spraying many companycodes is refused;
- **principal from source**: failures for one principal from one source
  (`per_principal_source`), so an attacker locks only itself out of that principal: the
  owner still signs in from anywhere else. A success from that source clears it;
- **principal** (regulators only, whose passwords may be chosen by people): failures for one
  account from every source. Above `principal_ceiling`, only sources the account signed in
  from within `known_source_seconds` are still admitted, so a many-source attacker cannot
  lock the account out of the places its owner works from.

An attempt refused at a later gate, and a success, give back what the earlier gates counted:
the source and principal budgets count failures only, so shops behind one shared address, or
a province forwarder fetching tokens, never spend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from chalicelib.errors import LockedOutError
from chalicelib.services.ports import AttemptCount, AttemptCounter, Clock

KNOWN_SOURCE_SECONDS = 30 * 86400
# Regulators' account-wide ceiling, as a multiple of the per-source limit: several offices
# mistyping on one morning stay far below it; an attacker rotating addresses reaches it soon.
PRINCIPAL_CEILING_FACTOR = 4


@dataclass(frozen=True)
class GateLimits:
    per_principal_source: int
    per_source: int
    window_seconds: int
    principal_ceiling: int
    known_source_seconds: int = KNOWN_SOURCE_SECONDS

    @classmethod
    def of(cls, max_failures: int, source_max_failures: int, window_seconds: int) -> GateLimits:
        return cls(
            per_principal_source=max_failures,
            per_source=source_max_failures,
            window_seconds=window_seconds,
            principal_ceiling=max_failures * PRINCIPAL_CEILING_FACTOR,
        )


class SignInRefusedError(LockedOutError):
    """Refused before the secret was evaluated; `limit` names the counter that was full
    ("source", "principal_source" or "principal"), for the audit trail only."""

    def __init__(self, retry_after: int, limit: str) -> None:
        super().__init__("too many failed sign-ins; try again later", retry_after)
        self.limit = limit


@dataclass(frozen=True)
class Admission:
    """An attempt the gate let through, and what it counted (to give back on success)."""

    kind: str
    principal_id: str
    source: str
    counted: tuple[str, ...]
    guarded: bool


class SignInGate:
    def __init__(self, counter: AttemptCounter, clock: Clock, limits: GateLimits) -> None:
        self._counter = counter
        self._clock = clock
        self._limits = limits

    def admit(
        self, kind: str, principal_id: str, source: str, *, guard_principal: bool = False
    ) -> Admission:
        """Count this attempt; evaluate the secret only if this returns.

        An empty `principal_id` (a malformed name) counts against the source only.

        Raises
        ------
        SignInRefusedError
            A counter is over its limit; nothing was evaluated, earlier counters were given
            back, and `retry_after` is when that counter's window ends.
        """
        now = self._clock.now()
        source = (source or "unknown")[:64]
        counted: list[str] = []
        self._count(_source_bucket(source), self._limits.per_source, "source", now, counted)
        if not principal_id:
            return Admission(kind, principal_id, source, tuple(counted), guarded=False)
        pair = _pair_bucket(kind, principal_id, source)
        self._count(pair, self._limits.per_principal_source, "principal_source", now, counted)
        if guard_principal:
            bucket = _principal_bucket(kind, principal_id)
            tally = self._counter.count(bucket, now, self._limits.window_seconds)
            known = _known_bucket(kind, principal_id, source)
            if tally.count > self._limits.principal_ceiling and not self._counter.marked(
                known, now
            ):
                self._refuse(tally, "principal", now, counted)
            counted.append(bucket)
        return Admission(kind, principal_id, source, tuple(counted), guard_principal)

    def succeeded(self, admission: Admission) -> None:
        """The secret was right: clear the principal's count from this source, give back the
        shared budgets, and remember the source for the account-wide ceiling."""
        now = self._clock.now()
        pair = _pair_bucket(admission.kind, admission.principal_id, admission.source)
        for bucket in admission.counted:
            if bucket == pair:
                self._counter.clear(bucket, now)
            else:
                self._counter.release(bucket, now)
        if admission.guarded:
            known = _known_bucket(admission.kind, admission.principal_id, admission.source)
            self._counter.mark(known, now + timedelta(seconds=self._limits.known_source_seconds))

    def _count(self, bucket: str, limit: int, name: str, now: datetime, counted: list[str]) -> None:
        tally = self._counter.count(bucket, now, self._limits.window_seconds)
        if tally.count > limit:
            self._refuse(tally, name, now, counted)
        counted.append(bucket)

    def _refuse(
        self, tally: AttemptCount, name: str, now: datetime, counted: list[str]
    ) -> NoReturn:
        for earlier in counted:
            self._counter.release(earlier, now)
        retry_after = int((tally.window_ends - now).total_seconds())
        raise SignInRefusedError(max(retry_after, 1), name)


def _source_bucket(source: str) -> str:
    return f"src#{source}"


def _pair_bucket(kind: str, principal_id: str, source: str) -> str:
    return f"{kind}#{principal_id}@{source}"


def _principal_bucket(kind: str, principal_id: str) -> str:
    return f"{kind}#{principal_id}"


def _known_bucket(kind: str, principal_id: str, source: str) -> str:
    return f"known#{kind}#{principal_id}@{source}"
