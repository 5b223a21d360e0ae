"""Province e2e tier: moto in server mode + `chalice local`, real HTTP on loopback.

One province stack (320000) is started for the package; the demo regulator and a demo shop are
seeded exactly as `make run` seeds them.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib import bootstrap
from infra.local.stack import FAKE_AWS_ENV, MotoServer, ProvinceApp, free_port, provision
from infra.seed import DEMO_REGULATOR, DEMO_TOTP_SECRETS, create_regulator
from tests.builders import totp_code

TABLE = "vmehr-e2e-320000"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class Http:
    def __init__(self, base: str, environment: dict[str, str] | None = None) -> None:
        self.base = base
        self._regulator_token = ""
        # The stack's environment, for running `infra.admin` commands against it.
        self.environment = environment or {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        content_type: str = "application/json",
        raw: bytes | None = None,
    ) -> Answer:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": content_type} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, json.loads(response.read()), dict(response.headers))
        except urllib.error.HTTPError as exc:
            text = exc.read()
            return Answer(exc.code, json.loads(text) if text else None, dict(exc.headers))

    def token(self, companycode: str, secret: str) -> str:
        answer = self.call("POST", "/v1/auth/token", {"companycode": companycode, "secret": secret})
        assert answer.status == 200, answer.body
        return str(answer.body["access_token"])

    def regulator(self) -> str:
        """The demo regulator's token, signed in once (a TOTP code is good only once)."""
        if not self._regulator_token:
            username, password = DEMO_REGULATOR
            body = {
                "username": username,
                "password": password,
                "totp": totp_code(DEMO_TOTP_SECRETS[username]),
            }
            answer = self.call("POST", "/v1/admin/token", body)
            assert answer.status == 200, answer.body
            self._regulator_token = str(answer.body["access_token"])
        return self._regulator_token

    def new_shop(self) -> tuple[dict[str, Any], str]:
        from tests.builders import shop_application

        shop = self.call("POST", "/v1/shops", shop_application(), self.regulator())
        assert shop.status == 201, shop.body
        return shop.body, self.token(shop.body["companycode"], shop.body["secret"])

    def count(self, token: str) -> int:
        path = "/v1/records?from=1990-01-01&to=2030-12-31&limit=100"
        return len(self.call("GET", path, token=token).body["records"])


@pytest.fixture(scope="package")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http]:
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(free_port())
    moto.start()
    app = ProvinceApp(free_port(), "320000", TABLE, moto.url)
    app.log_path = tmp_path_factory.mktemp("province") / "chalice.log"
    try:
        provision(moto, TABLE)
        os.environ.update({"DYNAMODB_ENDPOINT_URL": moto.url, "TABLE_NAME": TABLE})
        bootstrap.reset()
        create_regulator(
            TABLE,
            *DEMO_REGULATOR,
            "province_admin",
            totp_secret=DEMO_TOTP_SECRETS[DEMO_REGULATOR[0]],
            province_code="320000",
        )
        app.start()
        yield Http(app.url, app.environment())
    finally:
        app.stop()
        moto.stop()
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()


@pytest.fixture
def shop(http: Http) -> tuple[dict[str, Any], str]:
    return http.new_shop()
