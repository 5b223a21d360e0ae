"""StoredRecord <-> the plain attribute dicts of its head, version and vehicle-entry items.

Why: the three item kinds carry the same record body; building them in one place keeps them
identical, and the top-level attributes (vin, settlement_date, companycode, kind) are what the
GSI projection and the stream consumers read without unpacking the body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.domain.chain import ChainLink, StoredLink
from chalicelib.domain.record import Flag, RecordContent, StoredRecord

KIND_HEAD = "record_head"
KIND_VERSION = "record_version"
KIND_VEHICLE = "vehicle_entry"


def body(record: StoredRecord) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "companycode": record.companycode,
        "province_code": record.companycode[:2] + "0000",
        "version": record.version,
        "status": record.status,
        "content": record.content.to_dict(),
        "content_hash": record.content_hash,
        "flags": [f.to_dict() for f in record.flags],
        "flag_codes": [f.code for f in record.flags] or None,
        "shop_name": record.shop_name,
        "shop_class": record.shop_class,
        "received_at": record.received_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "reason": record.reason,
        "vin": record.content.vin,
        "settlement_date": record.content.settlement_date.isoformat(),
        "settlement_list_code": record.content.settlement_list_code,
        "plate_number": record.content.plate_number,
        "mileage": record.content.repair_mileage,
        "chain": record.chain.to_dict() if record.chain else None,
        "source": record.source,
    }


def head_item(record: StoredRecord) -> dict[str, Any]:
    province = record.companycode[:2] + "0000"
    return {
        keys.PK: keys.record_pk(record.record_id),
        keys.SK: keys.HEAD,
        keys.GSI1PK: keys.shop_records_gsi_pk(record.companycode),
        keys.GSI1SK: keys.shop_records_gsi_sk(record.content.settlement_date, record.record_id),
        keys.GSI2PK: keys.records_by_day_gsi_pk(province, record.content.settlement_date),
        keys.GSI2SK: keys.records_by_day_gsi_sk(record.companycode, record.record_id),
        "kind": KIND_HEAD,
        **body(record),
    }


def version_item(record: StoredRecord) -> dict[str, Any]:
    return {
        keys.PK: keys.record_pk(record.record_id),
        keys.SK: keys.version_sk(record.version),
        "kind": KIND_VERSION,
        **body(record),
    }


def vehicle_key(record: StoredRecord) -> dict[str, str]:
    return keys.key(
        keys.vehicle_pk(record.content.vin),
        keys.vehicle_entry_sk(record.content.settlement_date, record.record_id),
    )


def vehicle_item(record: StoredRecord) -> dict[str, Any]:
    item = {**vehicle_key(record), "kind": KIND_VEHICLE, **body(record)}
    if record.content.plate_number:
        item[keys.GSI2PK] = keys.plate_gsi_pk(record.content.plate_number)
        item[keys.GSI2SK] = keys.vehicle_entry_sk(record.content.settlement_date, record.record_id)
    return item


def record_from(attrs: dict[str, Any]) -> StoredRecord:
    return StoredRecord(
        record_id=attrs["record_id"],
        companycode=attrs["companycode"],
        version=int(attrs["version"]),
        status=attrs["status"],
        content=RecordContent.from_dict(attrs["content"]),
        content_hash=attrs["content_hash"],
        flags=tuple(Flag.from_dict(f) for f in attrs.get("flags", [])),
        shop_name=attrs["shop_name"],
        shop_class=attrs["shop_class"],
        received_at=datetime.fromisoformat(attrs["received_at"]),
        updated_at=datetime.fromisoformat(attrs["updated_at"]),
        reason=attrs.get("reason"),
        chain=ChainLink.from_dict(attrs["chain"]) if attrs.get("chain") else None,
        source=attrs.get("source") or None,
    )


def chain_link_item(record: StoredRecord) -> dict[str, Any]:
    """The link's entry in its vehicle's partition: the chain in order, for verification."""
    assert record.chain is not None
    return {
        **keys.key(keys.vehicle_pk(record.chain.vin), keys.chain_link_sk(record.chain.seq)),
        "kind": "chain_link",
        "record_id": record.record_id,
        "version": record.version,
        **record.chain.to_dict(),
    }


def link_from(attrs: dict[str, Any]) -> StoredLink:
    """A chain link entry as stored (a tampered one is read as it is, for the check to fail)."""
    return StoredLink(
        seq=int(attrs["seq"]),
        prev_hash=str(attrs["prev_hash"]),
        hash=str(attrs["hash"]),
        record_id=str(attrs["record_id"]),
        version=int(attrs["version"]),
    )


def chain_head_item(record: StoredRecord) -> dict[str, Any]:
    assert record.chain is not None
    return {
        **keys.key(keys.vehicle_pk(record.chain.vin), keys.CHAIN_HEAD),
        "kind": "chain_head",
        "seq": record.chain.seq,
        "hash": record.chain.hash,
    }
