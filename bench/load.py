"""`make soak` (load): concurrent DMS clients upload for 60 s to the local national system.

What runs: one moto server, provinces 320000 and 420000 and the ministry (`chalice local`
each, with the stream pollers standing in for Lambda's event source mappings), built exactly
as `make run` builds them. Each client thread plays a DMS: mostly new uploads, some replays
(the same content again: `unchanged`) and some corrections (a new version), each through
the REST door (`POST /v1/records`) or the national one (`lcipprocarfixrecordadd`), on one of
the provinces' shops. After the deadline the pollers drain, and the reconciliation is exact:
every distinct upload held once at its province with its expected version, every version once
at the ministry, and statistics counters equal to a recount from the stored versions.

Threads and urllib, no load-testing dependency: the figures we need (rate, p50/p95, errors,
reconciliation) fit in this file, and the clients must keep per-record state (what was sent,
which version to expect) that a generic tool would make us rebuild anyway.

    PORT=46000 MOTO_PORT=46500 python -m bench.load --seconds 60 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NATIONAL_UPLOAD = "/restservices/lcipprodatarest/lcipprocarfixrecordadd/query"
REPLAY_SHARE = 0.15
CORRECTION_SHARE = 0.15
DRAIN_SECONDS = 300.0


@dataclass
class Shop:
    province: str
    url: str
    companycode: str
    name: str
    token: str


@dataclass
class Upload:
    """One settlement list as its DMS knows it: what it last sent and the version expected."""

    shop: Shop
    payload: dict[str, Any]
    version: int


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    uploads: list[Upload] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak (load)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--shops", type=int, default=2, help="extra shops per province")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "0")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "0")))
    args = parser.parse_args(argv)
    from infra.local.run import build_stacks
    from infra.local.stack import FAKE_AWS_ENV, MotoServer, free_port, free_port_run

    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(args.moto_port or free_port())
    moto.start()
    apps = build_stacks(moto, args.port or free_port_run(3))
    logs = Path(tempfile.mkdtemp(prefix="vmehr-load-"))
    try:
        for app in apps:
            app.log_path = logs / f"{app.province_code}.log"
            app.start()
            app.start_poller()
        ministry, *provinces = apps
        shops = _shops(provinces, args.shops)
        print(f"load: {args.clients} clients for {args.seconds:.0f} s on {len(shops)} shops "
              f"(logs in {logs})", flush=True)  # fmt: skip
        tally, elapsed = _run(shops, args.clients, args.seconds)
        print(f"load: done after {elapsed:.1f} s; waiting for the pollers to drain", flush=True)
        checks = _reconcile(moto, ministry, provinces, tally)
        _report(tally, elapsed, checks)
        return 0 if not tally.errors and all(ok for _, ok in checks) else 1
    finally:
        for app in apps:
            app.stop()
        moto.stop()


# --- set-up ----------------------------------------------------------------------------------


def _shops(provinces: list[Any], extra: int) -> list[Shop]:
    """Each province's demo shop and `extra` registered ones, each with a token."""
    from infra.seed import DEMO_REGULATOR, DEMO_SHOP_NAME, DEMO_SHOP_SECRET, HUBEI_DEMO_SHOP_NAME
    from tests.builders import shop_application

    shops = []
    for app in provinces:
        demo_name = DEMO_SHOP_NAME if app.province_code == "320000" else HUBEI_DEMO_SHOP_NAME
        division = app.province_code[:2] + "0102"
        entries = [(f"{division}000000001", DEMO_SHOP_SECRET, demo_name)]
        admin = _post(app.url + "/v1/admin/token", _login(DEMO_REGULATOR))[1]["access_token"]
        for _ in range(extra):
            body = shop_application(division_code=division)
            status, shop = _post(app.url + "/v1/shops", body, admin)
            assert status == 201, shop
            entries.append((shop["companycode"], shop["secret"], shop["name"]))
        for companycode, secret, name in entries:
            status, token = _post(
                app.url + "/v1/auth/token", {"companycode": companycode, "secret": secret}
            )
            assert status == 200, token
            shops.append(Shop(app.province_code, app.url, companycode, name, token["access_token"]))
    return shops


def _login(account: tuple[str, str]) -> dict[str, str]:
    """The demo regulator's sign-in, with its TOTP code (seeded by `make run`)."""
    from infra.seed import DEMO_TOTP_SECRETS
    from tests.builders import totp_code

    username, password = account
    return {
        "username": username,
        "password": password,
        "totp": totp_code(DEMO_TOTP_SECRETS[username]),
    }


# --- the clients -----------------------------------------------------------------------------


def _run(shops: list[Shop], clients: int, seconds: float) -> tuple[Tally, float]:
    tallies = [Tally() for _ in range(clients)]
    start = time.monotonic()
    deadline = start + seconds
    threads = [
        threading.Thread(target=_client, args=(index, shops, deadline, tallies[index]))
        for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    total = Tally()
    for tally in tallies:
        for door, values in tally.latencies.items():
            total.latencies.setdefault(door, []).extend(values)
        total.errors += tally.errors
        total.kinds += tally.kinds
        total.uploads += tally.uploads
    return total, elapsed


def _client(index: int, shops: list[Shop], deadline: float, tally: Tally) -> None:
    """One DMS: its own uploads only, so what it expects never depends on another thread."""
    from tests.builders import record_payload

    rng = random.Random(index)
    mine: list[Upload] = []
    while time.monotonic() < deadline:
        choice = rng.random()
        door = rng.choice(["REST", "national"])
        if mine and choice < REPLAY_SHARE:
            upload, kind, payload = rng.choice(mine), "replay", None
        elif mine and choice < REPLAY_SHARE + CORRECTION_SHARE:
            upload, kind = rng.choice(mine), "correction"
            payload = dict(upload.payload, repair_mileage=upload.payload["repair_mileage"] + 1)
        else:
            shop = rng.choice(shops)
            payload = record_payload(company_name=shop.name)
            upload, kind = Upload(shop, payload, 0), "new"
        sent = payload or upload.payload
        receipt = _upload(upload.shop, sent, door, tally)
        if receipt is None:
            continue
        tally.kinds[kind] += 1
        expected = upload.version + (0 if kind == "replay" else 1)
        if receipt["version"] != expected:
            tally.errors.append(f"{kind}: version {receipt['version']}, expected {expected}")
        upload.payload, upload.version = sent, receipt["version"]
        if kind == "new":
            mine.append(upload)
    tally.uploads += mine


def _upload(shop: Shop, payload: dict[str, Any], door: str, tally: Tally) -> dict | None:
    from tests.builders import compat_from_rest

    started = time.perf_counter()
    if door == "REST":
        status, body = _post(shop.url + "/v1/records", payload, shop.token)
        ok = status in (200, 201)
    else:
        status, body = _post(shop.url + NATIONAL_UPLOAD, compat_from_rest(shop.token, payload))
        ok = status == 200 and body.get("code") == "1"
        body = body.get("receipt") if ok else body
    tally.latencies.setdefault(door, []).append(time.perf_counter() - started)
    if not ok:
        tally.errors.append(f"{door} {status}: {str(body)[:200]}")
        return None
    return body


def _post(url: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


# --- reconciliation --------------------------------------------------------------------------


def _reconcile(moto: Any, ministry: Any, provinces: list[Any], tally: Tally) -> list:
    """(what was checked, whether it held) for every province and the ministry."""
    from chalicelib.adapters.record_items import KIND_HEAD, KIND_VERSION
    from chalicelib.domain.record import record_id_for

    client = moto.client()
    expected: dict[str, dict[str, int]] = {app.province_code: {} for app in provinces}
    for upload in tally.uploads:
        key = record_id_for(upload.shop.companycode, upload.payload["settlement_list_code"])
        expected[upload.shop.province][key] = upload.version
    total_versions = sum(sum(v.values()) for v in expected.values())
    ministry_drained = _wait(
        lambda: len(_scan(client, ministry.table_name, KIND_VERSION)) >= total_versions
    )
    checks = []
    for app in provinces:
        heads = {
            h["record_id"]: int(h["version"]) for h in _scan(client, app.table_name, KIND_HEAD)
        }
        want = expected[app.province_code]
        versions = Counter(v["record_id"] for v in _scan(client, app.table_name, KIND_VERSION))
        checks.append((
            f"province {app.province_code}: {len(want)} distinct uploads, "
            f"{sum(want.values())} versions; stored {len(heads)} records, "
            f"{sum(versions.values())} versions",
            heads == want and versions == Counter(want),
        ))  # fmt: skip
        checks.append(_counters_check(client, app, "province"))
    national = {h["record_id"]: int(h["version"]) for h in _scan(client, ministry.table_name,
                                                                 KIND_HEAD)}  # fmt: skip
    union = {k: v for want in expected.values() for k, v in want.items()}
    held = Counter(v["record_id"] for v in _scan(client, ministry.table_name, KIND_VERSION))
    checks.append((
        f"ministry (drained: {ministry_drained}): {len(national)} records, "
        f"{sum(held.values())} versions; expected {len(union)} and {total_versions}",
        national == union and held == Counter(union),
    ))  # fmt: skip
    checks.append(_counters_check(client, ministry, "ministry"))
    return checks


def _counters_check(client: Any, app: Any, scopes: str) -> tuple[str, bool]:
    from chalicelib.adapters.record_items import KIND_VERSION
    from tests.e2e_national.support import drift, recount, stored_counters

    stats_table = app.environment()["STATS_TABLE_NAME"]

    def no_drift() -> bool:
        expected = recount(_scan(client, app.table_name, KIND_VERSION), scopes)
        return not drift(expected, stored_counters(_scan(client, stats_table)))

    settled = _wait(no_drift)
    return f"statistics {app.province_code}: counters equal a recount ({settled})", settled


def _wait(check: Any, seconds: float = DRAIN_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1.0)
    return True


def _scan(client: Any, table: str, kind: str | None = None) -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo_codec import from_item, to_item

    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    if kind:
        request["FilterExpression"] = "kind = :kind"
        request["ExpressionAttributeValues"] = to_item({":kind": kind})
    items: list[dict[str, Any]] = []
    while True:
        response = client.scan(**request)
        items += [from_item(i) for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# --- the summary -----------------------------------------------------------------------------


def _report(tally: Tally, elapsed: float, checks: list) -> None:
    rows = [("door", "requests", "rate/s", "p50 ms", "p95 ms", "errors")]
    everything: list[float] = []
    for door in ("REST", "national"):
        values = tally.latencies.get(door, [])
        everything += values
        errors = sum(1 for e in tally.errors if e.startswith(door))
        rows.append((door, *_figures(values, elapsed), str(errors)))
    rows.append(("total", *_figures(everything, elapsed), str(len(tally.errors))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(tally.kinds.items()))
    print(f"\nover {elapsed:.1f} s: {kinds}")
    for error in tally.errors[:10]:
        print(f"  error: {error}")
    print("\nreconciliation:")
    for text, ok in checks:
        print(f"  [{'exact' if ok else 'WRONG'}] {text}")


def _figures(values: list[float], elapsed: float) -> tuple[str, str, str, str]:
    if not values:
        return ("0", "0.0", "-", "-")
    ordered = sorted(values)
    p95 = ordered[max(int(0.95 * len(ordered)) - 1, 0)]
    return (
        str(len(values)),
        f"{len(values) / elapsed:.1f}",
        f"{statistics.median(values) * 1000:.0f}",
        f"{p95 * 1000:.0f}",
    )


if __name__ == "__main__":
    sys.exit(main())
