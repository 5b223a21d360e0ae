"""`make run`: the whole province stack on this machine, loopback only, until Ctrl-C.

Starts moto in server mode, provisions the table from infra/table.json, seeds a demo regulator
and a demo shop, serves the app with `chalice local`, prints URLs and credentials, and on
Ctrl-C (or SIGTERM) stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from infra.local.stack import FAKE_AWS_ENV, MotoServer, ProvinceApp, provision

PROVINCE_CODE = "320000"
TABLE_NAME = "vmehr-province-320000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    args = parser.parse_args(argv)

    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(args.moto_port)
    moto.start()
    app = ProvinceApp(args.port, PROVINCE_CODE, TABLE_NAME, moto.url)
    stopped = threading.Event()

    def _stop(*_: object) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        provision(moto, TABLE_NAME)
        shop = _seed(moto.url)
        app.start()
        _banner(app.url, moto.url, shop.companycode)
        stopped.wait()
    finally:
        print("\nstopping…", flush=True)
        app.stop()
        moto.stop()
    return 0


def _seed(moto_url: str):  # type: ignore[no-untyped-def]
    os.environ.update(
        {
            "TABLE_NAME": TABLE_NAME,
            "DYNAMODB_ENDPOINT_URL": moto_url,
            "PROVINCE_CODE": PROVINCE_CODE,
        }
    )
    from infra.seed import DEMO_REGULATOR, create_demo_shop, create_regulator

    username, password = DEMO_REGULATOR
    create_regulator(TABLE_NAME, username, password, "province_admin")
    return create_demo_shop(TABLE_NAME)


def _banner(app_url: str, moto_url: str, companycode: str) -> None:
    from infra.seed import DEMO_REGULATOR, DEMO_SHOP_SECRET

    print(
        f"""
Province stack 320000 (江苏) is up.
  API (REST + national interface): {app_url}
  DynamoDB (moto server):          {moto_url}
  Demo regulator:  username={DEMO_REGULATOR[0]}  password={DEMO_REGULATOR[1]}
  Demo shop:       companycode={companycode}  secret={DEMO_SHOP_SECRET}
Try:  curl -s {app_url}/v1/health
Press Ctrl-C to stop everything.""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
