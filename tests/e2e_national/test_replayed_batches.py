"""Every stream batch is delivered 3 times (see conftest): statistics and the national copy
still count each record version exactly once.

The recount applies the aggregators' own fold (`chalicelib.domain.statistics.coalesce`) to the
base record versions of a table and compares it, counter by counter, with the statistics
table; the comparison covers everything the session wrote, so it also checks the other tests'
traffic (the ministry's poller, restarted by the outage test, re-reads its stream from the
start).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from infra.local.stack import ProvinceApp
from infra.seed import DEMO_SHOP_NAME, HUBEI_DEMO_SHOP_NAME
from tests.builders import record_payload
from tests.e2e_national.support import (
    NationalSystem,
    drift,
    eventually,
    get,
    hubei_payload,
    post,
    recount,
    stored_counters,
)

pytestmark = pytest.mark.e2e

DEADLINE = 30.0


def _changes_in(national: NationalSystem, province_code: str) -> set[tuple[str, int]]:
    """Uploads, a correction and a void in one province; the record versions they made."""
    token = national.shop_token(province_code)
    app = national.province(province_code)
    payload = record_payload if province_code == "320000" else hubei_payload
    other_name = HUBEI_DEMO_SHOP_NAME if province_code == "320000" else DEMO_SHOP_NAME
    corrected, voided = payload(), payload()
    uploads = [
        corrected,
        voided,
        payload(repair_mileage=0),  # flagged: mileage zero
        payload(company_name=other_name),  # flagged: not the registered name
    ]
    receipts = [national.upload(province_code, token, p) for p in uploads]
    correction = national.upload(
        province_code,
        token,
        {**corrected, "fault_description": "更换刹车片", "correction_reason": "项目录入错误"},
    )
    void = post(
        f"{app.url}/v1/records/{receipts[1]['record_id']}/void", {"reason": "重复上传"}, token
    )
    assert [r["result"] for r in receipts] == ["created"] * len(uploads)
    assert (correction["result"], correction["version"]) == ("corrected", 2)
    assert void.status == 200, void.json
    assert (void.json["result"], void.json["version"]) == ("voided", 2)
    return {(r["record_id"], 1) for r in receipts} | {
        (correction["record_id"], 2),
        (void.json["record_id"], 2),
    }


def _version_keys(national: NationalSystem, app: ProvinceApp) -> list[tuple[str, int]]:
    return [(i["record_id"], int(i["version"])) for i in national.versions(app)]


def _version_bodies(national: NationalSystem, app: ProvinceApp) -> list[tuple]:
    """What identifies a version and what it says: (record id, version, status, content hash)."""
    return [
        (i["record_id"], int(i["version"]), i["status"], i["content_hash"])
        for i in national.versions(app)
    ]


def test_replayed_batches_leave_province_and_national_statistics_without_drift(
    national: NationalSystem,
) -> None:
    # Given uploads, corrections and voids in both provinces, every batch delivered 3 times
    made = _changes_in(national, "320000") | _changes_in(national, "420000")
    # ...and the provinces' pollers started again at the oldest stream record: a full replay
    # of every batch on top
    for app in national.provinces:
        national.restart_poller(app)

    def national_copy_complete() -> None:
        missing = made - set(_version_keys(national, national.ministry))
        assert not missing, f"not at the ministry yet: {sorted(missing)}"

    eventually(national_copy_complete, timeout=DEADLINE)

    # When the statistics are recounted from the base record versions of each stack
    def no_drift(app: ProvinceApp, scopes: str) -> dict:
        expected = recount(national.versions(app), scopes)
        stored = stored_counters(national.scan(national.stats_table(app)))
        assert drift(expected, stored) == {}, f"{app.province_code} counters drift"
        return stored

    stored = {
        app.province_code: eventually(lambda app=app, s=s: no_drift(app, s), timeout=DEADLINE)
        for app, s in (
            (national.jiangsu, "province"),
            (national.hubei, "province"),
            (national.ministry, "ministry"),
        )
    }

    # Then every counter equals its recount (drift 0), for several kinds of counter
    for code, counters in stored.items():
        names = {name for counts in counters.values() for name in counts}
        assert {"uploads", "corrections", "voids", "flagged"} <= names, (code, names)
        assert any(name.startswith("t_") for name in names), (code, names)
        assert {"flag_mileage_zero", "flag_company_name_mismatch"} <= names, (code, names)


def test_the_ministry_holds_each_record_version_once(national: NationalSystem) -> None:
    # Given both provinces' record versions (every batch was delivered 3 times)
    national.upload("320000", national.shop_token("320000"), record_payload())
    national.upload("420000", national.shop_token("420000"), hubei_payload())

    # When the ministry has caught up
    def caught_up() -> Counter:
        provinces = Counter(_version_bodies(national, national.jiangsu))
        provinces.update(_version_bodies(national, national.hubei))
        ministry = Counter(_version_bodies(national, national.ministry))
        assert set(ministry) == set(provinces), (
            f"only in provinces: {sorted(set(provinces) - set(ministry))}; "
            f"only at the ministry: {sorted(set(ministry) - set(provinces))}"
        )
        return ministry

    ministry = eventually(caught_up, timeout=DEADLINE)

    # Then it holds exactly the provinces' versions, with the same content, each once
    held = Counter((record_id, version) for record_id, version, _, _ in ministry)
    assert [key for key, count in held.items() if count != 1] == []
    assert len(held) >= 2


def test_ministry_lists_both_provinces_with_the_records_it_holds(
    national: NationalSystem,
) -> None:
    # Given records uploaded in both provinces and forwarded
    national.upload("320000", national.shop_token("320000"), record_payload())
    national.upload("420000", national.shop_token("420000"), hubei_payload())
    token = national.regulator_token(national.ministry)

    # When a regulator lists the provinces at the ministry
    def listed() -> dict:
        answer = get(f"{national.ministry.url}/v1/provinces", token)
        assert answer.status == 200, answer.json
        rows = {row["province_code"]: row for row in answer.json["provinces"]}
        uploaded = {
            app.province_code: sum(1 for _, v in _version_keys(national, app) if v == 1)
            for app in national.provinces
        }
        held = {code: rows.get(code, {}).get("records_held") for code in uploaded}
        assert held == uploaded
        return rows

    rows = eventually(listed, timeout=DEADLINE)

    # Then each province shows what was uploaded there, and when it last exchanged
    assert set(rows) == {"320000", "420000"}
    for row in rows.values():
        assert datetime.fromisoformat(row["last_exchange_at"]).tzinfo is not None
        assert row["batches"] >= 1
        assert row["exchange_lag_seconds"] >= 0
