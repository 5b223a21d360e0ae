"""The generated deployment template: tables, stream mappings, roles, secrets and alarms.

These tests read the merge template that `make package` hands to `chalice package`; the full
pipeline (Chalice's template merged with this one, then cfn-lint) runs in `make package-check`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.cfn.fragment import combine, fragment
from infra.cfn.names import (
    AGGREGATOR,
    API_HANDLER,
    EXPORTER,
    FORWARDER,
    FUNCTIONS,
    IMPORTER,
    Stack,
)
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


@pytest.mark.parametrize("function", [AGGREGATOR, FORWARDER, IMPORTER])
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


def test_the_forwarder_parks_a_change_before_lambda_gives_up_on_it():
    # Given the forwarder parks a change itself after FORWARD_MAX_ATTEMPTS failures
    events = _province()["Resources"]["ForwardToMinistry"]["Properties"]["Events"]
    # When the mapping's retry cap is read
    retries = events[FORWARDER.stream_event]["Properties"]["MaximumRetryAttempts"]
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
    aggregator = _statements(template, AGGREGATOR.role_id)
    forwarder = _statements(template, FORWARDER.role_id)
    # When the table and bucket actions are collected per role
    # Then only the API handler touches record items and photos
    assert "dynamodb:PutItem" in _actions_on(api, "RecordsTable")
    assert {"s3:GetObject", "s3:PutObject"} == _actions_on(api, "PhotoBucket")
    # (statistics: read, plus UpdateItem for the public rate-limit windows kept there)
    assert not _actions_on(api, "StatsTable") - {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    }
    # and the stream handlers read the stream, never the records' items
    for role in (aggregator, forwarder):
        assert _actions_on(role, "RecordsTable") == {
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        }
        assert not _actions_on(role, "PhotoBucket")
    assert _actions_on(forwarder, "StatsTable") == {"dynamodb:UpdateItem"}
    assert "dynamodb:Query" not in _actions_on(aggregator, "StatsTable")


def test_secrets_are_resolved_from_secrets_manager_only_where_needed():
    # Given the province template
    template = _province()
    variables = {
        f.logical_id: template["Resources"][f.logical_id]["Properties"]["Environment"]["Variables"]
        for f in FUNCTIONS
    }
    # When the secret variables are read
    signing = variables["APIHandler"]["SIGNING_KEY"]
    exchange = variables["ForwardToMinistry"]["EXCHANGE_SECRET"]
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
    assert variables["ProcessImports"]["SIGNING_KEY"] == signing  # imported receipts are signed
    assert "EXCHANGE_SECRET" not in variables["APIHandler"]
    assert "SIGNING_KEY" not in variables["ForwardToMinistry"]
    assert "SIGNING_KEY" not in variables["AggregateStatistics"]


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


def test_the_ministry_forwards_nowhere_and_exports_only_to_its_bucket():
    # Given the ministry template
    template = _ministry()
    # When its forwarder mapping, parameters and resources are read
    events = template["Resources"]["ForwardToMinistry"]["Properties"]["Events"]
    # Then the forwarder is never invoked, and no province-only input or resource exists
    assert events[FORWARDER.stream_event]["Properties"]["Enabled"] is False
    assert "MinistryUrl" not in template["Parameters"]
    assert "ForwarderDeadLetterQueue" not in template["Resources"]
    # its bucket holds national exports: the exporter may write only below exports/
    exporter = _statements(template, EXPORTER.role_id)
    assert {"s3:PutObject", "s3:AbortMultipartUpload"} == _actions_on(exporter, "PhotoBucket")
    assert any(s.get("Resource") == {"Fn::Sub": "${PhotoBucket.Arn}/exports/*"} for s in exporter)


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


def test_the_importer_sees_only_new_import_chunks_and_uploads_like_the_api():
    # Given the province and ministry templates
    province, ministry = _province(), _ministry()
    # When the importer's mapping, settings and role are read
    function = province["Resources"][IMPORTER.logical_id]["Properties"]
    mapping = function["Events"][IMPORTER.stream_event]["Properties"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    role = _statements(province, IMPORTER.role_id)
    ministry_events = ministry["Resources"][IMPORTER.logical_id]["Properties"]["Events"]
    # Then its batches count chunk inserts only (not every write of the province), and it
    # touches record items but no index, statistics or bucket
    assert json.loads(pattern["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"kind": {"S": ["import_chunk"]}}},
    }
    assert _actions_on(role, "RecordsTable") >= {"dynamodb:PutItem", "dynamodb:DeleteItem"}
    assert not any("/index/" in json.dumps(s["Resource"]) for s in role)
    assert not _actions_on(role, "PhotoBucket") and not _actions_on(role, "StatsTable")
    # and the ministry, which collects no records, never invokes it
    assert ministry_events[IMPORTER.stream_event]["Properties"]["Enabled"] is False
