"""Property tests (hypothesis) of the other domain rules: VIN, plate, statistics, ratings and
the complaint workflow, each against an oracle stated here.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain.complaint import Complaint, step
from chalicelib.domain.evaluation import DEFAULT_PRIOR_MEAN, shrunk
from chalicelib.domain.plate import normalize_plate, plate_flags
from chalicelib.domain.statistics import (
    TIMELINESS_BUCKETS,
    RecordChange,
    change_deltas,
    coalesce,
    province_scopes,
    timeliness_bucket,
)
from chalicelib.domain.vin import check_digit, normalize_vin, vin_flags
from chalicelib.errors import ConflictError

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
PROPERTIES = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)

# --- VIN (GB 16735 / ISO 3779) ---------------------------------------------------------------

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# ISO 3779 transliteration, written as the standard's table reads (I, O, Q never occur).
_VALUE = dict(zip("0123456789", range(10), strict=True)) | dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, *range(2, 10)],
        strict=True)
)  # fmt: skip
_POSITION_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
_vin_bodies = st.lists(st.sampled_from(_VIN_CHARS), min_size=17, max_size=17).map("".join)


def _with_check_digit(body: str) -> str:
    digit = check_digit(body)
    assert digit is not None
    return body[:8] + digit + body[9:]


@PROPERTIES
@given(body=_vin_bodies)
def test_a_vin_with_its_check_digit_has_no_flag_and_the_oracle_agrees(body):
    # Given a 17-character VIN completed with its computed check digit
    vin = _with_check_digit(body)
    # Then it carries no flag, and the weighted sum (with the digit's value) is ≡ itself mod 11
    assert vin_flags(vin) == []
    total = sum(_VALUE[c] * w for c, w in zip(vin, _POSITION_WEIGHTS, strict=True))
    assert (total % 11) == (10 if vin[8] == "X" else int(vin[8]))


@PROPERTIES
@given(body=_vin_bodies, position=st.integers(0, 16), replacement=st.sampled_from(_VIN_CHARS))
def test_any_single_substitution_outside_the_check_position_is_caught(body, position, replacement):
    # Given a valid VIN and one character replaced by another of a different value
    vin = _with_check_digit(body)
    if position == 8 or _VALUE[replacement] == _VALUE[vin[position]]:
        return
    typo = vin[:position] + replacement + vin[position + 1 :]
    # Then the check digit catches it (weights 2-10 and value changes 1-9 are never ≡ 0 mod 11)
    assert vin_flags(typo) == ["vin_check_digit"]


@PROPERTIES
@given(vin=st.text(_VIN_CHARS + "IOQ", min_size=1, max_size=32))
def test_length_and_charset_flags(vin):
    flags = vin_flags(vin)
    assert ("vin_length" in flags) == (len(vin) != 17)
    assert ("vin_charset" in flags) == any(c in "IOQ" for c in vin)


@PROPERTIES
@given(vin=st.text(_VIN_CHARS.lower() + _VIN_CHARS + " \t", max_size=40))
def test_vin_normalisation_is_idempotent_and_drops_every_space(vin):
    once = normalize_vin(vin)
    assert normalize_vin(once) == once
    assert " " not in once and once == once.upper()


# --- plates (GA 36) --------------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_ordinary = st.builds(
    lambda p, letter, rest: p + letter + rest,
    st.sampled_from(_PROVINCES),
    st.sampled_from(_LETTERS),
    st.text(_LETTERS + "0123456789", min_size=5, max_size=5),
)
_new_energy = st.builds(
    lambda p, letter, kind, rest, first: p + letter + (kind + rest if first else rest + kind),
    st.sampled_from(_PROVINCES),
    st.sampled_from(_LETTERS),
    st.sampled_from("DF"),
    st.text("0123456789", min_size=5, max_size=5),
    st.booleans(),
)


@PROPERTIES
@given(plate=_ordinary | _new_energy, separator=st.sampled_from(["·", " ", "-", ".", "•", ""]))
def test_national_plates_pass_whatever_separator_and_case(plate, separator):
    # Given a plate of a national format, written with a separator after the issuing letter
    written = (plate[:2] + separator + plate[2:]).lower()
    # When it is normalised
    normalised = normalize_plate(written)
    # Then it is the plate itself, with no flag; normalising again changes nothing
    assert normalised == plate.upper()
    assert plate_flags(normalised) == []
    assert normalize_plate(normalised) == normalised


@PROPERTIES
@given(plate=st.text(min_size=0, max_size=12))
def test_a_plate_gets_at_most_one_flag_and_empty_is_missing(plate):
    flags = plate_flags(normalize_plate(plate))
    assert len(flags) <= 1
    assert (flags == ["plate_missing"]) == (normalize_plate(plate) == "")


# --- statistics ------------------------------------------------------------------------------

_MOMENTS = st.datetimes(datetime(2023, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC))


@st.composite
def changes(draw: st.DrawFn) -> RecordChange:
    received = draw(_MOMENTS)
    version = draw(st.integers(1, 4))
    return RecordChange(
        record_id=draw(st.sampled_from(["a" * 32, "b" * 32, "c" * 32, "d" * 32])),
        version=version,
        status=draw(st.sampled_from(["active", "void"])) if version > 1 else "active",
        companycode=draw(st.sampled_from(["320102000000001", "320102000000002"])),
        shop_class=draw(st.sampled_from(["class_1", "class_2"])),
        settlement_date=(received - timedelta(days=draw(st.integers(0, 10)))).date(),
        received_at=received,
        changed_at=received + timedelta(hours=draw(st.integers(0, 100))),
        flag_codes=tuple(draw(st.lists(st.sampled_from(["mileage_zero", "vin_length"]),
                                       unique=True, max_size=2))),
    )  # fmt: skip


@PROPERTIES
@given(batch=st.lists(changes(), max_size=30))
def test_coalesced_counters_equal_the_sum_of_each_changes_deltas(batch):
    # Given a batch of changes (a change id appears once: the stream carries each once)
    unique = list({c.change_id: c for c in batch}.values())
    # When it is coalesced into counter items
    updates = coalesce(unique, "province")
    # Then per scope (shop, province, division, shop-month) the counters add up to every
    # change's deltas, once
    expected: dict[str, int] = {}
    for change in unique:
        for name, value in change_deltas(change).items():
            expected[name] = expected.get(name, 0) + value
    for scope in {key.scope for key in updates}:
        summed: dict[str, int] = {}
        for key, update in updates.items():
            if key.scope == scope:
                for name, value in update.totals().items():
                    summed[name] = summed.get(name, 0) + value
        assert summed == expected, scope
    # and each change lands in exactly one item of each scope the stack keeps
    for change in unique:
        homes = [k for k, u in updates.items() if change.change_id in u.contributions]
        assert sorted(k.scope for k in homes) == sorted(k.scope for k in province_scopes(change))
        assert len({k.scope for k in homes}) == len(homes)


@PROPERTIES
@given(
    settled=st.dates(date(2023, 1, 1), date(2025, 12, 31)),
    first=st.integers(-48 * 3600, 10 * 24 * 3600),
    later=st.integers(0, 10 * 24 * 3600),
)
def test_timeliness_buckets_never_improve_with_delay(settled, first, later):
    # Given two receipts of the same settlement, the second no earlier than the first
    midnight = datetime(settled.year, settled.month, settled.day, 16, tzinfo=UTC)  # 24:00 CST
    early = midnight + timedelta(seconds=first)
    late = early + timedelta(seconds=later)
    # Then the later one is never in a better bucket
    order = TIMELINESS_BUCKETS.index
    assert order(timeliness_bucket(settled, early)) <= order(timeliness_bucket(settled, late))
    # and the bucket edges are the documented ones: ≤ 1 h, ≤ 24 h, ≤ 72 h, > 72 h
    delay = early - midnight
    expected = next(
        (name for name, hours in zip(TIMELINESS_BUCKETS, (1, 24, 72), strict=False)
         if delay <= timedelta(hours=hours)),
        "t_gt_72h",
    )  # fmt: skip
    assert timeliness_bucket(settled, early) == expected


# --- ratings ---------------------------------------------------------------------------------

_CENT = Decimal("0.01")


@PROPERTIES
@given(
    means=st.lists(st.integers(5, 25), min_size=1, max_size=60),  # sums of five 1-5 scores
    prior=st.sampled_from([DEFAULT_PRIOR_MEAN, Decimal("2.1"), Decimal("4.7")]),
)
def test_the_shrunk_rating_lies_between_the_prior_and_the_raw_mean(means, prior):
    # Given n evaluations (their means) and the province's prior
    overall = [Decimal(s) / 5 for s in means]
    total, n = sum(overall, Decimal(0)), len(overall)
    raw = total / n
    # When the shop's rating is shrunk toward the prior
    rating = shrunk(total, n, prior)
    # Then it lies between the prior and the raw mean (to the cent it is rounded to)
    low, high = min(prior, raw), max(prior, raw)
    assert low - _CENT / 2 <= rating <= high + _CENT / 2


@PROPERTIES
@given(
    score_sum=st.integers(5, 25),
    n=st.integers(1, 200),
    more=st.integers(1, 200),
    prior=st.sampled_from([DEFAULT_PRIOR_MEAN, Decimal("2.1"), Decimal("4.7")]),
)
def test_more_evaluations_move_the_rating_toward_the_raw_mean(score_sum, n, more, prior):
    # Given a shop whose evaluations all have the same mean, first n of them, then n + more
    mean = Decimal(score_sum) / 5
    few, many = shrunk(mean * n, n, prior), shrunk(mean * (n + more), n + more, prior)
    # Then the rating with more evaluations is no further from that mean (up to rounding)
    assert abs(many - mean) <= abs(few - mean) + _CENT


# --- complaint workflow ----------------------------------------------------------------------

# The oracle: docs/assumptions.md "Complaints", as a table of (action, who) -> from -> to.
ALLOWED = {
    ("accept", "regulator"): ({"submitted"}, "accepted"),
    ("reject", "regulator"): ({"submitted"}, "rejected"),
    ("reply", "shop"): ({"accepted"}, "replied"),
    ("close", "regulator"): ({"accepted", "replied"}, "closed"),
}
TERMINAL = {"rejected", "resolved", "unresolved"}


def _complaint(status: str) -> Complaint:
    now = datetime(2024, 3, 2, tzinfo=UTC)
    return Complaint(
        complaint_id="TS" + "A" * 16,
        kind="incorrect",
        status=status,  # type: ignore[arg-type]
        companycode="320102000000001",
        vin="1M8GDM9AXKP042788",
        plate_number="苏A12345",
        settlement_list_code="A-1",
        settlement_date=None,
        text="记录有误",
        created_at=now,
        updated_at=now,
    )


class ComplaintWorkflow(RuleBasedStateMachine):
    """Any sequence of (action, actor) on one complaint, judged by `step` and the oracle."""

    def __init__(self) -> None:
        super().__init__()
        self.status = "submitted"
        self.replies = 0

    @rule(
        action=st.sampled_from(["accept", "reject", "reply", "close"]),
        actor=st.sampled_from(["regulator", "shop", "public"]),
        outcome=st.sampled_from(["resolved", "unresolved"]),
    )
    def act(self, action: str, actor: str, outcome: str) -> None:
        allowed_from, target = ALLOWED.get((action, actor), (set(), ""))
        # The shop replies once (the service refuses a second reply: already_replied).
        oracle_allows = self.status in allowed_from or (
            (action, actor) == ("reply", "shop") and self.status == "replied"
        )
        try:
            step(_complaint(self.status), action, actor)
        except ConflictError:
            assert not oracle_allows, (self.status, action, actor)
            return
        assert oracle_allows, (self.status, action, actor)
        if action == "reply":
            self.replies += 1
        self.status = outcome if target == "closed" else target

    @precondition(lambda self: self.status in TERMINAL)
    @rule(action=st.sampled_from(["accept", "reject", "reply", "close"]),
          actor=st.sampled_from(["regulator", "shop"]))  # fmt: skip
    def nothing_follows_a_closed_complaint(self, action: str, actor: str) -> None:
        with pytest.raises(ConflictError):
            step(_complaint(self.status), action, actor)

    @invariant()
    def status_is_one_the_workflow_knows(self) -> None:
        assert self.status in {"submitted", "accepted", "replied"} | TERMINAL


ComplaintWorkflow.TestCase.settings = settings(
    max_examples=max(EXAMPLES // 3, 20), derandomize=True, deadline=None, database=None
)
test_complaint_workflow_reaches_no_forbidden_state = ComplaintWorkflow.TestCase
