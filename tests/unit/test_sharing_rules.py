"""Pure rules of agency sharing and the OEM feed: consent decisions, field scopes, counting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.agency import (
    PURPOSES,
    Agency,
    AgencyKey,
    AgencyRefusedError,
    Grant,
    entry_in_scope,
    grant_for_read,
    grants_of_holder,
)
from chalicelib.domain.oem import (
    checked_dealers,
    is_oem_source,
    may_overwrite,
    oem_id_for,
    source_of,
)
from chalicelib.domain.possession import current_plate, is_current_plate
from chalicelib.domain.record import Flag, Part, RecordContent, RepairItem, StoredRecord
from chalicelib.domain.statistics import RecordChange, change_deltas, coalesce
from chalicelib.errors import ValidationFailedError

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _key(purpose="claims_assessment", agency="AG1") -> AgencyKey:
    return AgencyKey(
        key_id="AK1",
        agency_id=agency,
        agency_name="甲保险",
        purpose=purpose,
        field_scope="summary",
        quota_per_day=10,
        burst_per_minute=2,
        status="active",
        created_at=NOW,
    )


def _grant(purpose="claims_assessment", agency="AG1", days=30, age=0, revoked=False) -> Grant:
    created = NOW - timedelta(days=age)
    return Grant(
        grant_id=f"GR{purpose[:3]}{age}",
        vin="LSVAU2180N2183294",
        agency_id=agency,
        agency_name="甲保险",
        purpose=purpose,
        created_at=created,
        expires_at=created + timedelta(days=days),
        revoked_at=created + timedelta(hours=1) if revoked else None,
    )


def test_public_interest_purposes_need_no_grant_and_commercial_ones_do():
    assert {code for code, p in PURPOSES.items() if not p.needs_grant} == {
        "emissions_inspection",
        "recall_campaign",
    }
    assert grant_for_read(_key("recall_campaign"), [], NOW) is None


@pytest.mark.parametrize(
    ("grants", "code"),
    [
        ([], "no_grant"),
        ([_grant(agency="AG2")], "no_grant"),
        ([_grant(purpose="underwriting")], "purpose_not_allowed"),
        ([_grant(days=7, age=8)], "grant_expired"),
        ([_grant(revoked=True)], "grant_revoked"),
        ([_grant(days=7, age=20), _grant(age=1, revoked=True)], "grant_revoked"),
    ],
)
def test_a_commercial_read_is_refused_with_the_reason(grants, code):
    with pytest.raises(AgencyRefusedError) as refused:
        grant_for_read(_key(), grants, NOW)
    assert refused.value.code == code


def test_the_longest_active_grant_of_the_agency_and_purpose_lets_it_read():
    grants = [_grant(days=7, age=1), _grant(days=90, age=2), _grant(revoked=True, age=0)]
    assert grant_for_read(_key(), grants, NOW) == grants[1]


def test_only_the_current_holders_grants_count():
    # Given grants under the old plate, under the current plate, and one kept without a plate
    old = replace(_grant(age=3), grant_id="GROLD", plate="苏A12345")
    mine = replace(_grant(age=1), grant_id="GRNEW", plate="鄂A7Q123")
    unknown = replace(_grant(age=0), grant_id="GRNONE")
    # Then only the current plate's grant counts, and none for a vehicle without a plate
    assert grants_of_holder([old, mine, unknown], "鄂A7Q123") == [mine]
    assert grants_of_holder([old, mine, unknown], "") == []
    # And an agency holding only the earlier holder's consent reads as if it had none
    with pytest.raises(AgencyRefusedError) as refused:
        grant_for_read(_key(), grants_of_holder([old], "鄂A7Q123"), NOW)
    assert refused.value.code == "no_grant"


def test_the_current_plate_is_the_latest_record_that_has_one():
    # Given a vehicle repaired under 苏A12345, then under 鄂A7Q123, then once with no plate typed
    first = _record()
    sold = replace(first, content=replace(first.content, plate_number="鄂A7Q123"))
    blank = replace(first, content=replace(first.content, plate_number=""))
    entries = [first, sold, blank]
    # Then the current plate is the latest one typed, and only it proves possession
    assert current_plate(entries) == "鄂A7Q123"
    assert is_current_plate(entries, "鄂a·7q123")
    assert not is_current_plate(entries, "苏A12345") and not is_current_plate(entries, "")
    assert current_plate([]) == ""


def _record() -> StoredRecord:
    content = RecordContent(
        vin="LSVAU2180N2183294",
        plate_number="苏A12345",
        company_name="某4S店",
        repair_date=date(2024, 3, 1),
        repair_mileage=12000,
        settlement_date=date(2024, 3, 2),
        fault_description="异响",
        settlement_list_code="JS-1",
        repair_items=(RepairItem("更换刹车片", Decimal("2.0")),),
        parts=(Part("刹车片", "BP-01", Decimal("4")),),
    )
    return StoredRecord(
        record_id="r" * 32,
        companycode="320102000000001",
        version=2,
        status="active",
        content=content,
        content_hash="h",
        flags=(Flag("plate_format", "plate_number"),),
        shop_name="某4S店",
        shop_class="class_1",
        received_at=NOW,
        updated_at=NOW,
    )


def test_the_summary_scope_names_work_and_the_full_scope_adds_the_line_details():
    summary = entry_in_scope(_record(), "summary")
    full = entry_in_scope(_record(), "full")
    assert summary["repair_items"] == [{"name": "更换刹车片"}]
    assert summary["parts"] == [{"name": "刹车片"}]
    assert summary["shop"] == {
        "name": "某4S店",
        "shop_class": "class_1",
        "shop_class_label": "一类",
        "province_code": "320000",
    }
    assert full["repair_items"] == [{"name": "更换刹车片", "labour_hours": "2"}]
    assert full["parts"] == [{"name": "刹车片", "code": "BP-01", "quantity": "4"}]
    assert (full["fault_description"], full["version"], full["flags"]) == (
        "异响",
        2,
        ["plate_format"],
    )
    for scope in (summary, full):
        assert "plate_number" not in scope and "settlement_list_code" not in scope
        assert "320102000000001" not in str(scope) and "苏A12345" not in str(scope)


def test_an_agencys_purposes_follow_its_kind():
    agency = Agency("AG1", "某二手车平台", "used_car", NOW)
    assert [p.code for p in agency.purposes()] == ["used_car_transparency"]


def _change(version=1, source=None, status="active") -> RecordChange:
    return RecordChange(
        record_id="r1",
        version=version,
        status=status,
        companycode="320102000000001",
        shop_class="class_2",
        settlement_date=date(2024, 3, 2),
        received_at=NOW,
        changed_at=NOW,
        source=source,
    )


def test_an_oem_upload_counts_as_an_upload_and_as_oem_upload_only_once():
    oem = source_of(oem_id_for("91310000MA1FL0000X"))
    assert is_oem_source(oem) and not is_oem_source(None)
    assert change_deltas(_change(source=oem))["oem_uploads"] == 1
    assert change_deltas(_change(source=oem))["uploads"] == 1
    assert "oem_uploads" not in change_deltas(_change())
    assert change_deltas(_change(version=2, source=oem)) == {"corrections": 1}


def test_the_ministry_counts_oem_uploads_per_province_and_nation():
    oem = source_of("OEM0123456789AB")
    updates = coalesce([_change(source=oem), replace(_change(), record_id="r2")], "ministry")
    totals = {key.scope: update.totals() for key, update in updates.items()}
    assert totals["province"]["uploads"] == totals["nation"]["uploads"] == 2
    assert totals["province"]["oem_uploads"] == totals["nation"]["oem_uploads"] == 1


def test_an_oems_dealers_are_companycodes_of_its_province():
    assert checked_dealers(
        ["320102000000002", " 320102000000001", "320102000000002"], "320000"
    ) == (
        "320102000000001",
        "320102000000002",
    )
    for bad in ([], ["420102000000001"], ["3201020000001"]):
        with pytest.raises(ValidationFailedError):
            checked_dealers(bad, "320000")


def test_an_oem_overwrites_only_what_it_sent_and_the_dealer_overwrites_anything():
    # Given two OEMs' sources and the dealer's own (None)
    one, other = source_of("OEM0123456789AB"), source_of("OEM0123456789AC")
    # Then the dealer may overwrite every version, an OEM only the one it sent itself
    assert all(may_overwrite(written, None) for written in (None, one, other))
    assert may_overwrite(one, one)
    assert not may_overwrite(None, one) and not may_overwrite(other, one)


def test_the_source_of_a_version_travels_to_the_ministry():
    import dataclasses

    from chalicelib.services.forward_changes import exchange_item
    from tests.exchange_items import stored_version

    record = dataclasses.replace(stored_version(), source="oem:OEM0123456789AB")
    item = exchange_item(record)
    assert item["record"]["source"] == "oem:OEM0123456789AB"
