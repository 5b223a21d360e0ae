"""The forwarder's retry and dead-letter rules, with in-memory stand-ins for its ports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.record_items import head_item, version_item
from chalicelib.domain.record import RecordContent, RepairItem, StoredRecord
from chalicelib.services.forward_changes import ChangeForwarder


class FakeMinistry:
    def __init__(self, answer=None, down=False):
        self.answer = answer or (lambda item: {"result": "applied"})
        self.down = down
        self.received = []

    def send(self, items):
        if self.down:
            raise ConnectionError("ministry unreachable")
        self.received += items
        return [self.answer(i) for i in items]


class FakeAttempts:
    def __init__(self):
        self.counts = {}

        self.parked = set()

    def add_attempt(self, change_id):
        self.counts[change_id] = self.counts.get(change_id, 0) + 1
        return self.counts[change_id], change_id in self.parked

    def mark_parked(self, change_id):
        self.parked.add(change_id)


class FakeDeadLetters:
    def __init__(self):
        self.parked = []

    def park(self, item, reason, attempts):
        self.parked.append((item, reason, attempts))


def _record(record_id: str, version: int = 1) -> StoredRecord:
    now = datetime(2024, 3, 2, tzinfo=UTC)
    content = RecordContent(
        vin="1M8GDM9AXKP042788",
        plate_number="苏A12345",
        company_name="x",
        repair_date=date(2024, 3, 1),
        repair_mileage=1,
        settlement_date=date(2024, 3, 2),
        fault_description="f",
        settlement_list_code=record_id,
        repair_items=(RepairItem("保养", Decimal("1")),),
    )
    return StoredRecord(
        record_id=record_id,
        companycode="320102000000001",
        version=version,
        status="active",
        content=content,
        content_hash="h",
        flags=(),
        shop_name="x",
        shop_class="class_2",
        received_at=now,
        updated_at=now,
    )


def _stream_record(item: dict, sequence: str) -> dict:
    return {
        "eventName": "INSERT",
        "dynamodb": {"SequenceNumber": sequence, "NewImage": to_item(item)},
    }


def _batch():
    return [
        _stream_record(head_item(_record("a")), "100"),  # heads are not forwarded
        _stream_record(version_item(_record("a")), "101"),
        _stream_record(version_item(_record("b")), "102"),
    ]


def test_only_changes_are_forwarded_in_one_request():
    ministry = FakeMinistry()
    forwarder = ChangeForwarder(ministry, FakeAttempts(), FakeDeadLetters(), max_attempts=3)
    assert forwarder.handle(_batch()) == []
    assert [i["record"]["record_id"] for i in ministry.received] == ["a", "b"]


def test_ministry_down_fails_every_change_until_attempts_run_out_then_parks_them():
    # Given a ministry that cannot be reached and a budget of three attempts
    attempts, dead = FakeAttempts(), FakeDeadLetters()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=3)
    # When the same batch is delivered three times (Lambda retrying)
    answers = [forwarder.handle(_batch()) for _ in range(3)]
    # Then the first two report both changes as failed and the third parks them with a reason
    assert answers == [["101", "102"], ["101", "102"], []]
    assert [(i["record"]["record_id"], a) for i, _, a in dead.parked] == [("a", 3), ("b", 3)]
    assert "unreachable" in dead.parked[0][1]


def test_one_refused_change_fails_alone():
    ministry = FakeMinistry(
        lambda item: (
            {"result": "rejected", "reason": "unknown shop"}
            if item["record"]["record_id"] == "b"
            else {"result": "applied"}
        )
    )
    forwarder = ChangeForwarder(ministry, FakeAttempts(), FakeDeadLetters(), max_attempts=3)
    assert forwarder.handle(_batch()) == ["102"]


def test_duplicates_and_stale_answers_are_success():
    for result in ("duplicate", "stale"):
        ministry = FakeMinistry(lambda item, r=result: {"result": r})
        forwarder = ChangeForwarder(ministry, FakeAttempts(), FakeDeadLetters(), max_attempts=3)
        assert forwarder.handle(_batch()) == []


def test_a_parked_change_is_parked_once_however_often_its_batch_comes_back():
    attempts, dead = FakeAttempts(), FakeDeadLetters()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=2)
    for _ in range(5):
        forwarder.handle(_batch())
    assert len(dead.parked) == 2  # a and b, once each


def test_a_failed_park_is_retried_not_lost():
    class BrokenDeadLetters(FakeDeadLetters):
        def __init__(self):
            super().__init__()
            self.fail = True

        def park(self, item, reason, attempts):
            if self.fail:
                raise ConnectionError("sqs down")
            super().park(item, reason, attempts)

    attempts, dead = FakeAttempts(), BrokenDeadLetters()
    forwarder = ChangeForwarder(FakeMinistry(down=True), attempts, dead, max_attempts=1)
    try:
        forwarder.handle(_batch())
    except ConnectionError:
        pass
    dead.fail = False
    assert forwarder.handle(_batch()) == []
    assert len(dead.parked) == 2
