"""Bulk API 1.0 at /services/async/{version}/: jobs, batches and their results.

A job is created Open, takes batches (CSV, JSON or XML records for loads, a SOQL query for
query jobs), then is Closed or Aborted. Each batch goes Queued -> InProgress -> Completed or
Failed (NotProcessed when its job is aborted first, or for the original batch of a PK-chunked
query). Batches of a job run one after another on the job's own worker thread. Calls carry the
session in `X-SFDC-Session` (or `Authorization: Bearer`); errors are <error><exceptionCode>
documents, in XML or JSON like the request.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_intro.htm
"""

from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
import time

from werkzeug.wrappers import Request, Response

from . import bulk1_formats as wire
from . import usage
from .bulk1_work import Batch, BatchRunner, Job, pk_chunking, with_condition
from .errors import ApiError
from .store import Org

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete", "query", "queryAll")
CONTENT_TYPES = ("CSV", "JSON", "XML")
MAX_BATCH_BYTES = 10 * 1024 * 1024
MIN_VERSION = 20


class Bulk1:
    def __init__(self, org: Org, workdir: str, sessions) -> None:
        self.org, self.workdir, self.sessions = org, workdir, sessions
        self.runner = BatchRunner(org, workdir)
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    # --- HTTP -------------------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")[2:]  # after services/async
        as_json = (request.content_type or "").startswith("application/json")
        job = None
        try:
            if not parts or not re.fullmatch(r"\d{2}\.0", parts[0]):
                raise wire.WireError("InvalidUrl", "Unknown Bulk API version", 404)
            if not MIN_VERSION <= int(parts[0][:2]) <= 66:
                raise wire.WireError("InvalidVersion", f"Invalid api version: {parts[0]}")
            user_id = self._session(request)
            version, route = parts[0], parts[1:]
            if route and route[0] == "job" and len(route) >= 2:
                job = self._job(route[1])
            return self._route(request, version, route, user_id, job, as_json)
        except wire.WireError as exc:
            if job is not None and len(parts) > 3:
                as_json = job.content_type == "JSON"
            body, media = wire.error(exc.code, exc.message, as_json)
            return Response(body, status=exc.status, content_type=media)

    def _session(self, request: Request) -> str:
        token = request.headers.get("X-SFDC-Session")
        authorization = f"Bearer {token}" if token else request.headers.get("Authorization")
        try:
            session = self.sessions.check(authorization)
            self.org.spend_api_call()
        except ApiError as exc:
            if exc.status == 401:
                raise wire.WireError("InvalidSessionId", "Invalid session id") from None
            raise wire.WireError("ExceededQuota", exc.message, exc.status) from None
        return session.user_id

    def _route(self, request, version, route, user_id, job, as_json) -> Response:
        method, n = request.method, len(route)
        if route[:1] != ["job"]:
            raise wire.WireError("InvalidUrl", "The requested resource does not exist", 404)
        if n == 1 and method == "POST":
            created = self.create_job(request, version, user_id, as_json)
            return self._info(created, as_json, 201)
        if n == 2 and method == "GET":
            return self._info(job, as_json)
        if n == 2 and method == "POST":
            self.change_state(job, wire.parse_job_request(request.get_data(), as_json))
            return self._info(job, as_json)
        batch_json = job is not None and job.content_type == "JSON"
        if n == 3 and route[2] == "batch" and method == "POST":
            info = self.add_batch(job, request.get_data())
            body, media = wire.document("batchInfo", info, batch_json)
            return Response(body, status=201, content_type=media)
        if n == 3 and route[2] == "batch" and method == "GET":
            body, media = wire.batch_list([self.batch_info(b) for b in job.batches], batch_json)
            return Response(body, content_type=media)
        batch = self._batch(job, route[3]) if n >= 4 and route[2] == "batch" else None
        if batch is not None and method == "GET":
            if n == 4:
                body, media = wire.document("batchInfo", self.batch_info(batch), batch_json)
                return Response(body, content_type=media)
            if n == 5 and route[4] == "request":
                with open(batch.request_path, "rb") as handle:
                    data = handle.read()
                media = "text/csv" if job.operation.startswith("query") else None
                return Response(data, content_type=media or wire.MEDIA[job.content_type])
            if route[4] == "result" and n in (5, 6):
                return self._results(job, batch, route[5] if n == 6 else None)
        raise wire.WireError("InvalidUrl", "The requested resource does not exist", 404)

    def _results(self, job: Job, batch: Batch, result_id: str | None) -> Response:
        if batch.state != "Completed":
            raise wire.WireError("InvalidBatch", "Batch not completed")
        is_query = job.operation in ("query", "queryAll")
        if is_query and result_id is None:
            body, media = wire.result_list(batch.result_ids, job.content_type == "JSON")
            return Response(body, content_type=media)
        if is_query:
            if result_id not in batch.result_ids:
                raise wire.WireError("InvalidBatch", f"Invalid result id: {result_id}", 404)
            path = batch.result_paths[batch.result_ids.index(result_id)]
        elif result_id is not None:
            raise wire.WireError("InvalidUrl", "The requested resource does not exist", 404)
        else:
            path = batch.result_paths[0]

        def chunks():
            with open(path, "rb") as handle:
                while data := handle.read(1 << 20):
                    yield data

        response = Response(chunks(), content_type=wire.MEDIA[job.content_type])
        response.headers["Content-Length"] = str(os.path.getsize(path))
        return response

    def _info(self, job: Job, as_json: bool, status: int = 200) -> Response:
        body, media = wire.document("jobInfo", self.job_info(job), as_json)
        return Response(body, status=status, content_type=media)

    def _job(self, job_id: str) -> Job:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            raise wire.WireError("InvalidJob", f"Unable to find job with id: {job_id}")
        return job

    @staticmethod
    def _batch(job: Job, batch_id: str) -> Batch:
        for batch in job.batches:
            if batch.id == batch_id:
                return batch
        raise wire.WireError("InvalidBatch", f"Unable to find batch with id: {batch_id}")

    # --- jobs -------------------------------------------------------------------------------
    def create_job(self, request: Request, version: str, user_id: str, as_json: bool) -> Job:
        spec = wire.parse_job_request(request.get_data(), as_json)
        operation = spec.get("operation") or ""
        if operation not in OPERATIONS:
            raise wire.WireError("InvalidJob", f"Invalid operation: {operation}")
        try:
            obj = self.org.sobject(spec.get("object") or "")
        except ApiError:
            raise wire.WireError(
                "InvalidJob", f"Unable to find object: {spec.get('object')}"
            ) from None
        content_type = spec.get("contentType") or "CSV"
        if content_type not in CONTENT_TYPES:
            raise wire.WireError("InvalidJob", f"Unsupported content type: {content_type}")
        concurrency = spec.get("concurrencyMode") or "Parallel"
        if concurrency not in ("Parallel", "Serial"):
            raise wire.WireError("InvalidJob", f"Invalid concurrency mode: {concurrency}")
        external_id = spec.get("externalIdFieldName") or None
        if operation == "upsert":
            f = obj.field(external_id or "")
            if f is None or not (f.external_id or f.name == "Id"):
                raise wire.WireError(
                    "InvalidJob",
                    f"External ID was blank or is not an External ID field for {obj.name}: "
                    f"{external_id}",
                )
            external_id = f.name
        if operation.startswith("query") and not obj.bulk_queryable:
            raise wire.WireError(
                "InvalidJob", f"Entity '{obj.name}' is not supported by the Bulk API."
            )
        pk_chunk = pk_chunking(request.headers.get("Sforce-Enable-PKChunking"), obj, operation)
        now = self.org.now()
        job = Job(
            self.org.ids.next_id("750"),
            operation,
            obj.name,
            user_id,
            content_type,
            concurrency,
            external_id,
            version,
            now,
            modstamp=now,
            pk_chunk=pk_chunk,
        )
        with self._lock:
            self.jobs[job.id] = job
        return job

    def change_state(self, job: Job, spec: dict) -> None:
        state = spec.get("state")
        if state == "Closed":
            if job.state != "Open":
                raise wire.WireError("InvalidJobState", f"Job {job.id} is {job.state}, not Open")
            job.state = "Closed"
        elif state == "Aborted":
            if job.state not in ("Open", "Closed"):
                raise wire.WireError("InvalidJobState", f"Job {job.id} is already {job.state}")
            job.state = "Aborted"
        else:
            raise wire.WireError("InvalidJob", f"Invalid state for a job update: {state}")
        job.modstamp = self.org.now()
        self._enqueue(job, None)  # no batch can come any more: the worker stops when done

    def job_info(self, job: Job) -> dict:
        counts = {s: sum(1 for b in job.batches if b.state == s) for s in _BATCH_STATES}
        return {
            "id": job.id,
            "operation": job.operation,
            "object": job.object,
            "createdById": job.user_id,
            "createdDate": job.created,
            "systemModstamp": job.modstamp,
            "state": job.state,
            "externalIdFieldName": job.external_id,
            "concurrencyMode": job.concurrency,
            "contentType": job.content_type,
            "numberBatchesQueued": counts["Queued"],
            "numberBatchesInProgress": counts["InProgress"],
            "numberBatchesCompleted": counts["Completed"],
            "numberBatchesFailed": counts["Failed"],
            "numberBatchesTotal": len(job.batches),
            "numberRecordsProcessed": sum(b.processed for b in job.batches),
            "numberRetries": 0,
            "apiVersion": float(job.api_version),
            "numberRecordsFailed": sum(b.failed for b in job.batches),
            "totalProcessingTime": sum(b.millis for b in job.batches),
            "apiActiveProcessingTime": sum(b.millis for b in job.batches),
            "apexProcessingTime": 0,
        }

    def batch_info(self, batch: Batch) -> dict:
        return {
            "id": batch.id,
            "jobId": batch.job.id,
            "state": batch.state,
            "stateMessage": batch.state_message,
            "createdDate": batch.created,
            "systemModstamp": batch.modstamp or batch.created,
            "numberRecordsProcessed": batch.processed,
            "numberRecordsFailed": batch.failed,
            "totalProcessingTime": batch.millis,
            "apiActiveProcessingTime": batch.millis,
            "apexProcessingTime": 0,
        }

    # --- batches ----------------------------------------------------------------------------
    def add_batch(self, job: Job, data: bytes) -> dict:
        if job.state != "Open":
            raise wire.WireError("InvalidJobState", f"Job {job.id} is {job.state}, not Open")
        if len(data) > MAX_BATCH_BYTES:
            raise wire.WireError("InvalidBatch", "A batch can be at most 10 MB")
        if usage.remaining(self.org, "bulk_batches") <= 0:
            raise wire.WireError("ExceededQuota", "Maximum number of batches per 24 hours exceeded")
        batch = self._new_batch(job, data)
        if job.pk_chunk is None:
            info = self.batch_info(batch)  # as sent: Queued, before the worker takes it
            self._enqueue(job, batch)
            return info
        # The batch sent stays NotProcessed; Salesforce queries through one batch per chunk
        # of Ids instead, each batch's request being the query with its Id range.
        batch.state = "NotProcessed"
        text = data.decode("utf-8-sig").strip()
        for first, stop in self._chunks(job):
            bound = f"Id >= '{first}'" + (f" AND Id < '{stop}'" if stop else "")
            self._enqueue(job, self._new_batch(job, with_condition(text, bound).encode()))
        return self.batch_info(batch)

    def _enqueue(self, job: Job, batch: Batch | None) -> None:
        """Hand a batch to the job's worker, starting one if none runs (None: stop it)."""
        with self._lock:
            if batch is None and job.worker is None:
                return
            job.pending.put(batch)
            if job.worker is None:
                job.worker = threading.Thread(target=self._work, args=(job,), daemon=True)
                job.worker.start()

    def _new_batch(self, job: Job, data: bytes) -> Batch:
        fd, path = tempfile.mkstemp(prefix="bulk1-request-", dir=self.workdir)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        now = self.org.now()
        batch = Batch(self.org.ids.next_id("751"), job, now, path, modstamp=now)
        job.batches.append(batch)
        return batch

    def _chunks(self, job: Job) -> list[tuple[str, str | None]]:
        """[first Id, next first Id) ranges of chunkSize records each, in Id order."""
        size, start = job.pk_chunk["chunkSize"], job.pk_chunk.get("startRow")
        with self.org.lock:
            ids = [
                r[0]
                for r in self.org.conn.execute(
                    f'SELECT "Id" FROM "{job.object}" WHERE "Id" >= ? ORDER BY "Id"',
                    (start or "",),
                )
            ]
        firsts = ids[::size] or [start or "000000000000000AAA"]
        return [(f, firsts[i + 1] if i + 1 < len(firsts) else None) for i, f in enumerate(firsts)]

    def _work(self, job: Job) -> None:
        while True:
            try:
                batch = job.pending.get(timeout=60)
            except queue.Empty:
                batch = None
            if batch is None:
                with self._lock:
                    if job.pending.empty():
                        job.worker = None
                        return
                continue
            if job.state == "Aborted":
                batch.state, batch.modstamp = "NotProcessed", self.org.now()
                continue
            started = time.monotonic()
            batch.state = "InProgress"
            failure = self._take_failure()
            try:
                if failure:
                    raise wire.WireError("InternalServerError", failure)
                self.runner.run(job, batch)
                usage.spend(self.org, "bulk_batches")
                batch.state = "Completed"
            except wire.WireError as exc:
                batch.state, batch.state_message = "Failed", f"{exc.code} : {exc.message}"
            except Exception as exc:  # noqa: BLE001 - Salesforce reports a batch that broke
                batch.state = "Failed"
                batch.state_message = f"InternalServerError : {type(exc).__name__}: {exc}"
            batch.millis = int((time.monotonic() - started) * 1000)
            batch.modstamp = self.org.now()

    def _take_failure(self) -> str | None:
        """The control surface can make the next N Bulk jobs (of either API) fail."""
        with self.org.lock:
            pending = self.org.settings.get("fail_next_bulk_jobs", 0)
            if pending:
                self.org.settings["fail_next_bulk_jobs"] = pending - 1
                return self.org.settings.get("fail_bulk_message", "InternalServerError")
        return None


_BATCH_STATES = ("Queued", "InProgress", "Completed", "Failed", "NotProcessed")
