"""The parameters a province's (or the ministry's) cloud team fills in when deploying.

Why: one generated template serves every province: the province code, the ministry endpoint,
where alarms go and the names of the secrets are deployment inputs, not code. Secrets are
never parameters: the template names them and CloudFormation resolves them from Secrets
Manager at deploy time (dynamic references), so no secret value is ever in the template.
"""

from __future__ import annotations

from typing import Any

from infra.cfn.fragment import Fragment, fragment, sub
from infra.cfn.names import Stack

LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653]


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
            "Default": (
                f"vmehr/{stack.province_code}/totp-key"
                if stack.is_province
                else "vmehr/ministry/totp-key"
            ),
            "Description": "Secrets Manager secret (plain string, >= 32 characters) that seals "
            "the regulators' TOTP secrets in the table",
        },
    }
    if not stack.is_province:
        return fragment(Parameters=common)
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
            "Default": f"vmehr/{code}/signing-key",
            "Description": "Secrets Manager secret (plain string, >= 32 characters) that signs "
            "the province's chain links and report codes",
        },
        "ExchangeSecretName": {
            "Type": "String",
            "Default": f"vmehr/{code}/exchange-secret",
            "Description": "Secrets Manager secret holding the exchange credential the ministry "
            "issued to this province",
        },
    }
    return fragment(Parameters={**province, **common})


def secret(parameter: str) -> dict[str, str]:
    """A dynamic reference: CloudFormation reads the secret at deploy time."""
    return sub("{{resolve:secretsmanager:${" + parameter + "}:SecretString}}")
