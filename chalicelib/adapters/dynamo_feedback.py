"""FeedbackRepository on the province table: evaluations and rating totals.

Why: an evaluation is written once per record, and the shop's and province's rating totals
must count it exactly once; the evaluation, its `attribute_not_exists` guard and both `ADD`s
are therefore one transaction, so a retried or concurrent evaluation can never count twice
and a failed one counts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import cancellation_reasons, error_code, translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.evaluation import SCORE_DIMENSIONS, Evaluation, RatingTotals
from chalicelib.errors import ConflictError
from chalicelib.services.ports import EvaluationExistsError

KIND_EVALUATION = "evaluation"


class DynamoFeedbackRepository(TableAdapter):
    def evaluation(self, record_id: str) -> Evaluation | None:
        item = self._get(keys.record_pk(record_id), keys.EVALUATION)
        return _evaluation_from(item) if item else None

    def evaluations(self, record_ids: Sequence[str]) -> dict[str, Evaluation]:
        keyed = [keys.key(keys.record_pk(r), keys.EVALUATION) for r in dict.fromkeys(record_ids)]
        return {e.record_id: e for e in (_evaluation_from(i) for i in self._batch_get(keyed))}

    def add_evaluation(self, evaluation: Evaluation, province_code: str) -> None:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(_evaluation_item(evaluation)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        shop_key = keys.key(keys.shop_pk(evaluation.companycode), keys.RATING)
        province_key = keys.key(keys.province_rating_pk(province_code), keys.RATING)
        actions = [
            put,
            self._add_totals(shop_key, evaluation),
            self._add_totals(province_key, evaluation),
        ]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=actions)
        except Exception as exc:
            reasons = cancellation_reasons(exc)
            if error_code(exc) == "TransactionCanceledException" and reasons[:1] == [
                "ConditionalCheckFailed"
            ]:
                raise EvaluationExistsError(evaluation.record_id) from exc
            raise

    def set_reply(self, record_id: str, reply: str, at: datetime) -> None:
        try:
            with translate_errors():
                self.client.update_item(
                    TableName=self._table,
                    Key=to_item(keys.key(keys.record_pk(record_id), keys.EVALUATION)),
                    UpdateExpression="SET reply = :reply, replied_at = :at",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(reply)",
                    ExpressionAttributeValues=to_item({":reply": reply, ":at": at.isoformat()}),
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConflictError(
                    "the shop has replied to this evaluation already", code="already_replied"
                ) from exc
            raise

    def shop_evaluations(
        self, companycode: str, limit: int, cursor: str | None
    ) -> tuple[list[Evaluation], str | None]:
        partition = (keys.GSI1PK, keys.shop_evaluations_gsi_pk(companycode))
        items, next_cursor = self._page(partition, limit, cursor, index=keys.GSI1)
        record_ids = [str(i["PK"]).removeprefix("REC#") for i in items]
        found = self.evaluations(record_ids)
        return [found[r] for r in record_ids if r in found], next_cursor

    def shop_totals(self, companycodes: Sequence[str]) -> dict[str, RatingTotals]:
        keyed = [keys.key(keys.shop_pk(c), keys.RATING) for c in sorted(set(companycodes))]
        return {
            item["PK"].removeprefix("SHOP#"): _totals_from(item) for item in self._batch_get(keyed)
        }

    def province_totals(self, province_code: str) -> RatingTotals:
        item = self._get(keys.province_rating_pk(province_code), keys.RATING, consistent=False)
        return _totals_from(item) if item else RatingTotals()

    def _add_totals(self, key: dict[str, str], evaluation: Evaluation) -> dict[str, Any]:
        names = {"#count": "count"}
        values: dict[str, Any] = {":one": to_value(1)}
        parts = ["#count :one"]
        for dimension in SCORE_DIMENSIONS:
            names[f"#s_{dimension}"] = f"sum_{dimension}"
            values[f":s_{dimension}"] = to_value(evaluation.scores[dimension])
            parts.append(f"#s_{dimension} :s_{dimension}")
        for index, tag in enumerate(sorted(set(evaluation.tags))):
            names[f"#t{index}"] = f"tag_{tag}"
            parts.append(f"#t{index} :one")
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(key),
                "UpdateExpression": "ADD " + ", ".join(parts) + " SET kind = :kind",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {**values, ":kind": to_value("rating_totals")},
            }
        }


def _evaluation_item(evaluation: Evaluation) -> dict[str, Any]:
    created = evaluation.created_at.isoformat()
    return {
        **keys.key(keys.record_pk(evaluation.record_id), keys.EVALUATION),
        keys.GSI1PK: keys.shop_evaluations_gsi_pk(evaluation.companycode),
        keys.GSI1SK: f"{created}#{evaluation.record_id}",
        "kind": KIND_EVALUATION,
        "record_id": evaluation.record_id,
        "companycode": evaluation.companycode,
        "vin": evaluation.vin,
        "settlement_date": evaluation.settlement_date,
        "scores": dict(evaluation.scores),
        "tags": list(evaluation.tags) or None,
        "text": evaluation.text or None,
        "content_hash": evaluation.content_hash(),
        "created_at": created,
    }


def _evaluation_from(item: dict[str, Any]) -> Evaluation:
    replied = item.get("replied_at")
    return Evaluation(
        record_id=item["record_id"],
        companycode=item["companycode"],
        vin=item["vin"],
        settlement_date=item["settlement_date"],
        scores={k: int(v) for k, v in item["scores"].items()},
        tags=tuple(item.get("tags") or ()),
        text=item.get("text") or "",
        created_at=datetime.fromisoformat(item["created_at"]),
        reply=item.get("reply"),
        replied_at=datetime.fromisoformat(replied) if replied else None,
    )


def _totals_from(item: dict[str, Any]) -> RatingTotals:
    return RatingTotals(
        count=int(item.get("count", 0)),
        sums={d: int(item.get(f"sum_{d}", 0)) for d in SCORE_DIMENSIONS},
        tag_counts={
            k.removeprefix("tag_"): int(v) for k, v in item.items() if k.startswith("tag_")
        },
    )
