"""Processing a Bulk API 2.0 ingest job's rows: each row succeeds or fails on its own, with
its successful, failed and unprocessed results.

Salesforce runs an ingest job's records through the database in chunks of 200
(https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/how_requests_are_processed.htm).
So does this. A chunk whose rows are all sure to succeed is checked and written at once
(bulk_batch.py: a query per check and a statement per write for the whole chunk). Any other
chunk's rows are applied one after the other inside one savepoint; a row that fails makes the
chunk run again, each row then in a savepoint of its own, so that only that row fails and the
others are applied as if no row had failed (a savepoint per row costs more than the row's own
write, which is why the common chunk with no failure goes without one).
"""

from __future__ import annotations

import csv
import os
import tempfile

from . import usage
from .bulk_batch import ChunkPlan
from .errors import RecordError
from .rest import UPSERT_CHUNK, refuse_repeated, repeated_external_ids, upsert
from .store import Org

CHUNK = UPSERT_CHUNK
INVALID_ROW = "INVALID_ROW:Row has a different number of columns than the header"
RESULTS = (
    ("successfulResults", ["sf__Id", "sf__Created"]),
    ("failedResults", ["sf__Id", "sf__Error"]),
    ("unprocessedrecords", []),
)


class Ingest:
    """One run of one job (a bulk.Job: its operation, info, state and counters)."""

    def __init__(self, org: Org, job, workdir: str) -> None:
        self.org = org
        self.job = job
        self.workdir = workdir
        self.header: list[str] = []
        self.plan: ChunkPlan | None = None  # None: every chunk goes row by row

    def run(self, delimiter: str) -> None:
        job = self.job
        with open(job.path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if not header:
                job.state, job.error = "Failed", "InvalidBatch : Field name not provided"
                return
            rows = list(reader)
        self.header = header
        self.plan = ChunkPlan.for_job(self.org, job, header)
        usage.spend(self.org, "bulk_batches", usage.ingest_batches(len(rows)))
        outputs, writers = {}, {}
        for name, prefix in RESULTS:
            fd, path = tempfile.mkstemp(prefix=f"{job.id}-{name}-", suffix=".csv", dir=self.workdir)
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
            writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(prefix + header)
            outputs[name], writers[name] = (path, handle), writer
        repeated = self._repeated_external_ids(rows)
        try:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                results = self._chunk(chunk, repeated[start // CHUNK])
                failed = [r for r in results if r[0] == "failed"]
                writers["successfulResults"].writerows(r[1] for r in results if r[0] == "ok")
                writers["failedResults"].writerows(r[1] for r in failed)
                job.failed += len(failed)
                job.processed += len(results)
                if len(results) < len(chunk):  # aborted: the rest stays unprocessed
                    writers["unprocessedrecords"].writerows(rows[start + len(results) :])
                    break
        finally:
            for name, (path, handle) in outputs.items():
                handle.close()
                job.results[name] = path
        if job.state != "Aborted":
            job.state = "JobComplete"

    def _chunk(self, chunk: list[list[str]], repeated: set[str]) -> list[tuple[str, list]]:
        """Each row's result, ("ok" | "failed", its results line), in order; fewer results than
        rows when the job was aborted meanwhile (the rows left are unprocessed)."""
        org = self.org
        with org.lock:  # nothing else writes between the chunk's runs
            if self.plan is not None and self.job.state != "Aborted":
                results = self.plan.apply(chunk, repeated)
                if results is not None:
                    return results
            try:
                with org.atomic():
                    return self._rows(chunk, repeated, alone=False)
            except RecordError:
                pass  # rolled back: again, so that only the failing rows fail
            return self._rows(chunk, repeated, alone=True)

    def _rows(self, chunk: list[list[str]], repeated: set[str], alone: bool) -> list:
        """Apply the rows in order. `alone`: each row in its own savepoint, a failure becoming
        the row's result; otherwise a failure is raised (and the caller rolls back)."""
        results = []
        header = self.header
        for values in chunk:
            if self.job.state == "Aborted":
                break
            if len(values) != len(header):
                results.append(("failed", ["", INVALID_ROW, *values]))
                continue
            record = dict(zip(header, values, strict=True))
            try:
                if alone:
                    with self.org.atomic():
                        record_id, created = self._apply(record, repeated)
                else:
                    record_id, created = self._apply(record, repeated)
            except RecordError as exc:
                if not alone:
                    raise
                e = exc.errors[0]
                text = f"{e['errorCode']}:{e['message']}:{','.join(e['fields'])} --"
                results.append(("failed", [record.get("Id", ""), text, *values]))
                continue
            results.append(("ok", [record_id, "true" if created else "false", *values]))
        return results

    def _repeated_external_ids(self, rows: list) -> list[set[str]]:
        """Per chunk of UPSERT_CHUNK rows, the external ids given twice in it (refused)."""
        job, header = self.job, self.header
        chunks = range(0, len(rows), UPSERT_CHUNK)
        ext = job.info.get("externalIdFieldName")
        column = next((i for i, h in enumerate(header) if ext and h.lower() == ext.lower()), None)
        if job.operation != "upsert" or column is None:
            return [set() for _ in chunks]
        obj = self.org.sobject(job.info["object"])
        return [
            repeated_external_ids(
                obj,
                ext,
                [r[column] or None for r in rows[start : start + UPSERT_CHUNK] if column < len(r)],
            )
            for start in chunks
        ]

    def _apply(self, record: dict, repeated: set[str]) -> tuple[str, bool]:
        job, org = self.job, self.org
        # In Bulk CSV an empty value means "leave as is" and #N/A means "set to null".
        values = {k: (None if v == "#N/A" else v) for k, v in record.items() if v != ""}
        obj_name = job.info["object"]
        op = job.operation
        if op == "insert":
            return org.insert(obj_name, values, job.user_id), True
        if op in ("update", "delete", "hardDelete"):
            record_id = values.pop("Id", None)
            if not record_id:
                raise RecordError("MISSING_ARGUMENT", "Id not specified", ["Id"])
            if op == "update":
                org.update(obj_name, record_id, values, job.user_id)
            else:
                org.delete(obj_name, record_id, job.user_id)
                if op == "hardDelete":
                    org.hard_delete(record_id)
            return record_id, False
        ext = job.info["externalIdFieldName"]
        value = next((v for k, v in values.items() if k.lower() == ext.lower()), None)
        if value is None:
            raise RecordError("MISSING_ARGUMENT", f"{ext} not specified", [ext])
        refuse_repeated(org.sobject(obj_name).field(ext), value, repeated)
        status, result = upsert(org, job.user_id, obj_name, ext, value, values)
        if status == 300:
            raise RecordError("DUPLICATE_EXTERNAL_ID", f"{ext}: more than one record found", [ext])
        return result["id"], result["created"]
