"""Bulk API 2.0: query jobs (results streamed as CSV pages with Sforce-Locator) and ingest jobs
(CSV upload; successful, failed and unprocessed results).
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/
"""

from __future__ import annotations

import base64
import csv
import io
import os
import tempfile
import threading
import time
from array import array
from dataclasses import dataclass, field

from . import usage
from .bulk_ingest import Ingest
from .errors import ApiError
from .query import Compiled
from .soql import SoqlError
from .store import Org
from .values import csv_text

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
MAX_UPLOAD_BYTES = 150 * 1024 * 1024
DEFAULT_MAX_RECORDS = 50000
BLOCK_ROWS = 1000


@dataclass
class Job:
    id: str
    kind: str  # query | ingest
    operation: str
    info: dict
    user_id: str
    state: str = "Open"
    path: str | None = None  # query results, or uploaded ingest data
    processed: int = 0
    failed: int = 0
    error: str | None = None
    results: dict = field(default_factory=dict)  # ingest: successful/failed/unprocessed CSV
    offsets: array = field(default_factory=lambda: array("q"))  # query: end of each row block
    started: float = field(default_factory=time.monotonic)


def refuse_bulk_query(compiled: Compiled) -> None:
    """What Bulk API 2.0 query jobs don't take: aggregates, GROUP BY, OFFSET, TYPEOF, compound
    fields, and objects the Bulk API doesn't serve
    (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm)."""
    features = compiled.features
    if compiled.count_only or "aggregate" in features or "group_by" in features:
        raise ApiError(400, "API_ERROR", "Aggregate Relationships not supported in Bulk Query")
    compound = sorted(f for f in features if f.startswith("compound:"))
    if compound:
        raise ApiError(400, "API_ERROR", "Selecting compound data not supported in Bulk Query")
    if "offset" in features:
        raise ApiError(400, "API_ERROR", "OFFSET clause is not supported in Bulk API 2.0 query")
    if "typeof" in features:
        raise ApiError(400, "API_ERROR", "TYPEOF clause is not supported in Bulk API 2.0 query")
    if not compiled.sobject.bulk_queryable:
        raise ApiError(
            400,
            "INVALIDENTITY",
            f"Entity '{compiled.sobject.name}' is not supported by the Bulk API.",
        )


class BulkJobs:
    def __init__(self, org: Org, workdir: str) -> None:
        self.org = org
        self.workdir = workdir
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    # --- common ----------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        return self.org.ids.next_id(prefix)

    def get(self, job_id: str, kind: str) -> Job:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None or job.kind != kind:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def describe(self, job: Job) -> dict:
        info = dict(
            job.info,
            state=job.state,
            numberRecordsProcessed=job.processed,
            retries=0,
            totalProcessingTime=int((time.monotonic() - job.started) * 1000),
        )
        info["systemModstamp"] = self.org.now()
        if job.kind == "ingest":
            info["numberRecordsFailed"] = job.failed
            info["apiActiveProcessingTime"] = info["totalProcessingTime"]
        if job.error:
            info["errorMessage"] = job.error
        return info

    def list(self, kind: str) -> dict:
        with self._lock:
            jobs = [self.describe(j) for j in self.jobs.values() if j.kind == kind]
        return {"done": True, "records": jobs, "nextRecordsUrl": None}

    def delete(self, job: Job) -> None:
        if job.state in ("Open", "UploadComplete", "InProgress"):
            raise ApiError(
                400, "INVALIDJOBSTATE", f"Job is in state {job.state} and can't be deleted"
            )
        with self._lock:
            self.jobs.pop(job.id, None)
        for path in [job.path, *job.results.values()]:
            if path and os.path.exists(path):
                os.unlink(path)

    def _take_failure(self) -> str | None:
        """The control surface can make the next N jobs fail as Salesforce reports it."""
        with self.org.lock:
            pending = self.org.settings.get("fail_next_bulk_jobs", 0)
            if pending:
                self.org.settings["fail_next_bulk_jobs"] = pending - 1
                return self.org.settings.get("fail_bulk_message", "InternalServerError")
        return None

    def _base_info(
        self, job_id: str, operation: str, body: dict, version: str, user_id: str
    ) -> dict:
        delimiter = body.get("columnDelimiter", "COMMA")
        line_ending = body.get("lineEnding", "LF")
        if delimiter not in DELIMITERS:
            raise ApiError(400, "INVALIDJOB", f"Invalid column delimiter: {delimiter}")
        if line_ending not in LINE_ENDINGS:
            raise ApiError(400, "INVALIDJOB", f"Invalid line ending: {line_ending}")
        if body.get("contentType", "CSV") != "CSV":
            raise ApiError(400, "INVALIDJOB", "Only CSV content is supported")
        return {
            "id": job_id,
            "operation": operation,
            "createdById": user_id,
            "createdDate": self.org.now(),
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version),
            "lineEnding": line_ending,
            "columnDelimiter": delimiter,
        }

    # --- query jobs -----------------------------------------------------------------------
    def create_query(self, body: dict, version: str, user_id: str) -> dict:
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        text = body.get("query")
        if not text:
            raise ApiError(400, "INVALIDJOB", "The query is required")
        try:
            compiled = self.org.query(text, include_deleted=operation == "queryAll")
        except SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from None
        refuse_bulk_query(compiled)
        usage.check(
            self.org,
            "bulk_v2_query_jobs",
            "LIMIT_EXCEEDED",
            "Max number of Bulk API 2.0 query jobs per 24 hours exceeded",
        )
        usage.spend(self.org, "bulk_v2_query_jobs")
        job_id = self._new_id("750")
        info = self._base_info(job_id, operation, body, version, user_id)
        info["object"] = compiled.sobject.name
        job = Job(job_id, "query", operation, info, user_id, state="UploadComplete")
        with self._lock:
            self.jobs[job_id] = job
        if any(f.startswith("base64:") for f in compiled.features):
            # Accepted, then failed when run: that is how Salesforce reports a binary field.
            created = self.describe(job)
            job.state, job.error = "Failed", "FeatureNotEnabled : Binary field not supported"
            return created
        threading.Thread(target=self._run_query, args=(job, compiled), daemon=True).start()
        return self.describe(job)

    def _run_query(self, job: Job, compiled: Compiled) -> None:
        job.state = "InProgress"
        failure = self._take_failure()
        if failure:
            job.state, job.error = "Failed", failure
            return
        fd, path = tempfile.mkstemp(prefix=f"{job.id}-", suffix=".csv", dir=self.workdir)
        delimiter = DELIMITERS[job.info["columnDelimiter"]]
        newline = LINE_ENDINGS[job.info["lineEnding"]]
        header = [".".join(c.parts) for c in compiled.columns]
        # Per column: its row index and, where the CSV text differs from str(), a converter.
        plain = (
            "string",
            "textarea",
            "email",
            "phone",
            "url",
            "picklist",
            "id",
            "reference",
            "date",
            "double",
            "currency",
            "percent",
        )
        converters = [
            (c.index, None if c.field.type in plain else c.field) for c in compiled.columns
        ]
        count = 0
        # The file is written a block of BLOCK_ROWS rows at a time, and each block's end offset
        # is kept: a results page is then a byte range, streamed as it is read.
        offsets = array("q")
        try:
            with os.fdopen(fd, "wb") as out:
                text = io.StringIO()
                writer = csv.writer(
                    text, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL
                )
                writer.writerow(header)
                out.write(text.getvalue().encode("utf-8"))
                offsets.append(out.tell())
                indexes = [i for i, _ in converters]
                simple = all(conv is None for _, conv in converters)
                with self.org.lock:
                    cursor = self.org.conn.execute(compiled.sql, compiled.params)
                    while rows := cursor.fetchmany(BLOCK_ROWS):
                        text.seek(0)
                        text.truncate()
                        if simple:
                            writer.writerows(
                                ["" if r[i] is None else r[i] for i in indexes] for r in rows
                            )
                        else:
                            writer.writerows(
                                [
                                    ""
                                    if r[i] is None
                                    else (r[i] if f is None else csv_text(f, r[i]))
                                    for i, f in converters
                                ]
                                for r in rows
                            )
                        out.write(text.getvalue().encode("utf-8"))
                        offsets.append(out.tell())
                        count += len(rows)
        except Exception as exc:  # a job that breaks is reported Failed, as Salesforce does
            job.state, job.error = "Failed", f"InternalServerError: {exc}"
            return
        usage.spend(self.org, "bulk_v2_query_storage_mb", os.path.getsize(path) / (1 << 20))
        job.path, job.processed, job.offsets = path, count, offsets
        job.info["numberRecordsProcessed"] = count
        job.state = "JobComplete"

    def query_results(self, job: Job, locator: str | None, max_records: int | None):
        """One page of results: (byte chunks, byte length, next locator or 'null', row count).

        A page holds at most maxRecords rows; like Salesforce, it may hold fewer (here whole
        blocks of BLOCK_ROWS rows when maxRecords allows it, else the rows asked for)."""
        if job.state != "JobComplete":
            raise ApiError(400, "INVALIDJOB", f"Job {job.id} is not complete: {job.state}")
        limit = max_records or DEFAULT_MAX_RECORDS
        if limit < 1:
            raise ApiError(400, "INVALIDJOB", "maxRecords must be positive")
        if locator:
            try:
                offset_text, row_text = base64.b64decode(locator).decode().split(":")
                offset, first_row = int(offset_text), int(row_text)
            except ValueError:
                raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}") from None
        else:
            offset, first_row = job.offsets[0], 0
        with open(job.path, "rb") as handle:
            header = handle.readline()
            if first_row % BLOCK_ROWS == 0 and limit >= BLOCK_ROWS:
                block = first_row // BLOCK_ROWS
                blocks = min(limit // BLOCK_ROWS, len(job.offsets) - 1 - block)
                end = job.offsets[block + blocks]
                taken = min(blocks * BLOCK_ROWS, job.processed - first_row)
            else:
                end, taken = self._scan_rows(handle, offset, limit)
        more = first_row + taken < job.processed
        next_locator = (
            base64.b64encode(f"{end}:{first_row + taken}".encode()).decode() if more else "null"
        )

        def chunks():
            yield header
            with open(job.path, "rb") as handle:
                handle.seek(offset)
                remaining = end - offset
                while remaining > 0:
                    data = handle.read(min(1 << 20, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    yield data

        return chunks(), len(header) + end - offset, next_locator, taken

    @staticmethod
    def _scan_rows(handle, offset: int, limit: int) -> tuple[int, int]:
        """Where `limit` whole records after `offset` end: a newline ends a record only outside
        quotes, so keep the running parity of quote characters (every field is quoted)."""
        handle.seek(offset)
        taken, inside = 0, False
        while taken < limit:
            line = handle.readline()
            if not line:
                break
            if line.count(b'"') % 2:
                inside = not inside
            if not inside:
                taken += 1
        return handle.tell(), taken

    # --- ingest jobs ------------------------------------------------------------------------
    def create_ingest(self, body: dict, version: str, user_id: str, base: str) -> dict:
        operation = body.get("operation")
        if operation not in INGEST_OPERATIONS:
            raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        obj = self.org.sobject(body.get("object") or "")
        ext = body.get("externalIdFieldName")
        if operation == "upsert":
            f = obj.field(ext or "")
            if f is None or not (f.external_id or f.name == "Id"):
                raise ApiError(
                    400,
                    "INVALIDJOB",
                    f"External ID was blank or does not exist for {obj.name}: {ext}",
                )
        job_id = self._new_id("750")
        info = self._base_info(job_id, operation, body, version, user_id)
        info.update(
            object=obj.name,
            jobType="V2Ingest",
            contentUrl=f"services/data/v{version}/jobs/ingest/{job_id}/batches",
        )
        if ext:
            info["externalIdFieldName"] = ext
        job = Job(job_id, "ingest", operation, info, user_id, state="Open")
        with self._lock:
            self.jobs[job_id] = job
        return self.describe(job)

    def upload(self, job: Job, data: bytes) -> None:
        if job.state != "Open":
            raise ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} is not open for upload")
        if job.path is not None:
            raise ApiError(
                400, "INVALIDJOBSTATE", "Only one upload is allowed per Bulk API 2.0 job"
            )
        if len(data) > MAX_UPLOAD_BYTES:
            raise ApiError(400, "INVALIDJOB", "Upload exceeds 150 MB")
        fd, path = tempfile.mkstemp(prefix=f"{job.id}-in-", suffix=".csv", dir=self.workdir)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        job.path = path

    def set_state(self, job: Job, state: str) -> dict:
        if state == "Aborted":
            if job.state in ("JobComplete", "Failed", "Aborted"):
                raise ApiError(400, "INVALIDJOBSTATE", f"Job is already {job.state}")
            job.state = "Aborted"
        elif state == "UploadComplete" and job.kind == "ingest":
            if job.state != "Open":
                raise ApiError(400, "INVALIDJOBSTATE", f"Job is in state {job.state}")
            if job.path is None:
                job.state, job.error = "Failed", "No batches found"
            else:
                job.state = "UploadComplete"
                threading.Thread(target=self._run_ingest, args=(job,), daemon=True).start()
        else:
            raise ApiError(400, "INVALIDJOBSTATE", f"Invalid state change to {state}")
        return self.describe(job)

    def _run_ingest(self, job: Job) -> None:
        job.state = "InProgress"
        failure = self._take_failure()
        if failure:
            job.state, job.error = "Failed", failure
            return
        Ingest(self.org, job, self.workdir).run(DELIMITERS[job.info["columnDelimiter"]])

    def ingest_results(self, job: Job, name: str) -> bytes:
        if job.state not in ("JobComplete", "Aborted", "Failed"):
            raise ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} is still {job.state}")
        path = job.results.get(name)
        if path is None:
            return b""
        with open(path, "rb") as handle:
            return handle.read()
