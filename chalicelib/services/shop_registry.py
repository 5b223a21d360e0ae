"""The provincial shop registry: register, rotate a secret, suspend and reinstate.

Why: a regulator registers every shop of the province. The system issues the companycode
(division code + never-reused sequence) and a secret shown once; only its slow hash is kept.
Every action is audited with who did it and from where.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from chalicelib.domain.credentials import hash_secret, new_secret
from chalicelib.domain.shop import Shop, division_name, make_companycode, parse_shop_class
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor
from chalicelib.services.ports import AuditLog, Clock, ShopRepository

__all__ = ["Actor", "ShopApplication", "ShopRegistryService"]


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

    def rotate_secret(self, companycode: str, actor: Actor) -> tuple[Shop, str]:
        """Issue a new secret; the old secret and every token issued with it stop working now."""
        shop = self.get(companycode)
        rotated = dataclasses.replace(
            shop,
            credential_generation=shop.credential_generation + 1,
            updated_at=self._clock.now(),
        )
        secret = new_secret()
        self._shops.set_secret(rotated, hash_secret(secret))
        self._log(actor, "shop.rotate_secret", companycode, None)
        return rotated, secret

    def set_status(self, companycode: str, status: str, actor: Actor) -> Shop:
        shop = self.get(companycode)
        if shop.status == status:
            return shop
        changed = dataclasses.replace(shop, status=status, updated_at=self._clock.now())  # type: ignore[arg-type]
        self._shops.save(changed, expected_generation=shop.credential_generation)
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
            errors.append(
                FieldError(
                    "shop_class",
                    "enum",
                    "shop_class must be one of class_1, class_2, class_3, quick_service, "
                    "specialised (or 一类, 二类, 三类, 快修, 专项)",
                )
            )
        if errors:
            raise ValidationFailedError(errors)
        assert shop_class is not None
        return shop_class

    def _log(self, actor: Actor, action: str, target: str, details: dict[str, str] | None) -> None:
        self._audit.append(
            actor=actor.actor_id,
            role=actor.role,
            action=action,
            target=target,
            source_ip=actor.source_ip,
            user_agent=actor.user_agent,
            details=details,
        )
