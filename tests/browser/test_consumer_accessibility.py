"""Basic accessibility of the consumer pages, measured in a browser: labels, language, contrast."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chalicelib.doors.public.texts import TEXTS
from tests.browser.support import contrast_ratio, parse_rgb

pytestmark = pytest.mark.browser
ZH = TEXTS["zh-CN"]
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text; we ask it of every text, large or not

# Every visible element with text of its own: its colour (SVG text: its fill) and the first
# opaque background colour behind it (white when no ancestor paints one).
_TEXT_COLOURS = """() => {
  const opaque = c => c && !/^rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent';
  const behind = e => {
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const s = getComputedStyle(e), r = e.getBoundingClientRect();
    if (!own || s.display === 'none' || s.visibility !== 'visible' || !r.width) continue;
    if (['title', 'style', 'script'].includes(e.tagName.toLowerCase())) continue;
    const svg = e instanceof SVGElement;
    out.push({tag: e.tagName.toLowerCase(), cls: String(e.className.baseVal ?? e.className),
              text: e.textContent.trim().slice(0, 40),
              colour: svg ? s.fill : s.color, background: behind(e)});
  }
  return out;
}"""

_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""

_NAMELESS_CONTROLS = """() => [...document.querySelectorAll('button, a[href]')]
  .filter(e => !e.textContent.trim() && !e.getAttribute('aria-label'))
  .map(e => e.outerHTML)"""


def _low_contrast(page):
    failures = []
    for text in page.evaluate(_TEXT_COLOURS):
        fg, bg = parse_rgb(text["colour"]), parse_rgb(text["background"])
        ratio = contrast_ratio(fg[:3], bg[:3])
        if ratio < MIN_CONTRAST:
            failures.append((round(ratio, 2), text))
    return failures


def _assert_accessible(page, lang):
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate(_UNLABELLED) == []
    assert page.evaluate(_NAMELESS_CONTROLS) == []
    checked = page.evaluate(_TEXT_COLOURS)
    assert len(checked) > 5, "the contrast check saw the page's texts"
    assert _low_contrast(page) == []


def test_every_consumer_page_has_labels_a_language_and_readable_contrast(stack, phone):
    # Given a vehicle on file
    vehicle = stack.new_vehicle()
    # Then the query form, with its not-found notice showing, passes the checks
    phone.goto(stack.url + "/")
    phone.get_by_label(ZH["vin"]).fill(vehicle.vin)
    phone.get_by_label(ZH["plate"]).fill("苏Z99999")
    with phone.expect_navigation():
        phone.get_by_role("button", name=ZH["query"]).click()
    expect(phone.get_by_role("alert")).to_be_visible()
    _assert_accessible(phone, "zh-CN")
    # And so does the vehicle page (cards, tags, flags, the chart's axis labels) in English
    phone.goto(stack.url + "/?lang=en")
    phone.get_by_label(TEXTS["en"]["vin"]).fill(vehicle.vin)
    phone.get_by_label(TEXTS["en"]["plate"]).fill(vehicle.plate)
    with phone.expect_navigation():
        phone.get_by_role("button", name=TEXTS["en"]["query"]).click()
    expect(phone.locator("li.record")).to_have_count(3)
    _assert_accessible(phone, "en")
    # And so does the verification page
    phone.get_by_role("link", name="/verify/").click()
    expect(phone.get_by_role("status")).to_be_visible()
    _assert_accessible(phone, "en")


def test_the_contrast_check_catches_unreadable_text(stack, phone):
    # Given the query page with its muted hint recoloured to a pale grey on white
    phone.goto(stack.url + "/")
    phone.locator("form.query p").evaluate("p => { p.style.color = '#b0b0b0'; }")
    # Then the check reports exactly that text
    failures = _low_contrast(phone)
    assert [text["text"] for _, text in failures] == [ZH["intro"][:40]]
    assert failures[0][0] < MIN_CONTRAST
