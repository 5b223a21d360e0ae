"""The parameters a province's (or the ministry's) cloud team fills in when deploying.

Why: one generated template serves every province: the province code, the ministry endpoint,
where alarms go and the names of the secrets are deployment inputs, not code. Secrets are
never parameters: the template names them and CloudFormation resolves them from Secrets
Manager at deploy time (dynamic references), so no secret value is ever in the template.
A province's secret names default to empty, which means `vmehr/<ProvinceCode>/<secret>`
derived at deploy time from the ProvinceCode parameter (a parameter default cannot refer to
another parameter): one packaged template serves every province without renaming secrets.
"""

from __future__ import annotations

from typing import Any

from infra.cfn.fragment import Fragment, fragment, ref, sub
from infra.cfn.names import Stack

LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653]
# Secret-name parameters of a province and the name each takes when left empty.
PROVINCE_SECRETS = {
    "SigningKeySecretName": "signing-key",
    "TotpKeySecretName": "totp-key",
    "ExchangeSecretName": "exchange-secret",
    "AuditDigestKeySecretName": "audit-digest-key",
}
_DERIVED = "; empty: vmehr/<ProvinceCode>/{}"
# Ministry: each province's egress ranges (domain/source_ranges.py). No default: a ministry
# deployed without it would refuse every province, so CloudFormation asks for it instead.
EXCHANGE_SOURCE_RANGES: dict[str, Any] = {
    "Type": "String",
    "MaxLength": 4096,
    "AllowedPattern": r'^\{[\s"0-9A-Fa-f.:/,\[\]]*\}$',
    "ConstraintDescription": 'a JSON object: {"320000": ["203.0.113.0/28"], ...}',
    "Description": "Province code -> CIDR ranges its forwarder's exchange requests come from "
    "(its NAT egress), as JSON; requests for a province from elsewhere are refused (403)",
}


def parameters(stack: Stack) -> Fragment:
    common: dict[str, Any] = {
        "AlarmTopicArn": {
            "Type": "String",
            "Description": "SNS topic that receives every alarm and its recovery (ops on call)",
            "AllowedPattern": r"^arn:aws(-cn)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$",
        },
        "ApiThrottleRateLimit": {
            "Type": "Number",
            "Default": 100,
            "MinValue": 1,
            "Description": "Steady requests per second the REST API accepts (stage-wide)",
        },
        "ApiThrottleBurstLimit": {
            "Type": "Number",
            "Default": 200,
            "MinValue": 1,
            "Description": "Request burst the REST API accepts above the steady rate",
        },
        "LogRetentionDays": {
            "Type": "Number",
            "Default": 400,
            "AllowedValues": LOG_RETENTION_DAYS,
            "Description": "Days the functions' logs are kept",
        },
        "BasePath": {
            "Type": "String",
            "Default": "/api",
            "AllowedPattern": r"^(/[A-Za-z0-9_-]+)*$",
            "Description": "Path prefix of the hosted pages: /api on the execute-api URL, "
            "empty behind a custom domain mapped at its root",
        },
        "TotpKeySecretName": {
            "Type": "String",
            "Default": "" if stack.is_province else "vmehr/ministry/totp-key",
            "Description": "Secrets Manager secret (plain string, >= 32 characters) that seals "
            "the regulators' TOTP secrets in the table"
            + (_DERIVED.format("totp-key") if stack.is_province else ""),
        },
        "AuditDigestKeySecretName": {
            "Type": "String",
            "Default": "" if stack.is_province else "vmehr/ministry/audit-digest-key",
            "Description": "Secrets Manager secret (plain string, >= 32 characters) that signs "
            "the audit log's daily digests; only the digest function reads it"
            + (_DERIVED.format("audit-digest-key") if stack.is_province else ""),
        },
    }
    if not stack.is_province:
        return fragment(Parameters={**common, "ExchangeSourceRanges": EXCHANGE_SOURCE_RANGES})
    code = stack.province_code
    province: dict[str, Any] = {
        "ProvinceCode": {
            "Type": "String",
            "Default": code,
            "AllowedPattern": r"^[1-9]\d0000$",
            "Description": "The province (GB/T 2260 code, xx0000) this stack serves",
        },
        "MinistryUrl": {
            "Type": "String",
            "AllowedPattern": r"^https://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?$",
            "Description": "Base URL of the ministry stack's API (its EndpointURL output)",
        },
        "SigningKeySecretName": {
            "Type": "String",
            "Default": "",
            "Description": "Secrets Manager secret (plain string, >= 32 characters) that signs "
            "the province's chain links and report codes" + _DERIVED.format("signing-key"),
        },
        "ExchangeSecretName": {
            "Type": "String",
            "Default": "",
            "Description": "Secrets Manager secret holding the exchange credential the ministry "
            "issued to this province" + _DERIVED.format("exchange-secret"),
        },
    }
    conditions = {_derived(name): {"Fn::Equals": [ref(name), ""]} for name in PROVINCE_SECRETS}
    return fragment(Parameters={**province, **common}, Conditions=conditions)


def secret(stack: Stack, parameter: str) -> Any:
    """A dynamic reference: CloudFormation reads the secret at deploy time.

    On a province, an empty secret-name parameter stands for `vmehr/${ProvinceCode}/...`.
    """
    named = sub("{{resolve:secretsmanager:${" + parameter + "}:SecretString}}")
    if not stack.is_province:
        return named
    default = "vmehr/${ProvinceCode}/" + PROVINCE_SECRETS[parameter]
    derived = sub("{{resolve:secretsmanager:" + default + ":SecretString}}")
    return {"Fn::If": [_derived(parameter), derived, named]}


def _derived(parameter: str) -> str:
    return f"{parameter}IsDerived"
