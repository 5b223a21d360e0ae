"""Service evaluations (评价): the owner rates a repair once; the shop may reply once.

Why: ratings help owners choose shops, so each must come from someone holding the settlement
list (VIN + plate + settlement number, see `record_proof`) and count exactly once. A retry with
the same content answers the stored evaluation; different content for an evaluated record is
a conflict (an evaluation is final). Shop ratings are shrunk averages (domain/evaluation.py).

Delivery semantics: idempotent under retries; the storage write is one conditional
transaction that also updates the rating totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.evaluation import (
    REPLY_MAX_LENGTH,
    Evaluation,
    RatingTotals,
    ShopRating,
    shop_rating,
)
from chalicelib.domain.shop import Shop
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from chalicelib.observability import metrics
from chalicelib.services.ports import (
    AuditLog,
    Clock,
    EvaluationExistsError,
    FeedbackRepository,
    RecordRepository,
)
from chalicelib.services.record_proof import proven_record

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class EvaluationRequest:
    vin: str
    plate: str
    settlement_list_code: str
    scores: dict[str, int]
    tags: tuple[str, ...]
    text: str


class EvaluationService:
    def __init__(
        self,
        records: RecordRepository,
        feedback: FeedbackRepository,
        audit: AuditLog,
        clock: Clock,
        province_code: str,
    ) -> None:
        self._records = records
        self._feedback = feedback
        self._audit = audit
        self._clock = clock
        self._province = province_code

    def evaluate(self, request: EvaluationRequest, *, source_ip: str) -> tuple[Evaluation, bool]:
        """Store the owner's evaluation; answer (evaluation, created?).

        Raises
        ------
        NotFoundError
            The proof fails (one answer whatever part is wrong).
        ConflictError
            The record was evaluated already with other content (`already_evaluated`).
        """
        record = proven_record(
            self._records, request.vin, request.plate, request.settlement_list_code
        )
        evaluation = Evaluation(
            record_id=record.record_id,
            companycode=record.companycode,
            vin=record.content.vin,
            settlement_date=record.content.settlement_date.isoformat(),
            scores=dict(request.scores),
            tags=tuple(dict.fromkeys(request.tags)),
            text=request.text.strip(),
            created_at=self._clock.now(),
        )
        for _ in range(2):
            existing = self._feedback.evaluation(record.record_id)
            if existing is not None:
                if existing.content_hash() != evaluation.content_hash():
                    raise ConflictError(
                        "this repair has been evaluated already", code="already_evaluated"
                    )
                return existing, False
            try:
                self._feedback.add_evaluation(evaluation, self._province)
            except EvaluationExistsError:
                continue
            self._audit.append(
                actor="public",
                action="evaluation.create",
                target=record.record_id,
                source_ip=source_ip,
                details={"companycode": record.companycode},
            )
            metrics.add_metric(name="EvaluationAccepted", unit="Count", value=1)
            return evaluation, True
        raise ConflictError("this repair has been evaluated already", code="already_evaluated")

    def reply(self, shop: Shop, record_id: str, text: str) -> Evaluation:
        """The shop's one public reply. Another shop's evaluation answers NotFoundError."""
        evaluation = self.own(shop, record_id)
        text = text.strip()
        if not text or len(text) > REPLY_MAX_LENGTH:
            raise ValidationFailedError(
                [FieldError("text", "length", f"text must be 1–{REPLY_MAX_LENGTH} characters")]
            )
        if evaluation.reply is not None:
            if evaluation.reply == text:
                return evaluation
            raise ConflictError("the shop has replied already", code="already_replied")
        self._feedback.set_reply(record_id, text, self._clock.now())
        replied = self._feedback.evaluation(record_id)
        assert replied is not None
        return replied

    def own(self, shop: Shop, record_id: str) -> Evaluation:
        evaluation = self._feedback.evaluation(record_id) if len(record_id) == 32 else None
        if evaluation is None or evaluation.companycode != shop.companycode:
            raise NotFoundError("no such evaluation")
        return evaluation

    def for_shop(
        self, shop: Shop, limit: int, cursor: str | None
    ) -> tuple[list[Evaluation], str | None]:
        return self._feedback.shop_evaluations(
            shop.companycode, min(max(limit, 1), MAX_PAGE_SIZE), cursor
        )

    def evaluations_of(self, record_ids: Sequence[str]) -> dict[str, Evaluation]:
        return self._feedback.evaluations(record_ids) if record_ids else {}

    def ratings(self, companycodes: Sequence[str]) -> dict[str, ShopRating]:
        """Shrunk ratings of these shops (shops nobody rated get the province prior)."""
        if not companycodes:
            return {}
        province = self._feedback.province_totals(self._province)
        totals = self._feedback.shop_totals(companycodes)
        return {
            cc: shop_rating(cc, totals.get(cc, RatingTotals()), province)
            for cc in dict.fromkeys(companycodes)
        }
