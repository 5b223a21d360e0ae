"""ExportJobStore on the stack's table: one item per export job.

Why: creating the job item is what starts the export (its INSERT reaches the `run_jobs`
stream handler), and the item is where the console reads progress; the job id is derived
from who asked for what, so `attribute_not_exists` makes a repeated request the same job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import keys
from chalicelib.adapters.dynamo_codec import to_item, to_value
from chalicelib.adapters.dynamo_errors import translate_errors
from chalicelib.adapters.table_adapter import TableAdapter
from chalicelib.services.record_export import ExportJob, criteria_from, criteria_to

KIND_EXPORT = "export_job"
RETENTION_SECONDS = 7 * 24 * 3600


class DynamoExportJobStore(TableAdapter):
    def create(self, job: ExportJob) -> bool:
        item = {
            **self._key(job.job_id),
            "kind": KIND_EXPORT,
            "job_id": job.job_id,
            "requester": job.requester,
            "criteria": criteria_to(job.criteria),
            "scope": list(job.scope) if job.scope is not None else None,
            "provinces": list(job.provinces) if job.provinces is not None else None,
            "status": job.status,
            "created_at": job.created_at.isoformat(),
            "attempts": 0,
            "rows": 0,
            keys.TTL_ATTRIBUTE: int(job.created_at.timestamp()) + RETENTION_SECONDS,
        }
        return self._put_new(item)

    def get(self, job_id: str) -> ExportJob | None:
        item = self._get(keys.export_job_pk(job_id), keys.EXPORT)
        if item is None:
            return None
        scope = item.get("scope")
        provinces = item.get("provinces")
        return ExportJob(
            job_id=item["job_id"],
            requester=item["requester"],
            criteria=criteria_from(item["criteria"]),
            scope=tuple(scope) if scope is not None else None,
            provinces=tuple(provinces) if provinces is not None else None,
            status=item["status"],
            created_at=datetime.fromisoformat(item["created_at"]),
            rows=int(item.get("rows", 0)),
            object_key=item.get("object_key"),
            attempts=int(item.get("attempts", 0)),
            error=item.get("error"),
        )

    def start(self, job_id: str) -> int:
        response = self._update(
            job_id, "SET #status = :running ADD attempts :one", {":running": "running", ":one": 1}
        )
        return int(response["Attributes"]["attempts"]["N"])

    def finish(self, job_id: str, rows: int, object_key: str) -> None:
        self._update(
            job_id,
            "SET #status = :done, #rows = :rows, object_key = :key",
            {":done": "done", ":rows": rows, ":key": object_key},
        )

    def fail(self, job_id: str, error: str) -> None:
        self._update(
            job_id, "SET #status = :failed, #error = :error", {":failed": "failed", ":error": error}
        )

    def _update(self, job_id: str, expression: str, values: dict[str, Any]) -> Any:
        names = {"#status": "status"}
        if "#rows" in expression:
            names["#rows"] = "rows"
        if "#error" in expression:
            names["#error"] = "error"
        with translate_errors():
            return self.client.update_item(
                TableName=self._table,
                Key=to_item(self._key(job_id)),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: to_value(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
            )

    @staticmethod
    def _key(job_id: str) -> dict[str, str]:
        return keys.key(keys.export_job_pk(job_id), keys.EXPORT)
