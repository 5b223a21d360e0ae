"""The maintenance record (汽车维修电子记录): its 13 data elements, rules and quality flags.

Why: both front doors (the REST API and the national `lcippro` interface) parse their wire
shapes into this one `RecordContent`, so a rule lives here exactly once. Structural rules that
need more than one field (dates in order, not in the future) are checked here and reported as
`FieldError`s; quality problems (VIN, plate, odometer) are returned as `Flag`s and the record
is still accepted, as regulators expect (digest §2.4).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from chalicelib.domain.chain import ChainLink, link_facts, link_hash
from chalicelib.domain.plate import plate_flags
from chalicelib.domain.vin import vin_flags
from chalicelib.errors import FieldError

EARLIEST_DATE = date(1990, 1, 1)

FLAG_MILEAGE_ZERO = "mileage_zero"
FLAG_MILEAGE_ROLLBACK = "mileage_rollback"
FLAG_COMPANY_NAME_MISMATCH = "company_name_mismatch"

RecordStatus = Literal["active", "void"]
ReceiptResult = Literal["created", "unchanged", "corrected", "voided"]


@dataclass(frozen=True)
class RepairItem:
    """维修项目 + 维修工时: one repair operation and its settled labour hours."""

    name: str
    labour_hours: Decimal


@dataclass(frozen=True)
class Part:
    """配件名称 + 配件编码 + 配件数量: one part line (quantities may be fractional, e.g. litres)."""

    name: str
    code: str
    quantity: Decimal


@dataclass(frozen=True)
class RecordContent:
    """What the shop asserts about one settlement list; the unit of idempotency and hashing."""

    vin: str
    plate_number: str
    company_name: str
    repair_date: date
    repair_mileage: int
    settlement_date: date
    fault_description: str
    settlement_list_code: str
    repair_items: tuple[RepairItem, ...] = ()
    parts: tuple[Part, ...] = ()
    plate_color: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with decimals as normalised strings and ISO dates."""
        return {
            "vin": self.vin,
            "plate_number": self.plate_number,
            "plate_color": self.plate_color,
            "company_name": self.company_name,
            "repair_date": self.repair_date.isoformat(),
            "repair_mileage": self.repair_mileage,
            "settlement_date": self.settlement_date.isoformat(),
            "fault_description": self.fault_description,
            "settlement_list_code": self.settlement_list_code,
            "repair_items": [
                {"name": i.name, "labour_hours": _decimal_text(i.labour_hours)}
                for i in self.repair_items
            ],
            "parts": [
                {"name": p.name, "code": p.code, "quantity": _decimal_text(p.quantity)}
                for p in self.parts
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordContent:
        return cls(
            vin=data["vin"],
            plate_number=data["plate_number"],
            plate_color=data.get("plate_color"),
            company_name=data["company_name"],
            repair_date=date.fromisoformat(data["repair_date"]),
            repair_mileage=int(data["repair_mileage"]),
            settlement_date=date.fromisoformat(data["settlement_date"]),
            fault_description=data["fault_description"],
            settlement_list_code=data["settlement_list_code"],
            repair_items=tuple(
                RepairItem(name=i["name"], labour_hours=Decimal(str(i["labour_hours"])))
                for i in data.get("repair_items", [])
            ),
            parts=tuple(
                Part(name=p["name"], code=p["code"], quantity=Decimal(str(p["quantity"])))
                for p in data.get("parts", [])
            ),
        )

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: equal content gives an equal hash on every machine."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Flag:
    """A quality problem found on an accepted record, with what a person needs to understand it."""

    code: str
    field: str
    detail: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "detail": dict(self.detail)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flag:
        return cls(code=data["code"], field=data["field"], detail=dict(data.get("detail") or {}))


@dataclass(frozen=True)
class EarlierReading:
    """The highest odometer reading on another record of the same vehicle, dated on or before."""

    mileage: int
    settlement_date: date
    record_id: str


def check_dates(content: RecordContent, latest_allowed: date) -> list[FieldError]:
    """Cross-field date rules; `latest_allowed` is today in China time plus the clock skew."""
    errors: list[FieldError] = []
    for name in ("repair_date", "settlement_date"):
        value: date = getattr(content, name)
        if value > latest_allowed:
            errors.append(
                FieldError(name, "not_in_future", f"{name} {value.isoformat()} is in the future")
            )
        elif value < EARLIEST_DATE:
            errors.append(
                FieldError(name, "minimum", f"{name} must be on or after {EARLIEST_DATE}")
            )
    if content.settlement_date < content.repair_date:
        errors.append(
            FieldError(
                "settlement_date",
                "not_before_repair_date",
                "settlement_date must be on or after repair_date",
            )
        )
    if not content.repair_items and not content.parts:
        errors.append(
            FieldError(
                "repair_items",
                "min_items",
                "a record needs at least one repair item or one part",
            )
        )
    return errors


def quality_flags(
    content: RecordContent,
    *,
    registered_name: str,
    earlier: EarlierReading | None,
) -> list[Flag]:
    """Every quality problem of an accepted record, in a stable order."""
    flags = [Flag(code, "vin") for code in vin_flags(content.vin)]
    flags += [Flag(code, "plate_number") for code in plate_flags(content.plate_number)]
    if content.repair_mileage == 0:
        flags.append(Flag(FLAG_MILEAGE_ZERO, "repair_mileage"))
    elif earlier is not None and content.repair_mileage < earlier.mileage:
        flags.append(
            Flag(
                FLAG_MILEAGE_ROLLBACK,
                "repair_mileage",
                {
                    "previous_mileage": str(earlier.mileage),
                    "previous_settlement_date": earlier.settlement_date.isoformat(),
                    "previous_record_id": earlier.record_id,
                },
            )
        )
    if _squash(content.company_name) != _squash(registered_name):
        flags.append(
            Flag(FLAG_COMPANY_NAME_MISMATCH, "company_name", {"registered_name": registered_name})
        )
    return flags


@dataclass(frozen=True)
class StoredRecord:
    """One version of a record as the province holds it."""

    record_id: str
    companycode: str
    version: int
    status: RecordStatus
    content: RecordContent
    content_hash: str
    flags: tuple[Flag, ...]
    shop_name: str
    shop_class: str
    received_at: datetime
    updated_at: datetime
    reason: str | None = None
    chain: ChainLink | None = None
    # Who sent this version: None for the shop itself, "oem:<oem_id>" for an OEM's bulk feed
    # (总对总). Not part of the content (a replay from the other channel is `unchanged`).
    source: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What the uploader gets back; a retry of the same upload gets the same receipt."""

    record_id: str
    version: int
    result: ReceiptResult
    status: RecordStatus
    flags: tuple[Flag, ...]
    content_hash: str
    received_at: datetime
    chain: ChainLink | None = None
    signature: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "record_id": self.record_id,
            "version": self.version,
            "result": self.result,
            "status": self.status,
            "flags": [f.to_dict() for f in self.flags],
            "content_hash": self.content_hash,
            "received_at": self.received_at.isoformat(),
        }
        if self.chain is not None:
            body["chain"] = {**self.chain.to_dict(), "signature": self.signature}
        return body

    @classmethod
    def of(
        cls, record: StoredRecord, result: ReceiptResult, signature: str | None = None
    ) -> Receipt:
        return cls(
            record_id=record.record_id,
            version=record.version,
            result=result,
            status=record.status,
            flags=record.flags,
            content_hash=record.content_hash,
            received_at=record.updated_at,
            chain=record.chain,
            signature=signature,
        )


RECORD_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
"""What `record_id_for` makes: 32 lowercase hex digits (the ministry refuses anything else)."""


def record_id_for(companycode: str, settlement_list_code: str) -> str:
    """The record id is derived from its natural key, so concurrent uploads converge on one item."""
    digest = hashlib.sha256(f"{companycode}\x1f{settlement_list_code}".encode()).hexdigest()
    return digest[:32]


def _decimal_text(value: Decimal) -> str:
    normalized = value.normalize()
    text = format(normalized, "f")
    return text


def _squash(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def chain_facts(record: StoredRecord) -> dict[str, Any]:
    """What this version's chain link vouches for (see domain/chain.py)."""
    return link_facts(
        record_id=record.record_id,
        version=record.version,
        status=record.status,
        companycode=record.companycode,
        content_hash=record.content_hash,
        reason=record.reason,
        updated_at=record.updated_at.isoformat(),
    )


def matches_its_link(record: StoredRecord) -> bool:
    """Whether a stored copy of a version still hashes to the chain link made for it: its
    content to its content hash, and its facts with the previous hash to the link's hash."""
    if record.chain is None or record.content.content_hash() != record.content_hash:
        return False
    return link_hash(record.chain.prev_hash, chain_facts(record)) == record.chain.hash
