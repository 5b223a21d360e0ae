"""Whether a regulator may reach a complaint: its shop must lie in the regulator's scope.

Why: handling a complaint reads personal data (the complainant's plate, phone and photo), and
a district officer reaches only complaints about shops of its districts, through the JSON API
(`/v1/complaints/...`) and the console's complaint pages alike; the refusal must be the same
at both, and must not tell a complaint of another district from one that does not exist.
"""

from __future__ import annotations

from chalicelib.bootstrap import complaint_service
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.principal import Principal
from chalicelib.doors.kit.auth import authorize_here
from chalicelib.errors import NotFoundError


def authorize_complaint(principal: Principal, permission: Permission, complaint_id: str) -> None:
    """Refuse a complaint about a shop outside the caller's scope exactly like a missing one.

    The scope check answers "no such shop"; said of a complaint code, that would tell a
    district officer that a code it holds is another district's complaint.
    """
    owner = complaint_service().owner_of(complaint_id)
    try:
        authorize_here(principal, permission, companycode=owner)
    except NotFoundError as exc:
        raise NotFoundError("no such complaint") from exc
