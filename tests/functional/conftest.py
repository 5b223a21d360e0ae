"""Functional tier: the real Chalice app through `chalice.test.Client`, moto in-process.

The table is created from infra/table.json, the same definition local runs and deployments use.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.config import get_settings
from infra.audit_digest_bucket import create_audit_digest_bucket
from infra.photo_bucket import create_photo_bucket
from infra.seed import create_regulator
from infra.table_definition import create_stack_tables
from tests.builders import shop_application, totp_code

REGULATOR = ("regulator", "regulator-test-password")
ANALYST = ("analyst", "analyst-test-password")
# Fixed TOTP secrets of the test accounts (base32), so tests can compute their codes.
TOTP_SECRETS = {
    "regulator": "TESTREGULATQRTQTPSECRETAAAAAAAAA",
    "analyst": "TESTANALYSTTQTPSECRETAAAAAAAAAAA",
}


def add_regulator(
    username: str, role: str, divisions: tuple[str, ...] = (), password: str = ""
) -> tuple[str, str]:
    """Create an account on the current stack's table; returns (username, password)."""
    password = password or f"{username}-test-password"
    TOTP_SECRETS.setdefault(username, _secret_for(username))
    create_regulator(
        get_settings().table_name,
        username,
        password,
        role,
        divisions=divisions,
        totp_secret=TOTP_SECRETS[username],
    )
    return username, password


def _secret_for(username: str) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha256(username.encode()).digest()[:20]).decode()


class Api:
    """Thin JSON helper over chalice's test client."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._regulator_tokens: dict[str, str] = {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ) -> Any:
        all_headers = {"Content-Type": "application/json"}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.http.request(method, path, headers=all_headers, body=payload)
        response.json = json.loads(response.body) if response.body else None
        return response

    def post(self, path: str, body: Any = None, token: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, body, token, **kw)

    def get(self, path: str, token: str | None = None) -> Any:
        return self.call("GET", path, None, token)

    def regulator_token(self, account: tuple[str, str] = REGULATOR) -> str:
        """A token for the account, signed in once per test (a TOTP code is good only once)."""
        if account[0] not in self._regulator_tokens:
            response = self.regulator_login(*account)
            assert response.status_code == 200, response.json
            self._regulator_tokens[account[0]] = str(response.json["access_token"])
        return self._regulator_tokens[account[0]]

    def regulator_login(
        self, username: str, password: str, code: str | None = None, steps_ahead: int = 0
    ) -> Any:
        """POST /v1/admin/token with the account's current TOTP code (or the one given)."""
        if code is None:
            code = totp_code(TOTP_SECRETS[username], steps_ahead)
        body = {"username": username, "password": password, "totp": code}
        return self.post("/v1/admin/token", body)

    def shop_token(self, companycode: str, secret: str) -> str:
        response = self.post("/v1/auth/token", {"companycode": companycode, "secret": secret})
        assert response.status_code == 200, response.json
        return str(response.json["access_token"])

    def register_shop(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("/v1/shops", shop_application(**overrides), self.regulator_token())
        assert response.status_code == 201, response.json
        return dict(response.json)

    def new_shop(self, **overrides: Any) -> tuple[dict[str, Any], str]:
        """Register a shop and return (its registry entry, a bearer token for it)."""
        shop = self.register_shop(**overrides)
        return shop, self.shop_token(shop["companycode"], shop["secret"])


@contextlib.contextmanager
def province_stack() -> Iterator[None]:
    """A fresh province stack on moto: tables from infra/, the photo bucket, two regulators.

    The `aws` fixture gives one per test; a property test opens one per example, so every
    example starts empty (one moto state for hundreds of examples grows without bound).
    """
    with mock_aws():
        bootstrap.reset()
        import boto3

        settings = get_settings()
        create_stack_tables(
            boto3.client("dynamodb"), settings.table_name, settings.stats_table_name
        )
        assert settings.photo_bucket is not None
        create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
        create_digest_bucket()
        add_regulator(*REGULATOR[:1], "province_admin", password=REGULATOR[1])
        add_regulator(*ANALYST[:1], "analyst", password=ANALYST[1])
        try:
            yield
        finally:
            bootstrap.reset()


def create_digest_bucket() -> None:
    """The stack's audit digest bucket (Object Lock, compliance mode), as the template has it."""
    import boto3

    settings = get_settings()
    assert settings.audit_digest_bucket is not None
    create_audit_digest_bucket(
        boto3.client("s3"), settings.audit_digest_bucket, settings.aws_region
    )


@pytest.fixture
def aws() -> Iterator[None]:
    with province_stack():
        yield


@pytest.fixture
def api(aws: None) -> Iterator[Api]:
    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def shop(api: Api) -> tuple[dict[str, Any], str]:
    return api.new_shop(name="南京玄武示范汽车维修有限公司")


@pytest.fixture
def ministry_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The same app configured as the ministry stack, with two provinces' credentials."""
    monkeypatch.setenv("STACK_ROLE", "ministry")
    monkeypatch.setenv("PROVINCE_CODE", "000000")
    with mock_aws():
        bootstrap.reset()
        import boto3

        from app import app
        from infra.seed import create_exchange_credential

        settings = get_settings()
        create_stack_tables(
            boto3.client("dynamodb"), settings.table_name, settings.stats_table_name
        )
        assert settings.photo_bucket is not None  # national search exports are written there
        create_photo_bucket(boto3.client("s3"), settings.photo_bucket, settings.aws_region)
        create_digest_bucket()
        add_regulator(REGULATOR[0], "ministry_admin", password=REGULATOR[1])
        secrets = {
            code: create_exchange_credential(settings.table_name, code)
            for code in ("320000", "420000")
        }
        with Client(app) as client:
            api = Api(client)
            api.exchange_secrets = secrets  # type: ignore[attr-defined]
            yield api
        bootstrap.reset()
