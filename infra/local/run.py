"""`make run`: two provinces (320000 江苏, 420000 湖北) and the ministry on this machine.

Everything runs on loopback against one moto server: each stack's tables (from infra/), the
provinces' dead-letter queues (SQS), `chalice local` per stack on its own port, and a stream
poller per stack standing in for Lambda's event source mappings. Demo regulators, demo shops
and the provinces' exchange credentials are seeded; Ctrl-C (or SIGTERM) stops all of it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import dataclass

from infra.local.stack import FAKE_AWS_ENV, MotoServer, ProvinceApp, provision
from infra.local.stream_poller import HANDLERS as POLLER_HANDLERS


@dataclass(frozen=True)
class StackSpec:
    name: str
    role: str
    province_code: str
    table_name: str
    division_code: str = ""


PROVINCES = (
    StackSpec("江苏 Jiangsu", "province", "320000", "vmehr-province-320000", "320102"),
    StackSpec("湖北 Hubei", "province", "420000", "vmehr-province-420000", "420102"),
)
MINISTRY = StackSpec("交通运输部 Ministry", "ministry", "000000", "vmehr-ministry")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    args = parser.parse_args(argv)

    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(args.moto_port)
    moto.start()
    stop_requested: list[int] = []

    def _request_stop(signum: int, _frame: object) -> None:
        # A plain list append: taking a lock here (Event.set) can deadlock with the main
        # thread, which the signal interrupts while it may hold that very lock.
        stop_requested.append(signum)

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGHUP, _request_stop)
    apps = build_stacks(moto, args.port)
    try:
        for app in apps:
            app.start()
            app.start_poller()
        _seed_demo_vehicle(apps[1])
        complaint = _file_demo_complaint(apps[1])
        _banner(apps, moto.url, complaint)
        while not stop_requested:
            time.sleep(0.2)
    finally:
        print("\nstopping…", flush=True)
        for app in apps:
            app.stop()
        moto.stop()
    return 0


def build_stacks(moto: MotoServer, base_port: int) -> list[ProvinceApp]:
    """Provision and seed the ministry and both provinces; return their (unstarted) apps."""
    from infra.seed import create_exchange_credential, seed_demo_regulators

    _use_endpoint(moto.url, MINISTRY.table_name)
    provision(moto, MINISTRY.table_name)
    seed_demo_regulators(MINISTRY.table_name, "ministry", "000000", "")
    ministry = ProvinceApp(
        base_port + len(PROVINCES),
        "000000",
        MINISTRY.table_name,
        moto.url,
        role="ministry",
        poller_handlers=POLLER_HANDLERS,
    )
    apps = []
    sqs = moto.client("sqs")
    for index, spec in enumerate(PROVINCES):
        secret = create_exchange_credential(MINISTRY.table_name, spec.province_code)
        provision(moto, spec.table_name)
        _use_endpoint(moto.url, spec.table_name)
        seed_demo_regulators(spec.table_name, "province", spec.province_code, spec.division_code)
        _seed_demo_shop(spec)
        queue = sqs.create_queue(QueueName=f"vmehr-forwarder-dlq-{spec.province_code}")
        apps.append(
            ProvinceApp(
                base_port + index,
                spec.province_code,
                spec.table_name,
                moto.url,
                poller_handlers=POLLER_HANDLERS,
                extra_env={
                    "MINISTRY_URL": ministry.url,
                    "EXCHANGE_SECRET": secret,
                    "DEAD_LETTER_QUEUE_URL": queue["QueueUrl"],
                },
            )
        )
    return [ministry, *apps]


def _use_endpoint(url: str, table_name: str) -> None:
    """Point the in-process seeding code at moto and one stack's table."""
    from chalicelib import bootstrap

    os.environ.update({"DYNAMODB_ENDPOINT_URL": url, "TABLE_NAME": table_name})
    bootstrap.reset()


def _seed_demo_shop(spec: StackSpec) -> None:
    from infra.seed import (
        HUBEI_DEMO_SHOP_NAME,
        HUBEI_DEMO_USCC,
        IDLE_DEMO_SHOP_NAME,
        IDLE_DEMO_USCC,
        create_demo_shop,
    )

    if spec.province_code == "420000":
        create_demo_shop(spec.table_name, spec.division_code, HUBEI_DEMO_SHOP_NAME, HUBEI_DEMO_USCC)
    else:
        create_demo_shop(spec.table_name, spec.division_code)
        # Registered like the first (a regulator's API sign-in here would spend the demo
        # administrator's TOTP code of the moment), and never uploads.
        create_demo_shop(
            spec.table_name,
            spec.division_code,
            IDLE_DEMO_SHOP_NAME,
            IDLE_DEMO_USCC,
            shop_class="quick_service",
        )


def _seed_demo_vehicle(jiangsu: ProvinceApp) -> None:
    from infra.demo_data import seed_demo_vehicle
    from infra.seed import DEMO_SHOP_NAME, DEMO_SHOP_SECRET

    spec = PROVINCES[0]
    seed_demo_vehicle(
        jiangsu.url, f"{spec.division_code}000000001", DEMO_SHOP_SECRET, DEMO_SHOP_NAME
    )


def _file_demo_complaint(jiangsu: ProvinceApp) -> str:
    from infra.demo_data import file_demo_complaint

    return file_demo_complaint(jiangsu.url)


def _banner(apps: list[ProvinceApp], moto_url: str, complaint: str) -> None:
    from infra.seed import (
        DEMO_ANALYST,
        DEMO_DISTRICT_OFFICER,
        DEMO_REGULATOR,
        DEMO_SHOP_SECRET,
        DEMO_TOTP_SECRETS,
    )

    ministry, *provinces = apps
    lines = ["", "The local system is up (loopback only):"]
    for index, (app, spec) in enumerate(zip(provinces, PROVINCES, strict=True)):
        shop = f"{spec.division_code}000000001"
        lines.append(f"  Province {spec.province_code} {spec.name}: {app.url}")
        lines.append(f"      demo shop companycode={shop} secret={DEMO_SHOP_SECRET}")
        if index == 0:  # the idle shop is seeded on the first province only
            idle = f"{spec.division_code}000000002"
            lines.append(
                f"      idle demo shop (never uploads) companycode={idle} secret={DEMO_SHOP_SECRET}"
            )
    from infra.demo_data import DEMO_PLATE, DEMO_SETTLEMENT_NUMBERS, DEMO_VIN

    lines += [
        f"  Demo vehicle (open {provinces[0].url}/ on a phone-sized window):",
        f"      VIN {DEMO_VIN}  plate {DEMO_PLATE}  settlement numbers "
        + ", ".join(DEMO_SETTLEMENT_NUMBERS),
        f"  Ministry (national history, exchange):  {ministry.url}",
        f"  DynamoDB / Streams / SQS (moto server): {moto_url}",
        f"  Regulator console: {provinces[0].url}/console on every stack (?lang=en for English)",
        "  Demo regulators (password, then the 6-digit code from the command shown):",
    ]
    for (username, password), roles in (
        (DEMO_REGULATOR, "province_admin on each province, ministry_admin on the ministry"),
        (DEMO_DISTRICT_OFFICER, "district_officer for 320102 / 420102 (provinces only)"),
        (DEMO_ANALYST, "province_analyst / ministry_analyst"),
    ):
        lines.append(f"      {username} / {password}  ({roles})")
        lines.append(
            f"        TOTP secret {DEMO_TOTP_SECRETS[username]}, code now: "
            f".venv/bin/python -m infra.admin totp --secret {DEMO_TOTP_SECRETS[username]}"
        )
    lines += _console_walkthrough(
        provinces[0].url, f"{PROVINCES[0].division_code}000000002", complaint
    )
    lines += _audit_commands(provinces[0])
    lines += [
        f"  Ministry console ({ministry.url}/console, sign in as admin): 部省联网 Provinces' link",
        "      lists all 31 provinces: Jiangsu and Hubei with uploads, error rate, exchange lag",
        "      and credential (replace or revoke it there); 档案查询 searches both at once.",
        f"Try:  curl -s {provinces[0].url}/v1/health   (README walks through an upload)",
        "Press Ctrl-C to stop everything.",
    ]
    print("\n".join(lines), flush=True)


def _audit_commands(app: ProvinceApp) -> list[str]:
    """The audit log's digest by hand (a deployed stack writes yesterday's at 00:10 UTC)."""
    env = app.environment()
    names = (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE",
        "PROVINCE_CODE",
        "TABLE_NAME",
        "DYNAMODB_ENDPOINT_URL",
        "S3_ENDPOINT_URL",
        "AUDIT_DIGEST_BUCKET",
        "AUDIT_DIGEST_KEY",
    )
    variables = " ".join(f"{name}={env[name]}" for name in names)
    return [
        "  Audit log of Jiangsu: store today's digest so far (--open-day: a demo), then verify:",
        f"      env {variables} \\",
        "        .venv/bin/python -m infra.admin audit-digest --day $(date -u +%F) --open-day",
        "      (the same env, then: .venv/bin/python -m infra.admin audit-verify --day "
        "$(date -u +%F))",
    ]


def _console_walkthrough(url: str, idle: str, complaint: str) -> list[str]:
    """What a newcomer does in the console, and the shops' side of it with curl."""
    from infra.seed import DEMO_SHOP_SECRET

    busy = f"{PROVINCES[0].division_code}000000001"

    def token(companycode: str) -> str:
        return (
            f"$(curl -s -XPOST {url}/v1/auth/token -H 'Content-Type: application/json' "
            f'-d \'{{"companycode":"{companycode}","secret":"{DEMO_SHOP_SECRET}"}}\' '
            "| python3 -c 'import sys,json;print(json.load(sys.stdin)[\"access_token\"])')"
        )

    return [
        f"  Console walkthrough ({url}/console, sign in as admin):",
        "      上传监控 Coverage: 1 of 2 Jiangsu shops uploads; 未上传企业 lists the idle shop:",
        "        tick it and send a reminder; the shop reads it (then reload 提醒通知 Reminders):",
        f"        IDLE={token(idle)}",
        f'        curl -s {url}/v1/shop/reminders -H "Authorization: Bearer $IDLE"',
        f"        curl -s -XPOST {url}/v1/shop/reminders/<reminder_id>/read "
        '-H "Authorization: Bearer $IDLE"',
        f"        (or sign in to {url}/portal as {idle} with the demo secret and open 消息)",
        f"      投诉处理 Complaints: {complaint} waits to be accepted, then the shop replies:",
        f"        SHOP={token(busy)}",
        f"        curl -s -XPOST {url}/v1/shop/complaints/{complaint}/reply "
        "-H \"Authorization: Bearer $SHOP\" -H 'Content-Type: application/json' "
        '-d \'{"text":"已核实，里程录入错误，已更正"}\'',
        "        then close it as resolved in the console.",
    ]


if __name__ == "__main__":
    sys.exit(main())
