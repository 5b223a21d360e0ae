"""Browser tier: Playwright drives Debian's Chromium against a real local province stack.

Fixtures for every browser test (consumer page now; regulator console and shop portal later):
- `stack` (package): moto server + `chalice local` + the statistics poller on free loopback
  ports, seeded with the demo regulator and demo shop; `stack.url`, `stack.upload(...)`,
  `stack.new_vehicle()`, `stack.shop_token()`, `stack.regulator_token()`, `stack.dynamodb()`.
- `browser` (package): one headless Chromium.
- `phone` (390×844 at 2×, touch, zh-CN) and `desktop` (1280×900): a fresh page each, in its
  own context (no cookies shared). Every test that uses one leaves a full-page screenshot in
  artifacts/screenshots/<test-name>.png, passed or failed (`-desktop` when it used both).
- `artifacts`: `artifacts.screenshot(page, "-print")` keeps an extra screenshot of a moment,
  `artifacts.path("-report", ".pdf")` names any other file the test keeps.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    LocalStack,
    artifact_path,
    start_stack,
    stop_stack,
)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    from chalicelib import bootstrap

    saved = dict(os.environ)
    running = start_stack(tmp_path_factory.mktemp("browser-stack"))
    try:
        yield running
    finally:
        stop_stack(running)
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _page(browser, request, PHONE, "")


@pytest.fixture
def desktop(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    both = "phone" in request.fixturenames
    yield from _page(browser, request, DESKTOP, "-desktop" if both else "")


class Artifacts:
    """Files a test leaves in artifacts/: named after the test, kept whether it passed or not."""

    def __init__(self, test_name: str) -> None:
        self.test_name = test_name

    def path(self, suffix: str = "", extension: str = ".png") -> Path:
        return artifact_path(self.test_name, suffix, extension)

    def screenshot(self, page: Any, suffix: str) -> Path:
        """A full-page screenshot of a moment in the test: `<test-name><suffix>.png`."""
        path = self.path(suffix)
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Artifacts:
    return Artifacts(request.node.name)


def _page(browser: Any, request: pytest.FixtureRequest, device: dict[str, Any], suffix: str):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **device)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(artifact_path(request.node.name, suffix)), full_page=True)
        except Exception as exc:  # a closed or crashed page must not hide the test's own result
            warnings.warn(f"no screenshot for {request.node.name}: {exc}", stacklevel=1)
        context.close()
