"""Each fake of tests/fakes.py keeps the same contract as its DynamoDB adapter: one scenario,
run on both.

Why: the unit tier trusts the fakes to refuse what DynamoDB refuses (a second create, a write
over a stale version, a link off the chain, a replayed counter change) and to read back what
was written. Every test here runs once on the fake and once on the adapter under moto, with
the same assertions, so a fake that drifts from its adapter (or an adapter from its port)
fails here rather than making a unit test pass for the wrong reason.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.config import get_settings
from chalicelib.domain.agency import Agency, AgencyKey
from chalicelib.domain.complaint import Complaint
from chalicelib.domain.evaluation import SCORE_DIMENSIONS, Evaluation
from chalicelib.domain.oem import OemAccount
from chalicelib.domain.record_import import RowOutcome
from chalicelib.domain.regulator_account import RegulatorAccount
from chalicelib.domain.reminder import Reminder
from chalicelib.domain.shop import RegistryChange
from chalicelib.domain.statistics import CounterKey, DayCounts, ShopMonthRow
from chalicelib.errors import ConflictError, ValidationFailedError
from chalicelib.services.ports import (
    ChainMovedError,
    ComplaintExistsError,
    EvaluationExistsError,
    RecordAlreadyExistsError,
    StaleVersionError,
)
from tests import fakes
from tests.builders import registered_shop
from tests.exchange_items import corrected, registry_copy, stored_version

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


class Storage:
    """The stores of one stack, in memory or on DynamoDB (moto), built once each."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._built: dict[str, Any] = {}

    def _one(self, name: str, memory: Any, dynamodb: Any) -> Any:
        if name not in self._built:
            self._built[name] = memory() if self.kind == "memory" else dynamodb()
        return self._built[name]

    def records(self, *, maintain_chain: bool = True) -> Any:
        from chalicelib.adapters.dynamo_records import DynamoRecordRepository

        return self._one(
            f"records{maintain_chain}",
            lambda: fakes.InMemoryRecordRepository(maintain_chain=maintain_chain),
            lambda: DynamoRecordRepository(_table(), maintain_chain=maintain_chain),
        )

    def stats(self) -> Any:
        from chalicelib.adapters.dynamo_stats import DynamoStatsStore

        return self._one(
            "stats", fakes.InMemoryStatsStore, lambda: DynamoStatsStore(_stats_table())
        )

    def exchange(self) -> Any:
        from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore

        return self._one(
            "exchange", fakes.InMemoryExchangeStore, lambda: DynamoExchangeStore(_table())
        )

    def shops(self) -> Any:
        from chalicelib.adapters.dynamo_shops import DynamoShopRepository

        return self._one(
            "shops", fakes.InMemoryShopRepository, lambda: DynamoShopRepository(_table())
        )

    def directory(self) -> Any:
        from chalicelib.adapters.dynamo_directory import DynamoShopDirectory

        return self._one(
            "directory",
            lambda: fakes.InMemoryShopDirectory(self.shops()),
            lambda: DynamoShopDirectory(_table()),
        )

    def feedback(self) -> Any:
        from chalicelib.adapters.dynamo_feedback import DynamoFeedbackRepository

        return self._one(
            "feedback", fakes.InMemoryFeedbackRepository, lambda: DynamoFeedbackRepository(_table())
        )

    def complaints(self) -> Any:
        from chalicelib.adapters.dynamo_complaints import DynamoComplaintRepository

        return self._one(
            "complaints",
            fakes.InMemoryComplaintRepository,
            lambda: DynamoComplaintRepository(_table()),
        )

    def imports(self) -> Any:
        from chalicelib.adapters.dynamo_imports import DynamoImportStore

        return self._one("imports", fakes.InMemoryImportStore, lambda: DynamoImportStore(_table()))

    def reminders(self) -> Any:
        from chalicelib.adapters.dynamo_reminders import DynamoReminderStore

        return self._one(
            "reminders", fakes.InMemoryReminderStore, lambda: DynamoReminderStore(_table())
        )

    def agencies(self) -> Any:
        from chalicelib.adapters.dynamo_agencies import DynamoAgencyStore

        return self._one("agencies", fakes.InMemoryAgencyStore, lambda: DynamoAgencyStore(_table()))

    def oems(self) -> Any:
        from chalicelib.adapters.dynamo_oem import DynamoOemAccountStore

        return self._one(
            "oems", fakes.InMemoryOemAccountStore, lambda: DynamoOemAccountStore(_table())
        )

    def accounts(self) -> Any:
        from chalicelib.adapters.dynamo_auth import DynamoAccountRepository

        return self._one(
            "accounts", fakes.InMemoryAccountRepository, lambda: DynamoAccountRepository(_table())
        )


def _table() -> str:
    return get_settings().table_name


def _stats_table() -> str:
    return get_settings().stats_table_name


@pytest.fixture(params=["memory", "dynamodb"])
def storage(request: pytest.FixtureRequest) -> Storage:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
    return Storage(request.param)


# --- records --------------------------------------------------------------------------------


def test_a_second_create_of_a_record_is_refused_and_the_first_kept(storage):
    # Given a stored record
    records = storage.records()
    first = stored_version()
    records.create(first)
    # When the same record id is created again (a lost race)
    with pytest.raises(RecordAlreadyExistsError):
        records.create(dataclasses.replace(first, shop_name="另一个"))
    # Then the first one is what is held
    assert records.get(first.record_id, consistent=True) == first
    assert records.versions(first.record_id) == [first]


def test_a_replace_from_a_version_that_is_no_longer_the_head_is_refused(storage):
    # Given a record corrected once
    records = storage.records()
    first = stored_version()
    second = corrected(first, 2, repair_mileage=13000)
    records.create(first)
    records.replace(first, second)
    # When a writer that read version 1 writes its own version 2
    theirs = corrected(first, 2, repair_mileage=14000)
    with pytest.raises(StaleVersionError):
        records.replace(first, dataclasses.replace(theirs, chain=second.chain))
    # Then version 2 is the one written first, and both versions are kept
    assert records.get(first.record_id, consistent=True) == second
    assert [v.version for v in records.versions(first.record_id)] == [1, 2]


def test_a_version_off_its_vehicle_chain_is_refused_on_a_province(storage):
    # Given a vehicle whose chain has one link
    records = storage.records()
    first = stored_version()
    records.create(first)
    # When another record of that vehicle claims to be its first link too
    rival = stored_version(payload={**_payload_of(first), "settlement_list_code": "RIVAL-1"})
    with pytest.raises(ChainMovedError):
        records.create(rival)
    # Then nothing of it was written, and the chain holds the first link only
    assert records.get(rival.record_id, consistent=True) is None
    links = records.chain_links(first.content.vin, 10)
    assert [(link.seq, link.record_id, link.version) for link in links] == [(1, first.record_id, 1)]


def test_the_vehicle_file_follows_a_correction_and_forgets_a_void(storage):
    # Given a record of one vehicle, corrected onto another vehicle, then voided
    records = storage.records(maintain_chain=False)
    first = stored_version()
    moved = corrected(first, 2, vin=stored_version().content.vin)
    voided = dataclasses.replace(corrected(moved, 3), status="void", reason="重复")
    records.create(first)
    # When each change is written
    records.replace(first, moved)
    after_move = (
        records.vehicle_history(first.content.vin),
        records.vehicle_history(moved.content.vin),
    )
    records.replace(moved, voided)
    # Then the entry moved with the correction, and the void removed it; every version kept
    assert after_move == ([], [moved])
    assert records.vehicle_history(moved.content.vin) == []
    assert [v.version for v in records.versions(first.record_id)] == [1, 2, 3]


def test_an_older_version_is_kept_once_beside_the_head(storage):
    # Given the ministry holding version 2 of a record
    records = storage.records(maintain_chain=False)
    first = stored_version()
    second = corrected(first, 2, repair_mileage=13000)
    records.create(second)
    # When version 1 arrives late, twice
    kept = [records.put_version(first), records.put_version(first)]
    # Then it is kept once, and the head stays version 2
    assert kept == [True, False]
    assert records.get(first.record_id, consistent=True) == second
    assert records.version(first.record_id, 1) == first


def test_a_shop_listing_pages_newest_first_within_its_own_shop_only(storage):
    # Given three records of one shop on three days, and one of another shop
    records = storage.records(maintain_chain=False)
    mine = [
        stored_version(
            payload=_payload(settlement_date=f"2024-03-0{day}", repair_date="2024-03-01")
        )
        for day in (2, 3, 4)
    ]
    other = stored_version("320102000000002")
    for record in [*mine, other]:
        records.create(record)
    # When the shop lists them two at a time
    first = records.by_shop(mine[0].companycode, date(2024, 3, 1), date(2024, 3, 31), 2, None)
    second = records.by_shop(
        mine[0].companycode, date(2024, 3, 1), date(2024, 3, 31), 2, first.cursor
    )
    # Then it sees its own, newest first, across two pages
    assert [r.content.settlement_date.day for r in first.items + second.items] == [4, 3, 2]
    assert first.cursor is not None and second.cursor is None
    # And its cursor does not open the other shop's listing
    with pytest.raises(ValidationFailedError) as refused:
        records.by_shop(other.companycode, date(2024, 3, 1), date(2024, 3, 31), 2, first.cursor)
    assert refused.value.errors[0].field == "cursor"


# --- statistics -----------------------------------------------------------------------------


def test_a_counter_change_counts_once_and_reads_back_by_day_and_by_shop_row(storage):
    # Given a day counter of a province and a shop's month row
    stats = storage.stats()
    day = CounterKey("province", "320000", date(2026, 3, 2), "class_2")
    row = CounterKey("shopmonth", "320000#2026-03", date(2026, 3, 1), "class_2", "320102000000001")
    contributions = {"r1#1": {"uploads": 1, "t_le_1h": 1}, "r2#1": {"uploads": 1, "flagged": 1}}
    # When both are applied, then applied again with one more change (a replayed batch)
    applied = [stats.apply(day, contributions), stats.apply(row, contributions)]
    more = {**contributions, "r3#2": {"corrections": 1}}
    replayed = [stats.apply(day, more), stats.apply(row, more)]
    stats.raise_row_last_upload(row, NOW)
    stats.raise_row_last_upload(row, NOW - timedelta(hours=1))
    # Then each change counted once, and both read back the same way
    assert (applied, replayed) == ([2, 2], [1, 1])
    counts = {"uploads": 2, "t_le_1h": 1, "flagged": 1, "corrections": 1}
    assert stats.day_counters("province", "320000", "2026-03-01", "2026-03-31") == [
        DayCounts("2026-03-02", counts)
    ]
    assert stats.shop_rows("320000", "2026-03") == [
        ShopMonthRow("320102000000001", "class_2", counts, NOW.isoformat())
    ]


def test_last_uploads_keep_the_latest_moment(storage):
    stats = storage.stats()
    # Given a shop's uploads recorded out of order
    for moment in (NOW, NOW - timedelta(days=1), NOW + timedelta(minutes=1), NOW):
        stats.raise_last_upload("shop", "320102000000001", moment)
    # Then the latest is kept, and a scope never seen has none
    assert stats.last_upload("shop", "320102000000001") == NOW + timedelta(minutes=1)
    assert stats.last_upload("shop", "320102000000009") is None


def test_a_shop_docks_once_and_follows_only_newer_registry_changes(storage):
    stats = storage.stats()
    shop = "320102000000001"
    # Given a shop docked in class 2 on its first upload (twice: a replay)
    docked = [
        stats.dock("320000", "class_2", shop, NOW),
        stats.dock("320000", "class_2", shop, NOW),
    ]
    # When it is reclassified, then a replay of that, then an older suspension arrives late
    later = (NOW + timedelta(days=1)).isoformat()
    moves = [
        stats.follow_registry(RegistryChange(shop, "class_1", later)),
        stats.follow_registry(RegistryChange(shop, "class_1", later)),
        stats.follow_registry(RegistryChange(shop, "", NOW.isoformat())),
    ]
    # Then it docked once, moved once, and counts under class 1
    assert docked == [True, False] and moves == [True, False, False]
    assert stats.docked_counts("320000") == {("320102", "class_1"): 1}
    # And a shop that never uploaded is not moved by its registry change
    assert not stats.follow_registry(RegistryChange("320102000000002", "class_1", later))


def test_forwarding_attempts_are_counted_and_parking_remembered(storage):
    stats = storage.stats()
    # Given three failed deliveries of a change, parked after the third
    counts = [stats.add_attempt("rec:1#1") for _ in range(3)]
    stats.mark_parked("rec:1#1")
    # Then the counter said so, and the next delivery learns it was parked
    assert counts == [(1, False), (2, False), (3, False)]
    assert stats.add_attempt("rec:1#1") == (4, True)


# --- the ministry's exchange ----------------------------------------------------------------


def test_registry_copies_keep_the_newest_and_count_active_shops_by_class(storage):
    exchange = storage.exchange()
    code = "320102000000001"
    # Given a copy, then a newer one (reclassified), then an older one arriving late
    stored = [
        exchange.put_shop_copy(registry_copy(code, updated_at=NOW)),
        exchange.put_shop_copy(
            registry_copy(code, updated_at=NOW + timedelta(hours=1), shop_class="class_1")
        ),
        exchange.put_shop_copy(
            registry_copy(code, updated_at=NOW - timedelta(hours=1), status="suspended")
        ),
        exchange.put_shop_copy(registry_copy("320102000000002", updated_at=NOW)),
    ]
    # Then the newer one replaced the first, the late one was stale, and counts follow
    assert stored == [True, True, False, True]
    assert exchange.has_shop(code) and not exchange.has_shop("320102000000003")
    assert exchange.active_counts("320000") == {"class_1": 1, "class_2": 1}


def test_a_province_status_counts_batches_and_keeps_its_last_lag(storage):
    exchange = storage.exchange()
    # Given three batches from a province, the last one measuring no lag
    exchange.touch_province("320000", NOW, 12.4)
    exchange.touch_province("320000", NOW + timedelta(minutes=1), 3.0)
    exchange.touch_province("320000", NOW + timedelta(minutes=2), None)
    # Then its status shows the last batch, the last lag measured, and the count
    (status,) = exchange.provinces()
    assert (status.province_code, status.batches, status.last_lag_seconds) == ("320000", 3, 3)
    assert status.last_exchange_at == (NOW + timedelta(minutes=2)).isoformat()


def test_an_exchange_credential_moves_its_generation_at_each_change_once(storage):
    exchange = storage.exchange()
    # Given a province's credential issued, rotated, then revoked twice
    generations = [exchange.put_credential("320000", "hash-1", NOW)]
    generations.append(exchange.put_credential("320000", "hash-2", NOW))
    exchange.revoke_credential("320000", NOW)
    exchange.revoke_credential("320000", NOW)
    # Then each issue and the revocation moved it once, the hash is the last one, and a
    # listing shows the state without the hash
    held = exchange.credential("320000")
    assert generations == [1, 2]
    assert (held.generation, held.revoked, held.secret_hash) == (3, True, "hash-2")
    listed = exchange.credentials(["320000", "420000"])
    assert list(listed) == ["320000"] and listed["320000"].secret_hash is None
    assert exchange.revoke_credential("420000", NOW) is None


# --- the registry, feedback, complaints -----------------------------------------------------


def test_a_uscc_registers_once_and_a_profile_is_saved_over_its_version_only(storage):
    shops = storage.shops()
    shop = registered_shop()
    shops.create(shop, "hash")
    # When another shop registers with the same USCC
    with pytest.raises(ConflictError) as taken:
        shops.create(registered_shop(uscc=shop.uscc), "hash")
    # And two edits are made from version 1
    shops.save(dataclasses.replace(shop, name="新名称", version=2), expected_version=1)
    with pytest.raises(ConflictError) as changed:
        shops.save(dataclasses.replace(shop, address="别处", version=2), expected_version=1)
    # Then the USCC is refused, the second edit too, and the first edit is held
    assert taken.value.code == "uscc_already_registered"
    assert changed.value.code == "shop_changed"
    held = shops.get(shop.companycode, consistent=True)
    assert (held.name, held.address, held.version) == ("新名称", shop.address, 2)
    assert shops.existing_companycode(shop.uscc) == shop.companycode


def test_the_directory_answers_public_facts_and_the_registry_state(storage):
    shops, directory = storage.shops(), storage.directory()
    shop = registered_shop(shop_class="class_1")
    shops.create(shop, "hash")
    suspended = dataclasses.replace(shop, status="suspended", updated_at=NOW, version=2)
    shops.save(suspended, expected_version=1)
    # Then the directory shows the shop's public facts and its docking state now
    facts = {
        "companycode": shop.companycode,
        "name": shop.name,
        "shop_class": "class_1",
        "status": "suspended",
        "division_code": shop.division_code,
    }
    assert facts in directory.division_shops(shop.division_code)
    assert directory.registry_state(shop.companycode) == RegistryChange(
        shop.companycode, "", NOW.isoformat()
    )
    assert directory.registry_state("320102999999999") is None


def test_an_evaluation_is_written_once_counted_once_and_replied_to_once(storage):
    feedback = storage.feedback()
    evaluation = _evaluation()
    feedback.add_evaluation(evaluation, "320000")
    with pytest.raises(EvaluationExistsError):
        feedback.add_evaluation(evaluation, "320000")
    feedback.set_reply(evaluation.record_id, "谢谢", NOW)
    with pytest.raises(ConflictError):
        feedback.set_reply(evaluation.record_id, "再谢", NOW)
    with pytest.raises(ConflictError):
        feedback.set_reply("0" * 32, "无此评价", NOW)
    # Then the evaluation holds the first reply, and it counted once in both totals
    assert feedback.evaluation(evaluation.record_id).reply == "谢谢"
    shop_totals = feedback.shop_totals([evaluation.companycode])[evaluation.companycode]
    assert shop_totals.count == feedback.province_totals("320000").count == 1
    assert shop_totals.tag_counts == {"fair_price": 1}


def test_a_complaint_is_filed_once_and_saved_only_over_the_version_it_was_read_at(storage):
    complaints = storage.complaints()
    complaint = _complaint()
    complaints.create(complaint, "content-hash")
    with pytest.raises(ComplaintExistsError):
        complaints.create(complaint, "another")
    accepted = dataclasses.replace(complaint, status="accepted", version=2)
    complaints.save(accepted)
    with pytest.raises(StaleVersionError):
        complaints.save(dataclasses.replace(complaint, status="rejected", version=2))
    # Then the accepted one is held, with the content hash it was filed with
    assert complaints.stored(complaint.complaint_id) == (accepted, "content-hash")
    assert complaints.queue("320000", "accepted", 10, None) == ([accepted], None)


# --- imports, reminders, agencies, OEMs, regulators -----------------------------------------


def test_a_chunks_outcomes_are_stored_once(storage):
    imports = storage.imports()
    outcome = RowOutcome(2, "A-1", "created", "0" * 32, 1)
    stored = [
        imports.put_outcomes("job1", 0, "uploaded", [outcome], NOW),
        imports.put_outcomes("job1", 0, "uploaded", [dataclasses.replace(outcome, row=9)], NOW),
    ]
    assert stored == [True, False]
    assert imports.has_outcomes("job1", 0, "uploaded")
    assert imports.outcomes("job1") == ([outcome], 1)


def test_a_reminder_is_read_once_and_sending_it_again_keeps_it_read(storage):
    reminders = storage.reminders()
    reminder = Reminder("RM1", "320000", "regulator:li", "标题", "正文", 1, 0, NOW)
    created = [reminders.create(reminder), reminders.create(reminder)]
    reminders.deliver(reminder, ["320102000000001"])
    delivery = reminders.delivery("320102000000001", "RM1")
    reads = [reminders.mark_read(delivery, NOW), reminders.mark_read(delivery, NOW)]
    reminders.deliver(reminder, ["320102000000001"])
    # Then it was created once, read once, and the resend kept the read receipt
    assert created == [True, False] and reads == [True, False]
    assert reminders.delivery("320102000000001", "RM1").read_at == NOW
    assert reminders.get("RM1").read == 1


def test_an_agency_key_rotates_over_its_generation_and_never_once_revoked(storage):
    agencies = storage.agencies()
    assert agencies.create_agency(Agency("AG1", "甲保险", "insurer", NOW))
    assert not agencies.create_agency(Agency("AG1", "乙保险", "insurer", NOW))
    key = _agency_key()
    agencies.add_key(key, "digest-1")
    rotated = agencies.rotate_key(key, "digest-2", NOW)
    with pytest.raises(ConflictError) as stale:
        agencies.rotate_key(key, "digest-3", NOW)
    revoked = agencies.revoke_key(rotated, NOW)
    with pytest.raises(ConflictError) as gone:
        agencies.rotate_key(revoked, "digest-4", NOW)
    # Then the old secret looks up as revoked, the rotated one is the key, now revoked too
    assert stale.value.code == "key_changed" and gone.value.code == "key_revoked"
    assert rotated.generation == 2
    assert agencies.key_by_digest("digest-1").status == "revoked"
    assert agencies.key_by_digest("digest-2").status == "revoked"
    assert agencies.key("AG1", "AK1") == revoked
    assert agencies.revoke_key(revoked, NOW + timedelta(days=1)) == revoked


def test_an_oem_account_is_created_once_and_saved_only_over_what_was_read(storage):
    oems = storage.oems()
    account = OemAccount(
        "OEM1", "某车企", "91110000MA00000001", ("320102000000001",), "active", 1, NOW, NOW
    )
    assert oems.create(account, "hash") and not oems.create(account, "other")
    changed = dataclasses.replace(account, dealers=(), updated_at=NOW + timedelta(minutes=1))
    oems.save(changed, account)
    with pytest.raises(ConflictError) as stale:
        oems.save(dataclasses.replace(account, status="suspended"), account)
    assert stale.value.code == "oem_changed"
    assert oems.get("OEM1") == changed and oems.secret_hash("OEM1") == "hash"


def test_a_regulator_name_is_taken_once_and_a_totp_step_accepted_once(storage):
    accounts = storage.accounts()
    account = RegulatorAccount("contract-li", "analyst", (), "pw-hash", "", 1, False, NOW, NOW)
    accounts.create_regulator(account)
    with pytest.raises(ConflictError):
        accounts.create_regulator(account)
    steps = [accounts.accept_totp_step("contract-li", s) for s in (100, 100, 99, 101)]
    with pytest.raises(ConflictError):
        accounts.replace_regulator(dataclasses.replace(account, generation=2), 7)
    assert steps == [True, False, False, True]
    assert accounts.regulator("contract-li").totp_last_step == 101


# --- builders ---------------------------------------------------------------------------------


def _payload(**overrides: Any) -> dict[str, Any]:
    from tests.builders import record_payload

    return record_payload(**overrides)


def _payload_of(record: Any) -> dict[str, Any]:
    return record.content.to_dict()


def _evaluation() -> Evaluation:
    return Evaluation(
        record_id="e" * 32,
        companycode="320102000000001",
        vin="1M8GDM9AXKP042788",
        settlement_date="2024-03-02",
        scores=dict.fromkeys(SCORE_DIMENSIONS, 4),
        tags=("fair_price",),
        text="不错",
        created_at=NOW,
    )


def _complaint() -> Complaint:
    return Complaint(
        complaint_id="TS" + "B" * 16,
        kind="incorrect",
        status="submitted",
        companycode="320102000000001",
        vin="1M8GDM9AXKP042788",
        plate_number="苏A12345",
        settlement_list_code="A-1",
        settlement_date=None,
        text="记录有误",
        created_at=NOW,
        updated_at=NOW,
    )


def _agency_key() -> AgencyKey:
    return AgencyKey(
        key_id="AK1",
        agency_id="AG1",
        agency_name="甲保险",
        purpose="claims_assessment",
        field_scope="summary",
        quota_per_day=10,
        burst_per_minute=2,
        status="active",
        created_at=NOW,
    )
