"""A change the ministry keeps refusing is parked with its reason and re-driven after a fix.

The ministry refuses a record version whose shop it does not know. A poison record is made by
writing a valid version item for a shop registered nowhere straight into Hubei's table (Hubei
parks after 3 failed attempts, see conftest); the fix is registering that shop in Hubei, whose
registry entry then travels to the ministry on the same stream.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.dynamo_shops import _profile_item
from chalicelib.adapters.record_items import version_item
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import Shop
from infra.local.stack import PROJECT_DIR
from tests.e2e_national.support import (
    NationalSystem,
    eventually,
    hubei_payload,
    stored_record,
)

pytestmark = pytest.mark.e2e

ATTEMPTS_BEFORE_PARKING = 3  # Hubei's FORWARD_MAX_ATTEMPTS in this tier


def test_poison_record_is_parked_with_its_reason_and_redriven_after_the_fix(
    national: NationalSystem,
) -> None:
    hubei = national.hubei
    token = national.shop_token("420000")

    # Given normal uploads around a record version of a shop registered nowhere, in one period
    before = national.upload("420000", token, hubei_payload())
    poison = _write_poison(national, "420102000009991")
    after = national.upload("420000", token, hubei_payload())

    # When the forwarder has tried the poison as often as Hubei allows
    entries = eventually(lambda: _parked_entries(national, poison))

    # Then the rest went through, and the poison waits in the dead-letter queue with its reason
    eventually(lambda: _assert_at_ministry(national, before["record_id"], after["record_id"]))
    for entry in entries:
        assert entry["item"]["type"] == "record_version"
        assert entry["item"]["record"]["version"] == 1
        assert entry["reason"].startswith("record.companycode (known_shop): ")
        assert f"unknown shop {poison.companycode}" in entry["reason"]
        assert entry["attempts"] >= ATTEMPTS_BEFORE_PARKING
    assert national.ministry_head(poison.record_id) is None

    # Given the fix: the shop is registered in Hubei and its entry has reached the ministry
    _register_shop(national, poison.companycode)

    # When an operator re-drives Hubei's dead-letter queue
    redrive = _redrive(national)

    # Then the parked change is delivered, nothing is still refused, and the queue is empty
    assert redrive.returncode == 0, redrive.stdout + redrive.stderr
    delivered, still_refused = _report(redrive.stdout)
    assert (delivered >= 1, still_refused) == (True, 0), redrive.stdout
    head = national.ministry_head(poison.record_id)
    assert head is not None
    assert (head["companycode"], head["version"]) == (poison.companycode, 1)
    assert national.queue_depth(hubei) == 0


def test_a_poison_change_is_parked_once_however_often_its_batch_is_delivered(
    national: NationalSystem,
) -> None:
    token = national.shop_token("420000")
    poison = _write_poison(national, "420102000009992")
    try:
        # Given a poison change that has been parked, and the forwarder has moved past it
        eventually(lambda: _parked_entries(national, poison))
        later = national.upload("420000", token, hubei_payload())
        eventually(lambda: _assert_at_ministry(national, later["record_id"]))

        # When the dead-letter queue is read (every batch was delivered 3 times)
        entries = _parked_entries(national, poison)

        # Then it holds the change once, and a re-drive after the fix delivers exactly one
        assert len(entries) == 1, [e["attempts"] for e in entries]
        _register_shop(national, poison.companycode)
        redrive = _redrive(national)
        assert _report(redrive.stdout) == (1, 0), redrive.stdout
    finally:
        _register_shop(national, poison.companycode)
        _redrive(national)
        eventually(lambda: _assert_at_ministry(national, poison.record_id))


def test_redrive_with_an_empty_queue_delivers_nothing(national: NationalSystem) -> None:
    # Given Hubei's dead-letter queue holds nothing
    eventually(lambda: _assert_queue_empty(national))

    # When an operator re-drives it
    redrive = _redrive(national)

    # Then nothing is sent and the command succeeds
    assert redrive.returncode == 0, redrive.stdout + redrive.stderr
    assert _report(redrive.stdout) == (0, 0), redrive.stdout


def _write_poison(national: NationalSystem, companycode: str) -> StoredRecord:
    poison = stored_record(companycode, f"武汉未登记汽车维修有限公司{companycode[-4:]}")
    national.client().put_item(
        TableName=national.hubei.table_name, Item=to_item(version_item(poison))
    )
    return poison


def _parked_entries(national: NationalSystem, poison: StoredRecord) -> list[dict]:
    entries = [
        e
        for e in national.parked(national.hubei)
        if e["item"].get("record", {}).get("record_id") == poison.record_id
    ]
    assert entries, f"{poison.record_id} is not parked yet"
    return entries


def _register_shop(national: NationalSystem, companycode: str) -> None:
    """Write the shop's registry entry to Hubei's table; wait until the ministry has its copy."""
    if national.item(national.ministry.table_name, f"SHOP#{companycode}", "PROFILE") is None:
        now = datetime.now(UTC)
        shop = Shop(
            companycode=companycode,
            name=f"武汉未登记汽车维修有限公司{companycode[-4:]}",
            uscc="91420102MA4KX99995",
            division_code=companycode[:6],
            shop_class="class_2",
            address="武汉市江岸区测试路9号",
            contact_name="赵师傅",
            contact_phone="027-80000000",
            status="active",
            created_at=now,
            updated_at=now,
        )
        national.client().put_item(
            TableName=national.hubei.table_name, Item=to_item(_profile_item(shop))
        )

    def copied() -> None:
        copy = national.item(national.ministry.table_name, f"SHOP#{companycode}", "PROFILE")
        assert copy is not None, f"shop {companycode} not at the ministry yet"

    eventually(copied)


def _redrive(national: NationalSystem) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.admin", "redrive"],
        cwd=PROJECT_DIR,
        env=national.hubei.environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _report(stdout: str) -> tuple[int, int]:
    """(delivered, still refused) from `re-driven: N delivered, M still refused`."""
    found = re.search(r"re-driven: (\d+) delivered, (\d+) still refused", stdout)
    assert found, stdout
    return int(found[1]), int(found[2])


def _assert_queue_empty(national: NationalSystem) -> None:
    assert national.queue_depth(national.hubei) == 0


def _assert_at_ministry(national: NationalSystem, *record_ids: str) -> None:
    missing = [r for r in record_ids if national.ministry_head(r) is None]
    assert not missing, f"not at the ministry yet: {missing}"
