"""Creates regulator accounts and demo data through the same repositories the app uses.

Why: the first regulator account of a stack has to come from somewhere that is not the API
(which needs a regulator to log in); `python -m infra.admin` and the local runner both use this.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
from chalicelib.adapters.dynamo_shops import DynamoShopRepository
from chalicelib.domain.credentials import hash_secret
from chalicelib.domain.shop import Shop, make_companycode

REGULATOR_ROLES = ("province_admin", "analyst")

DEMO_REGULATOR = ("admin", "admin-demo-password")
DEMO_SHOP_SECRET = "demo-shop-secret"
DEMO_SHOP_NAME = "南京玄武示范汽车维修有限公司"
DEMO_USCC = "91320102MA1XY0000E"
HUBEI_DEMO_SHOP_NAME = "武汉江岸示范汽车维修有限公司"
HUBEI_DEMO_USCC = "91420102MA4KX00006"


def create_regulator(table_name: str, username: str, password: str, role: str) -> None:
    if role not in REGULATOR_ROLES:
        raise ValueError(f"role must be one of {REGULATOR_ROLES}")
    DynamoAccountRepository(table_name).create_regulator(
        username.strip().lower(), role, hash_secret(password)
    )


def create_exchange_credential(table_name: str, province_code: str) -> str:
    """Ministry side: issue (or rotate) a province's exchange credential; returns the secret."""
    from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
    from chalicelib.domain.credentials import new_secret

    secret = new_secret()
    DynamoExchangeStore(table_name).put_credential(province_code, hash_secret(secret))
    return secret


def create_demo_shop(
    table_name: str,
    division_code: str = "320102",
    name: str = DEMO_SHOP_NAME,
    uscc: str = DEMO_USCC,
) -> Shop:
    """A shop with a fixed, documented secret: for local runs only, never on a real stack."""
    shops = DynamoShopRepository(table_name)
    existing = shops.existing_companycode(uscc)
    if existing:
        shop = shops.get(existing, consistent=True)
        assert shop is not None
        return shop
    now = datetime.now(UTC)
    shop = Shop(
        companycode=make_companycode(division_code, shops.next_sequence(division_code)),
        name=name,
        uscc=uscc,
        division_code=division_code,
        shop_class="class_2",
        address="南京市玄武区示范路1号",
        contact_name="王师傅",
        contact_phone="025-84000000",
        status="active",
        created_at=now,
        updated_at=now,
    )
    shops.create(shop, hash_secret(DEMO_SHOP_SECRET))
    return shop
