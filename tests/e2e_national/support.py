"""Helpers of the national e2e tier: real HTTP to the stacks, direct reads of their tables.

Everything that waits does so against a deadline and re-checks (`eventually`); no assertion
rests on a fixed sleep.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.record_items import KIND_VERSION
from chalicelib.adapters.stats_keys import counter_key
from chalicelib.domain.record import RecordContent, StoredRecord, record_id_for
from chalicelib.domain.statistics import coalesce
from chalicelib.streams.stream_records import record_change
from infra.local.stack import (
    MotoServer,
    ProvinceApp,
)
from infra.seed import DEMO_SHOP_SECRET, HUBEI_DEMO_SHOP_NAME
from tests.builders import record_payload, unique_vin
from tests.exchange_items import chained

JIANGSU_SHOP = "320102000000001"
HUBEI_SHOP = "420102000000001"
SHOP_OF = {"320000": JIANGSU_SHOP, "420000": HUBEI_SHOP}
DEADLINE = 20.0
# Counter items carry these besides their counts (see DynamoStatsStore._counter_update).
COUNTER_METADATA = {"PK", "SK", "scope_id", "shop_class", "day", "last_upload_at"}

T = TypeVar("T")


# --- waiting -------------------------------------------------------------------------------


def eventually(check: Callable[[], T], timeout: float = DEADLINE, interval: float = 0.25) -> T:
    """Run `check` until it stops raising AssertionError; after the deadline, let it raise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(interval)


def sessions_alive(session_ids: set[int]) -> list[str]:
    """Command lines of live processes in any of these sessions (what stop() must have ended)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the ")" closing the command name: state ppid pgrp session ...
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[3]) in session_ids:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                alive.append(f"{entry.name}: {cmdline.strip()}")
        except (OSError, ValueError):
            continue
    return alive


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    json: Any


def call(method: str, url: str, body: Any = None, token: str | None = None) -> Answer:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body, ensure_ascii=False, default=str).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Answer(response.status, json.loads(response.read() or b"null"))
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return Answer(exc.code, json.loads(raw or b"null"))
        except ValueError:
            return Answer(exc.code, raw.decode(errors="replace"))


def post(url: str, body: Any, token: str | None = None) -> Answer:
    return call("POST", url, body, token)


def get(url: str, token: str | None = None) -> Answer:
    return call("GET", url, None, token)


# --- the running system --------------------------------------------------------------------


@dataclass
class NationalSystem:
    """The ministry and both provinces on one moto server, every app and poller running."""

    moto: MotoServer
    ministry: ProvinceApp
    jiangsu: ProvinceApp
    hubei: ProvinceApp
    log_dir: Path
    sessions: set[int] = field(default_factory=set)
    _clients: dict[str, Any] = field(default_factory=dict)
    _regulator_tokens: dict[str, str] = field(default_factory=dict)

    @property
    def provinces(self) -> list[ProvinceApp]:
        return [self.jiangsu, self.hubei]

    def province(self, code: str) -> ProvinceApp:
        return {"320000": self.jiangsu, "420000": self.hubei}[code]

    def client(self, service: str = "dynamodb") -> Any:
        if service not in self._clients:
            self._clients[service] = self.moto.client(service)
        return self._clients[service]

    # processes

    def start(self, app: ProvinceApp) -> None:
        """Start an app and its poller, remembering their sessions for the leak check."""
        app.start()
        app.start_poller()
        for process in (app._process, app._poller):
            if process is not None:
                self.sessions.add(process.pid)  # start_new_session: pid == session id

    def restart_poller(self, app: ProvinceApp) -> None:
        """A new poller process: it starts again at the oldest stream record (a full replay)."""
        app.stop_poller()
        app.start_poller()
        if app._poller is not None:
            self.sessions.add(app._poller.pid)

    # HTTP

    def shop_token(self, province_code: str, companycode: str | None = None) -> str:
        app = self.province(province_code)
        answer = post(
            f"{app.url}/v1/auth/token",
            {"companycode": companycode or SHOP_OF[province_code], "secret": DEMO_SHOP_SECRET},
        )
        assert answer.status == 200, answer.json
        return str(answer.json["access_token"])

    def upload(self, province_code: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = post(f"{self.province(province_code).url}/v1/records", payload, token)
        assert answer.status in (200, 201), answer.json
        return dict(answer.json)

    def regulator_token(self, app: ProvinceApp) -> str:
        """The demo administrator's token on a stack, signed in once (TOTP codes are single-use)."""
        from infra.seed import DEMO_REGULATOR, DEMO_TOTP_SECRETS
        from tests.builders import totp_code

        if app.url not in self._regulator_tokens:
            username, password = DEMO_REGULATOR
            body = {
                "username": username,
                "password": password,
                "totp": totp_code(DEMO_TOTP_SECRETS[username]),
            }
            answer = post(f"{app.url}/v1/admin/token", body)
            assert answer.status == 200, answer.json
            self._regulator_tokens[app.url] = str(answer.json["access_token"])
        return self._regulator_tokens[app.url]

    def national_history(self, vin: str, plate: str) -> Answer:
        query = urllib.parse.urlencode({"plate": plate})
        return get(f"{self.ministry.url}/v1/vehicles/{vin}/history?{query}")

    # tables

    def scan(self, table: str, kind: str | None = None) -> list[dict[str, Any]]:
        request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
        if kind is not None:
            request["FilterExpression"] = "kind = :kind"
            request["ExpressionAttributeValues"] = to_item({":kind": kind})
        items: list[dict[str, Any]] = []
        while True:
            response = self.client().scan(**request)
            items += [from_item(i) for i in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def item(self, table: str, pk: str, sk: str) -> dict[str, Any] | None:
        found = (
            self.client()
            .get_item(TableName=table, Key=to_item({"PK": pk, "SK": sk}), ConsistentRead=True)
            .get("Item")
        )
        return from_item(found) if found else None

    def ministry_head(self, record_id: str) -> dict[str, Any] | None:
        return self.item(self.ministry.table_name, f"REC#{record_id}", "HEAD")

    def versions(self, app: ProvinceApp) -> list[dict[str, Any]]:
        return self.scan(app.table_name, KIND_VERSION)

    def stats_table(self, app: ProvinceApp) -> str:
        return app.environment()["STATS_TABLE_NAME"]

    # dead-letter queues

    def queue_url(self, app: ProvinceApp) -> str:
        return app.extra_env["DEAD_LETTER_QUEUE_URL"]

    def parked(self, app: ProvinceApp) -> list[dict[str, Any]]:
        """Every parked change (read with visibility 0, so the messages stay receivable)."""
        bodies: dict[str, dict[str, Any]] = {}
        for _ in range(3):
            response = self.client("sqs").receive_message(
                QueueUrl=self.queue_url(app), MaxNumberOfMessages=10, VisibilityTimeout=0
            )
            for message in response.get("Messages", []):
                bodies[message["MessageId"]] = json.loads(message["Body"])
        return list(bodies.values())

    def queue_depth(self, app: ProvinceApp) -> int:
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url(app),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())


# --- recounts ------------------------------------------------------------------------------


def recount(version_items: list[dict[str, Any]], scopes: str) -> dict[tuple[str, str], dict]:
    """Counters recomputed from base record versions with the aggregators' own fold."""
    changes = [record_change(item) for item in version_items]
    expected = {}
    for key, update in coalesce(changes, scopes).items():
        counter = counter_key(key)
        expected[(counter["PK"], counter["SK"])] = update.totals()
    return expected


def stored_counters(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict]:
    """Counter items of a statistics table (markers, last-upload and attempt items ignored)."""
    return {
        (i["PK"], i["SK"]): {k: int(v) for k, v in i.items() if k not in COUNTER_METADATA}
        for i in items
        if i["PK"].startswith("STAT#")
    }


def drift(expected: dict, stored: dict) -> dict[tuple[str, str], tuple[dict, dict]]:
    """Counter items whose stored counts differ from the recount: (recounted, stored)."""
    return {
        key: (expected.get(key, {}), stored.get(key, {}))
        for key in set(expected) | set(stored)
        if expected.get(key, {}) != stored.get(key, {})
    }


# --- records -------------------------------------------------------------------------------


def hubei_payload(**overrides: Any) -> dict[str, Any]:
    """A valid upload of the Hubei demo shop (its registered name, a Hubei plate)."""
    body = {"company_name": HUBEI_DEMO_SHOP_NAME, "plate_number": hubei_plate()}
    body.update(overrides)
    return record_payload(**body)


def hubei_plate() -> str:
    return f"鄂A{uuid.uuid4().int % 100000:05d}"


def stored_record(companycode: str, shop_name: str, **content: Any) -> StoredRecord:
    """A version-1 record as a province would store it (the first link of its vehicle's
    chain), built outside the app."""
    record_content = RecordContent.from_dict(
        record_payload(company_name=shop_name, vin=unique_vin(), **content)
    )
    now = datetime.now(UTC)
    record = StoredRecord(
        record_id=record_id_for(companycode, record_content.settlement_list_code),
        companycode=companycode,
        version=1,
        status="active",
        content=record_content,
        content_hash=record_content.content_hash(),
        flags=(),
        shop_name=shop_name,
        shop_class="class_2",
        received_at=now,
        updated_at=now,
    )
    return chained(record)
