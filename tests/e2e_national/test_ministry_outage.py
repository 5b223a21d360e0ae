"""The ministry down for a while: provinces keep working, and the forwarder catches up after.

Jiangsu keeps the default attempt budget (8). The poller backs off 0.25 s doubling, so the 8th
failed attempt comes about 26 s after the first; the outage here ends well before that (it
lasts from the stop until the restarted `chalice local` answers, a few seconds).
"""

from __future__ import annotations

import pytest

from chalicelib.adapters.stats_keys import attempt_key
from tests.builders import record_payload
from tests.e2e_national.support import DEADLINE, NationalSystem, eventually, get

pytestmark = pytest.mark.e2e

UPLOADS = 3
FAILED_ATTEMPTS = 3  # failed deliveries seen before the ministry comes back (about 1 s of back-off)
JIANGSU_MAX_ATTEMPTS = 8  # the default FORWARD_MAX_ATTEMPTS


def test_provinces_accept_uploads_while_the_ministry_is_down_and_nothing_is_lost(
    national: NationalSystem,
) -> None:
    jiangsu, ministry = national.jiangsu, national.ministry
    token = national.shop_token("320000")
    assert national.queue_depth(jiangsu) == 0

    # Given the ministry is unreachable
    ministry.stop()
    assert not _answers(f"{ministry.url}/v1/health")

    # When a Jiangsu shop uploads records, and the forwarder has failed a few times to send them
    try:
        receipts = [national.upload("320000", token, record_payload()) for _ in range(UPLOADS)]
        changes = [f"rec:{r['record_id']}#1" for r in receipts]
        eventually(lambda: _assert_attempted(national, changes, FAILED_ATTEMPTS), timeout=15)
        # ...and the shop keeps uploading while the forwarder is failing
        receipts.append(national.upload("320000", token, record_payload()))
        changes.append(f"rec:{receipts[-1]['record_id']}#1")
    finally:
        national.start(ministry)

    # Then the province took them all while the ministry was down
    assert all(r["result"] == "created" for r in receipts), receipts

    # And once the ministry is back, every record reaches it and nothing was parked
    def all_delivered() -> None:
        missing = [
            r["record_id"] for r in receipts if national.ministry_head(r["record_id"]) is None
        ]
        assert not missing, f"not at the ministry yet: {missing}"

    eventually(all_delivered, timeout=DEADLINE + 10)
    attempts = _attempts(national, changes)
    assert all(a < JIANGSU_MAX_ATTEMPTS for a in attempts.values()), attempts  # failures only
    assert national.queue_depth(jiangsu) == 0
    assert national.parked(jiangsu) == []


def _answers(url: str) -> bool:
    try:
        return get(url).status == 200
    except OSError:  # connection refused: nobody listens on the port
        return False


def _attempts(national: NationalSystem, changes: list[str]) -> dict[str, int]:
    found = {}
    for change in changes:
        key = attempt_key(change)
        item = national.item(national.stats_table(national.jiangsu), key["PK"], key["SK"])
        found[change] = int(item["attempts"]) if item else 0
    return found


def _assert_attempted(national: NationalSystem, changes: list[str], at_least: int) -> None:
    attempts = _attempts(national, changes)
    assert all(a >= at_least for a in attempts.values()), f"not tried enough yet: {attempts}"
