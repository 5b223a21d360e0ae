"""The forwarder's retry, dead-letter and size rules, with in-memory stand-ins for its ports
(a scripted ministry here; the attempt counter and the dead-letter queue of tests/fakes.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.dynamo_shops import _profile_item
from chalicelib.adapters.record_items import head_item, version_item
from chalicelib.domain.shop import Shop
from chalicelib.exchange.requests import RequestTooLargeError, encode, envelope
from chalicelib.exchange.v1 import record_version_item
from chalicelib.services.forward_changes import ChangeForwarder, Forwardable, Unreadable
from chalicelib.services.redrive import redrive
from chalicelib.streams.stream_records import forwardable_changes
from tests.builders import largest_record_payload
from tests.exchange_items import stored_version
from tests.fakes import InMemoryDeadLetterQueue, InMemoryStatsStore


class FakeMinistry:
    """Answers every item with `answer`; refuses a body over `limit` bytes with a 413."""

    def __init__(self, answer=None, down=False, limit=None):
        self.answer = answer or (lambda item: {"result": "applied"})
        self.down = down
        self.limit = limit
        self.received = []
        self.requests = []

    def send(self, items):
        if self.down:
            raise ConnectionError("ministry unreachable")
        size = len(encode(envelope(items)))
        if self.limit is not None and size > self.limit:
            raise RequestTooLargeError(f"{size} bytes")
        self.requests.append((len(items), size))
        self.received += items
        return [self.answer(i) for i in items]


def _change(sequence: str, version: int = 1, **kw) -> Forwardable:
    return Forwardable(sequence, stored_version(version=version, **kw))


def _batch() -> list[Forwardable]:
    return [_change("101"), _change("102")]


def _record_ids(items) -> list[str]:
    return [i["record"]["record_id"] for i in items]


def test_record_versions_and_registry_entries_are_read_from_the_stream_as_domain_objects():
    # Given a stream batch with a head, a version, a registry entry and an unreadable version
    record = stored_version()
    now = datetime(2024, 3, 1, tzinfo=UTC)
    shop = Shop(
        "320102000000001", "示范", "91320102MA1XY0000E", "320102", "class_2", "南京市玄武区",
        "李师傅", "025-80000000", "active", now, now,
    )  # fmt: skip
    broken = {**version_item(record), "record_id": "0" * 32}
    del broken["content"]
    images = [head_item(record), version_item(record), _profile_item(shop), broken]
    records = [
        {
            "eventName": "INSERT",
            "dynamodb": {"SequenceNumber": str(100 + i), "NewImage": to_item(m)},
        }
        for i, m in enumerate(images)
    ]
    # When the forwarder's reader takes it
    changes = forwardable_changes(records)
    # Then the head is not a change, the version and the entry are domain objects (the entry
    # with its contacts: only the contract leaves them out), and the broken one is Unreadable
    assert [c.delivery_id for c in changes] == ["101", "102", "103"]
    assert changes[0].change == record and changes[1].change == shop
    assert isinstance(changes[2].change, Unreadable) and "content" in changes[2].change.reason


def test_only_changes_are_forwarded_in_one_request_as_contract_items():
    ministry = FakeMinistry()
    forwarder = ChangeForwarder(
        ministry, InMemoryStatsStore(), InMemoryDeadLetterQueue(), max_attempts=3
    )
    batch = _batch()
    assert forwarder.handle(batch) == []
    assert ministry.requests[0][0] == 2
    assert _record_ids(ministry.received) == [c.change.record_id for c in batch]
    assert set(ministry.received[0]["record"]) >= {"chain", "content_hash", "content"}
    assert "flag_codes" not in ministry.received[0]["record"]  # table attributes stay home


def test_ministry_down_fails_every_change_until_attempts_run_out_then_parks_them():
    # Given a ministry that cannot be reached and a budget of three attempts
    attempts, dead = InMemoryStatsStore(), InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=3)
    batch = _batch()
    # When the same batch is delivered three times (Lambda retrying)
    answers = [forwarder.handle(batch) for _ in range(3)]
    # Then the first two report both changes as failed and the third parks them with a reason
    assert answers == [["101", "102"], ["101", "102"], []]
    assert [(i["record"]["record_id"], a) for i, _, a in dead.parked] == [
        (c.change.record_id, 3) for c in batch
    ]
    assert "unreachable" in dead.parked[0][1]


def test_one_refused_change_fails_alone_and_its_reason_names_the_field_and_rule():
    batch = _batch()
    refused = batch[1].change.record_id
    ministry = FakeMinistry(
        lambda item: (
            {"result": "rejected", "reason": "record.companycode (known_shop): unknown shop",
             "field": "record.companycode", "rule": "known_shop"}
            if item["record"]["record_id"] == refused
            else {"result": "applied"}
        )
    )  # fmt: skip
    dead = InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(ministry, InMemoryStatsStore(), dead, max_attempts=1)
    assert forwarder.handle(batch) == []
    assert [reason for _, reason, _ in dead.parked] == [
        "record.companycode (known_shop): unknown shop"
    ]


def test_duplicates_and_stale_answers_are_success():
    for result in ("duplicate", "stale"):
        ministry = FakeMinistry(lambda item, r=result: {"result": r})
        forwarder = ChangeForwarder(
            ministry, InMemoryStatsStore(), InMemoryDeadLetterQueue(), max_attempts=3
        )
        assert forwarder.handle(_batch()) == []


def test_a_parked_change_is_parked_once_however_often_its_batch_comes_back():
    attempts, dead = InMemoryStatsStore(), InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=2)
    batch = _batch()
    for _ in range(5):
        forwarder.handle(batch)
    assert len(dead.parked) == 2  # each change once


def test_a_failed_park_is_retried_not_lost():
    class BrokenDeadLetters(InMemoryDeadLetterQueue):
        def __init__(self):
            super().__init__()
            self.fail = True

        def park(self, item, reason, attempts):
            if self.fail:
                raise ConnectionError("sqs down")
            super().park(item, reason, attempts)

    attempts, dead = InMemoryStatsStore(), BrokenDeadLetters()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=1)
    batch = _batch()
    try:
        forwarder.handle(batch)
    except ConnectionError:
        pass
    dead.fail = False
    assert forwarder.handle(batch) == []
    assert len(dead.parked) == 2


def test_a_burst_of_the_largest_records_is_cut_into_requests_under_the_budget():
    # Given 30 versions of the largest record the schema allows (~260 KB each as items), and
    # a ministry that refuses any body over its 1 MiB (the door's old limit)
    burst = [_change(str(i), payload=largest_record_payload()) for i in range(30)]
    ministry = FakeMinistry(limit=1024 * 1024)
    forwarder = ChangeForwarder(
        ministry,
        InMemoryStatsStore(),
        InMemoryDeadLetterQueue(),
        max_attempts=8,
        request_budget=1024 * 1024,
    )
    # When the batch is forwarded
    failed = forwarder.handle(burst)
    # Then every change arrived, in order, in requests of at most 1 MiB (four ~259 KB items)
    assert failed == []
    assert _record_ids(ministry.received) == [c.change.record_id for c in burst]
    assert max(size for _, size in ministry.requests) <= 1024 * 1024
    assert [n for n, _ in ministry.requests] == [4] * 7 + [2]


def test_an_item_over_the_budget_alone_is_parked_at_once_and_the_rest_go_through():
    # Given a budget smaller than one of the largest records, between two small changes
    large = _change("2", payload=largest_record_payload())
    batch = [_change("1"), large, _change("3")]
    ministry, attempts, dead = FakeMinistry(), InMemoryStatsStore(), InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(ministry, attempts, dead, max_attempts=8, request_budget=100_000)
    # When the batch is forwarded, and delivered again (Lambda retrying for another reason)
    answers = [forwarder.handle(batch), forwarder.handle(batch)]
    # Then the large one is parked once, with its reason, without a retry; the others arrive
    assert answers == [[], []]
    assert len(dead.parked) == 1
    item, reason, tries = dead.parked[0]
    assert item["record"]["record_id"] == large.change.record_id and tries == 1
    assert "exceed the exchange request budget of 100000 bytes" in reason
    assert large.change.record_id not in _record_ids(ministry.received)
    assert len(ministry.received) == 4


def test_an_item_too_large_for_the_queue_is_parked_as_its_reference():
    # Given a queue that takes messages smaller than the largest record's item
    large = _change("1", payload=largest_record_payload())
    dead = InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(
        FakeMinistry(),
        InMemoryStatsStore(),
        dead,
        8,
        request_budget=100_000,
        parked_item_max_bytes=50_000,
    )
    # When it cannot be sent (over the request budget)
    assert forwarder.handle([large]) == []
    # Then what is parked names it, and the reason says why it is not whole
    [(item, reason, _)] = dead.parked
    record = large.change
    assert item == {
        "type": "record_version",
        "record": {"record_id": record.record_id, "version": 1, "companycode": record.companycode},
    }
    assert "parked as a reference" in reason


def test_a_request_refused_for_its_size_is_sent_in_halves_and_a_single_refusal_is_parked():
    # Given a ministry (or a proxy) that refuses bodies over 300 kB: the largest record alone
    # is refused, two small changes fit, three small ones and a large one together do not
    large = _change("3", payload=largest_record_payload())
    batch = [_change("1"), _change("2"), large, _change("4")]
    ministry, dead = FakeMinistry(limit=250_000), InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(ministry, InMemoryStatsStore(), dead, max_attempts=8)
    # When the batch is forwarded with the normal budget
    failed = forwarder.handle(batch)
    # Then the small ones arrive, the large one is parked at once with the ministry's reason
    assert failed == []
    assert _record_ids(ministry.received) == [batch[i].change.record_id for i in (0, 1, 3)]
    assert [(i["record"]["record_id"], "413" in r) for i, r, _ in dead.parked] == [
        (large.change.record_id, True)
    ]


def test_a_version_the_contract_cannot_carry_is_parked_at_once_with_why():
    # Given a version without a chain link (every province version has one) among good ones
    unchained = dataclasses.replace(stored_version(), chain=None)
    batch = [_change("1"), Forwardable("2", unchained), _change("3")]
    ministry, dead = FakeMinistry(), InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(ministry, InMemoryStatsStore(), dead, max_attempts=8)
    # When it is forwarded
    failed = forwarder.handle(batch)
    # Then the others arrive and it waits in the dead-letter queue, named, with its reason
    assert failed == [] and len(ministry.received) == 2
    [(item, reason, _)] = dead.parked
    assert item["record"]["record_id"] == unchained.record_id
    assert "record.chain" in reason


def test_an_unreadable_image_is_parked_at_once():
    dead = InMemoryDeadLetterQueue()
    forwarder = ChangeForwarder(FakeMinistry(), InMemoryStatsStore(), dead, max_attempts=8)
    broken = Forwardable("9", Unreadable("record_version", "a" * 32, "unreadable: KeyError"))
    assert forwarder.handle([broken, _change("10")]) == []
    assert dead.parked == [
        ({"type": "record_version", "identity": "a" * 32}, "unreadable: KeyError", 1)
    ]


def test_redrive_cuts_its_requests_by_size():
    # Given ten parked versions of the largest record and a ministry that takes 1 MiB bodies
    items = [
        record_version_item(stored_version(payload=largest_record_payload())) for _ in range(10)
    ]
    queue, ministry = InMemoryDeadLetterQueue(), FakeMinistry(limit=1024 * 1024)
    for item in items:
        queue.park(item, "ministry unreachable", 3)
    # When the queue is re-driven with a 1 MiB budget
    report = redrive(queue, ministry, request_budget=1024 * 1024)
    # Then all ten are delivered in three requests and the queue is empty
    assert (report.delivered, report.still_refused) == (10, 0)
    assert [n for n, _ in ministry.requests] == [4, 4, 2]
    assert queue.parked == []
