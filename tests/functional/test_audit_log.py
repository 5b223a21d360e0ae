"""The audit trail: who (account, role), what, when and from where, readable by administrators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.functional.conftest import ANALYST, REGULATOR

BROWSER = "Mozilla/5.0 (audit test)"


def _entries(api, query="", token=None):
    response = api.get(f"/v1/audit{query}", token or api.regulator_token())
    assert response.status_code == 200, response.json
    return response.json


def test_sign_ins_failed_sign_ins_and_registry_reads_are_recorded(api, shop):
    # Given a failed and a successful sign-in, and reads of the registry with a browser's UA
    registered, _ = shop
    api.regulator_login(REGULATOR[0], "wrong-password")
    token = api.regulator_token()
    api.call("GET", "/v1/shops", None, token, headers={"User-Agent": BROWSER})
    api.call("GET", f"/v1/shops/{registered['companycode']}", None, token)
    # When the administrator reads the trail
    entries = _entries(api, "?actor=regulator")["entries"]
    # Then each action is there with who, role, what, target, when and from where
    actions = [e["action"] for e in entries]
    for action in ("auth.login_failed", "auth.token_issued", "shop.register", "shop.list"):
        assert action in actions, actions
    listing = next(e for e in entries if e["action"] == "shop.list")
    assert listing["actor"] == "regulator:regulator"
    assert listing["role"] == "province_admin"
    assert listing["user_agent"] == BROWSER
    assert listing["source_ip"]
    assert datetime.fromisoformat(listing["at"]) <= datetime.now(UTC)
    read = next(e for e in entries if e["action"] == "shop.read")
    assert read["target"] == registered["companycode"]
    failed = next(e for e in entries if e["action"] == "auth.login_failed")
    assert failed["details"] == {"reason": "disabled_or_wrong_password"}
    # And the entries come newest first
    times = [e["at"] for e in entries]
    assert times == sorted(times, reverse=True)


def test_reading_the_trail_is_itself_recorded(api):
    # Given the administrator read the trail once
    _entries(api)
    # When it reads it again
    entries = _entries(api)["entries"]
    # Then the first read is in it
    assert any(e["action"] == "audit.read" for e in entries)


def test_the_actor_filter_takes_a_username(api):
    # Given actions by the administrator and by the analyst
    api.get("/v1/shops", api.regulator_token(ANALYST))
    api.get("/v1/shops", api.regulator_token())
    # When the trail is filtered for the analyst
    entries = _entries(api, "?actor=analyst")["entries"]
    # Then only the analyst's entries come back
    assert entries
    assert {e["actor"] for e in entries} == {"regulator:analyst"}


def test_the_trail_pages_without_losing_or_repeating_entries(api):
    # Given some twenty entries of the administrator
    token = api.regulator_token()
    for _ in range(18):
        api.get("/v1/shops", token)
    expected = _entries(api, "?actor=regulator&limit=200")["entries"]
    # When it is read five at a time
    seen, cursor = [], None
    while True:
        query = "?actor=regulator&limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = _entries(api, query)
        assert len(page["entries"]) <= 5
        seen += page["entries"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every entry that existed comes exactly once, newest first (reads of the trail
    # are recorded too, so later pages may add those: compare the entries that were there)
    ids = [(e["at"], e["action"]) for e in seen if e["action"] != "audit.read"]
    assert ids == [(e["at"], e["action"]) for e in expected if e["action"] != "audit.read"]


def test_dates_select_china_calendar_days(api):
    # Given an action today
    api.get("/v1/shops", api.regulator_token())
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    # When the trail is read for today, and for a day long ago
    now = _entries(api, f"?from={today}&to={today}")["entries"]
    then = _entries(api, "?from=2025-01-01&to=2025-01-02")["entries"]
    # Then today's entries are there and the old day is empty
    assert any(e["action"] == "shop.list" for e in now)
    assert then == []


def test_bad_ranges_and_limits_are_named(api):
    token = api.regulator_token()
    backwards = api.get("/v1/audit?from=2025-02-01&to=2025-01-01", token)
    garbled = api.get("/v1/audit?from=yesterday", token)
    too_many = api.get("/v1/audit?limit=5000", token)
    forged = api.get("/v1/audit?cursor=bm90LWEtY3Vyc29y", token)
    assert [r.status_code for r in (backwards, garbled, too_many, forged)] == [400] * 4
    assert garbled.json["errors"][0] == {
        "code": "invalid_field",
        "field": "from",
        "rule": "iso_8601",
        "message": "from must be YYYY-MM-DD or an ISO date-time",
    }


def test_only_administrators_read_the_trail(api):
    assert api.get("/v1/audit", api.regulator_token(ANALYST)).status_code == 403
    assert api.get("/v1/audit").status_code == 401


def test_entries_of_several_days_and_shards_page_newest_first(aws):
    # Given entries on three days written through the adapter with a pinned clock, by three
    # instances writing to three shards
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog
    from chalicelib.adapters.dynamo_audit_search import DynamoAuditSearch
    from chalicelib.config import get_settings

    class PinnedClock:
        def __init__(self) -> None:
            self.at = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

        def now(self) -> datetime:
            return self.at

    clock = PinnedClock()
    table = get_settings().table_name
    writers = [DynamoAuditLog(table, clock, shard=shard) for shard in (0, 3, 7)]
    log = DynamoAuditSearch(table)
    written = []
    for day in range(3):
        for minute in range(7):
            clock.at = datetime(2026, 3, 1 + day, 10, minute, tzinfo=UTC)
            writers[minute % 3].append(
                actor="regulator:x", action=f"a{day}.{minute}", target="t", source_ip="ip"
            )
            written.append(clock.at.isoformat())
    # When they are read four at a time over the three days
    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    seen, cursor = [], None
    while True:
        page, cursor = log.entries(since, until, actor=None, limit=4, cursor=cursor)
        seen += [e["at"] for e in page]
        if cursor is None:
            break
    # Then each comes once, newest first, across days and shards
    assert seen == sorted(written, reverse=True)
    # And a narrower range leaves the rest out
    narrow, _ = log.entries(
        datetime(2026, 3, 2, 10, 3, tzinfo=UTC),
        datetime(2026, 3, 2, 10, 5, tzinfo=UTC),
        actor=None,
        limit=50,
        cursor=None,
    )
    assert [e["action"] for e in narrow] == ["a1.4", "a1.3"]


def test_entries_are_kept_at_least_180_days_then_expire_through_ttl(api):
    import boto3

    from chalicelib.adapters.keys import TTL_ATTRIBUTE
    from chalicelib.config import get_settings

    # Given an audited action (a sign-in)
    api.regulator_token()
    # When the stored entries are read as DynamoDB holds them
    table = get_settings().table_name
    dynamodb = boto3.client("dynamodb")
    items = [
        i for i in dynamodb.scan(TableName=table)["Items"] if i.get("kind", {}).get("S") == "audit"
    ]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    # Then each expires through the table's TTL attribute, at least 180 days after it was written
    assert items and ttl["AttributeName"] == TTL_ATTRIBUTE
    for item in items:
        written = datetime.fromisoformat(item["at"]["S"])
        expires = datetime.fromtimestamp(int(item[TTL_ATTRIBUTE]["N"]), UTC)
        assert expires - written >= timedelta(days=180)
