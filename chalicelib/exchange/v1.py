"""exchange/v1: what a province sends the ministry, as strict pydantic models.

Why: the ministry must store only what it needs, under keys it builds itself, and a province
may write its own shops' data only. An item is one of two changes: a record version
(`record_version`) or the registry copy of a shop (`shop`, without contacts). Every model
forbids unknown keys, takes values as they are (no coercion) and bounds every string and list.
The conversions below are the only way a province builds an item (from its domain objects)
and the ministry reads one (into domain objects); the rules that tie an item to its sender
(`record_refusal`, `shop_refusal`) live here too, so the sender's tests and the ministry apply
the same ones. docs/exchange.md is the human-readable contract.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from chalicelib.domain.chain import ChainLink
from chalicelib.domain.plate import PLATE_COLORS
from chalicelib.domain.record import (
    Flag,
    Part,
    RecordContent,
    RepairItem,
    StoredRecord,
    matches_its_link,
    record_id_for,
)
from chalicelib.domain.shop import RegistryCopy, Shop
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.exchange.requests import CONTRACT, MAX_ITEMS

MAX_LIST_ITEMS = 200  # repair items, parts: the record schema's own limit
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIMESTAMP = (
    rf"^{_DAY}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\.[0-9]{{1,6}})?(Z|[+-][0-9]{{2}}:[0-9]{{2}})$"
)


def _calendar_date(value: str) -> str:
    date.fromisoformat(value)  # a ValueError is reported as rule `format`
    return value


def _moment(value: str) -> str:
    datetime.fromisoformat(value)
    return value


def _plate_color(value: str | None) -> str | None:
    if value is not None and value not in PLATE_COLORS:
        raise ValueError(f"must be one of {', '.join(PLATE_COLORS)}")
    return value


def _positive(value: str) -> str:
    if Decimal(value) <= 0:
        raise ValueError("must be greater than 0")
    return value


def _text(max_length: int, min_length: int = 1) -> Any:
    return Field(min_length=min_length, max_length=max_length)


# Patterns spell [0-9]: pydantic's regex engine reads \d as any Unicode digit.
IsoDate = Annotated[str, Field(pattern=rf"^{_DAY}$"), AfterValidator(_calendar_date)]
Timestamp = Annotated[str, Field(pattern=_TIMESTAMP), AfterValidator(_moment)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
RecordId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Companycode = Annotated[str, Field(pattern=r"^[0-9]{15}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^[0-9]{2}0000$")]
ShopClass = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,20}$")]
Name = Annotated[str, _text(100)]


class _Model(BaseModel):
    # strict: "1" is not 1 and 1 is not "1"; frozen: a parsed item is a value.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class RepairItemV1(_Model):
    name: Annotated[str, _text(200)]
    labour_hours: Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$")]


class PartV1(_Model):
    name: Annotated[str, _text(100)]
    code: Annotated[str, _text(100)]
    quantity: Annotated[
        str, Field(pattern=r"^[0-9]{1,5}(\.[0-9]{1,3})?$"), AfterValidator(_positive)
    ]


class RecordContentV1(_Model):
    """The 13 data elements of one settlement list, as `RecordContent.to_dict` writes them."""

    vin: Annotated[str, _text(32)]
    plate_number: Annotated[str, _text(16, min_length=0)]
    plate_color: Annotated[str | None, AfterValidator(_plate_color)]
    company_name: Name
    repair_date: IsoDate
    repair_mileage: Annotated[int, Field(ge=0, le=9_999_999)]
    settlement_date: IsoDate
    fault_description: Annotated[str, _text(500)]
    settlement_list_code: Annotated[
        str, Field(min_length=1, max_length=50, pattern=r"^[^\x00-\x1f]+$")
    ]
    repair_items: list[RepairItemV1] = Field(max_length=MAX_LIST_ITEMS)
    parts: list[PartV1] = Field(max_length=MAX_LIST_ITEMS)


class FlagV1(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    field: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
    detail: dict[Annotated[str, _text(64)], Annotated[str, _text(200, min_length=0)]] = Field(
        max_length=8
    )


class ChainLinkV1(_Model):
    vin: Annotated[str, _text(32)]
    seq: Annotated[int, Field(ge=1, le=999_999_999)]
    prev_hash: Sha256Hex
    hash: Sha256Hex


class RecordVersionV1(_Model):
    """One version of a record, as the province holds it (its chain link included)."""

    record_id: RecordId
    companycode: Companycode
    version: Annotated[int, Field(ge=1, le=999_999)]
    status: Literal["active", "void"]
    content: RecordContentV1
    content_hash: Sha256Hex
    flags: list[FlagV1] = Field(max_length=32)
    shop_name: Name
    shop_class: ShopClass
    received_at: Timestamp
    updated_at: Timestamp
    reason: Annotated[str, _text(250)] | None
    chain: ChainLinkV1
    source: Annotated[str, Field(pattern=r"^oem:[A-Za-z0-9]{1,32}$")] | None


class ShopCopyV1(_Model):
    """A registry entry's public facts: no address, contacts or credential state."""

    companycode: Companycode
    province_code: ProvinceCode
    name: Name
    uscc: Annotated[str, Field(pattern=r"^[0-9A-Z]{18}$")]
    division_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    shop_class: ShopClass
    status: Literal["active", "suspended"]
    created_at: Timestamp
    updated_at: Timestamp


class RecordVersionItemV1(_Model):
    type: Literal["record_version"]
    record: RecordVersionV1


class ShopItemV1(_Model):
    type: Literal["shop"]
    shop: ShopCopyV1


class BatchV1(_Model):
    """The request body: the contract it speaks and 1–100 items, each validated on its own."""

    contract: Literal["exchange/v1"] = Field(description=f"always {CONTRACT!r}")
    items: list[Any] = Field(min_length=1, max_length=MAX_ITEMS)


ItemV1 = RecordVersionItemV1 | ShopItemV1
_ITEM_MODELS: dict[str, type[RecordVersionItemV1] | type[ShopItemV1]] = {
    "record_version": RecordVersionItemV1,
    "shop": ShopItemV1,
}


# --- reading an item (ministry) -----------------------------------------------------------


def parse_item(raw: Any) -> ItemV1:
    """One item as its model; ValidationFailedError naming every failing field otherwise."""
    if not isinstance(raw, dict):
        raise ValidationFailedError([FieldError("item", "object", "an item must be an object")])
    kind = raw.get("type")
    model = _ITEM_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = " or ".join(_ITEM_MODELS)
        raise ValidationFailedError([FieldError("type", "one_of", f"type must be {known}")])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailedError(violations(exc)) from exc


def parse_batch(raw: Any) -> BatchV1:
    try:
        return BatchV1.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailedError(violations(exc)) from exc


def stored_record(record: RecordVersionV1) -> StoredRecord:
    content = record.content
    return StoredRecord(
        record_id=record.record_id,
        companycode=record.companycode,
        version=record.version,
        status=record.status,
        content=RecordContent(
            vin=content.vin,
            plate_number=content.plate_number,
            plate_color=content.plate_color,
            company_name=content.company_name,
            repair_date=date.fromisoformat(content.repair_date),
            repair_mileage=content.repair_mileage,
            settlement_date=date.fromisoformat(content.settlement_date),
            fault_description=content.fault_description,
            settlement_list_code=content.settlement_list_code,
            repair_items=tuple(
                RepairItem(i.name, Decimal(i.labour_hours)) for i in content.repair_items
            ),
            parts=tuple(Part(p.name, p.code, Decimal(p.quantity)) for p in content.parts),
        ),
        content_hash=record.content_hash,
        flags=tuple(Flag(f.code, f.field, dict(f.detail)) for f in record.flags),
        shop_name=record.shop_name,
        shop_class=record.shop_class,
        received_at=datetime.fromisoformat(record.received_at),
        updated_at=datetime.fromisoformat(record.updated_at),
        reason=record.reason,
        chain=ChainLink(
            vin=record.chain.vin,
            seq=record.chain.seq,
            prev_hash=record.chain.prev_hash,
            hash=record.chain.hash,
        ),
        source=record.source,
    )


def registry_copy(shop: ShopCopyV1) -> RegistryCopy:
    return RegistryCopy(
        companycode=shop.companycode,
        name=shop.name,
        uscc=shop.uscc,
        division_code=shop.division_code,
        shop_class=shop.shop_class,
        status=shop.status,
        created_at=datetime.fromisoformat(shop.created_at),
        updated_at=datetime.fromisoformat(shop.updated_at),
    )


def record_refusal(record: StoredRecord, province_code: str) -> FieldError | None:
    """Why the credential of `province_code` may not send this version, or None.

    The record id is derived from its natural key, so a version cannot be filed under another
    record; the hashes tie the content to the version's chain link, so a version of one record
    cannot be passed off as another's (the ministry checks the owner of a held head itself).
    """
    if record.companycode[:2] != province_code[:2]:
        return FieldError(
            "record.companycode",
            "own_province",
            f"companycode {record.companycode} belongs to another province, not {province_code}",
        )
    if record.record_id != record_id_for(record.companycode, record.content.settlement_list_code):
        return FieldError(
            "record.record_id",
            "derived_id",
            "record_id must be record_id_for(companycode, content.settlement_list_code)",
        )
    if record.content.content_hash() != record.content_hash:
        return FieldError(
            "record.content_hash", "content_hash", "content_hash is not the hash of the content"
        )
    if record.chain is None or record.chain.vin != record.content.vin:
        return FieldError("record.chain.vin", "chain_vin", "chain.vin must be the content's VIN")
    if not matches_its_link(record):
        return FieldError(
            "record.chain.hash", "chain_link", "the chain link does not hash this version"
        )
    return None


def shop_refusal(shop: ShopCopyV1, province_code: str) -> FieldError | None:
    """Why the credential of `province_code` may not send this registry copy, or None: the
    shop, its stated province and its division must all be of the credential's province."""
    if shop.companycode[:2] + "0000" != province_code:
        return FieldError(
            "shop.companycode",
            "own_province",
            f"companycode {shop.companycode} belongs to another province, not {province_code}",
        )
    if shop.province_code != province_code:
        return FieldError(
            "shop.province_code", "own_province", f"province_code must be {province_code}"
        )
    if shop.division_code != shop.companycode[:6]:
        return FieldError(
            "shop.division_code",
            "companycode_division",
            "division_code must be the first six digits of companycode",
        )
    return None


# --- building an item (province) ----------------------------------------------------------


def record_version_item(record: StoredRecord) -> dict[str, Any]:
    """The item of a stored version; ValidationFailedError if v1 cannot carry it."""
    wire = {
        "record_id": record.record_id,
        "companycode": record.companycode,
        "version": record.version,
        "status": record.status,
        "content": record.content.to_dict(),
        "content_hash": record.content_hash,
        "flags": [f.to_dict() for f in record.flags],
        "shop_name": record.shop_name,
        "shop_class": record.shop_class,
        "received_at": record.received_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "reason": record.reason,
        "chain": record.chain.to_dict() if record.chain else None,
        "source": record.source,
    }
    return _checked({"type": "record_version", "record": wire})


def shop_item(shop: Shop | RegistryCopy) -> dict[str, Any]:
    """The item of a registry entry: its public facts only (contacts stay in the province)."""
    wire = {
        "companycode": shop.companycode,
        "province_code": shop.province_code,
        "name": shop.name,
        "uscc": shop.uscc,
        "division_code": shop.division_code,
        "shop_class": shop.shop_class,
        "status": shop.status,
        "created_at": shop.created_at.isoformat(),
        "updated_at": shop.updated_at.isoformat(),
    }
    return _checked({"type": "shop", "shop": wire})


def _checked(item: dict[str, Any]) -> dict[str, Any]:
    """The item as v1 serialises it, after the same validation the ministry applies."""
    return parse_item(item).model_dump(mode="json")


# --- validation errors --------------------------------------------------------------------

_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "literal_error": "one_of",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "string_pattern_mismatch": "pattern",
    "value_error": "format",
}


def violations(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as {field, rule, message}: `record.content.vin`, `max_length`, ..."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"]) or "item"
        kind = str(error["type"])
        rule = _RULES.get(kind, "type" if kind.endswith("_type") else kind)
        errors.append(FieldError(path, rule, str(error["msg"]).removeprefix("Value error, ")))
    return errors
