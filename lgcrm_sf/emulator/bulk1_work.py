"""Bulk API 1.0 jobs and batches, and the work a batch does: a load batch's records written
one by one (each in its own savepoint, as Salesforce reports per record), a query batch's rows
written to result files. Split from bulk1.py, which serves the HTTP resources.
"""

from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
from dataclasses import dataclass, field

from . import bulk1_formats as wire
from .bulk import refuse_bulk_query
from .errors import ApiError, RecordError
from .ids import to18
from .soql import SoqlError
from .store import Org

MAX_BATCH_RECORDS = 10000
PK_CHUNK_DEFAULT, PK_CHUNK_MAX = 100000, 250000
# Objects whose queries can be PK-chunked (custom objects too).
PK_CHUNKABLE = {"Account", "Campaign", "CampaignMember", "Contact", "Event", "Lead"}
PK_CHUNKABLE |= {"Opportunity", "Task", "User"}
RESULT_ROWS = 1_000_000  # a query result file holds this many rows; more go to another file


@dataclass
class Batch:
    id: str
    job: Job
    created: str
    request_path: str
    state: str = "Queued"
    state_message: str | None = None
    modstamp: str = ""
    processed: int = 0
    failed: int = 0
    result_paths: list[str] = field(default_factory=list)
    result_ids: list[str] = field(default_factory=list)
    millis: int = 0


@dataclass
class Job:
    id: str
    operation: str
    object: str
    user_id: str
    content_type: str
    concurrency: str
    external_id: str | None
    api_version: str
    created: str
    state: str = "Open"
    modstamp: str = ""
    pk_chunk: dict | None = None
    batches: list[Batch] = field(default_factory=list)
    pending: queue.Queue = field(default_factory=queue.Queue)
    worker: threading.Thread | None = None


class BatchRunner:
    def __init__(self, org: Org, workdir: str) -> None:
        self.org, self.workdir = org, workdir

    def run(self, job: Job, batch: Batch) -> None:
        if job.operation in ("query", "queryAll"):
            self._run_query(job, batch)
        else:
            self._run_load(job, batch)

    def _run_query(self, job: Job, batch: Batch) -> None:
        with open(batch.request_path, encoding="utf-8-sig") as handle:
            text = handle.read().strip()
        try:
            compiled = self.org.query(text, include_deleted=job.operation == "queryAll")
        except SoqlError as exc:
            raise wire.WireError(
                "InvalidBatch", f"Failed to process query: {exc.code}: {exc.message}"
            ) from None
        try:
            refuse_bulk_query(compiled)  # what the Bulk API refuses, in either version
        except ApiError as exc:
            raise wire.WireError(
                "InvalidBatch", f"Failed to process query: {exc.message}"
            ) from None
        rows_in_file, out, write, finish = RESULT_ROWS, None, None, None
        with self.org.lock:
            cursor = self.org.conn.execute(compiled.sql, compiled.params)
            while rows := cursor.fetchmany(1000):
                if rows_in_file + len(rows) > RESULT_ROWS and out is not None:
                    finish()
                    out.close()
                    out = None
                if out is None:
                    out, write, finish = self._result_file(job, batch, compiled)
                    rows_in_file = 0
                write(rows)
                rows_in_file += len(rows)
                batch.processed += len(rows)
        if out is None:
            out, write, finish = self._result_file(job, batch, compiled)
        finish()
        out.close()

    def _result_file(self, job: Job, batch: Batch, compiled):
        fd, path = tempfile.mkstemp(prefix="bulk1-result-", dir=self.workdir)
        out = os.fdopen(fd, "wb")
        batch.result_paths.append(path)
        batch.result_ids.append(self.org.ids.next_id("752")[:15])
        write, finish = wire.query_writer(job.content_type, compiled, job.api_version, out)
        return out, write, finish

    def _run_load(self, job: Job, batch: Batch) -> None:
        with open(batch.request_path, "rb") as handle:
            records = wire.parse_records(handle.read(), job.content_type)
        if len(records) > MAX_BATCH_RECORDS:
            raise wire.WireError(
                "InvalidBatch", f"Records in a batch can't exceed {MAX_BATCH_RECORDS}"
            )
        obj = self.org.sobject(job.object)
        if records and job.content_type == "CSV":
            for name in records[0]:
                if name != "__invalid__" and obj.field(name) is None:
                    raise wire.WireError("InvalidBatch", f"Field name not found : {name}")
        results = []
        for record in records:
            try:
                if "__invalid__" in record:
                    raise RecordError("INVALID_ROW", "Wrong number of columns in this row")
                with self.org.atomic():
                    record_id, created = self._apply(job, record)
                results.append((record_id, True, created, []))
            except RecordError as exc:
                failed_id = record.get("Id") if job.operation != "insert" else None
                results.append((failed_id, False, False, [exc.as_status()]))
                batch.failed += 1
            batch.processed += 1
        fd, path = tempfile.mkstemp(prefix="bulk1-result-", dir=self.workdir)
        with os.fdopen(fd, "wb") as out:
            out.write(wire.load_results(results, job.content_type))
        batch.result_paths.append(path)

    def _apply(self, job: Job, record: dict) -> tuple[str, bool]:
        from .rest import upsert

        # In Bulk CSV and XML an empty value leaves the field as it is; #N/A sets it to null.
        values = {
            k: (None if v == "#N/A" else v)
            for k, v in record.items()
            if not (v == "" and job.content_type != "JSON")
        }
        op, org, user = job.operation, self.org, job.user_id
        if op == "insert":
            return org.insert(job.object, values, user), True
        if op == "upsert":
            ext = job.external_id
            value = next((v for k, v in values.items() if k.lower() == ext.lower()), None)
            if value in (None, "") and ext == "Id":  # upsert on Id: no Id means a new record
                values = {k: v for k, v in values.items() if k.lower() != "id"}
                return org.insert(job.object, values, user), True
            if value in (None, ""):
                raise RecordError("MISSING_ARGUMENT", f"{ext} not specified", [ext])
            status, result = upsert(org, user, job.object, ext, str(value), values)
            if status == 300:
                raise RecordError(
                    "DUPLICATE_EXTERNAL_ID", f"{ext}: more than one record found", [ext]
                )
            return result["id"], result["created"]
        record_id = values.pop("Id", None) or values.pop("id", None)
        if not record_id:
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        try:
            record_id = to18(str(record_id))
        except ValueError:
            raise RecordError("MALFORMED_ID", f"Id: invalid id: {record_id}", ["Id"]) from None
        if op == "update":
            org.update(job.object, record_id, values, user)
        else:
            org.delete(job.object, record_id, user)
            if op == "hardDelete":
                org.hard_delete(record_id)
        return record_id, False


def pk_chunking(header: str | None, obj, operation: str) -> dict | None:
    """`Sforce-Enable-PKChunking: true` or `chunkSize=50000; startRow=00130000000xEftMGH`
    (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/async_api_headers_enable_pk_chunking.htm)."""
    if not header or header.strip().lower() == "false":
        return None
    if operation not in ("query", "queryAll"):
        raise wire.WireError("InvalidJob", "PK chunking is supported for query jobs only")
    if obj.name not in PK_CHUNKABLE and not obj.name.endswith("__c"):
        raise wire.WireError("InvalidJob", f"Entity '{obj.name}' is not supported for PK chunking")
    options = {"chunkSize": PK_CHUNK_DEFAULT}
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        key = key.strip()
        if key.lower() == "chunksize":
            if not value.strip().isdigit() or not 1 <= int(value) <= PK_CHUNK_MAX:
                raise wire.WireError(
                    "InvalidJob", f"chunkSize must be between 1 and {PK_CHUNK_MAX}: {value}"
                )
            options["chunkSize"] = int(value)
        elif key.lower() == "startrow":
            try:
                options["startRow"] = to18(value.strip())
            except ValueError:
                raise wire.WireError("InvalidJob", f"Invalid startRow: {value}") from None
        elif key.lower() == "parent":
            options["parent"] = value.strip()
    return options


def with_condition(text: str, condition: str) -> str:
    """The query with `condition` ANDed into its WHERE clause (added before ORDER BY/LIMIT)."""
    scrubbed = re.sub(r"'(?:\\.|[^'\\])*'", lambda m: "_" * len(m.group()), text)
    upper = scrubbed.upper()
    cut = len(text)
    for keyword in (r"\bORDER\s+BY\b", r"\bLIMIT\b", r"\bOFFSET\b"):
        m = re.search(keyword, upper)
        if m:
            cut = min(cut, m.start())
    head, tail = text[:cut].rstrip(), text[cut:]
    where = re.search(r"\bWHERE\b", upper[:cut])
    if where:
        head = f"{head[: where.end()]} ({head[where.end() :].strip()}) AND {condition}"
    else:
        head = f"{head} WHERE {condition}"
    return f"{head} {tail}".strip()
