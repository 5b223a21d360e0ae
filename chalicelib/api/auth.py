"""Who is calling: every non-public view starts with `require_shop` or `require_regulator`.

Why: auth is resolved in-process against hashed tokens (no separate authorizer Lambda to keep
in sync), and the logger gets the caller's identity appended so every log line of the request
carries it. The answer to any failure is the same 401.
"""

from __future__ import annotations

from chalice.app import Request

from chalicelib.api.http import bearer_token
from chalicelib.bootstrap import auth_service
from chalicelib.config import get_settings
from chalicelib.domain.principal import Principal
from chalicelib.domain.shop import Shop
from chalicelib.errors import AuthenticationError, ForbiddenError, NotFoundError
from chalicelib.observability import logger

REGULATOR_WRITE_ROLES = ("province_admin",)


def require_shop(request: Request) -> Shop:
    require_role("province")
    service = auth_service()
    shop = service.shop_of(service.resolve(bearer_token(request)))
    logger.append_keys(companycode=shop.companycode)
    return shop


def require_regulator(request: Request, *, write: bool = False) -> Principal:
    principal = auth_service().resolve(bearer_token(request))
    if principal.kind != "regulator":
        raise AuthenticationError("missing or invalid token")
    if write and principal.role not in REGULATOR_WRITE_ROLES:
        raise ForbiddenError("this role may not change the registry")
    logger.append_keys(regulator=principal.principal_id)
    return principal


def require_role(role: str) -> None:
    """Routes of the other stack kind do not exist here (province vs ministry): 404."""
    if get_settings().stack_role != role:
        raise NotFoundError("no such route on this stack")
