"""Who may do what, where: the one authorisation policy of every regulator route and page.

Why: regulators act at four levels (ministry, province, district, read-only analysis) and a
district officer may see only the shops of its own divisions. Keeping the role table, the
permission names and the scope rules in one pure module makes them reviewable in one place,
lets every route and console page ask the same question (`authorize`), and lets the
authorisation matrix test hold every route to an explicit expectation.

The rules:
- A role belongs to one stack kind: province roles are refused on the ministry stack and
  ministry roles on a province stack (ForbiddenError).
- A role without the permission is refused (ForbiddenError).
- Scope: a province role covers its province's companycodes (first two digits); a district
  officer covers only companycodes starting with one of its 6-digit county-level division
  codes (the services' `scope` arguments take exactly these codes); ministry roles cover
  every province. A companycode outside the scope answers NotFoundError,
  exactly as if the shop did not exist, so scope never leaks existence; a division or province
  outside the scope (an input, not a stored object) answers ForbiddenError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar

from chalicelib.domain.principal import Principal
from chalicelib.errors import FieldError, ForbiddenError, NotFoundError, ValidationFailedError

StackKind = Literal["province", "ministry"]


class Role(StrEnum):
    PROVINCE_ADMIN = "province_admin"
    DISTRICT_OFFICER = "district_officer"
    PROVINCE_ANALYST = "province_analyst"
    MINISTRY_ADMIN = "ministry_admin"
    MINISTRY_ANALYST = "ministry_analyst"


class Permission(StrEnum):
    REGISTRY_READ = "registry.read"
    REGISTRY_WRITE = "registry.write"
    REGISTRY_CONTACTS = "registry.contacts"  # shop contact person and phone (personal data)
    RECORDS_SEARCH = "records.search"
    COMPLAINTS_READ = "complaints.read"
    COMPLAINTS_HANDLE = "complaints.handle"
    REMINDERS_SEND = "reminders.send"
    STATS_READ = "stats.read"
    ACCOUNTS_MANAGE = "accounts.manage"
    AUDIT_READ = "audit.read"
    EXCHANGE_STATUS = "exchange.status"  # ministry: each province's link (部省联网) status
    EXCHANGE_CREDENTIALS = "exchange.credentials"
    AGENCIES_MANAGE = "agencies.manage"  # ministry: agencies and their API keys
    AGENCIES_READS = "agencies.reads"  # ministry: list agencies, export an agency's reads
    OEM_MANAGE = "oem.manage"  # province: OEM accounts of the 总对总 feed and their dealers


P = Permission
ROLE_STACK: dict[Role, StackKind] = {
    Role.PROVINCE_ADMIN: "province",
    Role.DISTRICT_OFFICER: "province",
    Role.PROVINCE_ANALYST: "province",
    Role.MINISTRY_ADMIN: "ministry",
    Role.MINISTRY_ANALYST: "ministry",
}
_READ = frozenset({P.REGISTRY_READ, P.RECORDS_SEARCH, P.COMPLAINTS_READ, P.STATS_READ})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PROVINCE_ADMIN: _READ
    | {
        P.REGISTRY_WRITE,
        P.REGISTRY_CONTACTS,
        P.COMPLAINTS_HANDLE,
        P.REMINDERS_SEND,
        P.ACCOUNTS_MANAGE,
        P.AUDIT_READ,
        P.OEM_MANAGE,
    },
    # County-level transport authorities register and supervise the shops of their county.
    Role.DISTRICT_OFFICER: _READ
    | {P.REGISTRY_WRITE, P.REGISTRY_CONTACTS, P.COMPLAINTS_HANDLE, P.REMINDERS_SEND},
    Role.PROVINCE_ANALYST: _READ,
    Role.MINISTRY_ADMIN: _READ
    | {
        P.EXCHANGE_STATUS,
        P.EXCHANGE_CREDENTIALS,
        P.COMPLAINTS_HANDLE,
        P.ACCOUNTS_MANAGE,
        P.AUDIT_READ,
        P.AGENCIES_MANAGE,
        P.AGENCIES_READS,
    },
    Role.MINISTRY_ANALYST: _READ | {P.EXCHANGE_STATUS, P.AGENCIES_READS},
}

# Accounts created before district scoping carry the role "analyst": it reads as before.
_LEGACY_ROLES = {"analyst": Role.PROVINCE_ANALYST}
# Which roles an administrator of each stack kind may create.
CREATABLE_ROLES: dict[StackKind, tuple[Role, ...]] = {
    "province": (Role.PROVINCE_ADMIN, Role.DISTRICT_OFFICER, Role.PROVINCE_ANALYST),
    "ministry": (Role.MINISTRY_ADMIN, Role.MINISTRY_ANALYST),
}
MAX_DIVISIONS = 50


def parse_role(value: str) -> Role | None:
    """A stored or requested role name as a Role (legacy names included); None if unknown."""
    if value in _LEGACY_ROLES:
        return _LEGACY_ROLES[value]
    try:
        return Role(value)
    except ValueError:
        return None


def permissions_of(principal: Principal, stack: StackKind) -> frozenset[Permission]:
    """Everything the principal may do on this stack (empty for non-regulators)."""
    role = parse_role(principal.role) if principal.kind == "regulator" else None
    if role is None or ROLE_STACK[role] != stack:
        return frozenset()
    return ROLE_PERMISSIONS[role]


def may(principal: Principal, permission: Permission, stack: StackKind) -> bool:
    """Whether the role has the permission at all (menus and links; no scope check)."""
    return permission in permissions_of(principal, stack)


def authorize(
    principal: Principal,
    permission: Permission,
    *,
    stack: StackKind,
    companycode: str | None = None,
    division: str | None = None,
    province: str | None = None,
) -> None:
    """Refuse unless the principal may use `permission` on the given object, on this stack.

    Raises
    ------
    ForbiddenError
        Wrong stack kind for the role, permission missing, or a division / province outside
        the principal's scope.
    NotFoundError
        The companycode lies outside the principal's scope (answered like a missing shop).
    """
    if not may(principal, permission, stack):
        raise ForbiddenError(f"this role may not use {permission.value}", code="forbidden")
    scope = Scope.of(principal)
    if companycode is not None and not scope.covers_companycode(companycode):
        raise NotFoundError("no such shop")
    if division is not None and not scope.covers_division(division):
        raise ForbiddenError("this division lies outside your districts", code="out_of_scope")
    if province is not None and not scope.covers_province(province):
        raise ForbiddenError("this province lies outside your scope", code="out_of_scope")


T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """The part of the country a regulator sees.

    `province_prefix` is None for the ministry (everything); `divisions` is None for the whole
    province, or the district officer's 6-digit division codes.
    """

    province_prefix: str | None
    divisions: tuple[str, ...] | None

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        role = parse_role(principal.role)
        if role is None:
            return cls(province_prefix="--", divisions=())  # sees nothing
        if ROLE_STACK[role] == "ministry":
            return cls(province_prefix=None, divisions=None)
        prefix = principal.province[:2] if len(principal.province) == 6 else "--"
        if role == Role.DISTRICT_OFFICER:
            own = tuple(d for d in principal.divisions if d[:2] == prefix)
            return cls(province_prefix=prefix, divisions=own)
        return cls(province_prefix=prefix, divisions=None)

    @property
    def whole_province(self) -> bool:
        return self.divisions is None

    def covers_companycode(self, companycode: str) -> bool:
        if self.province_prefix is not None and companycode[:2] != self.province_prefix:
            return False
        return self.divisions is None or companycode[:6] in self.divisions

    def covers_division(self, division: str) -> bool:
        if self.province_prefix is not None and division[:2] != self.province_prefix:
            return False
        return self.divisions is None or division in self.divisions

    def covers_province(self, province: str) -> bool:
        if self.province_prefix is None:
            return True
        return province[:2] == self.province_prefix and self.divisions is None

    def filter(self, items: Iterable[T], companycode: Callable[[T], str]) -> list[T]:
        """The items whose companycode lies in this scope (for lists read more widely)."""
        return [item for item in items if self.covers_companycode(companycode(item))]


def validate_assignment(
    role: Role, divisions: Iterable[str], stack: StackKind, province: str
) -> tuple[str, ...]:
    """Check a role and its divisions for a new or changed account; return sorted divisions.

    A district officer needs 1..MAX_DIVISIONS county-level GB/T 2260 codes of this province
    (a city's officer is given the city's counties); every other role takes none.
    Raises ValidationFailedError naming the field and rule.
    """
    from chalicelib.domain.shop import division_name

    codes = tuple(sorted(set(divisions)))
    if role not in CREATABLE_ROLES[stack]:
        allowed = ", ".join(r.value for r in CREATABLE_ROLES[stack])
        raise ValidationFailedError(
            [FieldError("role", "enum", f"role must be one of {allowed} on this stack")]
        )
    if role != Role.DISTRICT_OFFICER:
        if codes:
            raise ValidationFailedError(
                [FieldError("divisions", "none_for_role", "only a district officer has divisions")]
            )
        return ()
    if not 1 <= len(codes) <= MAX_DIVISIONS:
        raise ValidationFailedError(
            [
                FieldError(
                    "divisions",
                    "count",
                    f"a district officer needs 1 to {MAX_DIVISIONS} division codes",
                )
            ]
        )
    bad = [
        c for c in codes if division_name(c) is None or c.endswith("00") or c[:2] != province[:2]
    ]
    if bad:
        raise ValidationFailedError(
            [
                FieldError(
                    "divisions",
                    "gb_t_2260_this_province",
                    f"not county-level GB/T 2260 codes of province {province}: " + ", ".join(bad),
                )
            ]
        )
    return codes
