"""A regulator of one stack kind against the console sections of the other kind.

The attacker is a regulator signed in to the console of one stack: the ministry's
administrator at the ministry, or a province's administrator at its province. It holds its
own console session (cookie) and that session's CSRF token, and its role has read rights on
its own stack (the ministry administrator may read registries, statistics and complaints).
It asks for every console page and posts every console form that exists on the other stack
kind only (a province's registry, monitoring, complaints and reminders; the ministry's
provinces and their exchange credentials), each with a well-formed form and its valid token.

What holds: the console door declares which stacks serve each section (`doors/console/`,
`stacks=` at the route), so every one of those routes answers the console's 404 page before
any view runs, and nothing is stored. The same session still opens its own stack's sections.
A route added without its stacks would answer its page (200) or a 403 here instead of 404:
the table below must list every console route, so a new one cannot be forgotten.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import shop_application
from tests.functional.conftest import REGULATOR
from tests.functional.console_browser import Browser, csrf_of

# The console routes served by one stack kind only, with a form a real page would post.
PROVINCE_ONLY: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/console/coverage"): {},
    ("GET", "/console/coverage/idle"): {},
    ("GET", "/console/coverage/errors"): {},
    ("GET", "/console/shops"): {},
    ("POST", "/console/shops"): shop_application(division_code="320102"),
    ("GET", "/console/shops/{companycode}"): {},
    ("POST", "/console/shops/{companycode}"): {"version": "1", "name": "改名"},
    ("POST", "/console/shops/{companycode}/secret"): {"confirm": "yes"},
    ("POST", "/console/shops/{companycode}/suspend"): {"confirm": "yes"},
    ("POST", "/console/shops/{companycode}/reinstate"): {},
    ("GET", "/console/complaints"): {},
    ("GET", "/console/complaints/{complaint_id}"): {},
    ("GET", "/console/complaints/{complaint_id}/photo"): {},
    ("POST", "/console/complaints/{complaint_id}/accept"): {},
    ("POST", "/console/complaints/{complaint_id}/reject"): {"reason": "不予受理"},
    ("POST", "/console/complaints/{complaint_id}/close"): {"outcome": "resolved", "note": ""},
    ("GET", "/console/reminders"): {},
    ("POST", "/console/reminders"): {
        "companycodes": "320102000000001",
        "title": "请按时上传",
        "body": "请补传维修记录",
    },
}
MINISTRY_ONLY: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/console/provinces"): {},
    ("GET", "/console/provinces/{province_code}"): {},
    ("POST", "/console/provinces/{province_code}/credential/{credential_action}"): {
        "confirm": "yes"
    },
}
# Served by both kinds (the agencies' pages too: only ministry roles hold their permissions).
BOTH = {
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("POST", "/console/logout"),
    ("GET", "/console"),
    ("GET", "/console/accounts"),
    ("POST", "/console/accounts"),
    ("POST", "/console/accounts/{username}/{action}"),
    ("GET", "/console/audit"),
    ("GET", "/console/records"),
    ("POST", "/console/records/exports"),
    ("GET", "/console/records/exports/{job_id}"),
    ("GET", "/console/agencies"),
    ("POST", "/console/agencies"),
    ("POST", "/console/agencies/{agency_id}/keys"),
    ("POST", "/console/agencies/{agency_id}/keys/{key_id}/{key_action}"),
    ("GET", "/console/agencies/{agency_id}/reads"),
}
VALUES = {
    "companycode": "320102000000001",
    "complaint_id": "TS0123456789ABCDEF",
    "province_code": "320000",
    "credential_action": "issue",
}


def test_every_console_route_is_in_the_stack_table():
    # Given the app's routes
    from app import app

    console = {
        (method, path)
        for path, methods in app.routes.items()
        if path.startswith("/console")
        for method in methods
    }
    # Then each console route says which stack kinds serve it, here
    listed = set(PROVINCE_ONLY) | set(MINISTRY_ONLY) | BOTH
    assert console - listed == set(), "add these console routes to the stack table"
    assert listed - console == set(), "these console routes are gone: remove them"


@pytest.mark.parametrize(
    ("stack", "other_kind", "own_pages"),
    [
        ("ministry_api", PROVINCE_ONLY, ("/console/provinces", "/console/provinces/320000")),
        ("api", MINISTRY_ONLY, ("/console/coverage", "/console/shops", "/console/complaints")),
    ],
    ids=["ministry admin, provincial sections", "province admin, ministry sections"],
)
def test_a_regulator_reaches_no_section_of_the_other_stack_kind(
    request, stack, other_kind, own_pages
):
    # Given the stack's administrator signed in, holding its session's CSRF token
    browser = Browser(request.getfixturevalue(stack))
    assert browser.sign_in(*REGULATOR).status_code == 303
    token = csrf_of(browser.request("GET", "/console").text)
    before = _stored_items()
    # When it asks for every page and posts every form (well-formed, with its valid token)
    # that only the other stack kind has
    answers = _try_each(browser, other_kind, token)
    # Then each answers the console's 404 page (not its page, nor a 403 that admits the page
    # exists), and nothing was stored
    assert {route: status for route, status in answers.items() if status != 404} == {}
    assert _stored_items() == before
    # And the same session still opens its own stack's sections
    for page in own_pages:
        assert browser.request("GET", page).status_code == 200, page


def _try_each(
    browser: Browser, routes: dict[tuple[str, str], dict[str, str]], token: str
) -> dict[tuple[str, str], int]:
    """Each route's status; every answer must be the console's own error page."""
    answers = {}
    for (method, route), fields in routes.items():
        form = {**fields, "csrf_token": token} if method == "POST" else None
        response = browser.request(method, _fill(route), form)
        if response.status_code == 404:
            assert 'href="/console?lang=zh-CN"' in response.text, route  # the way back home
        answers[(method, route)] = response.status_code
    return answers


def _fill(route: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], route)


def _stored_items() -> list[Any]:
    """Every item of the stack's tables, to compare before and after."""
    client = boto3.client("dynamodb")
    settings = get_settings()
    items: list[Any] = []
    for table in (settings.table_name, settings.stats_table_name):
        for page in client.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
    return sorted(items, key=repr)
