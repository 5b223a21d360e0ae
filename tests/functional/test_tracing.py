"""Tracing is real when the environment switches it on, and costs nothing when it is off.

The deployed functions run with the Powertools environment of infra/cfn/functions.py
(POWERTOOLS_TRACE_DISABLED=false, responses and errors not captured). Here a fresh
interpreter runs the app with that environment as Lambda would (LAMBDA_TASK_ROOT, a sampled
trace header) with the X-Ray daemon address pointed at a UDP socket of this test: the
subsegments the X-Ray SDK emits are read back, so the test sees what X-Ray would receive.
Each run is a subprocess because patching botocore is process-wide and must not leak into
other tests.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from infra.cfn.functions import POWERTOOLS_ENV

PROJECT = Path(__file__).resolve().parents[2]
FUNCTION = "vmehr-province-320000-api"
LAMBDA_ENV = {
    **POWERTOOLS_ENV,
    "LAMBDA_TASK_ROOT": str(PROJECT),
    "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
    "_X_AMZN_TRACE_ID": (
        "Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
    ),
}
# One public history read (a DynamoDB query and rate-window updates) and one stream batch.
SCRIPT = """
import boto3
from moto import mock_aws

with mock_aws():
    from chalicelib import bootstrap
    from chalicelib.config import get_settings
    from infra.table_definition import create_stack_tables

    bootstrap.reset()
    settings = get_settings()
    create_stack_tables(boto3.client("dynamodb"), settings.table_name, settings.stats_table_name)
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        answer = client.http.get("/v1/vehicles/LSVAU2180N2183294/history?plate=%E8%8B%8FA12345")
        assert answer.status_code in (200, 404), answer.body
        client.lambda_.invoke("apply_record_changes", {"Records": []})
"""


def test_a_traced_invocation_sends_its_handler_and_aws_calls_to_x_ray():
    # Given a UDP socket standing in for the X-Ray daemon
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(0.5)
        address = f"127.0.0.1:{daemon.getsockname()[1]}"
        # When the app serves a request and a stream batch with tracing switched on
        _run(SCRIPT, {**LAMBDA_ENV, "AWS_XRAY_DAEMON_ADDRESS": address})
        documents = _received(daemon)
    # Then X-Ray receives a subsegment per invocation, named after the function
    names = [d["name"] for d in documents]
    assert names.count(f"## {FUNCTION}") == 2, names
    # and one per DynamoDB call inside it (botocore is patched), and the stream handler's parts
    calls = [d for d in documents if d.get("namespace") == "aws"]
    assert {d["aws"]["operation"] for d in calls} >= {"Query", "UpdateItem"}, calls
    assert {"## aggregate_batch", "## forward_batch"} <= set(names)
    # and no response or error body is copied into a trace (personal data)
    assert not any("response" in json.dumps(d.get("metadata", {})) for d in documents)


def test_with_tracing_disabled_the_x_ray_sdk_is_never_imported():
    # Given the environment of local runs and tests (POWERTOOLS_TRACE_DISABLED=true)
    script = SCRIPT + "\nimport sys\nassert 'aws_xray_sdk' not in sys.modules, 'imported'\n"
    # When the app is imported and serves the same request and batch / Then no X-Ray module
    # was loaded: a disabled stack pays no import time for tracing
    _run(script, {"POWERTOOLS_TRACE_DISABLED": "true"})


def _run(script: str, env: dict[str, str]) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in LAMBDA_ENV}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _received(daemon: socket.socket) -> list[dict[str, Any]]:
    """Every document sent to the daemon: a JSON header line, then the (sub)segment."""
    documents = []
    while True:
        try:
            packet = daemon.recv(65536)
        except TimeoutError:
            return documents
        _header, _, body = packet.decode("utf-8").partition("\n")
        documents.append(json.loads(body))
