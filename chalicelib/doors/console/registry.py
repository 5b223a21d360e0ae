"""Console pages of the shop registry (企业备案): list, register, edit, suspend, rotate secrets.

Why: regulators keep the province's shop master data (digest §1.7, §2.2) without a command
line: register a shop (the companycode and secret are shown once), correct its name, address,
class or contacts (over the version they read: a concurrent change is reported, not
overwritten; every change audited field by field), suspend or reinstate it, and issue a new
secret when one leaks. Every page goes through `services.shop_registry` and the access
policy: a district officer sees and changes only its districts' shops (others answer 404),
and roles without `registry.contacts` see contacts masked.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.bootstrap import shop_registry
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.doors.console import province_views
from chalicelib.doors.console.door import door, form, page
from chalicelib.doors.console.pages import (
    console_form,
    console_lang,
    console_page,
    console_session,
    may_do,
    refusal,
    scope_of,
    signed_form,
    signed_in,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.forms import Form
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.registry_models import EditShopRequest, RegisterShopRequest
from chalicelib.doors.kit.respond import redirect
from chalicelib.doors.kit.session import WebSession, require_csrf
from chalicelib.errors import ConflictError, FieldError, ValidationFailedError
from chalicelib.services.shop_registry import EDITABLE_FIELDS, ShopApplication, ShopEdit

READ, WRITE = Permission.REGISTRY_READ, Permission.REGISTRY_WRITE
PAGE_SIZE = 50
REGISTER_FIELDS = (
    "name",
    "uscc",
    "division_code",
    "shop_class",
    "address",
    "contact_name",
    "contact_phone",
)


@page("/console/shops", stacks=PROVINCE)
def registry_page() -> Response:
    session, lang = signed_in(door.request, READ)
    find = query_params(door.request).get("find", "").strip()
    if COMPANYCODE_PATTERN.match(find):  # a companycode typed in the search box: its page
        return redirect(f"/console/shops/{find}", query={"lang": lang})
    return _registry(session, lang)


@form("/console/shops", stacks=PROVINCE)
def register_shop() -> Response:
    session, form, lang = _register_form()
    fields = {name: form.get(name) for name in REGISTER_FIELDS}
    try:  # refused: the form again, each error beside its field
        shop, secret = _register(session, fields)
    except (ValidationFailedError, ConflictError) as exc:
        return _registry(session, lang, refused=exc, form=fields)
    return _secret_page(session, lang, shop, secret, status=201, registered=True)


@page("/console/shops/{companycode}", stacks=PROVINCE)
def shop_page(companycode: str) -> Response:
    session, lang = signed_in(door.request, READ, companycode=companycode)
    saved = query_params(door.request).get("saved", "")
    return _detail(session, lang, companycode, saved=saved)


@form("/console/shops/{companycode}", stacks=PROVINCE)
def edit_shop(companycode: str) -> Response:
    session, form, lang = signed_form(door.request, WRITE, companycode=companycode)
    fields = _edit_fields(form)
    try:  # refused: the form again, each error beside its field (or the concurrent change)
        _edit(session, companycode, fields)
    except (ValidationFailedError, ConflictError) as exc:
        return _detail(session, lang, companycode, **refusal(exc, fields))
    return redirect(f"/console/shops/{companycode}", query={"lang": lang, "saved": "edit"})


@form("/console/shops/{companycode}/secret", stacks=PROVINCE)
def rotate_secret(companycode: str) -> Response:
    session, form, lang = signed_form(door.request, WRITE, companycode=companycode)
    if form.get("confirm") != "yes":  # the shop's systems stop until they get the new one
        return _confirm(session, lang, companycode, "secret")
    actor = actor_of(door.request, session.principal)
    shop, secret = shop_registry().rotate_secret(companycode, actor)
    return _secret_page(session, lang, shop, secret, status=200, registered=False)


@form("/console/shops/{companycode}/suspend", stacks=PROVINCE)
def suspend_shop(companycode: str) -> Response:
    session, form, lang = signed_form(door.request, WRITE, companycode=companycode)
    if form.get("confirm") != "yes":  # the shop can upload nothing until reinstated
        return _confirm(session, lang, companycode, "suspend")
    return _set_status(session, lang, companycode, "suspended")


@form("/console/shops/{companycode}/reinstate", stacks=PROVINCE)
def reinstate_shop(companycode: str) -> Response:
    session, _, lang = signed_form(door.request, WRITE, companycode=companycode)
    return _set_status(session, lang, companycode, "active")


def _register_form() -> tuple[WebSession, Form, str]:
    """The registering regulator, who must be allowed to write in the shop's district (read
    from the form first), its CSRF-checked form and its language."""
    form = console_form(door.request)
    division = form.get("division_code")
    # A division of another province is bad input (400 from the registry), not a scope matter.
    own = division[:2] == get_settings().province_prefix and len(division) == 6
    session = console_session(door.request, WRITE, division=division if own else None)
    require_csrf(session, form)
    return session, form, console_lang(door.request, form.get("lang"))


def _register(session: WebSession, fields: dict[str, str]) -> tuple[Shop, str]:
    body: RegisterShopRequest = parse(RegisterShopRequest, fields)
    actor = actor_of(door.request, session.principal)
    return shop_registry().register(ShopApplication(**body.model_dump()), actor)


def _edit_fields(form: Form) -> dict[str, Any]:
    """The edit form's fields, with the version it was made from as a number when it is one."""
    version = form.get("version")
    fields: dict[str, Any] = {name: form.get(name) for name in EDITABLE_FIELDS}
    fields["version"] = int(version) if version.isdigit() else version
    return fields


def _edit(session: WebSession, companycode: str, fields: dict[str, Any]) -> None:
    body: EditShopRequest = parse(EditShopRequest, fields)
    actor = actor_of(door.request, session.principal)
    shop_registry().edit(companycode, ShopEdit(**body.model_dump()), actor)


def _set_status(session: WebSession, lang: str, companycode: str, status: str) -> Response:
    actor = actor_of(door.request, session.principal)
    shop_registry().set_status(companycode, status, actor)
    return redirect(f"/console/shops/{companycode}", query={"lang": lang, "saved": status})


def _confirm(session: WebSession, lang: str, companycode: str, action: str) -> Response:
    """The page that asks once more before an action that stops a shop's uploads."""
    view = province_views.shop_confirm(shop_registry().get(companycode), action)
    return console_page("console/shop_confirm.html", session, lang, **view)


def _registry(
    session: WebSession,
    lang: str,
    *,
    refused: ValidationFailedError | ConflictError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The registry's list and its registration form (again, after a refused registration:
    each error beside its field, a USCC already registered beside the USCC)."""
    cursor = query_params(door.request).get("cursor") or None
    shops, next_cursor = shop_registry().list(
        actor_of(door.request, session.principal), PAGE_SIZE, cursor, scope_of(session)
    )
    view = province_views.registry(
        shops,
        next_cursor,
        scope_of(session),
        contacts=may_do(session, Permission.REGISTRY_CONTACTS),
        may_write=may_do(session, WRITE),
    )
    status, errors = _registration_refusal(refused)
    return console_page(
        "console/shops.html", session, lang, status=status, errors=errors, form=form or {}, **view
    )


def _registration_refusal(
    refused: ValidationFailedError | ConflictError | None,
) -> tuple[int, list[FieldError]]:
    if isinstance(refused, ValidationFailedError):
        return 400, refused.errors
    if isinstance(refused, ConflictError):  # the USCC is registered already
        return 409, [FieldError("uscc", refused.code, refused.message)]
    return 200, []


def _detail(
    session: WebSession,
    lang: str,
    companycode: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: dict[str, Any] | None = None,
    conflict: str = "",
    saved: str = "",
) -> Response:
    """One shop (its read is audited) with its edit form and actions."""
    shop = shop_registry().read(companycode, actor_of(door.request, session.principal))
    view = province_views.shop(
        shop,
        contacts=may_do(session, Permission.REGISTRY_CONTACTS),
        form=form if not conflict else None,
        allowed={
            "may_write": may_do(session, WRITE),
            "may_remind": may_do(session, Permission.REMINDERS_SEND),
            "may_search": may_do(session, Permission.RECORDS_SEARCH),
        },
    )
    return console_page(
        "console/shop.html",
        session,
        lang,
        status=status,
        errors=errors or [],
        conflict=conflict,
        saved=saved if status == 200 else "",
        **view,
    )


def _secret_page(
    session: WebSession, lang: str, shop: Shop, secret: str, *, status: int, registered: bool
) -> Response:
    """A new shop's (or a new) secret, shown once."""
    view = province_views.shop_secret(shop, secret, registered)
    return console_page("console/shop_secret.html", session, lang, status=status, **view)
