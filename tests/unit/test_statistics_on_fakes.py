"""The statistics aggregator counts each change once, whatever Lambda does with the batches.

Why: Lambda delivers stream records at least once, retries a failed batch from its lowest
failed record and may hand the same change over again in a later batch. The aggregator's
answer (which deliveries failed) and the store's per-change markers must make every counter
equal a recount from the changes themselves. Here the store is the in-memory one, which keeps
the same markers as DynamoDB's, and the changes are the typed ones the stream edge hands over.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.changes import Delivered, StatisticsChange, Unreadable
from chalicelib.domain.shop import RegistryChange
from chalicelib.domain.statistics import RecordChange, coalesce
from chalicelib.services.aggregate_statistics import StatisticsAggregator
from tests.builders import registered_shop
from tests.fakes import InMemoryShopDirectory, InMemoryShopRepository, InMemoryStatsStore

SHOPS = ("320102000000101", "320102000000102", "320104000000103")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _change(
    n: int, companycode: str = SHOPS[0], version: int = 1, status: str = "active", **kw
) -> RecordChange:
    moment = START + timedelta(hours=n)
    return RecordChange(
        record_id=f"{n:032x}",
        version=version,
        status=status,
        companycode=companycode,
        shop_class=kw.pop("shop_class", "class_2"),
        settlement_date=kw.pop("settlement_date", date(2026, 3, 1)),
        received_at=moment,
        changed_at=moment,
        **kw,
    )


def _delivered(changes: list[StatisticsChange]) -> list[Delivered[StatisticsChange]]:
    return [Delivered(str(100 + i), change) for i, change in enumerate(changes)]


def _recount(changes: list[RecordChange]) -> dict[tuple[str, str, str], dict[str, int]]:
    """What the counters must hold: every change folded once, with the aggregator's own fold."""
    store = InMemoryStatsStore()
    for key, update in coalesce(changes, "province").items():
        store.apply(key, update.contributions)
    return store.totals()


def _mix() -> list[RecordChange]:
    """Uploads of three shops over two days (one flagged), a correction and a void."""
    uploads = [_change(n, SHOPS[n % 3]) for n in range(9)]
    uploads.append(_change(30, SHOPS[0], flag_codes=("mileage_zero",)))
    return [
        *uploads,
        _change(1, SHOPS[1], version=2),
        _change(2, SHOPS[2], version=3, status="void"),
    ]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.integers(1, 6), replays=st.integers(0, 12))
def test_counters_equal_a_recount_however_changes_are_replayed_and_reordered(seed, cuts, replays):
    # Given a mix of changes delivered in batches: some changes again (a retried batch, a
    # record handed over twice) and the batches' order shuffled
    changes = _mix()
    rng = random.Random(seed)
    deliveries = [*changes, *(rng.choice(changes) for _ in range(replays))]
    rng.shuffle(deliveries)
    size = max(1, len(deliveries) // cuts)
    batches = [deliveries[i : i + size] for i in range(0, len(deliveries), size)]
    store = InMemoryStatsStore()
    aggregator = StatisticsAggregator(store, "province")
    # When the aggregator handles every batch
    failures = [aggregator.handle(_delivered(list(batch))) for batch in batches]
    # Then nothing failed and every counter equals a recount from the changes, once each
    assert failures == [[]] * len(batches)
    assert store.totals() == _recount(changes)
    # And each shop that uploaded is docked once, in its class
    assert store.docked_counts("320000") == {("320102", "class_2"): 2, ("320104", "class_2"): 1}


def test_a_failed_counter_write_reports_its_changes_and_the_retry_counts_them_once():
    # Given a batch and a statistics table busy for the first counter write
    changes = _mix()
    store = InMemoryStatsStore()
    store.fail("apply")
    aggregator = StatisticsAggregator(store, "province")
    batch = _delivered(list(changes))
    # When the batch is handled, then delivered again as Lambda retries it
    first = aggregator.handle(batch)
    second = aggregator.handle(batch)
    # Then the first answer names the changes behind the failed counter, the retry none,
    # and nothing is counted twice or lost
    assert first and set(first) <= {d.delivery_id for d in batch}
    assert second == []
    assert store.totals() == _recount(changes)


def test_an_unreadable_change_is_reported_and_the_rest_of_its_batch_counts():
    # Given a batch with a change the stream's edge could not read
    changes = _mix()[:3]
    broken = Unreadable("record_version", "0" * 32, "unreadable record_version image: KeyError")
    batch = _delivered([*changes, broken])
    store = InMemoryStatsStore()
    # When it is handled
    failed = StatisticsAggregator(store, "province").handle(batch)
    # Then only the unreadable one is to be retried, and the others are counted
    assert failed == [batch[-1].delivery_id]
    assert store.totals() == _recount(changes)


def test_a_suspension_moves_a_docked_shop_once_and_a_late_older_change_is_ignored():
    # Given a shop docked in class 2 by its first upload
    store = InMemoryStatsStore()
    aggregator = StatisticsAggregator(store, "province")
    aggregator.handle(_delivered([_change(1)]))
    suspended = RegistryChange(SHOPS[0], "", (START + timedelta(days=1)).isoformat())
    older = RegistryChange(SHOPS[0], "class_1", START.isoformat())
    # When its suspension arrives twice, then an older change arrives late
    answers = [aggregator.handle(_delivered([suspended])) for _ in range(2)]
    answers.append(aggregator.handle(_delivered([older])))
    # Then it left the docked count once and the late change did not bring it back
    assert answers == [[], [], []]
    assert store.docked_counts("320000") == {}


def test_a_shop_docks_under_the_class_its_registry_entry_has_now():
    # Given a shop registered as class 1 whose first record still says class 2 (it was
    # reclassified before the record reached the statistics)
    registry = InMemoryShopRepository()
    shop = registered_shop(SHOPS[0], shop_class="class_1")
    registry.create(shop, "hash")
    store = InMemoryStatsStore()
    aggregator = StatisticsAggregator(store, "province", InMemoryShopDirectory(registry))
    # When its first upload is counted
    assert aggregator.handle(_delivered([_change(1)])) == []
    # Then it is docked under its registry class
    assert store.docked_counts("320000") == {("320102", "class_1"): 1}
