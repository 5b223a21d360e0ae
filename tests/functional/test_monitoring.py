"""Upload monitoring figures from the aggregator's counters: 对接率, 未上传, 错误率, 及时率,
today/yesterday, for the whole province and for one district officer's districts."""

from __future__ import annotations

import pytest

from chalicelib import bootstrap
from tests.builders import record_payload
from tests.functional.test_statistics_stream import _stream_event


@pytest.fixture
def monitored(api):
    """Three shops: two in 320102 (one never uploads), one in 320104 with a flagged upload."""
    busy, busy_token = api.new_shop(division_code="320102", shop_class="二类")
    idle, _ = api.new_shop(division_code="320102", shop_class="三类")
    other, other_token = api.new_shop(division_code="320104", shop_class="二类")
    for _ in range(3):
        api.post("/v1/records", record_payload(company_name=busy["name"]), busy_token)
    api.post(
        "/v1/records", record_payload(company_name=other["name"], repair_mileage=0), other_token
    )
    api.client.lambda_.invoke("apply_record_changes", _stream_event())
    return {"busy": busy, "idle": idle, "other": other}


def test_coverage_by_class_counts_docked_over_registered(monitored):
    rows = {r.shop_class: r for r in bootstrap.monitoring_service().coverage(None)}
    assert (rows["all"].registered, rows["all"].docked) == (3, 2)
    assert (rows["class_2"].registered, rows["class_2"].docked) == (2, 2)
    assert (rows["class_3"].registered, rows["class_3"].docked, rows["class_3"].rate) == (1, 0, 0)


def test_a_district_officer_sees_only_their_districts(monitored):
    service = bootstrap.monitoring_service()
    rows = {r.shop_class: r for r in service.coverage(("320104",))}
    assert (rows["all"].registered, rows["all"].docked) == (1, 1)
    assert service.today_and_yesterday(("320104",)) == {"today": 1, "yesterday": 0}
    assert service.today_and_yesterday(None) == {"today": 4, "yesterday": 0}
    assert [s["companycode"] for s in service.not_uploading(("320104",), 7)] == []


def test_idle_shops_and_error_rates(monitored):
    service = bootstrap.monitoring_service()
    idle = service.not_uploading(None, 7)
    assert [s["companycode"] for s in idle] == [monitored["idle"]["companycode"]]
    assert idle[0]["last_upload_at"] is None
    month = service.today().isoformat()[:7]
    rates = service.error_rates(None, month)
    assert rates[0]["companycode"] == monitored["other"]["companycode"]
    assert (rates[0]["uploads"], rates[0]["flagged"], rates[0]["error_rate"]) == (1, 1, 1.0)
    assert rates[0]["flags"]["mileage_zero"] == 1
    assert rates[1]["error_rate"] == 0


def test_timeliness_of_old_settlements(monitored):
    # The builder's settlement date (2024) is long past: every upload is late (> 72 h)
    service = bootstrap.monitoring_service()
    today = service.today()
    result = service.timeliness(None, today, today)
    assert result["uploads"] == 4 and result["buckets"]["t_gt_72h"] == 4 and result["rate"] == 0
