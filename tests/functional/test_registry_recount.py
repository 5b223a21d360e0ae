"""`infra.admin recount-registry`: the ministry repairs its registered-shop counts from its copies.

Copies arrive as in production (a province's exchange batch); the count is then damaged by hand,
as a partial restore would, and the command must put back exactly what the copies say, leave a
correct count alone, and refuse a code that is not a province.
"""

from __future__ import annotations

import boto3

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item
from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
from chalicelib.config import get_settings
from chalicelib.exchange.requests import envelope
from infra.admin import main as admin
from tests.exchange_items import shop_change


def _copies(api, shops: list[tuple[str, str, str]]) -> None:
    """Jiangsu forwards registry entries (companycode suffix, class, status) in one batch."""
    token = api.post(
        "/v1/exchange/token",
        {"province_code": "320000", "secret": api.exchange_secrets["320000"]},
    ).json["access_token"]
    items = [
        shop_change(
            f"320102000000{suffix}",
            shop_class=shop_class,
            status=status,
            name=f"重新计数测试维修厂{suffix}",
        )
        for suffix, shop_class, status in shops
    ]
    answer = api.post("/v1/exchange/batch", envelope(items), token)
    assert [r["result"] for r in answer.json["results"]] == ["applied"] * len(shops)


def _damage(counts: dict[str, int]) -> None:
    """Overwrite Jiangsu's count item, as a partial restore or a hand edit would."""
    item = {
        **keys.key(keys.registry_count_pk("320000"), keys.REGISTRY_COUNT),
        "kind": "registry_count",
        **{f"active_{k}": v for k, v in counts.items()},
    }
    boto3.client("dynamodb").put_item(TableName=get_settings().table_name, Item=to_item(item))


def test_recount_restores_the_counts_the_copies_give_and_then_changes_nothing(ministry_api, capsys):
    # Given two active class-2 shops, one active class-1 and one suspended class-3
    _copies(
        ministry_api,
        [("801", "class_2", "active"), ("802", "class_2", "active")]
        + [("803", "class_1", "active"), ("804", "class_3", "suspended")],
    )
    store = DynamoExchangeStore(get_settings().table_name)
    expected = {"class_1": 1, "class_2": 2}
    assert store.active_counts("320000") == expected
    # And a count that drifted (a class lost, a class that no active shop has)
    _damage({"class_2": 5, "class_3": 2})

    # When the operator recounts Jiangsu
    assert admin(["recount-registry", "--province", "320000"]) == 0

    # Then the count is what the copies say, and the change is printed
    assert store.active_counts("320000") == expected
    out = capsys.readouterr().out
    assert "320000: class_2=5, class_3=2 -> class_1=1, class_2=2" in out
    assert "recounted 1 provinces, 1 changed" in out
    # And later copies keep moving the repaired count exactly once
    _copies(ministry_api, [("805", "class_1", "active")])
    assert store.active_counts("320000") == {"class_1": 2, "class_2": 2}
    # And recounting every province changes nothing more
    assert admin(["recount-registry"]) == 0
    assert "recounted 31 provinces, 0 changed" in capsys.readouterr().out


def test_recount_refuses_a_code_that_is_not_a_province(ministry_api, capsys):
    assert admin(["recount-registry", "--province", "320100"]) == 2
    assert "not a mainland province code: 320100" in capsys.readouterr().err


def test_a_copy_stored_while_recounting_makes_it_count_again(ministry_api):
    # Given one active class-2 shop and a damaged count
    _copies(ministry_api, [("811", "class_2", "active")])
    _damage({"class_2": 9})

    class CopyArrivesMidway(DynamoExchangeStore):
        """A province's new shop lands after the copies were read, before the count is written."""

        attempts = 0

        def _registry_copies(self, province_code):
            type(self).attempts += 1
            copies = list(super()._registry_copies(province_code))
            if self.attempts == 1:
                _copies(ministry_api, [("812", "class_1", "active")])
            return iter(copies)

    store = CopyArrivesMidway(get_settings().table_name)
    # When it recounts
    before, after = store.recount_active("320000")
    # Then the first count (which missed the new shop) was not written: it counted again
    assert CopyArrivesMidway.attempts == 2
    assert before == {"class_1": 1, "class_2": 9}  # the damaged count, moved by the new shop
    assert after == store.active_counts("320000") == {"class_1": 1, "class_2": 1}
