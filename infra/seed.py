"""Creates regulator accounts and demo data through the same repositories the app uses.

Why: the first regulator account of a stack has to come from somewhere that is not the API
(which needs a regulator to log in); `python -m infra.admin` and the local runner both use this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from chalicelib.adapters.dynamo_shops import DynamoShopRepository
from chalicelib.domain.access_policy import ROLE_STACK, Role, parse_role
from chalicelib.domain.credentials import hash_secret
from chalicelib.domain.shop import Shop, make_companycode
from chalicelib.services.regulator_accounts import Enrolment

REGULATOR_ROLES = tuple(role.value for role in Role)

DEMO_REGULATOR = ("admin", "admin-demo-password")
DEMO_DISTRICT_OFFICER = ("district", "district-demo-password")
DEMO_ANALYST = ("analyst", "analyst-demo-password")
# Fixed TOTP secrets of the demo accounts (local runs and tests only): printed by `make run`,
# so a newcomer can compute a code with `python -m infra.admin totp --secret <secret>`.
DEMO_TOTP_SECRETS = {
    "admin": "VMEHRDEMQADMINTQTPSECRETAAAAAAAA",
    "district": "VMEHRDEMQDISTRICTTQTPSECRETAAAAA",
    "analyst": "VMEHRDEMQANALYSTTQTPSECRETAAAAAA",
}
DEMO_SHOP_SECRET = "demo-shop-secret"
DEMO_SHOP_NAME = "南京玄武示范汽车维修有限公司"
DEMO_USCC = "91320102MA1XY0000E"
HUBEI_DEMO_SHOP_NAME = "武汉江岸示范汽车维修有限公司"
HUBEI_DEMO_USCC = "91420102MA4KX00006"
# A second Jiangsu shop that never uploads: the console's coverage stays below 100 % and the
# not-uploading list has a shop to remind.
IDLE_DEMO_SHOP_NAME = "南京玄武未对接汽车快修店"
IDLE_DEMO_USCC = "91320102MA1XY0002L"


def create_regulator(
    table_name: str,
    username: str,
    password: str,
    role: str,
    *,
    divisions: Sequence[str] = (),
    totp_secret: str | None = None,
    province_code: str | None = None,
) -> Enrolment:
    """Create a regulator account (scrypt hash, sealed TOTP secret) through the same service
    the API uses; the audit log records it as done by the command line.

    The stack kind follows from the role; the TOTP secret is generated unless given (demo
    accounts have fixed ones). Needs TOTP_KEY in the environment, like the stack itself.
    """
    from chalicelib.adapters.clock import SystemClock
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
    from chalicelib.adapters.secret_box import AesGcmSecretBox
    from chalicelib.config import get_settings
    from chalicelib.services.audit import Actor, AuditTrail
    from chalicelib.services.regulator_accounts import RegulatorAccountService

    parsed = parse_role(role)
    if parsed is None:
        raise ValueError(f"role must be one of {REGULATOR_ROLES}")
    settings = get_settings()
    audit_log = DynamoAuditLog(table_name, SystemClock())
    service = RegulatorAccountService(
        DynamoAccountRepository(table_name),
        AesGcmSecretBox(settings.totp_key),
        AuditTrail(audit_log, audit_log),
        SystemClock(),
        stack=ROLE_STACK[parsed],
        province_code=province_code or settings.province_code,
    )
    return service.create(
        Actor("cli:infra.admin", "local"),
        username,
        parsed.value,
        divisions,
        password=password,
        totp_secret=totp_secret,
    )


def reset_totp(table_name: str, username: str) -> Enrolment:
    """Break-glass: a new TOTP secret for an account (e.g. the only administrator lost it)."""
    from chalicelib.adapters.clock import SystemClock
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
    from chalicelib.adapters.secret_box import AesGcmSecretBox
    from chalicelib.config import get_settings
    from chalicelib.services.audit import Actor, AuditTrail
    from chalicelib.services.regulator_accounts import RegulatorAccountService

    settings = get_settings()
    audit_log = DynamoAuditLog(table_name, SystemClock())
    service = RegulatorAccountService(
        DynamoAccountRepository(table_name),
        AesGcmSecretBox(settings.totp_key),
        AuditTrail(audit_log, audit_log),
        SystemClock(),
        stack=settings.stack_role,
        province_code=settings.province_code,
    )
    return service.reset_totp(Actor("cli:infra.admin", "local"), username)


def seed_demo_regulators(table_name: str, stack: str, province_code: str, division: str) -> None:
    """The demo accounts of `make run`: province admin, district officer and analyst, or the
    ministry's admin and analyst; fixed passwords and TOTP secrets (DEMO_TOTP_SECRETS)."""
    if stack == "ministry":
        accounts = [(DEMO_REGULATOR, "ministry_admin", ()), (DEMO_ANALYST, "ministry_analyst", ())]
    else:
        accounts = [
            (DEMO_REGULATOR, "province_admin", ()),
            (DEMO_DISTRICT_OFFICER, "district_officer", (division,)),
            (DEMO_ANALYST, "province_analyst", ()),
        ]
    for (username, password), role, divisions in accounts:
        create_regulator(
            table_name,
            username,
            password,
            role,
            divisions=divisions,
            totp_secret=DEMO_TOTP_SECRETS[username],
            province_code=province_code,
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
    shop_class: str = "class_2",
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
        shop_class=shop_class,
        address="南京市玄武区示范路1号",
        contact_name="王师傅",
        contact_phone="025-84000000",
        status="active",
        created_at=now,
        updated_at=now,
    )
    shops.create(shop, hash_secret(DEMO_SHOP_SECRET))
    return shop
