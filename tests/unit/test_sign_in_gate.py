"""The sign-in gate's counting rules, on the in-memory counter of tests/fakes.py (the DynamoDB
one is exercised by tests/functional/abuse/test_token_doors.py)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.services.sign_in_gate import GateLimits, SignInGate, SignInRefusedError
from tests.fakes import FakeClock, InMemorySignInAttempts

LIMITS = GateLimits.of(max_failures=5, source_max_failures=20, window_seconds=900)


def _gate() -> tuple[SignInGate, InMemorySignInAttempts, FakeClock]:
    counter, clock = InMemorySignInAttempts(), FakeClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    return SignInGate(counter, clock, LIMITS), counter, clock


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.lists(
        st.tuples(st.sampled_from(["shop", "regulator"]), st.integers(0, 3), st.integers(0, 30)),
        max_size=120,
    )
)
def test_wrong_secrets_evaluated_in_one_window_never_exceed_any_limit(attempts):
    # Given a gate, and any sequence of wrong secrets for four principals from 31 addresses
    gate, _, _ = _gate()
    evaluated: Counter[tuple[str, ...]] = Counter()
    for kind, principal, source in attempts:
        principal_id, address = f"p{principal}", f"203.0.113.{source}"
        try:
            gate.admit(kind, principal_id, address, guard_principal=kind == "regulator")
        except SignInRefusedError:
            continue
        # When each admitted attempt is evaluated (and found wrong: nothing is given back)
        evaluated[("pair", kind, principal_id, address)] += 1
        evaluated[("source", address)] += 1
        evaluated[("principal", kind, principal_id)] += 1
    # Then no counter let more through than its limit
    for key, count in evaluated.items():
        if key[0] == "pair":
            assert count <= LIMITS.per_principal_source
        elif key[0] == "source":
            assert count <= LIMITS.per_source
        elif key[1] == "regulator":
            assert count <= LIMITS.principal_ceiling


def test_a_refusal_gives_back_what_earlier_counters_counted():
    # Given a principal locked from one address
    gate, counter, _ = _gate()
    for _ in range(5):
        gate.admit("shop", "320102000000001", "203.0.113.1")
    # When the address keeps trying that principal
    for _ in range(10):
        with pytest.raises(SignInRefusedError) as refused:
            gate.admit("shop", "320102000000001", "203.0.113.1")
        assert refused.value.limit == "principal_source"
    # Then the address's budget holds only the five evaluated failures
    assert counter.buckets["src#203.0.113.1"][0] == 5


def test_a_success_clears_its_source_and_gives_back_the_shared_budgets():
    # Given a regulator with two typos and then the right secret from its office
    gate, counter, _ = _gate()
    for _ in range(2):
        gate.admit("regulator", "wang", "198.51.100.2", guard_principal=True)
    admission = gate.admit("regulator", "wang", "198.51.100.2", guard_principal=True)
    # When the gate hears it succeeded
    gate.succeeded(admission)
    # Then that address's count for it starts again, the budgets hold only the typos,
    # and the office is remembered for the account-wide ceiling
    assert counter.buckets["regulator#wang@198.51.100.2"][0] == 0
    assert counter.buckets["src#198.51.100.2"][0] == 2
    assert counter.buckets["regulator#wang"][0] == 2
    assert counter.marked(
        "known#regulator#wang@198.51.100.2", counter.buckets["src#198.51.100.2"][1]
    )


def test_retry_after_is_the_end_of_the_full_counters_window():
    # Given five failures, the first at 09:00
    gate, _, clock = _gate()
    for minute in range(5):
        clock.at = datetime(2026, 5, 4, 9, minute, tzinfo=UTC)
        gate.admit("oem", "OEM1", "203.0.113.1")
    # When the sixth comes at 09:10
    clock.at = datetime(2026, 5, 4, 9, 10, tzinfo=UTC)
    with pytest.raises(SignInRefusedError) as refused:
        gate.admit("oem", "OEM1", "203.0.113.1")
    # Then it may retry when the window that began at 09:00 ends, at 09:15
    assert refused.value.retry_after == 300
