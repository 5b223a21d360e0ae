"""National e2e tier: the ministry and provinces 320000 / 420000, as `make run` builds them.

One moto server holds every stack's tables and the provinces' dead-letter queues; each stack
runs `chalice local` and a stream poller (Lambda's event source mapping) as subprocesses.

The system is built once for this package, with two deliberate settings:
- every poller delivers every batch 3 times (`poller_deliveries = 3`), so each test also
  proves that replays change nothing;
- Hubei parks a change in its dead-letter queue after 3 failed attempts (the default is 8),
  so the poison-record test does not wait for the full budget. Jiangsu keeps the default,
  which the ministry-outage test relies on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from chalicelib import bootstrap
from infra.local.run import build_stacks
from infra.local.stack import FAKE_AWS_ENV, MotoServer, free_port, free_port_run
from tests.e2e_national.support import NationalSystem, sessions_alive

DELIVERIES = 3
HUBEI_MAX_ATTEMPTS = "3"


@pytest.fixture(scope="package")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NationalSystem]:
    saved_environ = dict(os.environ)
    os.environ.update(FAKE_AWS_ENV)  # build_stacks seeds through the app's own adapters
    moto = MotoServer(free_port())
    moto.start()
    system = None
    try:
        ministry, jiangsu, hubei = build_stacks(moto, free_port_run(3))
        log_dir = tmp_path_factory.mktemp("national-logs")
        for app in (ministry, jiangsu, hubei):
            app.poller_deliveries = DELIVERIES
            app.log_path = log_dir / f"{app.province_code}.log"
        hubei.extra_env["FORWARD_MAX_ATTEMPTS"] = HUBEI_MAX_ATTEMPTS
        system = NationalSystem(moto, ministry, jiangsu, hubei, log_dir)
        for app in (ministry, jiangsu, hubei):
            system.start(app)
        yield system
    finally:
        if system is not None:
            for app in (system.ministry, system.jiangsu, system.hubei):
                app.stop()
        moto.stop()
        os.environ.clear()
        os.environ.update(saved_environ)
        bootstrap.reset()
    leftovers = sessions_alive(system.sessions) if system is not None else []
    assert not leftovers, f"processes left behind: {leftovers}"
