"""The audit log's daily digest: the scheduled handler stores yesterday's, signed, once, in the
Object Lock bucket; `infra.admin audit-verify` checks a day against it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_audit import DynamoAuditLog
from chalicelib.adapters.s3_audit_digests import digest_key
from chalicelib.config import get_settings
from chalicelib.domain.audit_digest import parse, signing_message
from chalicelib.scheduled.audit_digest import AuditLogFindingsError
from infra.admin import main as admin


class PinnedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def _write_day(day: date, count: int, shards: tuple[int, ...] = (0, 5)) -> None:
    """`count` entries of a past day, written by one warm instance per shard."""
    clock = PinnedClock(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9))
    writers = [DynamoAuditLog(get_settings().table_name, clock, shard=s) for s in shards]
    for n in range(count):
        writers[n % len(writers)].append(
            actor="regulator:admin",
            role="province_admin",
            action="shop.read",
            target=f"3201020000{n:05d}",
            source_ip="10.0.0.1",
            details={"fields": ["contact_phone"], "n": n},
        )


def _digest_run(api: Any, detail: dict[str, Any] | None = None) -> Any:
    event = api.client.events.generate_cw_event(
        source="aws.events",
        detail_type="Scheduled Event",
        detail=detail or {},
        resources=["arn:aws:events:cn-north-1:000000000000:rule/audit-digest"],
    )
    return api.client.lambda_.invoke("write_audit_digest", event).payload


def _versions(day: date) -> list[dict[str, Any]]:
    settings = get_settings()
    key = digest_key(settings.province_code, day)
    listing = boto3.client("s3").list_object_versions(
        Bucket=settings.audit_digest_bucket, Prefix=key
    )
    return list(listing.get("Versions", []))


def test_the_daily_run_stores_yesterdays_signed_digest_once_under_object_lock(api):
    # Given yesterday's audit log: seven entries on two shards
    day = _yesterday()
    _write_day(day, 7)
    # When the scheduled handler runs, and runs again (a retry, or a second schedule)
    first = _digest_run(api)
    second = _digest_run(api)
    # Then the first stored the digest of yesterday and the second wrote nothing
    assert first == {"day": day.isoformat(), "written": True, "entries": 7, "findings": 0}
    assert second == {"day": day.isoformat(), "written": False, "entries": 0, "findings": 0}
    (version,) = _versions(day)
    # and the one object is locked in compliance mode, under audit-digests/<province>/<day>
    settings = get_settings()
    s3 = boto3.client("s3")
    key = f"audit-digests/320000/{day.isoformat()}.json"
    head = s3.head_object(Bucket=settings.audit_digest_bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=179)
    # and it holds each shard's count, first and last seq and head, signed with the digest key
    body = s3.get_object(Bucket=settings.audit_digest_bucket, Key=key)["Body"].read()
    digest, stored_hash, signature = parse(body)
    assert [(s.shard, s.count, s.first_seq, s.last_seq) for s in digest.shards] == [
        (0, 4, 1, 4),
        (5, 3, 1, 3),
    ]
    assert stored_hash == digest.digest_hash
    assert settings.audit_digest_key is not None
    expected = hmac.new(
        settings.audit_digest_key.encode(), signing_message(digest).encode(), hashlib.sha256
    ).hexdigest()
    assert signature == expected
    assert json.loads(body)["algorithm"] == "HMAC-SHA256"
    assert version["VersionId"]


def test_an_operator_reruns_a_named_day_and_verifies_it(api, capsys):
    # Given a day three days ago that the schedule missed
    day = _yesterday() - timedelta(days=2)
    _write_day(day, 5)
    # When the function is invoked for that day, then the day is verified
    answer = _digest_run(api, {"day": day.isoformat()})
    code = admin(["audit-verify", "--day", day.isoformat()])
    # Then its digest was stored and the untouched day verifies
    assert answer["written"] is True and answer["entries"] == 5
    assert code == 0
    out = capsys.readouterr().out
    assert f"audit log of 320000 on {day.isoformat()} (UTC): OK, 5 entries" in out


def test_a_day_without_entries_has_a_digest_too(api, capsys):
    # Given a past day nobody acted on
    day = _yesterday() - timedelta(days=10)
    # When it is digested and verified
    assert admin(["audit-digest", "--day", day.isoformat()]) == 0
    # Then it verifies (an empty digest: entries added later would show as extra)
    assert admin(["audit-verify", "--day", day.isoformat()]) == 0
    assert "OK, 0 entries" in capsys.readouterr().out


def test_a_day_that_is_not_over_is_not_digested_unless_asked_for_a_demo(api, capsys):
    # Given today's audit log (a sign-in)
    api.regulator_token()
    today = datetime.now(UTC).date().isoformat()
    # When the operator asks for today's digest, then for a demo digest of it so far
    refused = admin(["audit-digest", "--day", today])
    refused_err = capsys.readouterr().err
    demo = admin(["audit-digest", "--day", today, "--open-day"])
    # Then the first is refused, naming why, and the second stores what there is
    assert refused == 2 and "is not over yet" in refused_err
    assert demo == 0 and "digest stored" in capsys.readouterr().out


def test_today_verifies_against_its_own_chains_before_there_is_a_digest(api, capsys):
    # Given today's audit log, written through the API (sign-in, registry reads)
    token = api.regulator_token()
    api.get("/v1/shops", token)
    # When today is verified
    code = admin(["audit-verify", "--day", datetime.now(UTC).date().isoformat()])
    # Then it is OK, checked chain by chain, and says there is no digest yet
    assert code == 0
    assert "no digest yet (the day is not over)" in capsys.readouterr().out


def test_a_chain_already_broken_when_digested_fails_the_run_once(api):
    # Given yesterday's log with an entry removed before the digest run
    day = _yesterday()
    _write_day(day, 3, shards=(6,))
    table = get_settings().table_name
    boto3.client("dynamodb").delete_item(
        TableName=table,
        Key={"PK": {"S": keys.audit_pk(day, 6)}, "SK": {"S": keys.audit_entry_sk(2)}},
    )
    # When the scheduled handler runs / Then it stores the digest and fails (errors alarm)
    with pytest.raises(AuditLogFindingsError, match="1 findings"):
        _digest_run(api)
    assert len(_versions(day)) == 1
    # and Lambda's retry finds the digest stored and ends quietly
    assert _digest_run(api)["written"] is False
