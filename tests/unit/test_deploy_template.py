"""The generated deployment template: tables, stream mappings, roles, secrets and alarms.

These tests read the merge template that `make package` hands to `chalice package`; the full
pipeline (Chalice's template merged with this one, then cfn-lint) runs in `make package-check`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.cfn.audit_digests import RETENTION_PARAMETER
from infra.cfn.fragment import combine, fragment
from infra.cfn.names import API_HANDLER, AUDIT_DIGEST, FUNCTIONS, JOBS, RECORD_CHANGES, Stack
from infra.cfn.stack import merge_template
from infra.cfn.tables import check_protected
from infra.package import PackagingError, check
from infra.table_definition import MAIN_TABLE, STATS_TABLE, table_properties

FORWARD_MAX_ATTEMPTS = 8


def _province() -> dict[str, Any]:
    return merge_template(Stack("province", "420000"), FORWARD_MAX_ATTEMPTS)


def _ministry() -> dict[str, Any]:
    return merge_template(Stack("ministry"), FORWARD_MAX_ATTEMPTS)


def _statements(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    (policy,) = template["Resources"][role_id]["Properties"]["Policies"]
    return list(policy["PolicyDocument"]["Statement"])


def _actions_on(statements: list[dict[str, Any]], logical_id: str) -> set[str]:
    granted = set()
    for statement in statements:
        if logical_id in json.dumps(statement["Resource"]):
            granted.update(statement["Action"])
    return granted


def test_tables_are_the_definitions_in_infra_with_a_name():
    # Given the province template
    resources = _province()["Resources"]
    # When the tables are read back
    records = resources["RecordsTable"]["Properties"]
    stats = resources["StatsTable"]["Properties"]
    # Then each is its definition file plus a per-province name, kept on stack deletion
    assert {k: v for k, v in records.items() if k != "TableName"} == table_properties(MAIN_TABLE)
    assert {k: v for k, v in stats.items() if k != "TableName"} == table_properties(STATS_TABLE)
    assert records["TableName"] == {"Fn::Sub": "vmehr-province-${ProvinceCode}"}
    assert resources["RecordsTable"]["DeletionPolicy"] == "Retain"


def test_a_definition_without_point_in_time_recovery_is_refused():
    # Given a table definition that lost its point-in-time recovery
    properties = table_properties(MAIN_TABLE)
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": False}
    # When it is checked for packaging / Then packaging stops and names the setting
    with pytest.raises(ValueError, match="PointInTimeRecovery"):
        check_protected("table.json", properties)


@pytest.mark.parametrize("function", [RECORD_CHANGES, JOBS])
def test_stream_mappings_report_partial_failures_and_give_up_to_a_queue(function):
    # Given the province template
    resources = _province()["Resources"]
    # When a stream handler's event source mapping is read
    events = resources[function.logical_id]["Properties"]["Events"]
    mapping = events[function.stream_event]["Properties"]
    # Then it is wired to the generated table and never retries forever
    assert mapping["Stream"] == {"Fn::GetAtt": ["RecordsTable", "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 100
    assert 0 < mapping["MaximumRecordAgeInSeconds"] <= 86400
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}


@pytest.mark.parametrize("template", [_province, _ministry])
def test_a_stack_reads_its_table_stream_with_two_mappings_at_most(template):
    # Given the app's stream handlers and a stack's template (DynamoDB Streams serves about
    # two readers per shard)
    from app import app

    handlers = [s.name for s in app.event_sources if hasattr(s, "stream_arn")]
    stream = {"Fn::GetAtt": ["RecordsTable", "StreamArn"]}
    # When the enabled mappings on the records table's stream are listed
    readers = [
        name
        for name, body in template()["Resources"].items()
        for event in body.get("Properties", {}).get("Events", {}).values()
        if event["Properties"].get("Stream") == stream and event["Properties"]["Enabled"]
    ]
    # Then there are two: every change, and new jobs only
    assert sorted(handlers) == ["apply_record_changes", "run_jobs"]
    assert sorted(readers) == ["ApplyRecordChanges", "RunJobs"]


def test_the_forwarder_parks_a_change_before_lambda_gives_up_on_it():
    # Given the forwarder parks a change itself after FORWARD_MAX_ATTEMPTS failures
    events = _province()["Resources"]["ApplyRecordChanges"]["Properties"]["Events"]
    # When the mapping's retry cap is read
    retries = events[RECORD_CHANGES.stream_event]["Properties"]["MaximumRetryAttempts"]
    # Then Lambda retries longer than that, so the payload reaches the forwarder's own queue
    assert retries > FORWARD_MAX_ATTEMPTS


def test_no_role_grants_a_wildcard_action():
    # Given both stacks' roles
    for template in (_province(), _ministry()):
        for function in FUNCTIONS:
            # When every statement is read / Then no action is "*" or "service:*"
            for statement in _statements(template, function.role_id):
                assert all(a != "*" and not a.endswith(":*") for a in statement["Action"])


def test_each_function_reaches_only_the_storage_it_uses():
    # Given the province template
    template = _province()
    api = _statements(template, API_HANDLER.role_id)
    changes = _statements(template, RECORD_CHANGES.role_id)
    jobs = _statements(template, JOBS.role_id)
    # When the table and bucket actions are collected per role
    # Then the API handler touches record items and photos
    assert "dynamodb:PutItem" in _actions_on(api, "RecordsTable")
    assert {"s3:GetObject", "s3:PutObject"} == _actions_on(api, "PhotoBucket")
    # (statistics: read, plus UpdateItem for the public rate-limit windows kept there)
    assert not _actions_on(api, "StatsTable") - {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    }
    # and the record-changes handler reads the stream, never the records' items or files:
    assert _actions_on(changes, "RecordsTable") == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "dynamodb:GetItem",
    }
    # its one item read is limited to shops' registry entries (SHOP#…), to dock a shop as
    # its entry stands
    reads = [
        s
        for s in changes
        if "dynamodb:GetItem" in s["Action"] and "RecordsTable" in json.dumps(s["Resource"])
    ]
    assert [s["Condition"] for s in reads] == [
        {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["SHOP#*"]}}
    ]
    assert not _actions_on(changes, "PhotoBucket")
    assert "dynamodb:Query" not in _actions_on(changes, "StatsTable")
    # and the jobs handler writes export files only, and never statistics
    assert _actions_on(jobs, "PhotoBucket") == {"s3:PutObject", "s3:AbortMultipartUpload"}
    assert not _actions_on(jobs, "StatsTable")


def test_secrets_are_resolved_from_secrets_manager_only_where_needed():
    # Given the province template
    template = _province()
    variables = {
        f.logical_id: template["Resources"][f.logical_id]["Properties"]["Environment"]["Variables"]
        for f in FUNCTIONS
    }
    # When the secret variables are read
    signing = variables["APIHandler"]["SIGNING_KEY"]
    exchange = variables["ApplyRecordChanges"]["EXCHANGE_SECRET"]
    # Then they are dynamic references, and each only in the functions that use it
    derived = "{{resolve:secretsmanager:vmehr/${ProvinceCode}/signing-key:SecretString}}"
    assert signing == {
        "Fn::If": [
            "SigningKeySecretNameIsDerived",
            {"Fn::Sub": derived},
            {"Fn::Sub": "{{resolve:secretsmanager:${SigningKeySecretName}:SecretString}}"},
        ]
    }
    assert "{{resolve:secretsmanager:${ExchangeSecretName}" in json.dumps(exchange)
    assert variables["RunJobs"]["SIGNING_KEY"] == signing  # imported receipts are signed
    assert "EXCHANGE_SECRET" not in variables["APIHandler"]
    assert "EXCHANGE_SECRET" not in variables["RunJobs"]
    assert "SIGNING_KEY" not in variables["ApplyRecordChanges"]


def test_secret_names_follow_the_province_code_given_at_deploy_time():
    # Given a province template packaged with PROVINCE=420000
    template = _province()
    # When its secret-name parameters and conditions are read
    parameters, conditions = template["Parameters"], template["Conditions"]
    # Then none defaults to 420000's name: empty means vmehr/<ProvinceCode parameter>/...
    for name in ("SigningKeySecretName", "TotpKeySecretName", "ExchangeSecretName"):
        assert parameters[name]["Default"] == ""
        assert conditions[f"{name}IsDerived"] == {"Fn::Equals": [{"Ref": name}, ""]}
    assert "420000" not in json.dumps(template["Resources"])


def test_every_alarm_goes_to_the_topic_parameter():
    # Given the province template
    resources = _province()["Resources"]
    alarms = {k: v for k, v in resources.items() if v.get("Type") == "AWS::CloudWatch::Alarm"}
    # When the alarms are listed
    names = " ".join(json.dumps(a["Properties"]["AlarmName"]) for a in alarms.values())
    # Then the promised signals are all there, each notifying the topic on alarm and recovery
    for signal in (
        "iterator-age",
        "errors",
        "throttles",
        "forwarder-dlq-depth",
        "stream-failures-depth",
        "api-5xx-rate",
        "api-latency-p99",
        "table-throttles",
    ):
        assert signal in names
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": "AlarmTopicArn"}]
    assert resources["Dashboard"]["Type"] == "AWS::CloudWatch::Dashboard"


def test_the_province_always_forwards_its_changes():
    # Given the province template (a province without MINISTRY_URL forwards nothing)
    variables = _province()["Resources"]["ApplyRecordChanges"]["Properties"]["Environment"]
    # When the record-changes function's environment is read
    # Then the ministry, the credential and the dead-letter queue are always set
    assert variables["Variables"]["MINISTRY_URL"] == {"Ref": "MinistryUrl"}
    assert "EXCHANGE_SECRET" in variables["Variables"]
    assert variables["Variables"]["DEAD_LETTER_QUEUE_URL"] == {"Ref": "ForwarderDeadLetterQueue"}


def test_the_ministry_forwards_nowhere_and_exports_only_to_its_bucket():
    # Given the ministry template
    template = _ministry()
    changes = template["Resources"]["ApplyRecordChanges"]["Properties"]
    jobs = template["Resources"]["RunJobs"]["Properties"]
    # When its functions, parameters and resources are read
    mapping = jobs["Events"][JOBS.stream_event]["Properties"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    # Then nothing forwards or imports there, and no province-only input or resource exists
    assert "MINISTRY_URL" not in changes["Environment"]["Variables"]
    assert not _actions_on(_statements(template, RECORD_CHANGES.role_id), "Forwarder")
    assert json.loads(pattern["Pattern"])["dynamodb"]["NewImage"]["kind"]["S"] == ["export_job"]
    assert "MinistryUrl" not in template["Parameters"]
    assert "ForwarderDeadLetterQueue" not in template["Resources"]
    # its bucket holds national exports: the jobs function may write only below exports/
    runner = _statements(template, JOBS.role_id)
    assert {"s3:PutObject", "s3:AbortMultipartUpload"} == _actions_on(runner, "PhotoBucket")
    assert any(s.get("Resource") == {"Fn::Sub": "${PhotoBucket.Arn}/exports/*"} for s in runner)
    assert "dynamodb:PutItem" not in _actions_on(runner, "RecordsTable")
    assert jobs["Environment"]["Variables"]["PHOTO_BUCKET"] == {"Ref": "PhotoBucket"}


def test_the_ministry_asks_for_each_provinces_exchange_source_ranges():
    # Given both templates
    ministry, province = _ministry(), _province()
    # When the ministry's parameters and its API function's environment are read
    parameter = ministry["Parameters"]["ExchangeSourceRanges"]
    api = ministry["Resources"][API_HANDLER.logical_id]["Properties"]["Environment"]
    # Then the ranges are a required parameter (no default that would refuse every province)
    # handed to the API function, and a province stack has neither
    assert "Default" not in parameter
    assert api["Variables"]["EXCHANGE_SOURCE_RANGES"] == {"Ref": "ExchangeSourceRanges"}
    assert "ExchangeSourceRanges" not in province["Parameters"]
    variables = province["Resources"][API_HANDLER.logical_id]["Properties"]["Environment"]
    assert "EXCHANGE_SOURCE_RANGES" not in variables["Variables"]


def test_a_resource_defined_twice_is_refused():
    # Given two fragments that both define one new resource
    queue = {"Type": "AWS::SQS::Queue", "Properties": {}}
    pieces = [fragment(Resources={"Queue": queue}), fragment(Resources={"Queue": queue})]
    # When they are combined / Then combining stops instead of keeping one silently
    with pytest.raises(ValueError, match="Queue"):
        combine(pieces)


def test_packaging_refuses_a_handler_it_does_not_configure():
    # Given a merged template with a function infra/cfn/names.py does not know
    template = {
        "Resources": {
            "SomethingNew": {"Type": "AWS::Serverless::Function", "Properties": {}},
        }
    }
    # When it is checked / Then packaging stops and says where to configure it
    with pytest.raises(PackagingError, match="infra/cfn/names.py"):
        check(template)


def test_the_totp_key_reaches_the_api_function_as_a_secret_reference_on_both_stacks():
    # Given the merge templates of a province and of the ministry
    from infra.cfn.names import API_HANDLER, Stack
    from infra.cfn.stack import merge_template

    for stack, default in (
        (Stack("province", "320000"), ""),
        (Stack("ministry", "000000"), "vmehr/ministry/totp-key"),
    ):
        template = merge_template(stack, 8)
        # Then the API function reads TOTP_KEY from Secrets Manager, named by a parameter
        function = template["Resources"][API_HANDLER.logical_id]
        env = function["Properties"]["Environment"]["Variables"]
        named = {"Fn::Sub": "{{resolve:secretsmanager:${TotpKeySecretName}:SecretString}}"}
        assert env["TOTP_KEY"] == named or env["TOTP_KEY"]["Fn::If"][2] == named
        assert template["Parameters"]["TotpKeySecretName"]["Default"] == default


def test_api_gateway_hands_binary_answers_to_browsers_as_bytes():
    # Given both templates (a browser's first Accept type is text/html or image/avif)
    for template in (_province(), _ministry()):
        body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        # Then every media type is binary-capable at the gateway
        assert body["x-amazon-apigateway-binary-media-types"] == ["*/*"]


def test_the_jobs_mapping_sees_only_new_jobs_one_at_a_time():
    # Given the province template
    province = _province()
    # When the jobs function's mapping and role are read
    function = province["Resources"][JOBS.logical_id]["Properties"]
    mapping = function["Events"][JOBS.stream_event]["Properties"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    role = _statements(province, JOBS.role_id)
    # Then it is invoked for new export jobs and import chunks only (not every write of the
    # province), a long export does not hold up another item's jobs on its shard,
    assert json.loads(pattern["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"kind": {"S": ["export_job", "import_chunk"]}}},
    }
    assert mapping["MaximumBatchingWindowInSeconds"] == 0
    assert mapping["ParallelizationFactor"] > 1
    # and it uploads imported rows like the API, without touching statistics
    assert _actions_on(role, "RecordsTable") >= {"dynamodb:PutItem", "dynamodb:DeleteItem"}
    assert not _actions_on(role, "StatsTable")


def test_per_method_api_metrics_are_billed_so_off_unless_a_province_switches_them_on():
    # Given both templates (the alarms and the dashboard read the free stage metrics only)
    for template in (_province(), _ministry()):
        # When the API stage's method settings and the parameter are read
        (settings,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
        # Then detailed metrics follow ApiMethodMetrics, which defaults to off
        assert settings["MetricsEnabled"] == {"Fn::If": ["ApiMethodMetricsOn", True, False]}
        assert template["Parameters"]["ApiMethodMetrics"]["Default"] == "false"
        assert template["Conditions"]["ApiMethodMetricsOn"] == {
            "Fn::Equals": [{"Ref": "ApiMethodMetrics"}, "true"]
        }


def test_packaging_refuses_a_third_reader_of_the_table_stream():
    # Given a merged template whose stream has three enabled mappings
    def function(events: dict[str, Any]) -> dict[str, Any]:
        return {"Type": "AWS::Serverless::Function", "Properties": {"Events": events}}

    mapping = {"Type": "DynamoDB", "Properties": {"Stream": "arn", "Enabled": True}}
    resources = {f.logical_id: function({}) for f in FUNCTIONS}
    resources["APIHandler"] = function({"One": mapping, "Two": mapping, "Three": mapping})
    # When it is checked / Then packaging stops and says why
    with pytest.raises(PackagingError, match="readers per shard"):
        check({"Resources": resources})


def test_no_role_that_writes_the_table_may_change_or_delete_an_audit_entry():
    import fnmatch
    from datetime import date

    from chalicelib.adapters.keys import audit_pk

    writers = []
    for template in (_province(), _ministry()):
        for function in FUNCTIONS:
            statements = _statements(template, function.role_id)
            allowed = {
                action
                for s in statements
                if s["Effect"] == "Allow" and "RecordsTable" in json.dumps(s["Resource"])
                for action in s["Action"]
            }
            writes = allowed & {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:PutItem"}
            if not writes:
                continue
            writers.append(function.short_name)
            # Given a role that may write the records table
            denied = [s for s in statements if s["Effect"] == "Deny"]
            # Then it is denied updating, deleting and batch-writing keys of the audit log
            assert len(denied) == 1, function.short_name
            (deny,) = denied
            assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= set(deny["Action"])
            assert "dynamodb:BatchWriteItem" in deny["Action"]
            (patterns,) = deny["Condition"]["ForAnyValue:StringLike"].values()
            # And the pattern matches the audit log's real keys, and no other kind of key
            assert any(fnmatch.fnmatch(audit_pk(date(2026, 1, 1), 3), p) for p in patterns)
            assert not any(fnmatch.fnmatch("REC#" + "a" * 32, p) for p in patterns)
    # (and the roles that do write the table were found, on both stacks)
    assert writers.count("api") == 2 and writers.count("run-jobs") == 2, writers


@pytest.mark.parametrize("template", [_province, _ministry])
def test_audit_digests_are_kept_locked_in_compliance_mode_for_at_least_180_days(template):
    # Given a stack's template
    built = template()
    resources, parameters = built["Resources"], built["Parameters"]
    # When its audit digest bucket and the retention parameter are read
    bucket = resources["AuditDigestBucket"]
    properties = bucket["Properties"]
    retention = parameters[RETENTION_PARAMETER]
    # Then objects are locked in compliance mode for the parameter's days, never below 180
    assert properties["ObjectLockEnabled"] is True
    assert properties["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": {"Ref": RETENTION_PARAMETER}}},
    }
    assert retention["MinValue"] == 180 and retention["Default"] >= 180
    # and the bucket is versioned, private, encrypted and kept when the stack goes
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert properties["BucketEncryption"]
    assert bucket["DeletionPolicy"] == "Retain"
    # and its policy refuses plain HTTP, every delete, and every put but the digest role's
    statements = {
        s["Sid"]: s
        for s in resources["AuditDigestBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    }
    assert {s["Effect"] for s in statements.values()} == {"Deny"}
    assert statements["DenyWithoutTls"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    only_digests = statements["OnlyTheDigestFunctionWrites"]
    assert only_digests["Principal"] == "*" and only_digests["Action"] == "s3:PutObject"
    assert only_digests["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": {"Fn::GetAtt": ["WriteAuditDigestRole", "Arn"]}}
    }
    assert set(statements["NoDeletes"]["Action"]) == {"s3:DeleteObject", "s3:DeleteObjectVersion"}


@pytest.mark.parametrize("template", [_province, _ministry])
def test_only_the_digest_function_reaches_the_digests_and_it_reads_only_audit_entries(template):
    # Given a stack's template
    built = template()
    digest = _statements(built, AUDIT_DIGEST.role_id)
    # When each role's reach into the digest bucket and the table is read
    # Then no other function may touch the digest bucket
    for function in FUNCTIONS:
        if function != AUDIT_DIGEST:
            statements = _statements(built, function.role_id)
            assert not _actions_on(statements, "AuditDigestBucket"), function.short_name
    # and the digest function queries audit entries only, writes no item, reads no stream
    (table,) = [s for s in digest if "RecordsTable" in json.dumps(s["Resource"])]
    assert table["Action"] == ["dynamodb:Query"]
    assert table["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["AUDIT#*"]}}
    assert _actions_on(digest, "AuditDigestBucket") == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
    }
    assert not _actions_on(digest, "PhotoBucket") and not _actions_on(digest, "StatsTable")
    # and it alone holds the digest key, and no other secret
    resources = built["Resources"]
    env = {
        f.logical_id: resources[f.logical_id]["Properties"]["Environment"]["Variables"]
        for f in FUNCTIONS
    }
    assert "{{resolve:secretsmanager:" in json.dumps(
        env[AUDIT_DIGEST.logical_id]["AUDIT_DIGEST_KEY"]
    )
    assert env[AUDIT_DIGEST.logical_id]["AUDIT_DIGEST_BUCKET"] == {"Ref": "AuditDigestBucket"}
    assert [f for f, v in env.items() if "AUDIT_DIGEST_KEY" in v] == [AUDIT_DIGEST.logical_id]
    assert not {"SIGNING_KEY", "TOTP_KEY", "EXCHANGE_SECRET"} & set(env[AUDIT_DIGEST.logical_id])
    # and its failures reach the operators
    names = json.dumps([r["Properties"].get("AlarmName") for r in resources.values()])
    assert "-audit-digest-errors" in names


def test_the_digest_runs_daily_just_after_the_utc_day_ends():
    # Given the app's scheduled handlers
    from app import app

    schedules = {s.name: s for s in app.event_sources if hasattr(s, "schedule_expression")}
    # When the audit digest's schedule is read
    expression = schedules["write_audit_digest"].schedule_expression
    # Then it runs at 00:10 UTC every day (08:10 China time): audit partitions are UTC days
    assert expression.to_string() == "cron(10 0 * * ? *)"
