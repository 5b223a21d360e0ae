"""Who is calling the partners' door: the province behind an exchange token, the OEM behind
an OEM token.

Why: a partner's token alone is not enough. A province's token must come from the province's
registered networks and predate no rotation of its credential; an OEM's must predate no
rotation of its secret (services/auth.py decides both). Routes ask here, before they read a
body, so a stranger learns nothing from how a body is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.bootstrap import auth_service
from chalicelib.doors.kit.http import bearer_token, source_ip
from chalicelib.observability import logger

if TYPE_CHECKING:  # pragma: no cover
    from chalice.app import Request

    from chalicelib.domain.oem import OemAccount


def require_province(request: Request) -> str:
    """The calling province's code (401 for any other token; 403 from outside its ranges)."""
    service = auth_service()
    principal = service.resolve(bearer_token(request))
    return service.province_of(principal, source=source_ip(request))


def require_oem(request: Request) -> OemAccount:
    """The calling OEM's account (401 for any other token, or one older than its secret)."""
    service = auth_service()
    account = service.oem_of(service.resolve(bearer_token(request)))
    logger.append_keys(companycode=account.oem_id)
    return account
