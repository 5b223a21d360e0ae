"""The single Logger and Metrics instances of the application.

Why: one module owns observability so every layer logs with the same structured keys and
metrics land in one namespace. Powertools reads POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE from the environment, so a stack switches them in its stage
configuration, not in code; the defaults below only keep a bare checkout working. Never log a
secret, a token or personal data here: that is what the audit log is for.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service=os.getenv("POWERTOOLS_SERVICE_NAME", "vmehr"))
metrics = Metrics(
    namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "VehicleMaintenanceRecords"),
    service=os.getenv("POWERTOOLS_SERVICE_NAME", "vmehr"),
)
