"""The console's words and its trend chart: both languages say the same things, every text a
console template names exists, and the chart draws what it is given."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from chalicelib.domain.principal import Principal
from chalicelib.doors.console.nav import sections_for
from chalicelib.doors.console.province_texts import FLAG_NAMES, PROVINCE_TEXTS, SHOP_CLASS_NAMES
from chalicelib.doors.console.texts import TEXTS
from chalicelib.doors.console.trend_chart import DayBar, trend_svg

TEMPLATES = Path(__file__).resolve().parents[2] / "chalicelib" / "web" / "templates" / "console"


def test_every_console_text_exists_in_both_languages():
    for family in (TEXTS, PROVINCE_TEXTS, SHOP_CLASS_NAMES, FLAG_NAMES):
        assert set(family["zh-CN"]) == set(family["en"])


def test_every_text_a_console_template_names_exists():
    # Given every console template
    missing = {}
    for template in TEMPLATES.glob("*.html"):
        # When the texts it names directly (t.name) are looked up
        names = set(re.findall(r"\bt\.([a-z_0-9]+)\b", template.read_text())) - {"get"}
        # Then each is there
        absent = names - set(TEXTS["zh-CN"])
        if absent:
            missing[template.name] = sorted(absent)
    assert missing == {}


def test_every_flag_the_records_carry_has_a_name():
    from chalicelib.domain import plate, record, vin

    codes = {
        value
        for module in (record, vin, plate)
        for name, value in vars(module).items()
        if name.startswith("FLAG_") and isinstance(value, str)
    }
    assert codes and codes <= set(FLAG_NAMES["zh-CN"])


def test_each_stack_kind_offers_its_own_sections_and_both_search_records():
    # Given a ministry administrator and a province administrator
    from datetime import UTC, datetime

    def principal(role: str) -> Principal:
        return Principal("regulator", "x", role, 1, datetime.now(UTC), province="320000")

    # Then the ministry's menu has none of the province's own sections, but its provinces' link;
    # the province's has them all but the provinces' link; both search records
    ministry = {s.key for s in sections_for(principal("ministry_admin"), "ministry")}
    province = {s.key for s in sections_for(principal("province_admin"), "province")}
    provincial = {"coverage", "registry", "complaints", "reminders"}
    assert not ministry & provincial and "provinces" in ministry
    assert provincial <= province and "provinces" not in province
    assert "records" in ministry & province


def test_the_trend_chart_draws_a_bar_per_day_with_its_figures_in_words():
    # Given three days, one with flagged uploads
    first = date(2026, 5, 1)
    bars = [
        DayBar(first + timedelta(days=i), n, f) for i, (n, f) in enumerate([(4, 1), (0, 0), (2, 0)])
    ]
    # When the chart is drawn
    svg = trend_svg(bars, "趋势 <title>", "{day}: {uploads} / {flagged}")
    # Then it has a bar group per day, each with its figures as a tooltip, and escapes text
    assert svg.count('<g class="day">') == 3
    assert "<title>2026-05-01: 4 / 1</title>" in svg
    assert 'aria-label="趋势 &lt;title&gt;"' in svg
    assert "2026-05-03</text>" in svg and ">4</text>" in svg
    assert trend_svg([], "empty", "{day}") == ""
