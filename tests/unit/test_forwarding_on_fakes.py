"""A province's changes reach the ministry through the forwarder, on in-memory storage.

Why: the forwarder's promises (every change delivered at least once, a replay harmless, a
change the ministry cannot take parked after `max_attempts` failures, then re-driven) are
rules across two services. Here the province's records come from its RecordService and the
ministry that answers is the real ExchangeService, both on fakes, so only the exchange/v1
contract's JSON crosses between them, as over HTTP.
"""

from __future__ import annotations

import dataclasses

from chalicelib.domain.changes import Delivered, ForwardedChange, Unreadable
from chalicelib.services.exchange import ExchangeService
from chalicelib.services.forward_changes import ChangeForwarder
from chalicelib.services.records import RecordService
from chalicelib.services.redrive import redrive
from tests.builders import record_content, registered_shop
from tests.fakes import (
    FakeClock,
    InMemoryDeadLetterQueue,
    InMemoryExchangeStore,
    InMemoryMinistry,
    InMemoryRecordRepository,
    InMemoryStatsStore,
)

MAX_ATTEMPTS = 3


class Stacks:
    """A province (records, its forwarder) and the ministry it forwards to, in memory."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.province_records = InMemoryRecordRepository()
        self.uploads = RecordService(self.province_records, self.clock, 300)
        self.ministry_records = InMemoryRecordRepository(maintain_chain=False)
        self.exchange = InMemoryExchangeStore()
        service = ExchangeService(self.ministry_records, self.exchange, self.clock)
        self.ministry = InMemoryMinistry(service, "320000")
        self.attempts = InMemoryStatsStore()
        self.dead_letters = InMemoryDeadLetterQueue()
        self.forwarder = ChangeForwarder(
            self.ministry, self.attempts, self.dead_letters, max_attempts=MAX_ATTEMPTS
        )

    def changes(self, shop) -> list[Delivered[ForwardedChange]]:
        """What the stream hands the forwarder: the shop's entry, then every stored version."""
        versions = sorted(
            self.province_records.stored_versions.values(),
            key=lambda r: (r.updated_at, r.record_id, r.version),
        )
        changes: list[ForwardedChange] = [shop, *versions]
        return [Delivered(str(200 + i), change) for i, change in enumerate(changes)]


def test_changes_reach_the_ministry_and_a_replayed_batch_changes_nothing_there():
    # Given a shop's upload and its correction at the province
    stacks, shop = Stacks(), registered_shop()
    content = record_content()
    stacks.uploads.upload(shop, content)
    stacks.clock.advance(minutes=5)
    receipt = stacks.uploads.upload(shop, dataclasses.replace(content, repair_mileage=12500))
    batch = stacks.changes(shop)
    # When the forwarder handles the batch, and Lambda delivers it once more
    first = stacks.forwarder.handle(batch)
    held = dict(stacks.ministry_records.stored_versions)
    second = stacks.forwarder.handle(batch)
    # Then the ministry holds the shop's entry and both versions, the correction as head,
    # and the replay was answered without changing anything
    assert first == [] and second == []
    assert stacks.exchange.has_shop(shop.companycode)
    head = stacks.ministry_records.get(receipt.record_id)
    assert head is not None and head.version == 2
    assert stacks.ministry_records.stored_versions == held
    assert sorted(held) == [(receipt.record_id, 1), (receipt.record_id, 2)]
    assert [p.batches for p in stacks.exchange.provinces()] == [2]
    assert stacks.dead_letters.parked == []


def test_a_change_is_parked_after_max_attempts_once_and_redriven_when_the_ministry_is_back():
    # Given an upload at the province and a ministry that cannot be reached
    stacks, shop = Stacks(), registered_shop()
    receipt = stacks.uploads.upload(shop, record_content())
    batch = stacks.changes(shop)
    stacks.ministry.down = True
    # When Lambda delivers the batch max_attempts times, and once more after that
    answers = [stacks.forwarder.handle(batch) for _ in range(MAX_ATTEMPTS + 1)]
    # Then the first deliveries ask for a retry, and at the last attempt both changes are
    # parked, once each, with the reason; the shard is no longer blocked
    ids = [d.delivery_id for d in batch]
    assert answers == [ids] * (MAX_ATTEMPTS - 1) + [[], []]
    parked = stacks.dead_letters.parked
    assert [attempts for _, _, attempts in parked] == [MAX_ATTEMPTS] * 2
    assert all("unreachable" in reason for _, reason, _ in parked)
    assert stacks.ministry_records.get(receipt.record_id) is None
    # When the ministry is back and an operator re-drives the queue
    stacks.ministry.down = False
    report = redrive(stacks.dead_letters, stacks.ministry)
    # Then both changes are delivered and the queue is empty
    assert (report.delivered, report.still_refused) == (2, 0)
    assert stacks.dead_letters.parked == []
    assert stacks.ministry_records.get(receipt.record_id) is not None


def test_a_record_refused_by_the_ministry_is_retried_then_parked_with_the_field_and_rule():
    # Given a version whose shop's registry entry is not in the batch (nor at the ministry)
    stacks, shop = Stacks(), registered_shop()
    stacks.uploads.upload(shop, record_content())
    batch = stacks.changes(shop)[1:]
    # When the batch is delivered max_attempts times
    answers = [stacks.forwarder.handle(batch) for _ in range(MAX_ATTEMPTS)]
    # Then it is retried (the entry may come later), then parked naming the rule it breaks
    assert answers[:-1] == [[batch[0].delivery_id]] * (MAX_ATTEMPTS - 1) and answers[-1] == []
    ((_, reason, _),) = stacks.dead_letters.parked
    assert "record.companycode" in reason and "known_shop" in reason


def test_an_unreadable_change_is_parked_at_once_and_the_rest_is_delivered():
    # Given a batch with an image the stream's edge could not read
    stacks, shop = Stacks(), registered_shop()
    stacks.uploads.upload(shop, record_content())
    broken = Delivered("199", Unreadable("record_version", "0" * 32, "unreadable: KeyError"))
    batch = [broken, *stacks.changes(shop)]
    # When it is handled twice
    answers = [stacks.forwarder.handle(batch) for _ in range(2)]
    # Then nothing is retried, the unreadable one is parked once with its reason, and the
    # genuine changes reached the ministry
    assert answers == [[], []]
    assert stacks.dead_letters.parked == [
        ({"type": "record_version", "identity": "0" * 32}, "unreadable: KeyError", 1)
    ]
    assert len(stacks.ministry_records.heads_by_id) == 1
