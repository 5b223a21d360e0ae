"""ComplaintRepository on the province table: one item per complaint, two ways to list them.

Why: a complaint changes hands (owner, regulator, shop), so every change is a conditional
write on its `version`: two regulators acting at once cannot both win. GSI1 lists a shop's
complaints newest first; GSI2 keys the province's complaints by status, which is the
regulator's work queue.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.complaint import Complaint, Correction
from chalicelib.services.ports import ComplaintExistsError, StaleVersionError

KIND_COMPLAINT = "complaint"


class DynamoComplaintRepository(TableAdapter):
    def get(self, complaint_id: str) -> Complaint | None:
        item = self._get(keys.complaint_pk(complaint_id), keys.COMPLAINT)
        return _complaint_from(item) if item else None

    def stored(self, complaint_id: str) -> tuple[Complaint, str] | None:
        item = self._get(keys.complaint_pk(complaint_id), keys.COMPLAINT)
        return (_complaint_from(item), str(item["content_hash"])) if item else None

    def create(self, complaint: Complaint, content_hash: str) -> None:
        if not self._put_new({**_complaint_item(complaint), "content_hash": content_hash}):
            raise ComplaintExistsError(complaint.complaint_id)

    def save(self, complaint: Complaint) -> None:
        stored = self._get(keys.complaint_pk(complaint.complaint_id), keys.COMPLAINT)
        item = {**_complaint_item(complaint), "content_hash": (stored or {}).get("content_hash")}
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(item),
                    ConditionExpression="version = :previous",
                    ExpressionAttributeValues={":previous": to_value(complaint.version - 1)},
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise StaleVersionError(complaint.complaint_id) from exc
            raise

    def by_shop(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]:
        partition = (keys.GSI1PK, keys.shop_complaints_gsi_pk(companycode))
        return self._complaints(self._page(partition, limit, cursor, index=keys.GSI1))

    def queue(
        self, province_code: str, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]:
        partition = (keys.GSI2PK, keys.complaint_queue_gsi_pk(province_code, status))
        page = self._page(partition, limit, cursor, index=keys.GSI2, newest_first=False)
        return self._complaints(page)

    def _complaints(
        self, page: tuple[list[dict[str, Any]], str | None]
    ) -> tuple[list[Complaint], str | None]:
        """The index projects keys only for complaints: read each complaint itself."""
        items, next_cursor = page
        ids = [str(i["PK"]).removeprefix("COMPLAINT#") for i in items]
        return [c for c in (self.get(i) for i in ids) if c is not None], next_cursor


def _complaint_item(c: Complaint) -> dict[str, Any]:
    created = c.created_at.isoformat()
    return {
        **keys.key(keys.complaint_pk(c.complaint_id), keys.COMPLAINT),
        keys.GSI1PK: keys.shop_complaints_gsi_pk(c.companycode),
        keys.GSI1SK: f"{created}#{c.complaint_id}",
        keys.GSI2PK: keys.complaint_queue_gsi_pk(c.companycode[:2] + "0000", c.status),
        keys.GSI2SK: f"{created}#{c.complaint_id}",
        "kind": KIND_COMPLAINT,
        "complaint_id": c.complaint_id,
        "complaint_kind": c.kind,
        "status": c.status,
        "version": c.version,
        "companycode": c.companycode,
        "vin": c.vin,
        "plate_number": c.plate_number,
        "settlement_list_code": c.settlement_list_code,
        "settlement_date": c.settlement_date.isoformat() if c.settlement_date else None,
        "text": c.text,
        "created_at": created,
        "updated_at": c.updated_at.isoformat(),
        "record_id": c.record_id,
        "record_version": c.record_version,
        "photo_key": c.photo_key,
        "photo_type": c.photo_type,
        "contact_phone": c.contact_phone,
        "regulator_reason": c.regulator_reason,
        "regulator_actor": c.regulator_actor,
        "shop_read_at": _iso(c.shop_read_at),
        "shop_reply": c.shop_reply,
        "shop_replied_at": _iso(c.shop_replied_at),
        "correction": c.correction.to_dict() if c.correction else None,
        "outcome_note": c.outcome_note,
        "closed_at": _iso(c.closed_at),
    }


def _complaint_from(item: dict[str, Any]) -> Complaint:
    correction = item.get("correction")
    return Complaint(
        complaint_id=item["complaint_id"],
        kind=item["complaint_kind"],
        status=item["status"],
        version=int(item["version"]),
        companycode=item["companycode"],
        vin=item["vin"],
        plate_number=item.get("plate_number", ""),
        settlement_list_code=item["settlement_list_code"],
        settlement_date=_date(item.get("settlement_date")),
        text=item["text"],
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        record_id=item.get("record_id"),
        record_version=int(item["record_version"]) if item.get("record_version") else None,
        photo_key=item.get("photo_key"),
        photo_type=item.get("photo_type"),
        contact_phone=item.get("contact_phone"),
        regulator_reason=item.get("regulator_reason"),
        regulator_actor=item.get("regulator_actor"),
        shop_read_at=_datetime(item.get("shop_read_at")),
        shop_reply=item.get("shop_reply"),
        shop_replied_at=_datetime(item.get("shop_replied_at")),
        correction=Correction(**correction) if correction else None,
        outcome_note=item.get("outcome_note"),
        closed_at=_datetime(item.get("closed_at")),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
