"""The China-region on-demand prices the cost model assumes, each with where it came from.

Why: a cost figure is only as good as its price table, so the table is one reviewable place,
dated, with a source per line. These are ASSUMPTIONS to check against the current price list
of the Beijing (cn-north-1) and Ningxia (cn-northwest-1) regions before any budget is built
on them; the two regions share one list for these services.
- "read": the figure was read on the China price page (a stored copy; its capture date is
  unknown);
- "recalled": the figure is the China list price as we remember it, not re-read here;
- "derived": no China figure was at hand; it is the global list price times 8.923, the ratio
  between the China and the global on-demand DynamoDB write price.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICE_TABLE_DATE = "2026-11-25"
CHINA_TO_GLOBAL = 11.1538 / 1.25  # ¥ per million WRU (China) / $ per million WRU (global)


@dataclass(frozen=True)
class Price:
    cny: float
    unit: str
    source: str


PRICES = {
    "dynamodb_write": Price(11.1538, "per million write request units", "read"),
    "dynamodb_read": Price(
        round(0.25 * CHINA_TO_GLOBAL, 4), "per million read request units", "derived"
    ),
    "dynamodb_storage": Price(round(0.25 * CHINA_TO_GLOBAL, 4), "per GB-month stored", "derived"),
    "dynamodb_pitr": Price(
        round(0.20 * CHINA_TO_GLOBAL, 4), "per GB-month (PITR backup)", "derived"
    ),
    "lambda_requests": Price(1.36, "per million requests", "recalled"),
    "lambda_duration": Price(0.000113477, "per GB-second (x86)", "recalled"),
    "api_gateway_rest": Price(
        round(3.50 * CHINA_TO_GLOBAL, 2), "per million REST API calls", "derived"
    ),
    "cloudwatch_metric": Price(
        round(0.30 * CHINA_TO_GLOBAL, 2), "per custom metric-month (first 10,000)", "derived"
    ),
}
