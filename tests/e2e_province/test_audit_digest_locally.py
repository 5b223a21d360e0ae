"""The audit digest on the local stack: entries written by `chalice local`, digested and
verified by `python -m infra.admin` against the moto server, as docs/deploy.md shows."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import boto3

from chalicelib.adapters import keys
from infra.local.stack import PROJECT_DIR
from tests.e2e_province.conftest import Http


def _admin(http: Http, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.admin", *args],
        cwd=PROJECT_DIR,
        env=http.environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_local_stack_digests_its_audit_log_and_verify_names_a_rewritten_entry(http):
    # Given audited actions over real HTTP (a regulator's sign-in and registry read)
    assert http.call("GET", "/v1/shops", token=http.regulator()).status == 200
    today = datetime.now(UTC).date().isoformat()
    # When today's digest is stored (so far: the demo flag) and the day is verified
    digest = _admin(http, "audit-digest", "--day", today, "--open-day")
    verified = _admin(http, "audit-verify", "--day", today)
    # Then both succeed against the moto server's table and its Object Lock bucket
    assert digest.returncode == 0, digest.stderr
    assert "digest stored" in digest.stdout
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK" in verified.stdout
    # And when one entry is rewritten in the table, verifying names it and fails
    dynamodb = boto3.client("dynamodb", endpoint_url=http.environment["DYNAMODB_ENDPOINT_URL"])
    table = http.environment["TABLE_NAME"]
    items = [
        item
        for shard in range(keys.AUDIT_SHARDS)
        for item in dynamodb.query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={
                ":pk": {"S": keys.audit_pk(datetime.now(UTC).date(), shard)}
            },
        )["Items"]
    ]
    target = next(i for i in items if i["action"]["S"] == "shop.list")
    dynamodb.put_item(TableName=table, Item=dict(target, target={"S": "*"}))
    tampered = _admin(http, "audit-verify", "--day", today)
    assert tampered.returncode == 1
    assert f"overwritten: {target['PK']['S']} / {target['SK']['S']}" in tampered.stdout
