"""What the console's browser tests share: regulators with known TOTP secrets, a district of
their own with shops and records, the sign-in as a person does it, and complaint filing.

Why: each test signs in with its own account (a TOTP code signs an account in once, so tests
sharing one would have to wait for the next 30-second step) and works in a district of its own
that no other browser test touches (the demo shop lives in 320102), so what it sees is what it
made.
"""

from __future__ import annotations

import base64
import itertools
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.doors.console.texts import TEXTS
from tests.browser.support import LocalStack
from tests.builders import record_payload, shop_application, tiny_png

ZH, EN = TEXTS["zh-CN"], TEXTS["en"]
DISTRICT = "320104"
_accounts = itertools.count(1)


@dataclass(frozen=True)
class Regulator:
    username: str
    password: str
    totp_secret: str


@dataclass(frozen=True)
class Shop:
    companycode: str
    name: str
    secret: str
    token: str


def new_regulator(stack: LocalStack, role: str, divisions: tuple[str, ...] = ()) -> Regulator:
    """A fresh account on the stack, with a TOTP secret the test knows."""
    import pyotp

    from infra.seed import create_regulator

    username = f"console-{role.replace('_', '-')}-{next(_accounts)}"
    password = f"{username}-password"
    secret = pyotp.random_base32()
    create_regulator(
        stack.table_name, username, password, role, divisions=divisions, totp_secret=secret
    )
    return Regulator(username, password, secret)


def fresh_code(regulator: Regulator, used: set[tuple[str, str]] = set()) -> str:  # noqa: B006
    """The authenticator's code now (pyotp, independent of the app's own TOTP code); if this
    account signed in with it already, the next one (a code is accepted once)."""
    import pyotp

    totp = pyotp.TOTP(regulator.totp_secret)
    code = totp.now()
    while (regulator.username, code) in used:
        time.sleep(1)
        code = totp.now()
    used.add((regulator.username, code))
    return code


def sign_in(page: Any, stack: LocalStack, regulator: Regulator, lang: str = "zh-CN") -> None:
    """Sign in as a person does: the form's fields found by their labels, the code typed."""
    texts = TEXTS[lang]
    page.goto(f"{stack.url}/console/login?lang={lang}")
    page.get_by_label(texts["username"]).fill(regulator.username)
    page.get_by_label(texts["password"]).fill(regulator.password)
    page.get_by_label(texts["totp"]).fill(fresh_code(regulator))
    with page.expect_navigation():
        page.get_by_role("button", name=texts["sign_in"]).click()


def api_token(stack: LocalStack, regulator: Regulator) -> str:
    body = {
        "username": regulator.username,
        "password": regulator.password,
        "totp": fresh_code(regulator),
    }
    answer = stack.call("POST", "/v1/admin/token", body)
    assert answer.status == 200, answer.body
    return str(answer.body["access_token"])


def register_shop(
    stack: LocalStack, admin_token: str, district: str = DISTRICT, **overrides: Any
) -> Shop:
    """A shop of `district` registered through the API, with a token of its own."""
    answer = stack.call(
        "POST", "/v1/shops", shop_application(division_code=district, **overrides), admin_token
    )
    assert answer.status == 201, answer.body
    entry = answer.body
    token = stack.call(
        "POST", "/v1/auth/token", {"companycode": entry["companycode"], "secret": entry["secret"]}
    ).body["access_token"]
    return Shop(entry["companycode"], entry["name"], entry["secret"], token)


def upload(stack: LocalStack, shop: Shop, **overrides: Any) -> dict[str, Any]:
    payload = record_payload(company_name=shop.name, **overrides)
    answer = stack.call("POST", "/v1/records", payload, shop.token)
    assert answer.status == 201, answer.body
    return payload


def file_complaint(stack: LocalStack, record: dict[str, Any], text: str) -> str:
    """An owner's "record incorrect" complaint about an uploaded record, with a photo."""
    body = {
        "kind": "incorrect",
        "vin": record["vin"],
        "plate": record["plate_number"],
        "settlement_list_code": record["settlement_list_code"],
        "text": text,
        "contact_phone": "13800001111",
        "photo_base64": base64.b64encode(tiny_png(24, 16)).decode(),
    }
    answer = stack.call("POST", "/v1/complaints", body)
    assert answer.status == 201, answer.body
    return str(answer.body["code"])
