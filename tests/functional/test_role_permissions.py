"""Every AWS call a function makes is allowed by that function's role in the generated template.

Why a recording, not a scan of the source: IAM grants an action on a resource, and neither
is visible at a call site. `transact_write_items` needs PutItem, UpdateItem, DeleteItem or
ConditionCheckItem depending on its items; the table (records or statistics), the index and
the bucket prefix come from configuration; and which function reaches an adapter method
depends on the call graph (the importer reads shops but never updates them). A scan at the
adapter level would have to grant every function every operation of every adapter it
touches, which is the opposite of least privilege. So the app's own boto3 clients record
each call with its parameters (botocore's `before-parameter-build` event) while each
function's entry point runs for real on moto: the API handler through `chalice.test.Client`
routes, each stream handler through Chalice's Lambda invoke on the real stream. Each call is
turned into the IAM actions and resources it needs, and those must be granted by that
function's role in `merge_template(...)`, the policy `make package` deploys.

Why the recording cannot miss a whole kind of call: two static guards keep it honest. The
code creates boto3 clients only in the three factories this test hooks, and every client
operation written in `chalicelib/adapters` must have been recorded at least once here (or be
listed in NOT_EXERCISED with its reason). A new kind of call then fails this test until a
scenario below exercises it, instead of failing on AWS with AccessDenied.
"""

from __future__ import annotations

import ast
import base64
import fnmatch
import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.config import get_settings
from infra.cfn.names import (
    AUDIT_DIGEST_BUCKET,
    FORWARDER_QUEUE,
    FUNCTIONS,
    PHOTO_BUCKET,
    RECORDS_TABLE,
    STATS_TABLE,
)
from infra.cfn.names import Stack as CfnStack
from infra.cfn.stack import merge_template
from infra.photo_bucket import create_photo_bucket
from infra.table_definition import create_stack_tables
from tests.builders import record_payload, tiny_png, unique_plate, unique_vin
from tests.functional.conftest import REGULATOR, Api, add_regulator, create_digest_bucket
from tests.functional.portal_client import PortalClient
from tests.functional.stream_events import stream_event
from tests.spreadsheets import HEADER_ZH, csv_bytes, sheet_row

ADAPTERS = Path(__file__).resolve().parents[2] / "chalicelib" / "adapters"
HANDLERS = ("apply_record_changes", "run_jobs")
CLIENT_FACTORIES = {"aws.py", "s3_photos.py", "sqs_dead_letters.py"}
# Client methods written in the adapters that no Lambda function's scenario here reaches.
NOT_EXERCISED = {
    "generate_presigned_url": "signs a link locally; the download is authorised by the "
    "API role's s3:GetObject, which the scenario exercises",
    "CreateMultipartUpload": "exports above 5 MiB only (s3:PutObject, as PutObject)",
    "UploadPart": "exports above 5 MiB only (s3:PutObject, as PutObject)",
    "CompleteMultipartUpload": "exports above 5 MiB only (s3:PutObject, as PutObject)",
    "AbortMultipartUpload": "a failed large export (s3:AbortMultipartUpload, granted on exports/)",
    "ReceiveMessage": "`infra.admin redrive`, run by the operator, not by a function",
    "DeleteMessage": "`infra.admin redrive`, run by the operator, not by a function",
    "GetQueueAttributes": "`infra.admin redrive`, run by the operator, not by a function",
    "ListObjectVersions": "`infra.admin audit-verify` reads a digest's first version, run by "
    "the operator, not by a function",
}
# IAM action of an S3 operation (multipart parts are authorised as s3:PutObject).
S3_ACTIONS = {
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
}
TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}

Need = tuple[str, str, str]  # (IAM action, logical id of the resource, path below its ARN)


class CallRecorder:
    """Records the app clients' calls under the name of the function currently running."""

    def __init__(self) -> None:
        self.running: str | None = None
        self.calls: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)

    def hook(self, clients: list[Any]) -> None:
        for client in clients:
            client.meta.events.register("before-parameter-build", self._record)

    def as_function(self, logical_id: str) -> _Running:
        return _Running(self, logical_id)

    def operations(self) -> set[str]:
        return {op for calls in self.calls.values() for _, op, _ in calls}

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.running is not None:
            service = model.service_model.service_name
            self.calls[self.running].append((service, model.name, dict(params)))


class _Running:
    def __init__(self, recorder: CallRecorder, logical_id: str) -> None:
        self._recorder = recorder
        self._logical_id = logical_id

    def __enter__(self) -> None:
        self._recorder.running = self._logical_id

    def __exit__(self, *exc: Any) -> None:
        self._recorder.running = None


@pytest.fixture
def province(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, CallRecorder, str]]:
    """A province stack on moto whose forwarder's ministry never answers (so it parks)."""
    with mock_aws():
        queue = boto3.client("sqs").create_queue(QueueName="vmehr-iam-dlq")["QueueUrl"]
        monkeypatch.setenv("MINISTRY_URL", f"http://127.0.0.1:{_closed_port()}")
        monkeypatch.setenv("EXCHANGE_SECRET", "iam-test-exchange-secret")
        monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", queue)
        monkeypatch.setenv("FORWARD_MAX_ATTEMPTS", "1")
        bootstrap.reset()
        settings = get_settings()
        create_stack_tables(
            boto3.client("dynamodb"), settings.table_name, settings.stats_table_name
        )
        assert settings.photo_bucket is not None
        create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
        create_digest_bucket()
        add_regulator(REGULATOR[0], "province_admin", password=REGULATOR[1])
        recorder = CallRecorder()
        recorder.hook(_app_clients())
        from app import app

        with Client(app) as client:
            yield Api(client), recorder, queue
        bootstrap.reset()


def test_static_guard_the_app_creates_clients_only_where_this_test_hooks_them():
    # Given every chalicelib module
    sources = Path(ADAPTERS).parent.rglob("*.py")
    # When the modules that create a boto3 client are listed
    creating = {p.name for p in sources if re.search(r"boto3\.(client|resource)\(", p.read_text())}
    # Then they are the three cached factories this test records
    assert creating == CLIENT_FACTORIES


def test_every_call_of_every_function_is_granted_by_its_role(province):
    api, recorder, queue = province
    # Given a province where shops upload, import a spreadsheet and file a complaint, and
    # regulators read, search and export, all through the API handler
    with recorder.as_function("APIHandler"):
        _api_scenario(api)
    # When every stream handler gets the table's stream, as its event source mapping would,
    # and the daily audit digest runs (twice: the second finds the digest stored)
    _run_stream_handlers(api, recorder)
    _run_audit_digest(api, recorder)
    # Then the forwarder really parked a change (its queue call was exercised)
    assert boto3.client("sqs").receive_message(QueueUrl=queue).get("Messages")
    # and every call each function made is allowed by that function's role
    assert _refused(recorder, CfnStack("province", "320000"), queue) == {}
    # and every function ran, so none was checked against nothing
    assert set(recorder.calls) == {f.logical_id for f in FUNCTIONS}
    # and no kind of call the adapters make went unexercised (static guard)
    unexercised = _adapter_operations() - recorder.operations() - set(NOT_EXERCISED)
    assert unexercised == set(), "exercise these calls in a scenario above (or say why not)"


def test_the_ministry_functions_calls_are_granted_by_its_roles(ministry_api):
    api: Api = ministry_api
    settings = get_settings()
    assert settings.photo_bucket is not None  # the ministry's bucket holds national exports
    create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
    recorder = CallRecorder()
    recorder.hook(_app_clients())
    # Given a province pushing a shop and a record version to the ministry's exchange, and a
    # national export job (created as the ministry's search route creates one)
    with recorder.as_function("APIHandler"):
        _exchange_scenario(api)
    _national_export_job()
    # When the ministry's stream handlers get its table's stream, and its audit digest runs
    _run_stream_handlers(api, recorder)
    _run_audit_digest(api, recorder)
    # Then every call is granted by the ministry template's roles, and every function ran
    assert _refused(recorder, CfnStack("ministry"), "") == {}
    assert set(recorder.calls) == {f.logical_id for f in FUNCTIONS}
    assert any(op == "PutObject" for _, op, _ in recorder.calls["RunJobs"])


def _run_stream_handlers(api: Api, recorder: CallRecorder) -> None:
    for name in HANDLERS:
        with recorder.as_function(_logical_id(name)):
            answer = api.client.lambda_.invoke(name, stream_event()).payload
        assert answer == {"batchItemFailures": []}, (name, answer)


def _run_audit_digest(api: Api, recorder: CallRecorder) -> None:
    event = api.client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    with recorder.as_function("WriteAuditDigest"):
        for written in (True, False):
            answer = api.client.lambda_.invoke("write_audit_digest", event).payload
            assert answer["written"] is written, answer


def _refused(recorder: CallRecorder, stack: CfnStack, queue: str) -> dict[str, list[Need]]:
    """Per function, the (action, resource) its calls needed that its role does not grant."""
    roles = _roles(merge_template(stack, 1))
    resources = _resources(queue)
    missing = {
        function: sorted(
            {
                need
                for service, operation, params in calls
                for need in _needs(service, operation, params, resources)
                if not _granted(need, roles[function])
            }
        )
        for function, calls in recorder.calls.items()
    }
    return {function: needs for function, needs in missing.items() if needs}


# --- scenarios -------------------------------------------------------------------------------


def _api_scenario(api: Api) -> None:
    shop, token = api.new_shop()
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate, company_name=shop["name"])
    _ok(api.post("/v1/records", payload, token))
    _ok(api.post("/v1/records", dict(payload, repair_mileage=payload["repair_mileage"] + 1), token))
    _ok(api.get(f"/v1/vehicles/{vin}/history?plate={plate}"))  # public: rate windows, audit
    complaint = {
        "kind": "incorrect",
        "vin": vin,
        "plate": plate,
        "settlement_list_code": payload["settlement_list_code"],
        "text": "结算清单上有更换刹车片，记录里没有",
        "photo_base64": base64.b64encode(tiny_png()).decode(),
    }
    code = _ok(api.post("/v1/complaints", complaint))["code"]
    regulator = api.regulator_token()
    _ok(api.post(f"/v1/complaints/{code}/accept", None, regulator))
    photo = api.client.http.get(
        f"/v1/complaints/{code}/photo",
        headers={"Authorization": f"Bearer {regulator}", "Accept": "image/png"},
    )
    assert photo.status_code == 200
    window = {"from": "2024-01-01", "to": "2024-12-31"}
    _ok(api.get(f"/v1/search/records?vin={vin}&from={window['from']}&to={window['to']}", regulator))
    _ok(api.post("/v1/search/records/exports", {"vin": vin, **window}, regulator))
    browser = PortalClient(api.client)  # the shop portal: a spreadsheet import, then sign-out
    browser.sign_in(shop["companycode"], shop["secret"])
    form = browser.get("/portal/imports")
    rows = csv_bytes([HEADER_ZH, sheet_row(), sheet_row()])
    imported = browser.post_file("/portal/imports", {"csrf_token": form.csrf()}, "a.csv", rows)
    assert imported.status == 303, imported.text
    signed_out = browser.post("/portal/logout", {"csrf_token": browser.get("/portal").csrf()})
    assert signed_out.status == 303


def _exchange_scenario(api: Api) -> None:
    from chalicelib.exchange.requests import envelope
    from tests.exchange_items import shop_change, version_change

    token = _ok(
        api.post(
            "/v1/exchange/token",
            {"province_code": "320000", "secret": api.exchange_secrets["320000"]},  # type: ignore[attr-defined]
        )
    )["access_token"]
    items = [shop_change(), version_change()]
    answer = _ok(api.post("/v1/exchange/batch", envelope(items), token))
    assert {r["result"] for r in answer["results"]} == {"applied"}, answer


def _national_export_job() -> None:
    from datetime import date

    from chalicelib.bootstrap import export_service
    from chalicelib.services.record_search import SearchCriteria

    criteria = SearchCriteria(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    export_service().request(
        "ministry-admin", criteria, None, source_ip="127.0.0.1", provinces=("320000",)
    )


def _ok(answer: Any) -> Any:
    assert answer.status_code in (200, 201, 202), (answer.status_code, answer.json)
    return answer.json


# --- what a call needs, and what a role grants -----------------------------------------------


def _needs(
    service: str, operation: str, params: dict[str, Any], resources: dict[str, str]
) -> list[Need]:
    if service == "dynamodb":
        return _dynamodb_needs(operation, params, resources)
    if service == "s3":
        path = "/" + str(params["Key"])
        return [(S3_ACTIONS[operation], resources[params["Bucket"]], path)]
    if service == "sqs":
        return [(f"sqs:{operation}", resources[params["QueueUrl"]], "")]
    raise AssertionError(f"a call to {service} is not modelled here: add it")


def _dynamodb_needs(operation: str, params: dict[str, Any], tables: dict[str, str]) -> list[Need]:
    if operation == "TransactWriteItems":
        return [
            (TRANSACT_ACTIONS[kind], tables[body["TableName"]], "")
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", tables[t], "") for t in params["RequestItems"]]
    index = params.get("IndexName")
    return [
        (f"dynamodb:{operation}", tables[params["TableName"]], f"/index/{index}" if index else "")
    ]


def _granted(need: Need, statements: list[dict[str, Any]]) -> bool:
    action, logical_id, path = need
    for statement in statements:
        if statement["Effect"] != "Allow" or action not in statement["Action"]:
            continue
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            if resource == {"Fn::GetAtt": [logical_id, "Arn"]} and path == "":
                return True
            text = resource.get("Fn::Sub", "") if isinstance(resource, dict) else ""
            prefix = "${" + logical_id + ".Arn}"
            if text.startswith(prefix) and fnmatch.fnmatchcase(path, text[len(prefix) :]):
                return True
    return False


def _roles(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    resources = template["Resources"]
    return {
        f.logical_id: [
            statement
            for policy in resources[f.role_id]["Properties"]["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        for f in FUNCTIONS
    }


def _resources(queue: str) -> dict[str, str]:
    settings = get_settings()
    assert settings.photo_bucket is not None
    return {  # the stack's resources by name, as the functions' environment names them
        settings.table_name: RECORDS_TABLE,
        settings.stats_table_name: STATS_TABLE,
        settings.photo_bucket: PHOTO_BUCKET,
        str(settings.audit_digest_bucket): AUDIT_DIGEST_BUCKET,
        queue: FORWARDER_QUEUE,
    }


def _logical_id(handler: str) -> str:
    """Chalice's logical id of a handler's function (`run_jobs` → `RunJobs`)."""
    return "".join(part.capitalize() for part in handler.split("_"))


# --- the clients and the operations written in the adapters ---------------------------------


def _app_clients() -> list[Any]:
    from chalicelib.adapters.aws import dynamodb_client
    from chalicelib.adapters.s3_photos import s3_client
    from chalicelib.adapters.sqs_dead_letters import _sqs

    return [dynamodb_client(), s3_client(), _sqs()]


def _adapter_operations() -> set[str]:
    """Every `<...>client.<method>(` call in chalicelib/adapters, as botocore operation names."""
    methods: set[str] = set()
    for path in ADAPTERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in ("client", "_client")
            ):
                methods.add(node.func.attr)
    names: dict[str, str] = {}
    for service in ("dynamodb", "s3", "sqs"):
        names.update(boto3.client(service).meta.method_to_api_mapping)
    unknown = {m for m in methods if m not in names and m not in NOT_EXERCISED}
    assert not unknown, f"not a client operation, or a new service to model: {unknown}"
    return {names.get(m, m) for m in methods}


def _closed_port() -> int:
    """A loopback port nobody listens on: the ministry is unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
