"""The access policy: roles, permissions, stacks and district scope, decided without storage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.access_policy import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    Scope,
    authorize,
    parse_role,
    validate_assignment,
)
from chalicelib.domain.principal import Principal
from chalicelib.errors import ForbiddenError, NotFoundError, ValidationFailedError

P = Permission


def regulator(role: str, province: str = "320000", divisions: tuple[str, ...] = ()) -> Principal:
    return Principal(
        kind="regulator",
        principal_id="someone",
        role=role,
        generation=1,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        province=province,
        divisions=divisions,
    )


def test_district_officer_reaches_only_companycodes_of_its_divisions():
    # Given an officer for 玄武区 and 秦淮区
    officer = regulator("district_officer", divisions=("320102", "320104"))
    # Then its own shops pass and another district's or province's answer "not found"
    authorize(officer, P.REGISTRY_WRITE, stack="province", companycode="320104000000007")
    for elsewhere in ("320106000000001", "420102000000001"):
        with pytest.raises(NotFoundError):
            authorize(officer, P.REGISTRY_READ, stack="province", companycode=elsewhere)


def test_district_officer_may_not_act_on_another_division_or_the_whole_province():
    officer = regulator("district_officer", divisions=("320102",))
    with pytest.raises(ForbiddenError):
        authorize(officer, P.REGISTRY_WRITE, stack="province", division="320106")
    with pytest.raises(ForbiddenError):
        authorize(officer, P.STATS_READ, stack="province", province="320000")


def test_roles_are_refused_on_the_other_stack_kind():
    with pytest.raises(ForbiddenError):
        authorize(regulator("province_admin"), P.REGISTRY_READ, stack="ministry")
    with pytest.raises(ForbiddenError):
        authorize(regulator("ministry_admin", "000000"), P.REGISTRY_READ, stack="province")


def test_analysts_only_read():
    writes = {
        P.REGISTRY_WRITE,
        P.COMPLAINTS_HANDLE,
        P.REMINDERS_SEND,
        P.ACCOUNTS_MANAGE,
        P.EXCHANGE_CREDENTIALS,
        P.AGENCIES_MANAGE,
        P.OEM_MANAGE,
    }
    for role in (Role.PROVINCE_ANALYST, Role.MINISTRY_ANALYST):
        assert not ROLE_PERMISSIONS[role] & writes
        assert P.REGISTRY_CONTACTS not in ROLE_PERMISSIONS[role]


def test_ministry_roles_see_every_province():
    ministry = regulator("ministry_analyst", "000000")
    authorize(ministry, P.STATS_READ, stack="ministry", province="420000")
    authorize(ministry, P.REGISTRY_READ, stack="ministry", companycode="650102000000001")


def test_province_roles_see_their_province_only():
    admin = regulator("province_admin")
    authorize(admin, P.STATS_READ, stack="province", province="320000")
    with pytest.raises(ForbiddenError):
        authorize(admin, P.STATS_READ, stack="province", province="420000")


def test_non_regulators_and_unknown_roles_get_nothing():
    shop = Principal("shop", "320102000000001", "shop", 1, datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(ForbiddenError):
        authorize(shop, P.REGISTRY_READ, stack="province")
    with pytest.raises(ForbiddenError):
        authorize(regulator("superuser"), P.REGISTRY_READ, stack="province")


def test_the_old_analyst_role_reads_as_province_analyst():
    assert parse_role("analyst") is Role.PROVINCE_ANALYST
    authorize(regulator("analyst"), P.REGISTRY_READ, stack="province")


def test_scope_filters_lists_by_companycode():
    scope = Scope.of(regulator("district_officer", divisions=("320102",)))
    items = ["320102000000001", "320104000000001", "420102000000001"]
    assert scope.filter(items, lambda c: c) == ["320102000000001"]
    assert Scope.of(regulator("province_admin")).filter(items, lambda c: c) == items[:2]


def test_a_district_officer_needs_county_codes_of_its_province():
    assert validate_assignment(
        Role.DISTRICT_OFFICER, ["320104", "320102", "320102"], "province", "320000"
    ) == ("320102", "320104")
    for bad in ([], ["420102"], ["320000"], ["320100"], ["32010x"]):
        with pytest.raises(ValidationFailedError):
            validate_assignment(Role.DISTRICT_OFFICER, bad, "province", "320000")
    with pytest.raises(ValidationFailedError):
        validate_assignment(Role.MINISTRY_ADMIN, [], "province", "320000")
