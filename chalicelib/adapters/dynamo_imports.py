"""ImportStore on the province table: import jobs, their chunks and per-row outcomes.

Why: an import is stored before any row is uploaded, so the request that receives the file
returns at once and a stream handler uploads chunk after chunk. Chunks are written first and
the job item last: the job page exists only once every chunk is stored. Outcomes of uploaded
rows are written with `attribute_not_exists`, so a chunk delivered twice keeps its first
outcomes. Everything expires after 30 days (TTL).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import from_item, to_item
from chalicelib.adapters.dynamo_errors import error_code, translate_errors
from chalicelib.adapters.import_items import (
    chunk_item,
    job_from,
    job_item,
    outcomes_from,
    outcomes_item,
)
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.domain.record_import import ImportChunk, ImportJob, RowOutcome
from chalicelib.errors import ServiceUnavailableError

BATCH_WRITE_LIMIT = 25  # DynamoDB refuses more (moto does not: enforce it here)
MAX_BATCH_ROUNDS = 8


class DynamoImportStore(TableAdapter):
    def store(
        self,
        job: ImportJob,
        chunks: list[ImportChunk],
        refused: list[tuple[int, list[RowOutcome]]],
    ) -> None:
        """Write the chunks and the up-front refusals, then the job item.

        Raises ServiceUnavailableError if storage stays busy; the job item is then not written
        (the shop sees an error and imports the file again; stored rows read `unchanged`).
        """
        now = job.created_at
        items = [chunk_item(chunk, now) for chunk in chunks]
        items += [outcomes_item(job.job_id, i, "checked", o, now) for i, o in refused]
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            self._batch_put(items[start : start + BATCH_WRITE_LIMIT])
        with translate_errors():
            self.client.put_item(
                TableName=self._table,
                Item=to_item(job_item(job)),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def put_outcomes(
        self, job_id: str, index: int, phase: str, outcomes: list[RowOutcome], now: datetime
    ) -> bool:
        """Store a chunk's outcomes once; False if they were stored already (a redelivery)."""
        try:
            with translate_errors():
                self.client.put_item(
                    TableName=self._table,
                    Item=to_item(outcomes_item(job_id, index, phase, outcomes, now)),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def has_outcomes(self, job_id: str, index: int, phase: str) -> bool:
        with translate_errors():
            response = self.client.get_item(
                TableName=self._table,
                Key=to_item(keys.key(keys.import_pk(job_id), keys.import_result_sk(index, phase))),
                ConsistentRead=True,
                ProjectionExpression="PK",
            )
        return "Item" in response

    def job(self, job_id: str) -> ImportJob | None:
        item = self._get(keys.import_pk(job_id), keys.IMPORT_JOB)
        return job_from(item) if item else None

    def outcomes(self, job_id: str) -> tuple[list[RowOutcome], int]:
        """Every stored outcome of a job, and how many chunks have reported their uploads."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.import_pk(job_id), ":prefix": keys.import_result_prefix()}
            ),
            "ConsistentRead": True,
        }
        outcomes: list[RowOutcome] = []
        uploaded = 0
        while True:
            with translate_errors():
                response = self.client.query(**request)
            for raw in response.get("Items", []):
                item = from_item(raw)
                outcomes += outcomes_from(item)
                uploaded += item.get("phase") == "uploaded"
            if not response.get("LastEvaluatedKey"):
                return outcomes, uploaded
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def jobs_of(self, companycode: str, limit: int) -> list[ImportJob]:
        """The shop's latest imports, newest first."""
        with translate_errors():
            response = self.client.query(
                TableName=self._table,
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.shop_imports_gsi_pk(companycode)}),
                ScanIndexForward=False,
                Limit=limit,
            )
        job_ids = [from_item(i)[keys.PK] for i in response.get("Items", [])]
        if not job_ids:
            return []
        jobs = (
            job_from(item)
            for item in self._batch_get([keys.key(pk, keys.IMPORT_JOB) for pk in job_ids])
        )
        found = {keys.import_pk(job.job_id): job for job in jobs}
        return [found[pk] for pk in job_ids if pk in found]

    def _batch_put(self, items: list[dict[str, Any]]) -> None:
        pending = [{"PutRequest": {"Item": to_item(item)}} for item in items]
        for attempt in range(MAX_BATCH_ROUNDS):
            with translate_errors():
                response = self.client.batch_write_item(RequestItems={self._table: pending})
            pending = (response.get("UnprocessedItems") or {}).get(self._table, [])
            if not pending:
                return
            time.sleep(min(0.05 * 2**attempt, 1.0))  # DynamoDB asks for a back-off here
        raise ServiceUnavailableError("storage is busy, import the file again shortly", 2)
