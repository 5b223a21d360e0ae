"""What browser tests share: a local province stack, demo data over HTTP, Chromium, artifacts.

Why: the consumer page, the regulator console and the shop portal are all tested in a real
browser against the same kind of stack `make run` starts (moto server, `chalice local`, the
statistics stream poller and the shop portal's import handler, the demo regulator and demo
shop). Tests of every page import these helpers instead of starting things their own way.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.stack import (
    FAKE_AWS_ENV,
    PROJECT_DIR,
    MotoServer,
    ProvinceApp,
    free_port,
    provision,
)
from infra.seed import DEMO_REGULATOR, DEMO_SHOP_NAME, DEMO_SHOP_SECRET, DEMO_TOTP_SECRETS
from tests.builders import record_payload, totp_code, unique_plate, unique_vin

CHROMIUM = "/usr/bin/chromium"
# As root on a closed network: no sandbox, and none of Chromium's calls home (they hang here).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
ARTIFACTS = PROJECT_DIR / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PROVINCE = "320000"
# Every browser test asks from 127.0.0.1 within minutes: the public limits (tested in the
# functional tier) would answer 429 long before the tier ends.
UNLIMITED_PUBLIC_REQUESTS = {
    "PUBLIC_IP_LIMIT": "100000",
    "PUBLIC_VIN_LIMIT": "100000",
    "PUBLIC_SUBMIT_LIMIT": "100000",
}
DEMO_DIVISION = "320102"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True)
class Vehicle:
    """A vehicle uploaded by the demo shop; `receipts` by name: maintenance, brakes, ac."""

    vin: str
    plate: str
    receipts: dict[str, dict[str, Any]]


@dataclass
class LocalStack:
    """One province stack on loopback, seeded like `make run` seeds it."""

    moto: MotoServer
    app: ProvinceApp
    regulator: tuple[str, str] = DEMO_REGULATOR
    shop_companycode: str = f"{DEMO_DIVISION}000000001"
    shop_secret: str = DEMO_SHOP_SECRET
    shop_name: str = DEMO_SHOP_NAME
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.app.url

    @property
    def table_name(self) -> str:
        return self.app.table_name

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
        """A JSON request to the stack's REST API."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, json.loads(response.read()), dict(response.headers))
        except urllib.error.HTTPError as exc:
            text = exc.read()
            return Answer(exc.code, json.loads(text) if text else None, dict(exc.headers))

    def shop_token(self) -> str:
        """A bearer token of the demo shop (one per stack, reused)."""
        if "shop" not in self._tokens:
            body = {"companycode": self.shop_companycode, "secret": self.shop_secret}
            answer = self.call("POST", "/v1/auth/token", body)
            assert answer.status == 200, answer.body
            self._tokens["shop"] = answer.body["access_token"]
        return self._tokens["shop"]

    def regulator_token(self) -> str:
        """A bearer token of the demo administrator (password and a TOTP code; one sign-in
        per stack, since a code is accepted once)."""
        if "regulator" not in self._tokens:
            body = {
                "username": self.regulator[0],
                "password": self.regulator[1],
                "totp": totp_code(DEMO_TOTP_SECRETS[self.regulator[0]]),
            }
            answer = self.call("POST", "/v1/admin/token", body)
            assert answer.status == 200, answer.body
            self._tokens["regulator"] = answer.body["access_token"]
        return self._tokens["regulator"]

    def regulator_photo(self, complaint_code: str) -> bytes:
        """The photo voucher of a complaint, as the regulator downloads it."""
        request = urllib.request.Request(
            f"{self.url}/v1/complaints/{complaint_code}/photo",
            headers={"Authorization": f"Bearer {self.regulator_token()}", "Accept": "*/*"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())

    def upload(self, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Upload one record through `POST /v1/records` (demo shop by default); the receipt."""
        answer = self.call("POST", "/v1/records", payload, token or self.shop_token())
        assert answer.status in (200, 201), answer.body
        return dict(answer.body)

    def new_vehicle(self) -> Vehicle:
        """A vehicle with three visits: a corrected service, brakes, then an odometer rollback.

        maintenance 2024-03-02 12,000 km (uploaded, then corrected: version 2)
        brakes      2024-06-02 30,000 km
        ac          2024-09-01 25,000 km (lower than 30,000: flagged mileage_rollback)
        """
        vin, plate = unique_vin(), unique_plate()
        maintenance = record_payload(
            vin=vin,
            plate_number=plate,
            company_name=self.shop_name,
            parts=[
                {"name": "机油滤清器", "code": "B11.42.8.570.590", "quantity": "1"},
                {"name": "机油", "code": "SN-5W30", "quantity": "4.5"},
            ],
        )
        receipts = {"maintenance": self.upload(maintenance)}
        corrected = self.upload(dict(maintenance, fault_description="定期保养，更换机油及滤清器"))
        assert corrected["result"] == "corrected", corrected
        receipts["maintenance"] = corrected
        receipts["brakes"] = self.upload(
            record_payload(
                vin=vin,
                plate_number=plate,
                company_name=self.shop_name,
                repair_date="2024-06-01",
                settlement_date="2024-06-02",
                repair_mileage=30000,
                fault_description="刹车异响",
                repair_items=[{"name": "更换前刹车片", "labour_hours": 2}],
                parts=[{"name": "前刹车片", "code": "BP-0042", "quantity": "2"}],
            )
        )
        receipts["ac"] = self.upload(
            record_payload(
                vin=vin,
                plate_number=plate,
                company_name=self.shop_name,
                repair_date="2024-09-01",
                settlement_date="2024-09-01",
                repair_mileage=25000,
                fault_description="空调不制冷",
                repair_items=[{"name": "空调系统检修", "labour_hours": 1.5}],
                parts=[{"name": "制冷剂", "code": "R134A", "quantity": "0.6"}],
            )
        )
        return Vehicle(vin, plate, receipts)

    def dynamodb(self) -> Any:
        """A boto3 DynamoDB client on the stack's moto server (to reach behind the app)."""
        return self.moto.client("dynamodb")


def start_stack(log_dir: Path) -> LocalStack:
    """Start moto, provision and seed the table, start `chalice local` and the poller."""
    from chalicelib import bootstrap
    from infra.seed import create_demo_shop, create_regulator

    table = f"vmehr-browser-{PROVINCE}"
    os.environ.update(FAKE_AWS_ENV)
    moto = MotoServer(free_port())
    moto.start()
    app = ProvinceApp(
        free_port(),
        PROVINCE,
        table,
        moto.url,
        poller_handlers="apply_record_changes,run_jobs",
        extra_env=UNLIMITED_PUBLIC_REQUESTS,
    )
    app.log_path = log_dir / "chalice.log"
    stack = LocalStack(moto, app)
    try:
        provision(moto, table)
        os.environ.update({"DYNAMODB_ENDPOINT_URL": moto.url, "TABLE_NAME": table})
        bootstrap.reset()
        create_regulator(
            table,
            *DEMO_REGULATOR,
            "province_admin",
            totp_secret=DEMO_TOTP_SECRETS[DEMO_REGULATOR[0]],
        )
        shop = create_demo_shop(table, DEMO_DIVISION)
        stack.shop_companycode, stack.shop_name = shop.companycode, shop.name
        app.start()
        app.start_poller()
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: LocalStack) -> None:
    stack.app.stop()
    stack.moto.stop()


def artifact_name(test_name: str) -> str:
    """A file-name-safe form of a pytest node name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")


def artifact_path(test_name: str, suffix: str = "", extension: str = ".png") -> Path:
    """artifacts/screenshots/<test-name><suffix><extension> (screenshots and kept files)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{artifact_name(test_name)}{suffix}{extension}"


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0-255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    light, dark = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' / 'rgba(1, 2, 3, 0.5)' -> (r, g, b, alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    if len(numbers) == 3:
        numbers.append(1.0)
    r, g, b, a = numbers[:4]
    return r, g, b, a
