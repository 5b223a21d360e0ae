"""Boundary: the audit log, against a role that may put items in the stack's table.

The party: whoever holds the credentials of a function that writes the records table (the
API or jobs function's role: a leaked session, a compromised dependency). What it holds:
`dynamodb:PutItem`, `GetItem` and `Query` on every item of the table, audit entries included
(the role is denied UpdateItem, DeleteItem and BatchWriteItem on `AUDIT#` keys and has no
write on the digest bucket: tests/unit/test_deploy_template.py), and that function's
environment (SIGNING_KEY, TOTP_KEY), never the audit digest key. What it tries, after the
day's digest was stored: overwrite an entry (with a past TTL, so DynamoDB removes it), remove
one (as that TTL does), append a forged entry at the end of a chain, rewrite a chain
consistently from one entry to its end, and put a digest of its own over the stored one.
What holds: `python -m infra.admin audit-verify` names each of these, with the key and what
the digest expected; an untouched day verifies OK; the application keeps logging.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.adapters import keys
from chalicelib.config import get_settings
from chalicelib.domain.audit_chain import entry_hash, facts_of
from infra.admin import main as admin
from tests.builders import record_payload, unique_plate, unique_vin
from tests.functional.conftest import ANALYST


def _today() -> date:
    return datetime.now(UTC).date()


def _entries(day: date) -> list[dict[str, Any]]:
    """Every chained entry of the day, as the attacker reads them (its role may query)."""
    dynamodb = boto3.client("dynamodb")
    items = []
    for shard in range(keys.AUDIT_SHARDS):
        response = dynamodb.query(
            TableName=get_settings().table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.audit_pk(day, shard)}},
        )
        items += response["Items"]
    return items


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters.dynamo_codec import from_item

    return from_item(item)


def _put(item: dict[str, Any]) -> None:
    """A put as the compromised role makes it: no condition."""
    boto3.client("dynamodb").put_item(TableName=get_settings().table_name, Item=item)


def _verify(capsys: Any) -> tuple[int, list[str]]:
    code = admin(["audit-verify", "--day", _today().isoformat()])
    lines = capsys.readouterr().out.splitlines()
    return code, [line.strip() for line in lines[1:]]


def _relink(item: dict[str, Any], prev_hash: str, **changes: Any) -> dict[str, Any]:
    """An entry rewritten with a correct hash for its content and position (the algorithm is
    no secret), linked to `prev_hash`."""
    from chalicelib.adapters.dynamo_codec import to_item

    values = {**_plain(item), **changes}
    pk, sk = values[keys.PK], values[keys.SK]
    day, shard = date.fromisoformat(pk.split("#")[1]), int(pk.split("#")[2])
    seq = int(sk.removeprefix(keys.AUDIT_SEQ_PREFIX))
    facts = facts_of({**values, "expires_at": values[keys.TTL_ATTRIBUTE]})
    values["prev_hash"] = prev_hash
    values["hash"] = entry_hash(day, shard, seq, prev_hash, facts)
    return to_item(values)


@pytest.fixture
def digested_day(api: Any, capsys: Any) -> list[dict[str, Any]]:
    """A day of entries written through the real doors by two warm instances, then its digest
    stored as the next night's run stores it; returns the day's entries."""
    # A failed and a good sign-in, registry reads, a shop registered, an analyst's read
    api.regulator_login("regulator", "wrong-password")
    token = api.regulator_token()
    shop, shop_token = api.new_shop()
    api.get(f"/v1/shops/{shop['companycode']}", token)
    bootstrap.reset()  # a second warm instance: its own shard and head cache
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate, company_name=shop["name"])
    assert api.post("/v1/records", payload, shop_token).status_code == 201
    assert api.get(f"/v1/vehicles/{vin}/history?plate={plate}").status_code == 200
    api.get("/v1/shops", api.regulator_token(ANALYST))
    assert api.get("/v1/audit", token).status_code == 200
    # The digest of the day so far (the demo flag stands in for tomorrow's scheduled run)
    assert admin(["audit-digest", "--day", _today().isoformat(), "--open-day"]) == 0
    capsys.readouterr()
    entries = [e for e in _entries(_today()) if e["SK"]["S"].startswith(keys.AUDIT_SEQ_PREFIX)]
    assert len(entries) >= 8
    return entries


def test_an_untouched_day_verifies(digested_day, capsys):
    # Given the digested day, untouched / When it is verified / Then it is OK
    code, _ = _verify(capsys)
    assert code == 0


def test_an_entry_overwritten_with_a_past_ttl_is_named(digested_day, capsys):
    # Given the attacker overwrites the analyst's registry read: another actor, a past TTL
    (target,) = [e for e in digested_day if e["action"]["S"] == "shop.list"]
    forged = dict(target, actor={"S": "regulator:regulator"})
    forged[keys.TTL_ATTRIBUTE] = {"N": str(int(time.time()) - 86400)}
    _put(forged)
    # When the day is verified
    code, findings = _verify(capsys)
    # Then exactly that entry is named overwritten, by its key, with the hash the digest expects
    assert code == 1
    (finding,) = findings
    where = f"{target['PK']['S']} / {target['SK']['S']}"
    assert finding.startswith(f"overwritten: {where}")
    assert finding.endswith(f"the digest expects {target['hash']['S']}")


def test_an_entry_removed_is_named_missing(digested_day, capsys):
    # Given the entry of the vehicle history read is gone (as a past TTL would remove it)
    (target,) = [e for e in digested_day if e["action"]["S"] == "vehicle_history.read"]
    boto3.client("dynamodb").delete_item(
        TableName=get_settings().table_name, Key={"PK": target["PK"], "SK": target["SK"]}
    )
    # When the day is verified
    code, findings = _verify(capsys)
    # Then it is named missing, by the key it had and the hash the digest expects
    assert code == 1
    (finding,) = findings
    assert finding.startswith(f"missing: {target['PK']['S']} / {target['SK']['S']}")
    assert finding.endswith(target["hash"]["S"])


def test_a_forged_entry_appended_to_a_chain_is_named_extra_and_logging_goes_on(
    api, digested_day, capsys
):
    # Given the attacker appends a well-formed link after a shard's last entry, with the
    # condition a writer uses, so it looks like any entry
    head = max(digested_day, key=lambda e: (e["PK"]["S"], e["SK"]["S"]))
    seq = int(head["SK"]["S"].removeprefix(keys.AUDIT_SEQ_PREFIX)) + 1
    forged = dict(head, SK={"S": keys.audit_entry_sk(seq)}, action={"S": "auth.logout"})
    forged["entry_id"] = {"S": "f" * 32}
    boto3.client("dynamodb").put_item(
        TableName=get_settings().table_name,
        Item=_relink(forged, head["hash"]["S"]),
        ConditionExpression="attribute_not_exists(PK)",
    )
    # When the day is verified
    code, findings = _verify(capsys)
    # Then the forged entry is named extra: the digest ends the chain before it
    assert code == 1
    (finding,) = findings
    assert finding.startswith(f"extra: {head['PK']['S']} / {keys.audit_entry_sk(seq)}")
    # And the application still reads and logs: the administrator reads the trail
    assert api.get("/v1/audit", api.regulator_token()).status_code == 200


def test_a_chain_rewritten_consistently_to_its_end_is_named_entry_by_entry(digested_day, capsys):
    # Given the attacker rewrites one shard's second entry and recomputes every later link,
    # so the shard's chain is whole again in the table
    pk = max(
        {e["PK"]["S"] for e in digested_day},
        key=lambda p: sum(e["PK"]["S"] == p for e in digested_day),
    )
    chain = sorted((e for e in digested_day if e["PK"]["S"] == pk), key=lambda e: e["SK"]["S"])
    assert len(chain) >= 3
    previous = chain[0]["hash"]["S"]
    for index, entry in enumerate(chain[1:], start=1):
        rewritten = _relink(entry, previous, target="nothing") if index == 1 else None
        rewritten = rewritten or _relink(entry, previous)
        _put(rewritten)
        previous = rewritten["hash"]["S"]
    # When the day is verified
    code, findings = _verify(capsys)
    # Then every entry from the rewritten one to the chain's end is named overwritten
    assert code == 1
    assert [f.split(" (")[0] for f in findings] == [
        f"overwritten: {pk} / {e['SK']['S']}" for e in chain[1:]
    ]


def test_a_digest_put_over_the_stored_one_does_not_replace_it(digested_day, capsys):
    # Given the attacker removes an entry, then stores a digest of the damaged day signed
    # with the key it holds (SIGNING_KEY) over the stored one (a new version: Object Lock
    # keeps the first, and the bucket policy would refuse its put, which moto does not model)
    from chalicelib.domain.audit_digest import build_digest, render, verify_day

    victim = digested_day[0]
    boto3.client("dynamodb").delete_item(
        TableName=get_settings().table_name, Key={"PK": victim["PK"], "SK": victim["SK"]}
    )
    settings = get_settings()
    assert settings.signing_key is not None and settings.audit_digest_bucket is not None
    chains = bootstrap._audit().day_chains(_today())
    fake = render(
        build_digest(settings.province_code, _today(), chains, datetime.now(UTC).isoformat()),
        settings.signing_key.encode(),
    )
    boto3.client("s3").put_object(
        Bucket=settings.audit_digest_bucket,
        Key=f"audit-digests/{settings.province_code}/{_today().isoformat()}.json",
        Body=fake,
    )
    # When the day is verified
    code, findings = _verify(capsys)
    # Then the extra version is named, and the first digest still names the missing entry
    assert code == 1
    assert findings[0].startswith("digest_replaced: 2 versions")
    assert findings[1].startswith(f"missing: {victim['PK']['S']} / {victim['SK']['S']}")
    assert len(findings) == 2
    # and read on its own, the forged document would not pass for a digest of this stack
    assert settings.audit_digest_key is not None
    alone = verify_day(
        settings.province_code, _today(), chains, fake, settings.audit_digest_key.encode()
    )
    assert alone[0].kind == "digest_signature"
