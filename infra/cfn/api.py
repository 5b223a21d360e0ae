"""The REST API's stage settings: regional endpoint, throttling, metrics and tracing.

Why: China regions offer no edge-optimised endpoints, a public API needs a ceiling on what
one stage accepts (each province sets its own through parameters), and the 5xx and p99
latency alarms read the stage's metrics. Those stage metrics are API Gateway's own and free;
detailed metrics per method (ApiMethodMetrics=true) are billed as CloudWatch custom metrics,
five for each of the API's ~140 methods, which would cost about as much again as the rest of
a province's stack (docs/deploy.md §10), so they are off unless a province switches them on.
Access logging is left out on purpose: it needs an account-wide API Gateway logging role,
which a stack should not change behind the account owner's back (see docs/deploy.md).

Binary media types are `*/*` on API Gateway (not only the app's own binary types): API
Gateway turns a base64 response back into bytes only when the request's first Accept type
is a binary type, and a browser's first is `text/html` or `image/avif`, so a PDF report or a
photo voucher would otherwise reach the browser as base64 text. With `*/*`, request bodies
arrive base64-encoded (Chalice decodes them) and text responses, which the app does not
encode, pass through unchanged.
"""

from __future__ import annotations

from infra.cfn.fragment import Fragment, fragment, override, ref
from infra.cfn.names import REST_API, Stack

METHOD_METRICS = "ApiMethodMetricsOn"


def rest_api(stack: Stack) -> Fragment:
    return fragment(
        Parameters={
            "ApiMethodMetrics": {
                "Type": "String",
                "Default": "false",
                "AllowedValues": ["true", "false"],
                "Description": "Detailed CloudWatch metrics per API method (billed as custom "
                "metrics; the alarms and the dashboard need only the free stage metrics)",
            }
        },
        Conditions={METHOD_METRICS: {"Fn::Equals": [ref("ApiMethodMetrics"), "true"]}},
        Resources={
            REST_API: override(
                {
                    "Name": stack.name("-api"),
                    "DefinitionBody": {"x-amazon-apigateway-binary-media-types": ["*/*"]},
                    "EndpointConfiguration": {"Type": "REGIONAL"},
                    "TracingEnabled": True,
                    "MethodSettings": [
                        {
                            "ResourcePath": "/*",
                            "HttpMethod": "*",
                            "ThrottlingRateLimit": ref("ApiThrottleRateLimit"),
                            "ThrottlingBurstLimit": ref("ApiThrottleBurstLimit"),
                            "MetricsEnabled": {"Fn::If": [METHOD_METRICS, True, False]},
                            "DataTraceEnabled": False,
                        }
                    ],
                }
            )
        },
    )
