"""Sign-out and revocation hold on every instance, within 30 seconds.

The party: whoever holds a copy of a session or token after its owner signed out (a shared
computer's cookie, a token copied from a log). The API runs as many warm Lambda instances,
each with its own token cache; the owner's sign-out reaches one of them. Here the app is the
instance that takes the sign-out over HTTP, and a second AuthService built by the composition
root (same tables, its own cache, a clock the test holds) is another warm instance that
served the same session a moment before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.errors import AuthenticationError
from chalicelib.services.auth import TOKEN_CACHE_SECONDS
from tests.functional.conftest import REGULATOR
from tests.functional.console_browser import Browser, csrf_of
from tests.functional.portal_client import PortalClient

PROMISE = timedelta(seconds=30)


class _Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


def _warm_instance() -> tuple[Any, _Clock]:
    """Another instance of the API: its own token cache and clock, the same tables."""
    from chalicelib import bootstrap
    from chalicelib.services.auth import TokenCache

    clock = _Clock()
    return bootstrap.build_auth_service(clock, TokenCache()), clock


def test_a_console_sign_out_ends_the_session_on_every_instance(api):
    # Given a regulator signed in at the console, whose session another instance served too
    browser = Browser(api)
    assert browser.sign_in(*REGULATOR).status_code == 303
    home = browser.request("GET", "/console")
    copied = browser.cookies["vmehr_console_session"]
    other, clock = _warm_instance()
    assert other.resolve(copied).principal_id == REGULATOR[0]
    # When the regulator signs out (the request reaches the app's instance)
    out = browser.request("POST", "/console/logout", {"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    # Then the copied session is refused here at once
    assert Browser(api).request("GET", "/console", headers=_cookie(copied)).status_code == 303
    # And by the other instance no later than its cache age, within the 30 s promised
    clock.at += timedelta(seconds=TOKEN_CACHE_SECONDS)
    assert timedelta(seconds=TOKEN_CACHE_SECONDS) <= PROMISE
    with pytest.raises(AuthenticationError):
        other.resolve(copied)


def test_a_portal_sign_out_ends_the_session_on_every_instance(api, shop):
    # Given a shop clerk signed in at the portal, whose session another instance served too
    registered, _ = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    home = browser.get("/portal")
    copied = browser.cookies["vmehr_portal_session"]
    other, clock = _warm_instance()
    assert other.resolve(copied).principal_id == registered["companycode"]
    # When the clerk signs out
    out = browser.post("/portal/logout", {"csrf_token": home.csrf()})
    assert out.status == 303
    # Then the copied session, used as a bearer token, is refused here at once
    assert api.get("/v1/records?from=2024-01-01&to=2024-12-31", copied).status_code == 401
    # And by the other instance within the 30 s promised
    clock.at += timedelta(seconds=TOKEN_CACHE_SECONDS)
    with pytest.raises(AuthenticationError):
        other.resolve(copied)


def test_a_token_revoked_on_one_instance_is_refused_by_another_within_30_s(api, shop):
    # Given a shop's API token that two warm instances have both served
    registered, token = shop
    first, _ = _warm_instance()
    second, clock = _warm_instance()
    assert first.resolve(token).principal_id == second.resolve(token).principal_id
    # When the first revokes it
    first.revoke(token)
    # Then the first refuses it at once, and the second once its cached copy is 20 s old
    with pytest.raises(AuthenticationError):
        first.resolve(token)
    clock.at += timedelta(seconds=TOKEN_CACHE_SECONDS)
    with pytest.raises(AuthenticationError):
        second.resolve(token)
    # And a token nobody revoked still works there after its cached copy expired
    other_token = api.shop_token(registered["companycode"], registered["secret"])
    assert second.resolve(other_token).principal_id == registered["companycode"]
    clock.at += timedelta(seconds=TOKEN_CACHE_SECONDS)
    assert second.resolve(other_token).principal_id == registered["companycode"]


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"vmehr_console_session={token}"}
