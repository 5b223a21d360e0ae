"""A province with shops, uploads and regulators of each role, for the console's page tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.china_time import china_date
from tests.builders import record_payload, totp_code
from tests.functional.conftest import ANALYST, REGULATOR, TOTP_SECRETS, add_regulator
from tests.functional.console_browser import Browser, csrf_of
from tests.functional.test_statistics_stream import _stream_event

OFFICER = ("officer", "officer-test-password")  # district officer of 320102
OTHER_OFFICER = ("officer-b", "officer-b-test-password")  # district officer of 320104


@dataclass
class Province:
    """Three shops: busy (320102, three uploads, one flagged), idle (320102, never uploads),
    other (320104, one upload); their tokens and entries; the regulators' accounts."""

    api: Any
    shops: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    uploads: list[dict[str, Any]] = field(default_factory=list)

    def browser(self, account: tuple[str, str] = REGULATOR, lang: str = "zh-CN") -> Browser:
        """A browser signed in to the console as `account`. A TOTP code signs in once: if the
        API signed this account in already (this test), the browser uses the next code."""
        username = account[0]
        ahead = 1 if username in self.api._regulator_tokens else 0
        browser = Browser(self.api)
        code = totp_code(TOTP_SECRETS[username], steps_ahead=ahead)
        assert browser.sign_in(*account, code=code, lang=lang).status_code == 303
        return browser

    def aggregate(self) -> None:
        """Run the statistics stream handler over everything written so far."""
        self.api.client.lambda_.invoke("apply_record_changes", _stream_event())


def build_province(api: Any) -> Province:
    add_regulator(OFFICER[0], "district_officer", ("320102",), password=OFFICER[1])
    add_regulator(OTHER_OFFICER[0], "district_officer", ("320104",), password=OTHER_OFFICER[1])
    province = Province(api)
    for name, division, shop_class in (
        ("busy", "320102", "二类"),
        ("idle", "320102", "三类"),
        ("other", "320104", "二类"),
    ):
        entry, token = api.new_shop(division_code=division, shop_class=shop_class)
        province.shops[name], province.tokens[name] = entry, token
    busy = province.shops["busy"]
    settled = china_date(datetime.now(UTC)) - timedelta(days=2)
    for mileage in (12000, 0, 15000):
        payload = record_payload(
            company_name=busy["name"],
            repair_mileage=mileage,
            settlement_date=settled.isoformat(),
            repair_date=(settled - timedelta(days=1)).isoformat(),
        )
        assert api.post("/v1/records", payload, province.tokens["busy"]).status_code == 201
        province.uploads.append(payload)
    other = record_payload(
        company_name=province.shops["other"]["name"],
        settlement_date=settled.isoformat(),
        repair_date=(settled - timedelta(days=1)).isoformat(),
    )
    assert api.post("/v1/records", other, province.tokens["other"]).status_code == 201
    province.uploads.append(other)
    province.aggregate()
    return province


def form_of(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `action` (CSRF token and language)."""
    pattern = rf'<form[^>]*method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>'
    match = re.search(pattern, html, re.S)
    assert match, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(1)))


__all__ = ["ANALYST", "OFFICER", "OTHER_OFFICER", "REGULATOR", "Province", "build_province"]
__all__ += ["csrf_of", "form_of"]
