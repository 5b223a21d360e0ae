"""The console's sections: where each lives and which permission opens it.

Why: the navigation shows a role only what it may use, decided by the same access policy as
the routes (a section's permission is the one its pages require). Engineers adding a section
set `ready=True` on its entry when its page exists (until then the home page lists it as
coming soon, without a link), and add its name to `texts.SECTION_NAMES`. A section
that exists on one stack kind only says so in `stacks`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.access_policy import Permission, StackKind, may
from chalicelib.domain.principal import Principal

PROVINCE_ONLY: tuple[StackKind, ...] = ("province",)


@dataclass(frozen=True)
class Section:
    key: str
    path: str
    permission: Permission
    ready: bool = False
    stacks: tuple[StackKind, ...] = ("province", "ministry")


SECTIONS: tuple[Section, ...] = (
    # The provincial console (a province's shops, records, complaints and reminders).
    Section("coverage", "/console/coverage", Permission.STATS_READ, True, PROVINCE_ONLY),
    Section("registry", "/console/shops", Permission.REGISTRY_READ, True, PROVINCE_ONLY),
    Section("records", "/console/records", Permission.RECORDS_SEARCH, ready=True),
    Section("complaints", "/console/complaints", Permission.COMPLAINTS_READ, True, PROVINCE_ONLY),
    Section("reminders", "/console/reminders", Permission.REMINDERS_SEND, True, PROVINCE_ONLY),
    # The ministry's console: provinces' link and national monitoring (national search above).
    Section("provinces", "/console/provinces", Permission.EXCHANGE_STATUS, ready=True),
    Section("agencies", "/console/agencies", Permission.AGENCIES_READS, ready=True),
    Section("accounts", "/console/accounts", Permission.ACCOUNTS_MANAGE, ready=True),
    Section("audit", "/console/audit", Permission.AUDIT_READ, ready=True),
)


def sections_for(principal: Principal, stack: StackKind) -> list[Section]:
    """The sections this principal may open on this stack, in menu order."""
    return [s for s in SECTIONS if stack in s.stacks and may(principal, s.permission, stack)]
