"""`make package`: a deployable SAM template for a province or the ministry, generated.

    python -m infra.package --stage province --province 320000 --out build/province-320000
    python -m infra.package --stage ministry --out build/ministry

Writes `<out>/merge-template.json` (built by `infra/cfn/` from the table definitions in
`infra/`), then runs `chalice package --merge-template` into `<out>` (`sam.json` and
`deployment.zip`), then checks the merged result: every function Chalice generated is one we
configure, every stream mapping is wired to the generated table with partial-failure
settings, the table's stream has at most MAX_STREAM_READERS enabled mappings (DynamoDB
Streams serves about two readers per shard; more are throttled), no role grants a `*` action
or touches a table it should not name, and no secret appears as a literal. Nothing here calls
AWS: packaging needs no credentials.

Why: templates are generated, never edited by hand, so they cannot drift from the code and
the table definitions that the tests run against.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from infra.cfn.names import FUNCTIONS, STREAM_FUNCTIONS, Stack
from infra.cfn.stack import merge_template
from infra.cfn.streams import DEFAULT_FORWARD_MAX_ATTEMPTS

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHALICE_CONFIG = PROJECT_DIR / ".chalice" / "config.json"
SECRET_VARIABLES = ("SIGNING_KEY", "EXCHANGE_SECRET", "TOTP_KEY", "AUDIT_DIGEST_KEY")
MAX_STREAM_READERS = 2
REQUIRED_MAPPING_SETTINGS = (
    "FunctionResponseTypes",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "DestinationConfig",
)


class PackagingError(Exception):
    """The merged template misses a setting we promise (message says which)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package")
    parser.add_argument("--stage", choices=("province", "ministry"), required=True)
    parser.add_argument("--province", default="320000", help="default of ProvinceCode")
    parser.add_argument("--out", type=Path, help="output directory (default build/<stack>)")
    args = parser.parse_args(argv)
    stack = Stack(args.stage, args.province)
    default_out = f"build/{args.stage}-{args.province}" if stack.is_province else "build/ministry"
    out = (args.out or Path(default_out)).resolve()
    try:
        template = package(stack, out)
    except PackagingError as exc:
        print(f"packaging failed: {exc}", file=sys.stderr)
        return 1
    print(f"{out / 'sam.json'}: {len(template['Resources'])} resources")
    return 0


def package(stack: Stack, out: Path) -> dict[str, Any]:
    """Write the merge template, run `chalice package`, check and return the result."""
    out.mkdir(parents=True, exist_ok=True)
    merge_path = out / "merge-template.json"
    merge = merge_template(stack, forward_max_attempts(stack.stage))
    merge_path.write_text(json.dumps(merge, indent=2, ensure_ascii=False) + "\n", "utf-8")
    _chalice_package(stack.stage, merge_path, out)
    template: dict[str, Any] = json.loads((out / "sam.json").read_text("utf-8"))
    check(template)
    return template


def forward_max_attempts(stage: str) -> int:
    """FORWARD_MAX_ATTEMPTS of the stage, as the deployed forwarder will read it."""
    config = json.loads(CHALICE_CONFIG.read_text("utf-8"))
    env = config.get("stages", {}).get(stage, {}).get("environment_variables", {})
    return int(env.get("FORWARD_MAX_ATTEMPTS", DEFAULT_FORWARD_MAX_ATTEMPTS))


def _chalice_package(stage: str, merge_path: Path, out: Path) -> None:
    chalice = Path(sys.executable).with_name("chalice")
    env = dict(os.environ)
    # Chalice wants a region to render ARNs; it calls no AWS API while packaging.
    env.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    env.pop("STREAM_ARN", None)  # the template wires the generated table's stream instead
    command = [
        str(chalice),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(merge_path),
        str(out),
    ]
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackagingError(f"chalice package failed:\n{result.stdout}{result.stderr}")


def check(template: dict[str, Any]) -> None:
    """Refuse a merged template that lost a promised setting."""
    resources = template["Resources"]
    generated = {
        name for name, body in resources.items() if body["Type"] == "AWS::Serverless::Function"
    }
    configured = {f.logical_id for f in FUNCTIONS}
    if generated != configured:
        raise PackagingError(
            f"Chalice generated functions {sorted(generated)}, infra/cfn/names.py configures "
            f"{sorted(configured)}: give every new handler a role, settings and alarms there"
        )
    readers = [
        f"{name}.{event_name}"
        for name, body in resources.items()
        if body["Type"] == "AWS::Serverless::Function"
        for event_name, event in body["Properties"].get("Events", {}).items()
        if event.get("Type") == "DynamoDB" and event["Properties"].get("Enabled", True)
    ]
    if len(readers) > MAX_STREAM_READERS:
        raise PackagingError(
            f"{len(readers)} enabled stream mappings {readers}: DynamoDB Streams serves about "
            f"{MAX_STREAM_READERS} readers per shard; run the new work in an existing handler"
        )
    for function in STREAM_FUNCTIONS:
        _check_mapping(resources[function.logical_id], function.stream_event or "")
    for name, body in resources.items():
        if body["Type"] == "AWS::IAM::Role":
            _check_role(name, body)
        if body["Type"] == "AWS::Serverless::Function":
            _check_secrets(name, body)


def _check_mapping(function: dict[str, Any], event_name: str) -> None:
    event = function["Properties"].get("Events", {}).get(event_name)
    if event is None:
        raise PackagingError(f"no stream event {event_name}")
    settings = event["Properties"]
    if not isinstance(settings.get("Stream"), dict):
        raise PackagingError(f"{event_name} is not wired to the generated table's stream")
    missing = [key for key in REQUIRED_MAPPING_SETTINGS if key not in settings]
    if missing:
        raise PackagingError(f"{event_name} lacks {missing}")


def _check_role(name: str, role: dict[str, Any]) -> None:
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if any(a == "*" or a.endswith(":*") for a in actions):
                raise PackagingError(f"{name} grants a wildcard action: {actions}")
            resource = json.dumps(statement["Resource"])
            if any(a.startswith("dynamodb:") for a in actions) and "table/" in resource:
                raise PackagingError(f"{name} names a table literally, not the generated one")


def _check_secrets(name: str, function: dict[str, Any]) -> None:
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    for key in SECRET_VARIABLES:
        value = variables.get(key)
        if value is not None and "{{resolve:secretsmanager:" not in json.dumps(value):
            raise PackagingError(f"{name}: {key} must be a Secrets Manager dynamic reference")


if __name__ == "__main__":
    sys.exit(main())
