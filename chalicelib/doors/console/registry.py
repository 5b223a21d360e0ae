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

from chalicelib.api.schemas import EditShopRequest, RegisterShopRequest, parse
from chalicelib.api.views import MASK
from chalicelib.bootstrap import shop_registry
from chalicelib.config import get_settings
from chalicelib.domain.access_policy import Permission
from chalicelib.domain.shop import COMPANYCODE_PATTERN, SHOP_CLASSES, Shop, division_name
from chalicelib.doors.console.door import door
from chalicelib.doors.console.pages import (
    FORM_TYPES,
    china_time,
    console_form,
    console_lang,
    console_page,
    console_session,
    may_do,
    scope_of,
)
from chalicelib.doors.kit.auth import actor_of
from chalicelib.doors.kit.http import query_params
from chalicelib.doors.kit.operations import PROVINCE
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


@door.route("/console/shops", methods=["GET"], page=True, stacks=PROVINCE)
def registry_page() -> Response:
    request = door.request
    session = console_session(request, READ)
    lang = console_lang(request)
    find = query_params(request).get("find", "").strip()
    if COMPANYCODE_PATTERN.match(find):
        return redirect(f"/console/shops/{find}", query={"lang": lang})
    return _registry(session, lang)


@door.route(
    "/console/shops", methods=["POST"], content_types=FORM_TYPES, page=True, stacks=PROVINCE
)
def register_shop() -> Response:
    request = door.request
    form = console_form(request)
    division = form.get("division_code")
    # A division of another province is bad input (400 from the registry), not a scope matter.
    own = division[:2] == get_settings().province_prefix and len(division) == 6
    session = console_session(request, WRITE, division=division if own else None)
    require_csrf(session, form)
    lang = console_lang(request, form.get("lang"))
    fields = {name: form.get(name) for name in REGISTER_FIELDS}
    try:
        body: RegisterShopRequest = parse(RegisterShopRequest, fields)
        shop, secret = shop_registry().register(
            ShopApplication(**body.model_dump()), actor_of(request, session.principal)
        )
    except ValidationFailedError as exc:
        return _registry(session, lang, status=400, errors=exc.errors, form=fields)
    except ConflictError as exc:
        error = FieldError("uscc", exc.code, exc.message)
        return _registry(session, lang, status=409, errors=[error], form=fields)
    return _secret_page(session, lang, shop, secret, status=201, registered=True)


@door.route("/console/shops/{companycode}", methods=["GET"], page=True, stacks=PROVINCE)
def shop_page(companycode: str) -> Response:
    request = door.request
    session = console_session(request, READ, companycode=companycode)
    params = query_params(request)
    return _detail(session, console_lang(request), companycode, saved=params.get("saved", ""))


@door.route(
    "/console/shops/{companycode}",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def edit_shop(companycode: str) -> Response:
    session, lang, form = _write(companycode)
    version = form.get("version")
    fields: dict[str, Any] = {name: form.get(name) for name in EDITABLE_FIELDS}
    fields["version"] = int(version) if version.isdigit() else version
    try:
        body: EditShopRequest = parse(EditShopRequest, fields)
        shop_registry().edit(
            companycode,
            ShopEdit(**body.model_dump()),
            actor_of(door.request, session.principal),
        )
    except ValidationFailedError as exc:
        return _detail(session, lang, companycode, status=400, errors=exc.errors, form=fields)
    except ConflictError as exc:
        return _detail(session, lang, companycode, status=409, conflict=exc.code)
    return redirect(f"/console/shops/{companycode}", query={"lang": lang, "saved": "edit"})


@door.route(
    "/console/shops/{companycode}/secret",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def rotate_secret(companycode: str) -> Response:
    session, lang, form = _write(companycode)
    if form.get("confirm") != "yes":  # the shop's systems stop until they get the new one
        return _confirm(session, lang, companycode, "secret")
    actor = actor_of(door.request, session.principal)
    shop, secret = shop_registry().rotate_secret(companycode, actor)
    return _secret_page(session, lang, shop, secret, status=200, registered=False)


@door.route(
    "/console/shops/{companycode}/suspend",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def suspend_shop(companycode: str) -> Response:
    session, lang, form = _write(companycode)
    if form.get("confirm") != "yes":  # the shop can upload nothing until reinstated
        return _confirm(session, lang, companycode, "suspend")
    return _set_status(session, lang, companycode, "suspended")


@door.route(
    "/console/shops/{companycode}/reinstate",
    methods=["POST"],
    content_types=FORM_TYPES,
    page=True,
    stacks=PROVINCE,
)
def reinstate_shop(companycode: str) -> Response:
    session, lang, _ = _write(companycode)
    return _set_status(session, lang, companycode, "active")


def _write(companycode: str) -> tuple[WebSession, str, Any]:
    """A regulator who may change this shop, its language and its (CSRF-checked) form."""
    request = door.request
    session = console_session(request, WRITE, companycode=companycode)
    form = console_form(request)
    require_csrf(session, form)
    return session, console_lang(request, form.get("lang")), form


def _set_status(session: WebSession, lang: str, companycode: str, status: str) -> Response:
    actor = actor_of(door.request, session.principal)
    shop_registry().set_status(companycode, status, actor)
    return redirect(f"/console/shops/{companycode}", query={"lang": lang, "saved": status})


def _confirm(session: WebSession, lang: str, companycode: str, action: str) -> Response:
    """The page that asks once more before an action that stops a shop's uploads."""
    shop = shop_registry().get(companycode)
    return console_page(
        "console/shop_confirm.html",
        session,
        lang,
        active="registry",
        switch_path=f"/console/shops/{companycode}",
        shop=_view(shop, False),
        action=action,
    )


def _registry(
    session: WebSession,
    lang: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    request = door.request
    cursor = query_params(request).get("cursor") or None
    shops, next_cursor = shop_registry().list(
        actor_of(request, session.principal), PAGE_SIZE, cursor, scope_of(session)
    )
    contacts = may_do(session, Permission.REGISTRY_CONTACTS)
    divisions = scope_of(session)
    return console_page(
        "console/shops.html",
        session,
        lang,
        status=status,
        active="registry",
        switch_path="/console/shops",
        shops=[_view(s, contacts) for s in shops],
        next_cursor=next_cursor,
        may_write=may_do(session, WRITE),
        divisions=[{"code": d, "name": division_name(d) or ""} for d in divisions or ()],
        classes=list(SHOP_CLASSES),
        errors=errors or [],
        form=form or {},
    )


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
    shop = shop_registry().read(companycode, actor_of(door.request, session.principal))
    contacts = may_do(session, Permission.REGISTRY_CONTACTS)
    view = _view(shop, contacts)
    return console_page(
        "console/shop.html",
        session,
        lang,
        status=status,
        active="registry",
        switch_path=f"/console/shops/{shop.companycode}",
        shop=view,
        form={**view, **(form or {})} if not conflict else view,
        classes=list(SHOP_CLASSES),
        may_write=may_do(session, WRITE),
        may_remind=may_do(session, Permission.REMINDERS_SEND),
        may_search=may_do(session, Permission.RECORDS_SEARCH),
        errors=errors or [],
        conflict=conflict,
        saved=saved if status == 200 else "",
    )


def _secret_page(
    session: WebSession, lang: str, shop: Shop, secret: str, *, status: int, registered: bool
) -> Response:
    return console_page(
        "console/shop_secret.html",
        session,
        lang,
        status=status,
        active="registry",
        switch_path="/console/shops",
        shop=_view(shop, True),
        secret=secret,
        registered=registered,
    )


def _view(shop: Shop, contacts: bool) -> dict[str, Any]:
    return {
        "companycode": shop.companycode,
        "name": shop.name,
        "uscc": shop.uscc,
        "division_code": shop.division_code,
        "division_name": division_name(shop.division_code) or "",
        "shop_class": shop.shop_class,
        "address": shop.address,
        "contact_name": shop.contact_name if contacts else MASK,
        "contact_phone": shop.contact_phone if contacts else MASK,
        "status": shop.status,
        "version": shop.version,
        "created_local": china_time(shop.created_at),
        "updated_local": china_time(shop.updated_at),
    }
