"""Genuine exchange/v1 items, built from domain objects the way a province's forwarder builds
them (chalicelib.exchange.v1), so tests never hand-write what a province sends."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.chain import ChainHead, next_link
from chalicelib.domain.record import (
    Flag,
    RecordContent,
    RecordStatus,
    StoredRecord,
    chain_facts,
    record_id_for,
)
from chalicelib.domain.shop import RegistryCopy
from chalicelib.exchange.v1 import record_version_item, shop_item
from tests.builders import record_payload

_codes = itertools.count(1)

SHOP_NAME = "部级测试维修厂"


def registry_copy(
    companycode: str = "320102000000001",
    *,
    updated_at: datetime | None = None,
    shop_class: str = "class_2",
    status: str = "active",
    name: str = SHOP_NAME,
) -> RegistryCopy:
    moment = updated_at or datetime(2024, 1, 1, tzinfo=UTC)
    return RegistryCopy(
        companycode=companycode,
        name=name,
        uscc="91320102MA1XY0000E",
        division_code=companycode[:6],
        shop_class=shop_class,
        status=status,  # type: ignore[arg-type]
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        updated_at=moment,
    )


def shop_change(companycode: str = "320102000000001", **overrides: Any) -> dict[str, Any]:
    """The `shop` item of a registry entry of `companycode`."""
    return shop_item(registry_copy(companycode, **overrides))


def stored_version(
    companycode: str = "320102000000001",
    version: int = 1,
    *,
    payload: dict[str, Any] | None = None,
    status: RecordStatus = "active",
    flags: tuple[Flag, ...] = (),
    updated_at: datetime | None = None,
    reason: str | None = None,
    chain_seq: int | None = None,
    shop_name: str = SHOP_NAME,
) -> StoredRecord:
    """A version of a record of `companycode`, with its id, hash and chain link as a province
    makes them (the link is the vehicle's `chain_seq`-th, by default `version`)."""
    content = RecordContent.from_dict(_content(payload or record_payload()))
    moment = updated_at or datetime.now(UTC)
    record = StoredRecord(
        record_id=record_id_for(companycode, content.settlement_list_code),
        companycode=companycode,
        version=version,
        status=status,
        content=content,
        content_hash=content.content_hash(),
        flags=flags,
        shop_name=shop_name,
        shop_class="class_2",
        received_at=moment,
        updated_at=moment,
        reason=reason,
    )
    return chained(record, chain_seq or version)


def chained(record: StoredRecord, seq: int = 1) -> StoredRecord:
    """The version as the `seq`-th link of its vehicle's chain (an unknown previous hash)."""
    head = ChainHead(record.content.vin, seq - 1, f"{seq - 1:064x}" if seq > 1 else "0" * 64)
    return dataclasses.replace(record, chain=next_link(head, chain_facts(record)))


def version_change(
    companycode: str = "320102000000001", version: int = 1, **kw: Any
) -> dict[str, Any]:
    """The `record_version` item of a version built by `stored_version`."""
    return record_version_item(stored_version(companycode, version, **kw))


def corrected(record: StoredRecord, version: int, **payload_changes: Any) -> StoredRecord:
    """A later version of the same record (same settlement list), its content changed."""
    data = {**record.content.to_dict(), **payload_changes}
    content = RecordContent.from_dict(data)
    moment = datetime.now(UTC)
    later = dataclasses.replace(
        record,
        version=version,
        content=content,
        content_hash=content.content_hash(),
        received_at=moment,
        updated_at=moment,
        chain=None,
    )
    return chained(later, (record.chain.seq if record.chain else 0) + 1)


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in payload.items() if k != "correction_reason"}
    content.setdefault("plate_color", None)
    return content


def unique_settlement_code() -> str:
    return f"EX-{next(_codes):06d}"
