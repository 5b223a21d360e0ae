"""Token doors: a stranger's wrong secrets cannot lock a principal out, nor guess in bulk.

The attacker holds what anyone holds: the public directory's companycodes, a regulator's
username, an OEM id or a province code, and a source address of its own (or many). The
owner holds its secret and signs in from its own address. Each door is tried through the
real route, the attacker and the owner each sending from their own address
(tests/functional/sources.py sets API Gateway's sourceIp).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.builders import shop_application, totp_code
from tests.functional.conftest import TOTP_SECRETS, Api, add_regulator
from tests.functional.console_browser import Browser
from tests.functional.portal_client import PortalClient
from tests.functional.sources import SourceClient

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.20"
COMPAT_TOKEN = "/restservices/lcipprodatarest/lcipprogetaccesstoken/query"
LIMIT = 5  # LOGIN_MAX_FAILURES: failures per principal from one source


def _from(source: str) -> Api:
    return Api(SourceClient(source))


def _audit(api: Api, username: str) -> list[dict[str, Any]]:
    answer = api.get(f"/v1/audit?actor={username}", api.regulator_token())
    assert answer.status_code == 200, answer.json
    return list(answer.json["entries"])


def test_a_stranger_locks_only_itself_out_of_a_shop(api, shop):
    # Given a shop whose companycode is public, and a stranger guessing its secret
    registered, _ = shop
    attacker = _from(ATTACKER)
    guess = {"companycode": registered["companycode"], "secret": "guess"}
    # When the stranger guesses more often than the limit
    answers = [attacker.post("/v1/auth/token", guess) for _ in range(LIMIT + 2)]
    # Then its first guesses are refused as wrong, and then it is refused outright
    assert [a.status_code for a in answers] == [401] * LIMIT + [429, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 900
    # And the shop still gets its token from its own address
    owner = _from(OWNER).post(
        "/v1/auth/token", {"companycode": registered["companycode"], "secret": registered["secret"]}
    )
    assert owner.status_code == 200, owner.json


def test_a_stranger_locks_only_itself_out_of_the_national_door(api, shop):
    # Given a DMS shop on the national interface and a stranger guessing its password
    registered, _ = shop
    attacker = _from(ATTACKER)
    guess = {"companycode": registered["companycode"], "companypassword": "guess"}
    # When the stranger guesses more often than the limit
    answers = [attacker.post(COMPAT_TOKEN, guess).json for _ in range(LIMIT + 1)]
    # Then the last answer is the national "too many wrong passwords" (-11, with minutes)
    assert [a["code"] for a in answers] == ["-11"] * (LIMIT + 1)
    assert answers[-1]["status"] == "密码错误次数过多，请15分钟后再试"
    # And the shop's DMS still gets its token from its own address
    body = {"companycode": registered["companycode"], "companypassword": registered["secret"]}
    owner = _from(OWNER).post(COMPAT_TOKEN, body).json
    assert (owner["code"], owner["status"]) == ("1", "获取成功")


def test_a_stranger_locks_only_itself_out_of_a_regulator_account(api):
    # Given a regulator's username (guessable) and a stranger with wrong passwords
    username, password = add_regulator("wang.ops", "province_admin")
    attacker = _from(ATTACKER)
    # When the stranger tries more often than the limit
    answers = [attacker.regulator_login(username, "wrong-password") for _ in range(LIMIT + 1)]
    # Then it is refused outright after the limit
    assert [a.status_code for a in answers] == [401] * LIMIT + [429]
    # And the regulator still signs in from its own office
    owner = _from(OWNER).regulator_login(username, password)
    assert owner.status_code == 200, owner.json
    # And the trail names the refusal, the limit that was reached and the stranger's address
    refused = [e for e in _audit(api, username) if e["details"].get("reason") == "locked_out"]
    assert [(e["source_ip"], e["details"]["limit"]) for e in refused] == [
        (ATTACKER, "principal_source")
    ]


def test_a_stranger_locks_only_itself_out_of_the_console_form(api):
    # Given a regulator's username and a stranger at the console sign-in form
    username, password = add_regulator("zhao.console", "analyst")
    attacker = Browser(_from(ATTACKER))
    # When the stranger posts more wrong passwords than the limit
    answers = [attacker.sign_in(username, "wrong-password") for _ in range(LIMIT + 1)]
    # Then every answer is the same sign-in failure page (it tells nothing), and none signs in
    assert {a.status_code for a in answers} == {401}
    # And the regulator still signs in at the console from its own address
    office = Browser(_from(OWNER))
    answer = office.sign_in(username, password)
    assert answer.status_code == 303, answer.text
    assert "vmehr_console_session" in office.cookies
    # And the stranger's last attempt was refused before its password was evaluated
    reasons = [e["details"].get("reason") for e in _audit(api, username)]
    assert reasons.count("locked_out") == 1
    assert reasons.count("disabled_or_wrong_password") == LIMIT


def test_a_stranger_locks_only_itself_out_of_the_shop_portal(api, shop):
    # Given a shop and a stranger at the portal's sign-in form
    registered, _ = shop
    attacker = PortalClient(SourceClient(ATTACKER))
    page = attacker.get("/portal/login")
    # When the stranger posts more wrong secrets than the limit
    statuses = []
    for _ in range(LIMIT + 1):
        fields = {"companycode": registered["companycode"], "secret": "x", "csrf_token": ""}
        page = attacker.post("/portal/login", {**fields, "csrf_token": page.csrf()})
        statuses.append(page.status)
    # Then it is refused outright after the limit
    assert statuses == [401] * LIMIT + [429]
    # And the shop's clerk still signs in from the shop
    PortalClient(SourceClient(OWNER)).sign_in(registered["companycode"], registered["secret"])


def test_a_stranger_locks_only_itself_out_of_an_oem_account(api):
    # Given an OEM account, its id known to a stranger
    dealer, _ = api.new_shop(name="示范4S店")
    oem = api.post(
        "/v1/oem/accounts",
        {
            "name": "示范汽车",
            "uscc": shop_application()["uscc"],
            "dealers": [dealer["companycode"]],
        },
        api.regulator_token(),
    ).json
    attacker = _from(ATTACKER)
    # When the stranger guesses its secret more often than the limit
    answers = [
        attacker.post("/v1/oem/token", {"oem_id": oem["oem_id"], "secret": "guess"})
        for _ in range(LIMIT + 1)
    ]
    # Then it is refused outright after the limit
    assert [a.status_code for a in answers] == [401] * LIMIT + [429]
    # And the OEM still gets its token from its own address
    owner = _from(OWNER).post("/v1/oem/token", {"oem_id": oem["oem_id"], "secret": oem["secret"]})
    assert owner.status_code == 200, owner.json


JIANGSU_FORWARDER = "10.32.0.5"
HUBEI_FORWARDER = "10.42.0.9"
RANGES = {"320000": ["10.32.0.0/16"], "420000": ["10.42.0.0/16"]}


@pytest.fixture
def ministry(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Api:
    """The ministry stack with Jiangsu's and Hubei's registered egress ranges."""
    monkeypatch.setenv("EXCHANGE_SOURCE_RANGES", json.dumps(RANGES))
    api: Api = request.getfixturevalue("ministry_api")
    return api


def _exchange_token(source: str, province: str, secret: str) -> Any:
    return _from(source).post("/v1/exchange/token", {"province_code": province, "secret": secret})


def test_a_province_is_heard_only_from_its_registered_networks(ministry):
    from chalicelib.adapters.stats_keys import sign_in_key
    from chalicelib.config import get_settings

    jiangsu = ministry.exchange_secrets["320000"]
    # Given strangers on the internet sending Jiangsu's code, even with its very secret
    answers = [_exchange_token(ATTACKER, "320000", "guess") for _ in range(LIMIT + 2)]
    answers.append(_exchange_token(ATTACKER, "320000", jiangsu))
    # Then every one is refused as coming from the wrong place (403, named), not as wrong
    assert {a.status_code for a in answers} == {403}
    assert answers[0].json["code"] == "source_not_allowed"
    # And none was counted anywhere: no counter exists for that address
    stats = boto3.client("dynamodb")
    key = {k: {"S": v} for k, v in sign_in_key(f"src#{ATTACKER}").items()}
    assert "Item" not in stats.get_item(TableName=get_settings().stats_table_name, Key=key)
    # And Jiangsu's forwarder, from its own network, gets its token
    token = _exchange_token(JIANGSU_FORWARDER, "320000", jiangsu)
    assert token.status_code == 200, token.json


def test_a_province_cannot_even_try_another_provinces_credential(ministry):
    # Given Hubei's forwarder, on Hubei's network, sending Jiangsu's code
    answer = _exchange_token(HUBEI_FORWARDER, "320000", "guess")
    # Then it is refused before the secret is looked at
    assert answer.status_code == 403
    assert answer.json["code"] == "source_not_allowed"


def test_an_exchange_token_is_useless_outside_the_provinces_network(ministry):
    # Given a token Jiangsu's forwarder obtained
    secret = ministry.exchange_secrets["320000"]
    token = _exchange_token(JIANGSU_FORWARDER, "320000", secret).json["access_token"]
    batch = {"items": [{"type": "shop", "shop": {}}]}
    # When someone who copied it sends a batch from elsewhere
    stolen = _from(ATTACKER).post("/v1/exchange/batch", batch, token)
    # Then it is refused as from the wrong place, while the forwarder's own batch is heard
    # (what the exchange contract makes of the item is not this door's business)
    assert (stolen.status_code, stolen.json["code"]) == (403, "source_not_allowed")
    own = _from(JIANGSU_FORWARDER).post("/v1/exchange/batch", batch, token)
    assert own.status_code not in (401, 403), own.json


def test_a_host_inside_the_province_network_locks_only_itself_out(ministry):
    # Given another host on Jiangsu's network guessing its exchange secret
    secret = ministry.exchange_secrets["320000"]
    answers = [_exchange_token("10.32.7.7", "320000", "guess") for _ in range(LIMIT + 1)]
    # Then it is refused outright after the limit
    assert [a.status_code for a in answers] == [401] * LIMIT + [429]
    # And the forwarder's token requests, retried as often as it likes, all succeed
    retries = [_exchange_token(JIANGSU_FORWARDER, "320000", secret) for _ in range(3 * LIMIT)]
    assert {r.status_code for r in retries} == {200}


def test_without_registered_ranges_the_exchange_answers_loopback_only(ministry_api):
    # Given a ministry without registered ranges (the local stack)
    secret = ministry_api.exchange_secrets["320000"]
    # When Jiangsu's credential is sent from loopback and from a network address
    local = ministry_api.post("/v1/exchange/token", {"province_code": "320000", "secret": secret})
    remote = _exchange_token(JIANGSU_FORWARDER, "320000", secret)
    # Then only loopback is heard
    assert local.status_code == 200
    assert remote.status_code == 403


def test_one_source_spraying_many_companycodes_is_refused(api, shop, monkeypatch):
    # Given a source budget of 6 failures (LOGIN_SOURCE_MAX_FAILURES), a stranger, and the
    # public directory's companycodes
    _budget(monkeypatch, 6)
    registered, _ = shop
    attacker = _from(ATTACKER)
    codes = [f"320102{n:09d}" for n in range(1, 8)]
    # When it tries one wrong secret for each of seven companycodes
    answers = [attacker.post("/v1/auth/token", {"companycode": c, "secret": "x"}) for c in codes]
    # Then six are evaluated and the seventh is refused, as is any further try from there
    assert [a.status_code for a in answers] == [401] * 6 + [429]
    again = {"companycode": registered["companycode"], "secret": "x"}
    assert attacker.post("/v1/auth/token", again).status_code == 429
    # And other sources are not affected
    owner = _from(OWNER).post(
        "/v1/auth/token", {"companycode": registered["companycode"], "secret": registered["secret"]}
    )
    assert owner.status_code == 200


def test_successes_from_one_shared_address_never_spend_its_budget(api, shop, monkeypatch):
    # Given a source budget of 3 and a DMS vendor whose shops all sign in from one address
    _budget(monkeypatch, 3)
    registered, _ = shop
    vendor = _from(OWNER)
    right = {"companycode": registered["companycode"], "secret": registered["secret"]}
    # When its shops sign in ten times, one of them mistyping twice in between
    answers = [vendor.post("/v1/auth/token", right) for _ in range(10)]
    typos = [vendor.post("/v1/auth/token", {**right, "secret": "typo"}) for _ in range(2)]
    # Then every sign-in succeeded, and the typos were still evaluated (budget left)
    assert {a.status_code for a in answers} == {200}
    assert [t.status_code for t in typos] == [401, 401]
    assert vendor.post("/v1/auth/token", right).status_code == 200


def test_a_locked_out_client_does_not_spend_its_shared_address_budget(api, monkeypatch):
    # Given a source budget of 6 and two shops behind one DMS vendor's address
    _budget(monkeypatch, 6)
    stale, _ = api.new_shop(name="旧密码修理厂")
    fine, _ = api.new_shop(name="正常修理厂")
    vendor = _from(OWNER)
    # When one shop's DMS keeps retrying a stale secret, twenty times
    retries = [
        vendor.post("/v1/auth/token", {"companycode": stale["companycode"], "secret": "old"})
        for _ in range(20)
    ]
    # Then it is locked out after its five evaluated failures
    assert [r.status_code for r in retries] == [401] * LIMIT + [429] * 15
    # And its refused retries spent nothing of the address's budget: the other shop signs in,
    # and a typo of its own is still evaluated (the sixth failure the budget holds)
    right = {"companycode": fine["companycode"], "secret": fine["secret"]}
    assert vendor.post("/v1/auth/token", right).status_code == 200
    assert vendor.post("/v1/auth/token", {**right, "secret": "typo"}).status_code == 401


def test_malformed_names_spend_the_source_budget(api, monkeypatch):
    # Given a source budget of 2
    _budget(monkeypatch, 2)
    attacker = _from(ATTACKER)
    # When a source sends companycodes no shop can have
    answers = [
        attacker.post("/v1/auth/token", {"companycode": "x" * 15, "secret": "x"}) for _ in range(3)
    ]
    # Then they count as failures from that source
    assert [a.status_code for a in answers] == [401, 401, 429]


def test_many_sources_cannot_lock_a_regulator_out_of_its_usual_office(api):
    # Given a regulator that signed in from its office before
    username, password = add_regulator("chen.audit", "analyst")
    assert _from(OWNER).regulator_login(username, password).status_code == 200
    # When strangers from 25 addresses guess its password (the account-wide ceiling is 20)
    strangers = [f"203.0.113.{n}" for n in range(1, 26)]
    answers = [_from(s).regulator_login(username, "wrong-password") for s in strangers]
    # Then the first 20 are evaluated and the rest refused (429) before any evaluation
    assert [a.status_code for a in answers] == [401] * 20 + [429] * 5
    # And the regulator still signs in from its office (a source it signed in from before)
    office = _from(OWNER).regulator_login(username, password, steps_ahead=1)
    assert office.status_code == 200, office.json
    # But from an address it never used, it waits out the window like the strangers
    assert _from("192.0.2.44").regulator_login(username, password).status_code == 429


def test_the_right_secret_clears_only_its_own_source(api, shop):
    # Given a shop that mistyped its secret four times from its own address
    registered, _ = shop
    owner = _from(OWNER)
    right = {"companycode": registered["companycode"], "secret": registered["secret"]}
    for _ in range(LIMIT - 1):
        assert owner.post("/v1/auth/token", {**right, "secret": "typo"}).status_code == 401
    # When it then signs in
    assert owner.post("/v1/auth/token", right).status_code == 200
    # Then its count from there starts again: five more typos are evaluated
    typos = [owner.post("/v1/auth/token", {**right, "secret": "typo"}) for _ in range(LIMIT)]
    assert {t.status_code for t in typos} == {401}


def test_a_refusal_lasts_until_its_window_ends_then_counting_starts_again(api, shop):
    from chalicelib import bootstrap
    from chalicelib.errors import LockedOutError
    from chalicelib.services.auth import TokenCache, WrongSecretError

    # Given an instance whose clock we hold, and a stranger refused after five guesses
    registered, _ = shop
    clock = _Clock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    service = bootstrap.build_auth_service(clock, TokenCache())
    code = registered["companycode"]
    for _ in range(LIMIT):
        with pytest.raises(WrongSecretError):
            service.shop_token(code, "guess", source=ATTACKER)
    clock.at += timedelta(minutes=5)
    with pytest.raises(LockedOutError) as refused:
        service.shop_token(code, "guess", source=ATTACKER)
    # When the 15-minute window that began with the first guess has passed
    assert refused.value.retry_after == 600
    clock.at += timedelta(minutes=10)
    # Then the stranger's guesses are evaluated again, five more, and no more
    for _ in range(LIMIT):
        with pytest.raises(WrongSecretError):
            service.shop_token(code, "guess", source=ATTACKER)
    with pytest.raises(LockedOutError):
        service.shop_token(code, "guess", source=ATTACKER)


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def served_tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The province's tables on moto in server mode, for attempts that really run at once.

    Lambda runs one request per instance, so 40 simultaneous attempts are 40 instances: here
    40 threads, each with its own AuthService built by the composition root, sharing the
    tables. In-process moto is not thread-safe; infra/local's MotoServer takes one request at
    a time, which keeps what DynamoDB promises (each UpdateItem is atomic) and nothing more.
    (Chalice's app object holds one `current_request`, so the attempts cannot share one app.)
    """
    from chalicelib import bootstrap
    from chalicelib.config import get_settings
    from infra.local.stack import MotoServer, free_port
    from infra.table_definition import create_stack_tables

    server = MotoServer(free_port())
    server.start()
    # moto's backends are process-wide: start from empty tables, and leave none behind.
    reset = urllib.request.Request(f"{server.url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset).close()
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", server.url)
    bootstrap.reset()
    try:
        settings = get_settings()
        create_stack_tables(server.client(), settings.table_name, settings.stats_table_name)
        yield
    finally:
        bootstrap.reset()
        urllib.request.urlopen(reset).close()
        server.stop()


@pytest.mark.parametrize(
    ("sources", "most_evaluated"),
    [
        pytest.param([ATTACKER] * 40, LIMIT, id="one-source"),
        pytest.param([f"203.0.113.{n}" for n in range(1, 41)], 4 * LIMIT, id="40-sources"),
    ],
)
def test_parallel_guesses_are_evaluated_at_most_up_to_the_limit(
    served_tables, sources, most_evaluated
):
    from chalicelib import bootstrap
    from chalicelib.adapters.clock import SystemClock
    from chalicelib.errors import LockedOutError
    from chalicelib.services.audit import Actor
    from chalicelib.services.auth import TokenCache, WrongSecretError

    # Given a regulator's right password (leaked, say) and 40 instances of the API, each about
    # to try a wrong TOTP code at the same moment, from one address or from 40
    username, password = add_regulator("liu.parallel", "analyst")
    wrong = "000000" if totp_code(TOTP_SECRETS[username]) != "000000" else "111111"
    instances = [bootstrap.build_auth_service(SystemClock(), TokenCache()) for _ in sources]
    start = threading.Barrier(len(sources))
    outcomes: list[str] = []

    def attempt(service: Any, source: str) -> None:
        start.wait()
        try:
            service.regulator_token(username, password, wrong, origin=Actor("anonymous", source))
        except WrongSecretError:
            outcomes.append("evaluated")
        except LockedOutError:
            outcomes.append("refused")

    # When they all try
    threads = [
        threading.Thread(target=attempt, args=(service, source))
        for service, source in zip(instances, sources, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then at most the limit's worth of codes were checked (the trail counts each check),
    # and every other attempt was refused before its password or code was looked at
    now = datetime.now(UTC)
    entries, _ = bootstrap._audit_search().entries(
        now - timedelta(hours=1),
        now + timedelta(minutes=1),
        actor=f"regulator:{username}",
        limit=100,
        cursor=None,
    )
    checked = [e for e in entries if e["details"].get("reason") == "wrong_code"]
    assert 1 <= len(checked) <= most_evaluated
    assert outcomes.count("evaluated") == len(checked)
    assert outcomes.count("refused") == len(sources) - len(checked)


def _budget(monkeypatch: pytest.MonkeyPatch, failures: int) -> None:
    """Set LOGIN_SOURCE_MAX_FAILURES for the rest of the test (settings are read once)."""
    from chalicelib import bootstrap
    from chalicelib.config import get_settings

    monkeypatch.setenv("LOGIN_SOURCE_MAX_FAILURES", str(failures))
    get_settings.cache_clear()
    bootstrap.auth_service.cache_clear()
