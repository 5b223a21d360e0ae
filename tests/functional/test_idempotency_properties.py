"""Property test (hypothesis) of the idempotency keys, through RecordService against moto.

Whatever sequence of replays, corrections and voids a DMS sends for one settlement list, the
table holds exactly one head, versions 1..n without a gap, one vehicle-chain link per
version, and the receipts say what an oracle (the rules of docs/assumptions.md) expects.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.bootstrap import record_service, shop_registry
from chalicelib.config import get_settings
from chalicelib.domain.record import record_id_for
from chalicelib.doors.kit.record_models import RecordIn
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.services.shop_registry import Actor, ShopApplication
from tests.builders import record_payload, shop_application
from tests.functional.conftest import province_stack

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES_STORAGE", "20"))

# A step: upload one of four contents (0 is the first; the others correct it), or void.
STEPS = st.lists(
    st.one_of(st.tuples(st.just("upload"), st.integers(0, 3)), st.just(("void", 0))),
    min_size=1,
    max_size=8,
)


class Oracle:
    """What the table must hold after each step: the current content and version."""

    def __init__(self) -> None:
        self.variant: int | None = None
        self.version = 0
        self.void = False

    def expect(self, step: str, variant: int) -> tuple[str, int]:
        """(result or error, version after) for this step."""
        if step == "void":
            if self.variant is None:
                return "not_found", self.version
            if not self.void:
                self.void, self.version = True, self.version + 1
            return "voided", self.version
        if self.void:
            return "record_voided", self.version
        if self.variant is None:
            self.variant, self.version = variant, 1
            return "created", 1
        if self.variant == variant:
            return "unchanged", self.version
        self.variant, self.version = variant, self.version + 1
        return "corrected", self.version


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_any_replay_and_correction_sequence_keeps_one_head_and_contiguous_versions(steps):
    with province_stack():  # every example on a fresh stack
        _replay_and_correct(steps)


def _replay_and_correct(steps: list[tuple[str, int]]) -> None:
    # Given a shop and four contents of one settlement list (different odometer readings)
    shop, _ = shop_registry().register(
        ShopApplication(**shop_application()), Actor("regulator:test", "127.0.0.1")
    )
    base = record_payload(company_name=shop.name)
    contents = [
        RecordIn.model_validate({**base, "repair_mileage": 1000 * (i + 1)}).to_content()
        for i in range(4)
    ]
    record_id = record_id_for(shop.companycode, base["settlement_list_code"])
    oracle = Oracle()
    # When the steps are sent, each one twice (a DMS retrying after a lost answer)
    for step, variant in steps:
        for _attempt in range(2):
            expected, version = oracle.expect(step, variant)
            outcome, got_version = _send(shop, step, contents[variant], record_id)
            # Then every answer is the oracle's
            assert (outcome, got_version) == (expected, version), (step, variant)
    # and the table holds one head, versions 1..n, one chain link per version
    _assert_stored(record_id, contents[0].vin, oracle)


def _send(shop: Any, step: str, content: Any, record_id: str) -> tuple[str, int]:
    try:
        if step == "void":
            receipt = record_service().void(shop, record_id, "重复上传")
        else:
            receipt = record_service().upload(shop, content)
    except NotFoundError:
        return "not_found", _current_version(record_id)
    except ConflictError as exc:
        return exc.code, _current_version(record_id)
    return receipt.result, receipt.version


def _current_version(record_id: str) -> int:
    head = _items(keys.record_pk(record_id), keys.HEAD)
    return int(head[0]["version"]) if head else 0


def _assert_stored(record_id: str, vin: str, oracle: Oracle) -> None:
    partition = _items(keys.record_pk(record_id))
    heads = [i for i in partition if i["SK"] == keys.HEAD]
    versions = sorted(int(i["version"]) for i in partition if i["SK"] != keys.HEAD)
    assert len(heads) == (1 if oracle.version else 0)
    assert versions == list(range(1, oracle.version + 1))
    links = [i for i in _items(keys.vehicle_pk(vin)) if i["SK"] != keys.CHAIN_HEAD]
    links = [i for i in links if i["SK"].startswith(keys.chain_link_prefix())]
    assert sorted(int(i["seq"]) for i in links) == list(range(1, oracle.version + 1))
    assert sorted(int(i["version"]) for i in links) == versions
    entries = [i for i in _items(keys.vehicle_pk(vin)) if i.get("record_id") == record_id]
    entries = [i for i in entries if i["SK"].startswith(keys.vehicle_entry_prefix())]
    assert len(entries) == (1 if oracle.version and not oracle.void else 0)


def _items(pk: str, sk: str | None = None) -> list[dict[str, Any]]:
    condition = "PK = :pk" + (" AND SK = :sk" if sk else "")
    values = {":pk": pk, **({":sk": sk} if sk else {})}
    response = boto3.client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression=condition,
        ExpressionAttributeValues=to_item(values),
        ConsistentRead=True,
    )
    return [from_item(i) for i in response["Items"]]
