"""A province's exchange credential is bound to its code: it writes its own province only."""

from __future__ import annotations

import pytest

from chalicelib.services.forward_changes import exchange_item
from infra.seed import HUBEI_DEMO_SHOP_NAME
from tests.e2e_national.support import HUBEI_SHOP, NationalSystem, post, stored_record

pytestmark = pytest.mark.e2e


def _exchange_token(national: NationalSystem, province_code: str, secret: str):
    return post(
        f"{national.ministry.url}/v1/exchange/token",
        {"province_code": province_code, "secret": secret},
    )


def test_a_province_cannot_write_another_provinces_record_at_the_ministry(
    national: NationalSystem,
) -> None:
    # Given Jiangsu's exchange token, and a record version of Hubei's demo shop
    answer = _exchange_token(national, "320000", national.jiangsu.extra_env["EXCHANGE_SECRET"])
    assert answer.status == 200, answer.json
    token = answer.json["access_token"]
    record = stored_record(HUBEI_SHOP, HUBEI_DEMO_SHOP_NAME)
    change = exchange_item(record)

    # When Jiangsu sends it in an exchange batch
    batch = post(
        f"{national.ministry.url}/v1/exchange/batch",
        {"contract": "exchange/v1", "items": [change]},
        token,
    )

    # Then that item is rejected and the ministry stores nothing for it
    assert batch.status == 200, batch.json
    [result] = batch.json["results"]
    assert result["result"] == "rejected", result
    assert "another province" in result["reason"]
    assert national.ministry_head(record.record_id) is None
    assert (
        national.item(national.ministry.table_name, f"REC#{record.record_id}", "V#000001") is None
    )


def test_the_exchange_refuses_a_wrong_secret(national: NationalSystem) -> None:
    # Given a secret that is not Jiangsu's (made up, and Hubei's)
    wrong_secrets = ["not-the-exchange-secret", national.hubei.extra_env["EXCHANGE_SECRET"]]

    # When Jiangsu's code is presented with them
    answers = [_exchange_token(national, "320000", secret) for secret in wrong_secrets]

    # Then every one gets 401 and no token
    assert [a.status for a in answers] == [401, 401], [a.json for a in answers]
    assert all("access_token" not in (a.json or {}) for a in answers)


def test_the_exchange_batch_needs_a_province_token(national: NationalSystem) -> None:
    # Given a regulator's token at the ministry (not a province's)
    token = national.regulator_token(national.ministry)
    record = stored_record(HUBEI_SHOP, HUBEI_DEMO_SHOP_NAME)
    change = exchange_item(record)

    # When it is used to send a batch
    batch = post(
        f"{national.ministry.url}/v1/exchange/batch",
        {"contract": "exchange/v1", "items": [change]},
        token,
    )

    # Then the ministry answers 401 and stores nothing
    assert batch.status == 401, batch.json
    assert national.ministry_head(record.record_id) is None
