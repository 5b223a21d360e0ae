"""The provincial shop registry: register, edit, rotate a secret, suspend and reinstate.

Why: a regulator registers every shop of the province. The system issues the companycode
(division code + never-reused sequence) and a secret shown once; only its slow hash is kept.
Every action is audited with who did it and from where. Every change of a registry entry is
written over the version it was made from (optimistic concurrency), so of two regulators who
edit the same shop at once only one wins, and the other is told to reload.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.credentials import hash_secret, new_secret
from chalicelib.domain.shop import Shop, division_name, make_companycode, parse_shop_class
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor
from chalicelib.services.ports import AuditLog, Clock, ShopRepository

__all__ = ["Actor", "ShopApplication", "ShopEdit", "ShopRegistryService"]

# Fields of the entry a regulator may change (identity - companycode, USCC, division - never).
EDITABLE_FIELDS = ("name", "address", "shop_class", "contact_name", "contact_phone")
# Personal data: the audit says that they changed, without copying them into the log.
PERSONAL_FIELDS = ("contact_name", "contact_phone")


@dataclass(frozen=True)
class ShopApplication:
    """A regulator's registration request, already trimmed by the API schema."""

    name: str
    uscc: str
    division_code: str
    shop_class: str
    address: str
    contact_name: str
    contact_phone: str


@dataclass(frozen=True)
class ShopEdit:
    """A regulator's change of a registry entry: the fields given (None = unchanged), made
    from `version` of the entry (already checked by the API schema)."""

    version: int
    name: str | None = None
    address: str | None = None
    shop_class: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class ShopRegistryService:
    def __init__(
        self, shops: ShopRepository, audit: AuditLog, clock: Clock, province_code: str
    ) -> None:
        self._shops = shops
        self._audit = audit
        self._clock = clock
        self._province = province_code

    def register(self, application: ShopApplication, actor: Actor) -> tuple[Shop, str]:
        """Register a shop and return it with its secret (the only time the secret is seen).

        Raises
        ------
        ValidationFailedError
            USCC check character, division code or class is wrong.
        ConflictError
            The USCC is registered already (code `uscc_already_registered`).
        """
        shop_class = self._validate(application)
        existing = self._shops.existing_companycode(application.uscc)
        if existing:
            raise ConflictError(
                f"this unified social credit code is registered as {existing}",
                code="uscc_already_registered",
            )
        now = self._clock.now()
        sequence = self._shops.next_sequence(application.division_code)
        shop = Shop(
            companycode=make_companycode(application.division_code, sequence),
            name=application.name,
            uscc=application.uscc,
            division_code=application.division_code,
            shop_class=shop_class,
            address=application.address,
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            status="active",
            created_at=now,
            updated_at=now,
        )
        secret = new_secret()
        self._shops.create(shop, hash_secret(secret))
        self._log(actor, "shop.register", shop.companycode, {"name": shop.name})
        return shop, secret

    def get(self, companycode: str) -> Shop:
        shop = self._shops.get(companycode, consistent=True)
        if shop is None or shop.province_code != self._province:
            raise NotFoundError("no such shop")
        return shop

    def edit(self, companycode: str, change: ShopEdit, actor: Actor) -> Shop:
        """Change name, address, class or contacts, over the version the change was made from.

        A change that holds already (a retry of one that landed, or no change at all) answers
        the entry as it is, writes nothing and logs nothing. The audit entry lists each changed
        field with its old and new value, except contacts (personal data): for those it says
        only that they changed.

        Raises
        ------
        NotFoundError
            No such shop in this province.
        ValidationFailedError
            The shop class is not one of the classes.
        ConflictError
            `shop_changed`: the entry is no longer at `change.version` (someone else changed
            it since it was read): reload and decide again.
        """
        wanted = self._wanted(change)
        shop = self.get(companycode)
        changed: dict[str, Any] = {f: v for f, v in wanted.items() if getattr(shop, f) != v}
        if not changed:
            return shop
        if shop.version != change.version:
            raise ConflictError(
                "the shop's registry entry changed meanwhile: reload it and retry",
                code="shop_changed",
            )
        edited = dataclasses.replace(
            shop, **changed, version=shop.version + 1, updated_at=self._clock.now()
        )
        self._shops.save(edited, expected_version=shop.version)
        details: dict[str, Any] = {"changed": ",".join(f for f in EDITABLE_FIELDS if f in changed)}
        for name in EDITABLE_FIELDS:
            if name in changed and name not in PERSONAL_FIELDS:
                details[name] = {"from": getattr(shop, name), "to": changed[name]}
        details["version"] = edited.version
        self._log(actor, "shop.edit", companycode, details)
        return edited

    def rotate_secret(self, companycode: str, actor: Actor) -> tuple[Shop, str]:
        """Issue a new secret; the old secret and every token issued with it stop working now."""
        shop = self.get(companycode)
        rotated = dataclasses.replace(
            shop,
            credential_generation=shop.credential_generation + 1,
            version=shop.version + 1,
            updated_at=self._clock.now(),
        )
        secret = new_secret()
        self._shops.set_secret(rotated, hash_secret(secret), expected_version=shop.version)
        self._log(actor, "shop.rotate_secret", companycode, None)
        return rotated, secret

    def set_status(self, companycode: str, status: str, actor: Actor) -> Shop:
        shop = self.get(companycode)
        if shop.status == status:
            return shop
        changed = dataclasses.replace(
            shop,
            status=status,  # type: ignore[arg-type]
            version=shop.version + 1,
            updated_at=self._clock.now(),
        )
        self._shops.save(changed, expected_version=shop.version)
        self._log(
            actor, f"shop.{'suspend' if status == 'suspended' else 'reinstate'}", companycode, None
        )
        return changed

    def read(self, companycode: str, actor: Actor) -> Shop:
        """One registry entry for a regulator (contacts are personal data: audited)."""
        shop = self.get(companycode)
        self._log(actor, "shop.read", companycode, None)
        return shop

    def list(
        self,
        actor: Actor,
        limit: int,
        cursor: str | None,
        divisions: tuple[str, ...] | None = None,
    ) -> tuple[list[Shop], str | None]:
        """A page of the province's registry, or only of some divisions (district officers).

        Cross-shop data with contacts: audited.
        """
        page = self._shops.list_registry(self._province, min(max(limit, 1), 100), cursor, divisions)
        self._log(
            actor,
            "shop.list",
            ",".join(divisions) if divisions is not None else self._province,
            {"returned": str(len(page[0]))},
        )
        return page

    def _wanted(self, change: ShopEdit) -> dict[str, str]:
        wanted = {
            name: getattr(change, name)
            for name in EDITABLE_FIELDS
            if getattr(change, name) is not None
        }
        if "shop_class" in wanted:
            shop_class = parse_shop_class(wanted["shop_class"])
            if shop_class is None:
                raise ValidationFailedError([_class_error()])
            wanted["shop_class"] = shop_class
        return wanted

    def _validate(self, application: ShopApplication) -> str:
        from stdnum.cn import uscc  # imported here: only registration needs it

        errors: list[FieldError] = []
        if not uscc.is_valid(application.uscc):
            errors.append(
                FieldError("uscc", "gb32100", "not a valid unified social credit code (GB 32100)")
            )
        if division_name(application.division_code) is None:
            errors.append(
                FieldError(
                    "division_code", "gb_t_2260", "not a county-level GB/T 2260 division code"
                )
            )
        elif application.division_code[:2] != self._province[:2]:
            errors.append(
                FieldError(
                    "division_code",
                    "this_province",
                    f"division code must lie in province {self._province}",
                )
            )
        shop_class = parse_shop_class(application.shop_class)
        if shop_class is None:
            errors.append(_class_error())
        if errors:
            raise ValidationFailedError(errors)
        assert shop_class is not None
        return shop_class

    def _log(self, actor: Actor, action: str, target: str, details: dict[str, Any] | None) -> None:
        self._audit.append(
            actor=actor.actor_id,
            role=actor.role,
            action=action,
            target=target,
            source_ip=actor.source_ip,
            user_agent=actor.user_agent,
            details=details,
        )


def _class_error() -> FieldError:
    return FieldError(
        "shop_class",
        "enum",
        "shop_class must be one of class_1, class_2, class_3, quick_service, "
        "specialised (or 一类, 二类, 三类, 快修, 专项)",
    )
