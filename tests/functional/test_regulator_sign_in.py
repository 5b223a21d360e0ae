"""Regulator sign-in: password plus a single-use TOTP code, one 401 for every failure, lockout."""

from __future__ import annotations

from tests.builders import totp_code
from tests.functional.conftest import REGULATOR, TOTP_SECRETS, add_regulator

UNAUTHORIZED = {"code": "unauthorized", "message": "authentication failed"}


def test_password_and_current_code_give_a_token_with_role_and_districts(api):
    # Given a district officer for 玄武区
    username, password = add_regulator("li.officer", "district_officer", ("320102",))
    # When it signs in with its password and the code its authenticator shows now
    response = api.regulator_login(username, password)
    # Then it gets a bearer token carrying its role and districts
    assert response.status_code == 200, response.json
    assert response.json["role"] == "district_officer"
    assert response.json["divisions"] == ["320102"]
    assert api.get("/v1/shops", response.json["access_token"]).status_code == 200


def test_wrong_missing_and_malformed_codes_answer_like_a_wrong_password(api):
    # Given the administrator's account and a code that is not the current one
    username, password = REGULATOR
    wrong = "000000" if totp_code(TOTP_SECRETS[username]) != "000000" else "111111"
    # When it signs in with a wrong code, no code, a malformed code, or a wrong password
    answers = [
        api.regulator_login(username, password, code=wrong),
        api.post("/v1/admin/token", {"username": username, "password": password}),
        api.regulator_login(username, password, code="12ab56"),
        api.regulator_login(username, "not-the-password"),
    ]
    # Then every answer is the same 401, naming nothing
    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert all(a.json == UNAUTHORIZED for a in answers)


def test_a_code_is_accepted_only_once(api):
    # Given a code that has just signed the administrator in
    username, password = REGULATOR
    code = totp_code(TOTP_SECRETS[username])
    assert api.regulator_login(username, password, code=code).status_code == 200
    # When the same code is sent again (an eavesdropper replays it)
    replayed = api.regulator_login(username, password, code=code)
    # Then it is refused like a wrong code; the next time step's code still works
    assert replayed.status_code == 401
    assert replayed.json == UNAUTHORIZED
    assert api.regulator_login(username, password, steps_ahead=1).status_code == 200


def test_an_older_code_is_refused_after_a_newer_one_was_used(api):
    # Given the code of the next time step was used (a clock running slightly ahead)
    username, password = REGULATOR
    assert api.regulator_login(username, password, steps_ahead=1).status_code == 200
    # When the current step's code is sent afterwards
    older = api.regulator_login(username, password)
    # Then it is refused: codes must move forward in time
    assert older.status_code == 401


def test_wrong_codes_count_toward_the_lockout(api):
    # Given five sign-ins with the right password but wrong codes
    username, password = REGULATOR
    right = totp_code(TOTP_SECRETS[username])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert api.regulator_login(username, password, code=wrong).status_code == 401
    # When the right password and the right code follow
    locked = api.regulator_login(username, password, code=right)
    # Then the account is locked for the rest of the window
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_unknown_account_answers_like_a_wrong_password(api):
    # Given a name no account has
    response = api.post(
        "/v1/admin/token", {"username": "nobody", "password": "whatever-password", "totp": "123456"}
    )
    # Then the answer is the same 401
    assert response.status_code == 401
    assert response.json == UNAUTHORIZED


def test_an_account_stored_with_the_old_role_name_reads_as_province_analyst(api):
    # Given an account stored before district scoping, with the role "analyst"
    from datetime import UTC, datetime

    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
    from chalicelib.adapters.secret_box import AesGcmSecretBox
    from chalicelib.config import get_settings
    from chalicelib.domain.credentials import hash_secret
    from chalicelib.domain.regulator_account import RegulatorAccount
    from chalicelib.services.auth import totp_context

    settings = get_settings()
    secret = TOTP_SECRETS["analyst"]
    now = datetime.now(UTC)
    DynamoAccountRepository(settings.table_name).create_regulator(
        RegulatorAccount(
            username="old.analyst",
            role="analyst",
            divisions=(),
            password_hash=hash_secret("old-analyst-password"),
            totp_sealed=AesGcmSecretBox(settings.totp_key).seal(
                secret, totp_context("old.analyst")
            ),
            generation=1,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
    )
    TOTP_SECRETS["old.analyst"] = secret
    # When it signs in
    response = api.regulator_login("old.analyst", "old-analyst-password")
    # Then its token carries the current name of the role, which may read but not write
    assert response.status_code == 200, response.json
    assert response.json["role"] == "province_analyst"
    token = response.json["access_token"]
    assert api.get("/v1/shops", token).status_code == 200
    assert api.post("/v1/shops/320102000000001/suspend", {}, token).status_code == 403


def test_an_expired_token_or_console_session_is_refused_by_the_server(api):
    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.keys import TOKEN, key, token_pk
    from chalicelib.config import get_settings
    from chalicelib.domain.credentials import token_digest
    from tests.functional.console_browser import Browser

    # Given an administrator's API token and, for another account, a console session
    token = api.regulator_token()
    add_regulator("expiring.officer", "province_admin")
    browser = Browser(api)
    assert browser.sign_in("expiring.officer", "expiring.officer-test-password").status_code == 303
    session = next(iter(browser.cookies.values()))
    assert api.get("/v1/shops", token).status_code == 200
    # When both reach their expiry (as stored), seen by a fresh function instance
    dynamodb = boto3.client("dynamodb")
    for secret in (token, session):
        dynamodb.update_item(
            TableName=get_settings().table_name,
            Key={k: {"S": v} for k, v in key(token_pk(token_digest(secret)), TOKEN).items()},
            UpdateExpression="SET expires_at = :past",
            ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00+00:00"}},
        )
    bootstrap.auth_service.cache_clear()
    # Then the API answers 401 and the console sends the browser to sign in again
    assert api.get("/v1/shops", token).status_code == 401
    page = browser.request("GET", "/console")
    assert page.status_code == 303 and "/console/login" in page.headers["Location"]
