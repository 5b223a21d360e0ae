"""Complaints (投诉): submitted by owners, handled by the regulator, answered by the shop.

Why: a complaint is the owner's way to say a record is missing ("not uploaded") or wrong
("incorrect"), with an optional photo of the settlement voucher. Its workflow is in
`domain/complaint.py`; this service adds proof, idempotency, storage, audit and who may see
what:
- the complainant follows it with its code (a keyed hash of what it is about, who filed it
  and how many they filed before: a retry gets the same code, nobody can guess one);
- several people may complain about one record, one open complaint per contact phone, so
  the shop, which holds the settlement list too, cannot file first and block the owner;
- the regulator sees everything, including the photo and the phone, every read audited;
- the shop sees only accepted complaints about itself, never the complainant's phone, marks
  them read and replies once, optionally pointing to the correction that answers it.

Delivery semantics: submissions and every step are idempotent under retries (a repeated step
answers the current state) and every change is a conditional write on the complaint version.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.china_time import latest_allowed_date
from chalicelib.domain.complaint import (
    KINDS,
    MAX_GENERATIONS,
    OPEN_STATUSES,
    PHOTO_MAX_BYTES,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    VISIBLE_TO_SHOP,
    Complaint,
    ComplaintKind,
    Correction,
    check_text,
    is_open,
    normalize_contact,
    photo_type,
    step,
)
from chalicelib.domain.plate import normalize_plate
from chalicelib.domain.record import EARLIEST_DATE, record_id_for
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.domain.vin import normalize_vin
from chalicelib.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.observability import metrics
from chalicelib.services.audit import Actor
from chalicelib.services.ports import (
    AuditLog,
    Clock,
    ComplaintExistsError,
    ComplaintRepository,
    PhotoStore,
    RecordRepository,
    ShopRepository,
    StaleVersionError,
)
from chalicelib.services.record_proof import proven_record

MAX_PAGE_SIZE = 100
MAX_ATTEMPTS = 4
CODE_PREFIX = "TS"
_OUTCOMES = ("resolved", "unresolved")


@dataclass(frozen=True)
class ComplaintSubmission:
    kind: str
    vin: str
    plate: str
    settlement_list_code: str
    text: str
    companycode: str = ""
    settlement_date: date | None = None
    contact_phone: str = ""
    photo: bytes | None = None


class ComplaintService:
    def __init__(
        self,
        *,
        records: RecordRepository,
        complaints: ComplaintRepository,
        photos: PhotoStore | None,
        shops: ShopRepository,
        audit: AuditLog,
        clock: Clock,
        id_key: bytes,
        province_code: str,
        clock_skew_seconds: int,
    ) -> None:
        self._records = records
        self._complaints = complaints
        self._photos = photos
        self._shops = shops
        self._audit = audit
        self._clock = clock
        self._key = id_key
        # A key of its own for contacts, derived from the id key: a contact digest is never
        # the same value as any complaint code.
        self._contact_key = hmac.new(id_key, b"complaint-contact", hashlib.sha256).digest()
        self._province = province_code
        self._skew = clock_skew_seconds

    # --- the owner -------------------------------------------------------------------------

    def submit(self, submission: ComplaintSubmission, *, source_ip: str) -> tuple[Complaint, bool]:
        """File a complaint; answer (complaint, created?). A retry answers the same complaint.

        Who files is known only by the contact phone given (normalised, under a keyed hash):
        each contact holds at most one open complaint about one subject (a record; or, "not
        uploaded", a shop's settlement number for the complainant's VIN and plate), and may
        file again once it is rejected or closed. Without a contact, each distinct
        submission is a complaint of its own. So nobody, not even the shop holding the
        settlement list, can file first and keep the owner from filing.

        Raises
        ------
        ValidationFailedError
            A field breaks its rule (kind, text, date, shop, photo type or size).
        NotFoundError
            "incorrect": the VIN + plate + settlement number proof fails (one answer).
        ConflictError
            `complaint_exists` (this contact's complaint about the subject is still open, with
            other content), `complaint_limit` (this contact filed `MAX_GENERATIONS` about it)
            or `record_uploaded` ("not uploaded", but the record is there and its VIN and
            plate match).
        """
        if submission.kind not in KINDS:
            raise _invalid("kind", "one_of", f"kind must be one of {', '.join(KINDS)}")
        text = check_text("text", submission.text, TEXT_MAX_LENGTH)
        image_type = self._check_photo(submission.photo)
        complaint, subject = self._subject(submission, text)
        content_hash = _content_hash(complaint, submission.photo)
        submitter = self._submitter(complaint, content_hash)
        for _ in range(MAX_ATTEMPTS):
            complaint_id, repeated = self._slot(complaint.kind, subject, submitter, content_hash)
            if repeated is not None:
                return repeated, False  # a retry, even once the record has been uploaded since
            filed = dataclasses.replace(complaint, complaint_id=complaint_id)
            created = self._create(filed, content_hash, submission.photo, image_type, source_ip)
            if created is not None:
                return created, True
            # Another request took this id between the lookup and the write: look again.
        raise ServiceUnavailableError("the complaint is being filed; retry", 1)

    def follow(self, code: str) -> Complaint:
        """The complaint behind a code the complainant holds (NotFoundError otherwise)."""
        code = code.strip().upper()
        complaint = self._complaints.get(code) if _plausible_code(code) else None
        if complaint is None:
            raise NotFoundError("no complaint has this code")
        return complaint

    # --- the regulator ---------------------------------------------------------------------

    def queue(
        self,
        status: str,
        limit: int,
        cursor: str | None,
        *,
        divisions: tuple[str, ...] | None = None,
    ) -> tuple[list[Complaint], str | None]:
        """The province's complaints with this status, oldest first, optionally by district."""
        if status not in ("submitted", "accepted", "rejected", "replied", *_OUTCOMES):
            raise _invalid("status", "one_of", "unknown complaint status")
        items, next_cursor = self._complaints.queue(
            self._province, status, min(max(limit, 1), MAX_PAGE_SIZE), cursor
        )
        if divisions is not None:
            items = [c for c in items if c.division_code in divisions]
        return items, next_cursor

    def owner_of(self, complaint_id: str) -> str:
        """The companycode a complaint is about (for the caller's scope check), or NotFound."""
        return self._get(complaint_id).companycode

    def for_regulator(self, complaint_id: str, actor: Actor) -> Complaint:
        complaint = self._get(complaint_id)
        self._log(actor, "complaint.read", complaint)
        return complaint

    def photo(self, complaint_id: str, actor: Actor) -> tuple[bytes, str]:
        complaint = self._get(complaint_id)
        if complaint.photo_key is None or complaint.photo_type is None:
            raise NotFoundError("this complaint has no photo")
        data = self._photo_store().get(complaint.photo_key)
        self._log(actor, "complaint.photo_read", complaint)
        return data, complaint.photo_type

    def accept(self, complaint_id: str, actor: Actor) -> Complaint:
        return self._change(
            complaint_id,
            "accept",
            "regulator",
            actor,
            lambda c, now: dataclasses.replace(
                c, status="accepted", regulator_actor=actor.actor_id
            ),
            already=lambda c: c.status == "accepted",
        )

    def reject(self, complaint_id: str, reason: str, actor: Actor) -> Complaint:
        reason = check_text("reason", reason, REASON_MAX_LENGTH)
        return self._change(
            complaint_id,
            "reject",
            "regulator",
            actor,
            lambda c, now: dataclasses.replace(
                c, status="rejected", regulator_reason=reason, regulator_actor=actor.actor_id
            ),
            already=lambda c: c.status == "rejected" and c.regulator_reason == reason,
        )

    def close(self, complaint_id: str, outcome: str, note: str, actor: Actor) -> Complaint:
        if outcome not in _OUTCOMES:
            raise _invalid("outcome", "one_of", "outcome must be resolved or unresolved")
        note = check_text("note", note, REASON_MAX_LENGTH, required=False)
        return self._change(
            complaint_id,
            "close",
            "regulator",
            actor,
            lambda c, now: dataclasses.replace(
                c,
                status=outcome,  # type: ignore[arg-type]
                outcome_note=note or None,
                closed_at=now,
                regulator_actor=actor.actor_id,
            ),
            already=lambda c: c.status == outcome,
        )

    # --- the shop --------------------------------------------------------------------------

    def for_shop(
        self, shop: Shop, limit: int, cursor: str | None
    ) -> tuple[list[Complaint], str | None]:
        """Complaints about the shop that the regulator accepted, newest first."""
        items, next_cursor = self._complaints.by_shop(
            shop.companycode, min(max(limit, 1), MAX_PAGE_SIZE), cursor
        )
        return [c for c in items if c.status in VISIBLE_TO_SHOP], next_cursor

    def shop_complaint(self, shop: Shop, complaint_id: str) -> Complaint:
        complaint = self._complaints.get(complaint_id) if _plausible_code(complaint_id) else None
        if (
            complaint is None
            or complaint.companycode != shop.companycode
            or complaint.status not in VISIBLE_TO_SHOP
        ):
            raise NotFoundError("no such complaint")
        return complaint

    def mark_read(self, shop: Shop, complaint_id: str, source_ip: str) -> Complaint:
        """The shop's read receipt (the first reading time is kept)."""
        for _ in range(MAX_ATTEMPTS):
            complaint = self.shop_complaint(shop, complaint_id)
            if complaint.shop_read_at is not None:
                return complaint
            read = dataclasses.replace(
                complaint,
                shop_read_at=self._clock.now(),
                version=complaint.version + 1,
                updated_at=self._clock.now(),
            )
            try:
                self._complaints.save(read)
            except StaleVersionError:
                continue
            self._log(Actor(f"shop:{shop.companycode}", source_ip), "complaint.shop_read", read)
            return read
        raise ServiceUnavailableError("the complaint is being changed; retry", 1)

    def reply(
        self, shop: Shop, complaint_id: str, text: str, link_correction: bool, source_ip: str
    ) -> Complaint:
        """The shop's one reply, optionally pointing to the correction that answers it."""
        text = check_text("text", text, REPLY_MAX_LENGTH)
        complaint = self.shop_complaint(shop, complaint_id)
        if complaint.status == "replied" and complaint.shop_reply == text:
            return complaint
        if complaint.status != "accepted":
            step(complaint, "reply", "shop")  # raises: only an accepted complaint is answered
            raise ConflictError("the shop has replied already", code="already_replied")
        correction = self._correction(complaint) if link_correction else None
        actor = Actor(f"shop:{shop.companycode}", source_ip)

        def answered(c: Complaint, now: datetime) -> Complaint:
            return dataclasses.replace(
                c,
                status="replied",
                shop_reply=text,
                shop_replied_at=now,
                shop_read_at=c.shop_read_at or now,
                correction=correction,
            )

        return self._change(complaint_id, "reply", "shop", actor, answered, already=lambda c: False)

    # --- internals -------------------------------------------------------------------------

    def _subject(self, submission: ComplaintSubmission, text: str) -> tuple[Complaint, str]:
        """The complaint as filed (not yet with its id) and what it is about."""
        now = self._clock.now()
        if submission.kind == "incorrect":
            record = proven_record(
                self._records, submission.vin, submission.plate, submission.settlement_list_code
            )
            complaint = _new(submission, "incorrect", now, text, record.companycode)
            complaint = dataclasses.replace(
                complaint,
                vin=record.content.vin,
                plate_number=record.content.plate_number,
                settlement_list_code=record.content.settlement_list_code,
                settlement_date=record.content.settlement_date,
                record_id=record.record_id,
                record_version=record.version,
            )
            return complaint, record.record_id
        complaint = self._not_uploaded(submission, now, text)
        # The complainant's own VIN and plate are part of the subject: a stranger naming the
        # same shop and settlement number complains about another vehicle.
        subject = "\x1f".join(
            (
                complaint.companycode,
                complaint.settlement_list_code,
                complaint.vin,
                complaint.plate_number,
            )
        )
        return complaint, subject

    def _submitter(self, complaint: Complaint, content_hash: str) -> str:
        """Who files, as far as anyone can tell without accounts: the contact phone under a
        keyed hash (never in clear in a key, not enumerable from public facts), or, with no
        contact, the submission itself."""
        contact = normalize_contact(complaint.contact_phone or "")
        if not contact:
            return "content:" + content_hash
        return (
            "contact:" + hmac.new(self._contact_key, contact.encode(), hashlib.sha256).hexdigest()
        )

    def _slot(
        self, kind: str, subject: str, submitter: str, content_hash: str
    ) -> tuple[str, Complaint | None]:
        """The id this submission is filed under, or the complaint it repeats.

        The submitter's complaints about the subject are generations 1, 2, ... of one keyed
        id; each is filed only once the one before is rejected or closed. Walking them oldest
        first: the same content is this submission again (a retry, answered in whatever state
        it is now); an open one with other content refuses; the first free generation is the
        id to file under (written with `attribute_not_exists`, so two racing requests cannot
        both take it).
        """
        for generation in range(1, MAX_GENERATIONS + 1):
            complaint_id = self._complaint_id(kind, subject, submitter, generation)
            stored = self._complaints.stored(complaint_id)
            if stored is None:
                return complaint_id, None
            earlier, earlier_hash = stored
            if hmac.compare_digest(earlier_hash, content_hash):
                return complaint_id, earlier
            if is_open(earlier):
                raise ConflictError(
                    "your complaint about this record or settlement list is still open; follow "
                    "it with its code (you may file again once it is rejected or closed)",
                    code="complaint_exists",
                )
        raise ConflictError(
            f"at most {MAX_GENERATIONS} complaints per contact about one record or settlement list",
            code="complaint_limit",
        )

    def _create(
        self,
        complaint: Complaint,
        content_hash: str,
        photo: bytes | None,
        image_type: str | None,
        source_ip: str,
    ) -> Complaint | None:
        """Store a new complaint (its photo first); None if its id was taken meanwhile."""
        if complaint.kind == "not_uploaded":
            self._refuse_if_uploaded(complaint)
        if photo is not None and image_type is not None:
            # One object per submission: a request that loses the race for this id never
            # overwrites the winner's photo.
            key = f"complaints/{complaint.complaint_id}/voucher-{content_hash[:16]}"
            self._photo_store().put(key, photo, image_type)
            complaint = dataclasses.replace(complaint, photo_key=key, photo_type=image_type)
        try:
            self._complaints.create(complaint, content_hash)
        except ComplaintExistsError:
            return None
        self._audit.append(
            actor="public",
            action="complaint.create",
            target=complaint.complaint_id,
            source_ip=source_ip,
            details={"kind": complaint.kind, "companycode": complaint.companycode},
        )
        metrics.add_metric(name="ComplaintFiled", unit="Count", value=1)
        return complaint

    def _not_uploaded(self, submission: ComplaintSubmission, now: datetime, text: str) -> Complaint:
        errors: list[FieldError] = []
        companycode = submission.companycode.strip()
        shop = None
        if COMPANYCODE_PATTERN.match(companycode) and companycode.startswith(self._province[:2]):
            shop = self._shops.get(companycode)
        if shop is None:
            errors.append(FieldError("companycode", "registered_shop", "no such shop here"))
        day = submission.settlement_date
        if day is None:
            errors.append(FieldError("settlement_date", "required", "settlement_date is required"))
        elif day > latest_allowed_date(self._clock.now(), self._skew) or day < EARLIEST_DATE:
            errors.append(
                FieldError("settlement_date", "past_date", "settlement_date must be a past date")
            )
        vin, plate = normalize_vin(submission.vin), normalize_plate(submission.plate)
        code = submission.settlement_list_code.strip()
        if not 0 < len(vin) <= 32:
            errors.append(FieldError("vin", "length", "vin must be 1–32 characters"))
        if not plate:
            errors.append(FieldError("plate", "required", "plate is required"))
        if not 0 < len(code) <= 50:
            errors.append(
                FieldError("settlement_list_code", "length", "settlement number: 1–50 characters")
            )
        if errors:
            raise ValidationFailedError(errors)
        complaint = _new(submission, "not_uploaded", now, text, companycode)
        return dataclasses.replace(
            complaint, vin=vin, plate_number=plate, settlement_list_code=code, settlement_date=day
        )

    def _refuse_if_uploaded(self, complaint: Complaint) -> None:
        """ConflictError `record_uploaded` only for the full proof of the record: shop,
        settlement number, VIN *and* the plate on the record, as for an evaluation.

        With anything short of that the complaint is filed, exactly as if no such record
        existed, so the answer never tells a stranger that a settlement list is on file.
        The regulator, who sees the record, sorts such a complaint out.
        """
        record = self._records.get(
            record_id_for(complaint.companycode, complaint.settlement_list_code)
        )
        if (
            record is not None
            and record.status == "active"
            and hmac.compare_digest(record.content.vin.encode(), complaint.vin.encode())
            and hmac.compare_digest(
                record.content.plate_number.encode(), complaint.plate_number.encode()
            )
        ):
            raise ConflictError(
                "this settlement list has been uploaded: look up the vehicle's history",
                code="record_uploaded",
            )

    def _correction(self, complaint: Complaint) -> Correction:
        record_id = complaint.record_id or record_id_for(
            complaint.companycode, complaint.settlement_list_code
        )
        record = self._records.get(record_id, consistent=True)
        newer = complaint.record_version is None or (
            record is not None and record.version > complaint.record_version
        )
        if record is None or record.status != "active" or not newer:
            raise ConflictError(
                "upload the correction (or the missing record) first, then reply",
                code="no_correction",
            )
        return Correction(
            record_id=record.record_id,
            version=record.version,
            corrected_at=record.updated_at.isoformat(),
            reason=record.reason,
        )

    def _change(
        self,
        complaint_id: str,
        action: str,
        actor_kind: str,
        actor: Actor,
        apply: Callable[[Complaint, datetime], Complaint],
        *,
        already: Callable[[Complaint], bool],
    ) -> Complaint:
        for _ in range(MAX_ATTEMPTS):
            complaint = self._get(complaint_id)
            if already(complaint):
                return complaint
            step(complaint, action, actor_kind)
            now = self._clock.now()
            changed = apply(complaint, now)
            changed = dataclasses.replace(changed, version=complaint.version + 1, updated_at=now)
            try:
                self._complaints.save(changed)
            except StaleVersionError:
                continue
            self._log(actor, f"complaint.{action}", changed)
            metrics.add_metric(name=f"Complaint{action.title()}", unit="Count", value=1)
            return changed
        raise ServiceUnavailableError("the complaint is being changed; retry", 1)

    def _get(self, complaint_id: str) -> Complaint:
        complaint = self._complaints.get(complaint_id) if _plausible_code(complaint_id) else None
        if complaint is None:
            raise NotFoundError("no such complaint")
        return complaint

    def _check_photo(self, photo: bytes | None) -> str | None:
        if photo is None:
            return None
        if len(photo) > PHOTO_MAX_BYTES:
            raise _invalid("photo", "max_bytes", "the photo must be at most 2 MB")
        kind = photo_type(photo)
        if kind is None:
            raise _invalid("photo", "jpeg_or_png", "the photo must be a JPEG or PNG image")
        return kind

    def _photo_store(self) -> PhotoStore:
        if self._photos is None:
            raise ServiceUnavailableError("photo storage is not configured", 60)
        return self._photos

    def _complaint_id(self, kind: str, subject: str, submitter: str, generation: int) -> str:
        message = "\x1f".join((kind, subject, submitter, str(generation)))
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()
        return CODE_PREFIX + base64.b32encode(digest[:10]).decode("ascii")

    def _log(self, actor: Actor, action: str, complaint: Complaint) -> None:
        self._audit.append(
            actor=actor.actor_id,
            role=actor.role,
            action=action,
            target=complaint.complaint_id,
            source_ip=actor.source_ip,
            user_agent=actor.user_agent,
            details={"companycode": complaint.companycode, "status": complaint.status},
        )


def _new(
    submission: ComplaintSubmission, kind: ComplaintKind, now: datetime, text: str, cc: str
) -> Complaint:
    phone = submission.contact_phone.strip()
    if phone and (len(phone) > 20 or not all(ch.isdigit() or ch in "+- " for ch in phone)):
        raise _invalid("contact_phone", "pattern", "contact_phone: digits, spaces, + and -")
    return Complaint(
        complaint_id="",
        kind=kind,
        status="submitted",
        companycode=cc,
        vin="",
        plate_number="",
        settlement_list_code="",
        settlement_date=None,
        text=text,
        created_at=now,
        updated_at=now,
        contact_phone=phone or None,
    )


def _content_hash(complaint: Complaint, photo: bytes | None) -> str:
    facts = {
        "kind": complaint.kind,
        "companycode": complaint.companycode,
        "vin": complaint.vin,
        "plate": complaint.plate_number,
        "code": complaint.settlement_list_code,
        "date": complaint.settlement_date.isoformat() if complaint.settlement_date else None,
        "text": complaint.text,
        "phone": normalize_contact(complaint.contact_phone or ""),
        "photo": hashlib.sha256(photo).hexdigest() if photo else None,
    }
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plausible_code(code: str) -> bool:
    return len(code) == 18 and code.startswith(CODE_PREFIX) and code[2:].isalnum()


def _invalid(field: str, rule: str, message: str) -> ValidationFailedError:
    return ValidationFailedError([FieldError(field, rule, message)])


__all__ = ["OPEN_STATUSES", "Actor", "ComplaintService", "ComplaintSubmission"]
