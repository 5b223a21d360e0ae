"""Who is calling, and may they: every non-public view starts here.

Why: auth is resolved in-process against hashed tokens (no separate authorizer Lambda to keep
in sync), and the logger gets the caller's identity appended so every log line of the request
carries it. The answer to any authentication failure is the same 401. Regulator routes ask
`require_permission` with the object they touch; the decision itself is the one policy in
`domain.access_policy`, so the routes, the console and the authorisation matrix test agree.

    principal = require_permission(request, Permission.REGISTRY_WRITE, companycode=cc)
    actor = actor_of(request, principal)          # who/role/where, for the audit trail
    scope = Scope.of(principal)                   # to filter or narrow lists
"""

from __future__ import annotations

from typing import Any

from chalice.app import Request

from chalicelib.bootstrap import auth_service
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission, Scope, authorize, may
from chalicelib.domain.principal import Principal
from chalicelib.domain.shop import Shop
from chalicelib.doors.kit.http import bearer_token, source_ip
from chalicelib.errors import AuthenticationError
from chalicelib.observability import logger
from chalicelib.services.audit import Actor, regulator_actor_id

__all__ = [
    "Permission",
    "Scope",
    "actor_of",
    "authorize_here",
    "may_here",
    "origin_of",
    "require_permission",
    "require_regulator",
    "require_shop",
    "token_body",
]


def require_shop(request: Request) -> Shop:
    """The shop a bearer token names (only province doors call this: the door answers 404
    for their routes on the ministry before any token is read)."""
    service = auth_service()
    shop = service.shop_of(service.resolve(bearer_token(request)))
    logger.append_keys(companycode=shop.companycode)
    return shop


def require_regulator(request: Request, token: str | None = None) -> Principal:
    """A regulator with a current token (account neither changed nor disabled since)."""
    service = auth_service()
    principal = service.resolve(bearer_token(request) if token is None else token)
    if principal.kind != "regulator":
        raise AuthenticationError("missing or invalid token")
    service.regulator_of(principal)
    logger.append_keys(regulator=principal.principal_id)
    return principal


def require_permission(
    request: Request,
    permission: Permission,
    *,
    companycode: str | None = None,
    division: str | None = None,
    province: str | None = None,
    token: str | None = None,
) -> Principal:
    """The calling regulator, if `domain.access_policy.authorize` lets it do this here.

    Raises AuthenticationError (401), ForbiddenError (403) or NotFoundError (404, for a
    companycode outside the caller's scope).
    """
    principal = require_regulator(request, token)
    authorize_here(
        principal, permission, companycode=companycode, division=division, province=province
    )
    return principal


def authorize_here(
    principal: Principal,
    permission: Permission,
    *,
    companycode: str | None = None,
    division: str | None = None,
    province: str | None = None,
) -> None:
    """`authorize` on this stack, for an object learnt after the caller was identified (e.g. the
    shop a complaint is about). Raises ForbiddenError or NotFoundError."""
    authorize(
        principal,
        permission,
        stack=get_settings().stack_role,
        companycode=companycode,
        division=division,
        province=province,
    )


def may_here(principal: Principal, permission: Permission) -> bool:
    """Whether the role has the permission on this stack (for menus and masking)."""
    return may(principal, permission, get_settings().stack_role)


def actor_of(request: Request, principal: Principal) -> Actor:
    """The audit trail's who (account and role) and where (source IP, user agent)."""
    origin = origin_of(request)
    return Actor(
        regulator_actor_id(principal.principal_id),
        origin.source_ip,
        principal.role,
        origin.user_agent,
    )


def origin_of(request: Request) -> Actor:
    """Where a request comes from, before anyone is signed in."""
    agent = str(request.headers.get("user-agent") or "")[:256]
    return Actor("anonymous", source_ip(request), "", agent)


def token_body(token: str, principal: Principal) -> dict[str, Any]:
    """The answer of every token route: the bearer token and when it expires."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": principal.expires_at.isoformat(),
    }
