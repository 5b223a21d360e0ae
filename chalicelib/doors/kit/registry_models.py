"""The shop registry's request models, shared by the regulators' JSON API and the console.

Why: a shop is registered or edited through either door (`/v1/shops` or the console's forms)
and both must refuse the same input with the same field and rule; one definition keeps the
two doors (and the OpenAPI components named after these classes) the same.
"""

from __future__ import annotations

from pydantic import Field, StrictInt, field_validator

from chalicelib.doors.kit.models import Strict


class RegisterShopRequest(Strict):
    name: str = Field(min_length=1, max_length=100)
    uscc: str = Field(min_length=18, max_length=18)
    division_code: str = Field(pattern=r"^\d{6}$")
    shop_class: str = Field(min_length=1, max_length=20)
    address: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(pattern=r"^[0-9+\- ]{5,20}$")

    @field_validator("uscc")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class EditShopRequest(Strict):
    """A change of a registry entry: the version it was made from, and the fields to change.
    Identity (companycode, USCC, division) is not editable: naming it is an unknown field."""

    version: StrictInt = Field(ge=1)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    address: str | None = Field(default=None, min_length=1, max_length=200)
    shop_class: str | None = Field(default=None, min_length=1, max_length=20)
    contact_name: str | None = Field(default=None, min_length=1, max_length=50)
    contact_phone: str | None = Field(default=None, pattern=r"^[0-9+\- ]{5,20}$")
