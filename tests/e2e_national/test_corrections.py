"""A correction travels like any change: to the province statistics and to the ministry."""

from __future__ import annotations

import pytest

from tests.builders import record_payload
from tests.e2e_national.support import (
    NationalSystem,
    drift,
    eventually,
    recount,
    stored_counters,
)

pytestmark = pytest.mark.e2e


def test_a_correction_and_later_uploads_reach_the_ministry_and_statistics(
    national: NationalSystem,
) -> None:
    # Given a record uploaded in Jiangsu and then corrected, and a later upload
    token = national.shop_token("320000")
    original = record_payload()
    first = national.upload("320000", token, original)
    correction = national.upload(
        "320000", token, {**original, "repair_mileage": 12500, "correction_reason": "里程录错"}
    )
    later = national.upload("320000", token, record_payload())
    assert (first["result"], correction["result"], correction["version"]) == (
        "created",
        "corrected",
        2,
    )

    # When the stream consumers have had the time they need
    def delivered() -> None:
        head = national.ministry_head(first["record_id"])
        assert head is not None and head["version"] == 2, head
        assert national.ministry_head(later["record_id"]) is not None

    # Then the ministry holds the corrected version and the later record...
    eventually(delivered, timeout=10)

    # ...and Jiangsu's statistics count the correction once
    def counted() -> None:
        expected = recount(national.versions(national.jiangsu), "province")
        stored = stored_counters(national.scan(national.stats_table(national.jiangsu)))
        assert drift(expected, stored) == {}
        assert any("corrections" in counts for counts in stored.values())

    eventually(counted, timeout=10)
