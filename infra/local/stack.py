"""One local province stack: moto in server mode + the table + `chalice local`.

Why: `make run` and the e2e tests need the same thing, a stack that behaves like the deployed
one (real HTTP, real DynamoDB API, the same table definition) with no AWS account and no
network beyond loopback. Everything started here is stopped by `stop()`, which `make run`
calls on Ctrl-C, so no process is left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.audit_digest_bucket import audit_digest_bucket_name, create_audit_digest_bucket
from infra.photo_bucket import create_photo_bucket, photo_bucket_name
from infra.table_definition import create_stack_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "cn-north-1",
    "AWS_REGION": "cn-north-1",
    # Without this, botocore sends stream calls to a per-account endpoint moto does not know.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    # No X-Ray daemon on this machine: the deployed functions trace, local runs do not.
    "POWERTOOLS_TRACE_DISABLED": "true",
    # Local runs only (seeding and the stacks share it): a real stack takes its TOTP_KEY from
    # the secret store, like SIGNING_KEY.
    "TOTP_KEY": "local-only-totp-key-not-for-production-0123456789",
}


# Listening ports are picked below Linux's ephemeral range (32768-60999 by default): a port
# the kernel may hand to an outgoing connection can be taken between our check and the bind.
_PORT_RANGE = (20000, 32000)


def free_port_run(length: int = 1, tries: int = 200) -> int:
    """A base port such that `length` consecutive loopback ports are free right now."""
    import random

    for _ in range(tries):
        base = random.randrange(_PORT_RANGE[0], _PORT_RANGE[1] - length)
        if all(_port_free(base + i) for i in range(length)):
            return base
    raise RuntimeError(f"no run of {length} free ports found")


def free_port() -> int:
    return free_port_run(1)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


class _TableCopyOnce:
    """Stands in for the `copy` module inside moto's DynamoDB backend.

    moto backs up a table for a transaction's rollback with one deep copy *per action*, all
    taken before any action runs, so copies of one table within one request are identical.
    Copying each table once per request (requests are serialised) gives the same backup and
    turns a 100-action transaction from 100 table copies into one.
    """

    def __init__(self, table_type: type) -> None:
        import copy

        self._copy = copy
        self._table_type = table_type
        self._copies: dict[int, Any] = {}

    def clear(self) -> None:
        self._copies.clear()

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if not isinstance(value, self._table_type):
            return self._copy.deepcopy(value, memo)
        if id(value) not in self._copies:
            self._copies[id(value)] = self._copy.deepcopy(value)
        return self._copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


def _install_table_copy_once() -> _TableCopyOnce:
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    shim = _TableCopyOnce(Table)
    dynamodb_models.copy = shim  # type: ignore[assignment]
    return shim


def _remove_table_copy_once() -> None:
    """Give moto its `copy` module back: in-process moto (`mock_aws`) in the same process
    runs requests without our lock and must copy tables every time."""
    import copy

    import moto.dynamodb.models as dynamodb_models

    dynamodb_models.copy = copy


@dataclass
class MotoServer:
    """moto in server mode on loopback, one request at a time.

    moto's DynamoDB backend is not thread-safe: a TransactWriteItems deep-copies the table
    for its rollback while other request threads change it ("dictionary changed size during
    iteration"), and a cancelled transaction restores that copy, losing writes other threads
    made meanwhile. DynamoDB itself has no such problem, so we serialise requests with a lock
    instead of teaching the application about a test double's bug.
    """

    port: int
    _server: Any = None
    _thread: Any = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        import logging
        import threading

        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per moto request
        backend = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()
        table_copies = _install_table_copy_once()

        def serialised(environ: Any, start_response: Any) -> list[bytes]:
            with lock:
                table_copies.clear()
                return list(backend(environ, start_response))

        self._server = make_server(
            LOOPBACK, self.port, serialised, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join()
            self._server = None
            _remove_table_copy_once()

    def client(self, service: str = "dynamodb") -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=FAKE_AWS_ENV["AWS_REGION"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


@dataclass
class ProvinceApp:
    """`chalice local` serving the app for one stack (a province or the ministry) on moto.

    With `poll_streams`, a stream poller process runs beside it with the same environment.
    """

    port: int
    province_code: str
    table_name: str
    dynamodb_url: str
    _process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    role: str = "province"
    stats_table_name: str = ""
    poller_handlers: str = ""
    poller_deliveries: int = 1
    _poller: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            **FAKE_AWS_ENV,
            "STACK_ROLE": self.role,
            "PROVINCE_CODE": self.province_code,
            "TABLE_NAME": self.table_name,
            "STATS_TABLE_NAME": self.stats_table_name or f"{self.table_name}-stats",
            "DYNAMODB_ENDPOINT_URL": self.dynamodb_url,
            "SQS_ENDPOINT_URL": self.dynamodb_url,
            # Local runs only: a real stack takes its key from the province's secret store.
            "SIGNING_KEY": f"local-only-signing-key-{self.province_code}-not-for-production",
            # Plain HTTP on loopback: a Secure cookie would never be sent back.
            "COOKIE_SECURE": "false",
            "PHOTO_BUCKET": photo_bucket_name(self.table_name),
            "S3_ENDPOINT_URL": self.dynamodb_url,
            # The audit log's daily digests (`python -m infra.admin audit-digest` locally; a
            # real stack's digest function takes its key from the secret store).
            "AUDIT_DIGEST_BUCKET": audit_digest_bucket_name(self.table_name),
            "AUDIT_DIGEST_KEY": f"local-only-audit-digest-key-{self.province_code}-not-for-prod",
            **self.extra_env,
        }

    def start_poller(self) -> None:
        """The local event source mapping for this stack's table stream."""
        if not self.poller_handlers:
            return
        command = [
            sys.executable,
            "-m",
            "infra.local.stream_poller",
            "--handlers",
            self.poller_handlers,
            "--deliveries",
            str(self.poller_deliveries),
        ]
        self._poller = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=self.environment(),
            stdout=self._output(),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_poller(self) -> None:
        _stop_process(self._poller)
        self._poller = None

    def _output(self) -> Any:
        return self.log_path.open("ab") if self.log_path is not None else subprocess.DEVNULL

    def start(self) -> None:
        chalice = Path(sys.executable).with_name("chalice")
        command = [
            str(chalice),
            "local",
            "--stage",
            "local",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--no-autoreload",
        ]
        output = self._output()
        self._process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=self.environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() ends all of it
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"chalice local exited with {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/v1/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chalice local did not become ready")

    def stop(self) -> None:
        self.stop_poller()
        _stop_process(self._process)
        self._process = None


def _stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM the process group, then SIGKILL if it lingers: nothing is left behind."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def provision(moto: MotoServer, table_name: str, stats_table_name: str | None = None) -> str:
    """Create a stack's tables (from infra/), its photo and audit digest buckets; returns the
    stream ARN."""
    s3, region = moto.client("s3"), FAKE_AWS_ENV["AWS_REGION"]
    create_photo_bucket(s3, photo_bucket_name(table_name), region)
    create_audit_digest_bucket(s3, audit_digest_bucket_name(table_name), region)
    return create_stack_tables(moto.client(), table_name, stats_table_name or f"{table_name}-stats")
