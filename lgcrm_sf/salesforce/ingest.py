"""Bulk API 2.0 ingest for the sync's large writes: one job per batch of rows, spooled to disk
past a few MB, and its results streamed back.

Nothing is ever uploaded twice to a job: an upload whose answer is lost is settled by aborting
that job (an open job processes nothing) and starting another; a close whose answer is lost by
reading the job's state; a job created twice (its answer lost) leaves an empty open job, which
is aborted. Creates upsert on our external id when the org has one."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator

from simple_salesforce.util import exception_handler

from ..errors import LgcrmError, OutcomeUnknown, SalesforceApiError
from .bulk_jobs import wait_for_job
from .client import SalesforceClient
from .writes import WriteResult

_ABSENT = object()


def _csv_cell(value, op: str) -> str:
    if value is _ABSENT:
        return ""  # Bulk: empty leaves the field as it is
    if value is None:
        return "#N/A" if op == "update" else ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class IngestJobs:
    def __init__(self, client: SalesforceClient, me: str | None) -> None:
        self.client, self.me = client, me

    def run_job(self, sobject, op, payloads: Callable, on_job: Callable, external_id=None) -> str:
        """One job from `payloads()` (called twice: once for the columns, once for the rows).
        Returns the job id once closed."""
        columns = sorted({k for payload in payloads() for k in payload})
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for payload in payloads():
            writer.writerow([_csv_cell(payload.get(c, _ABSENT), op) for c in columns])
        text.flush()
        spec = {"object": sobject, "contentType": "CSV", "lineEnding": "LF"}
        if op == "create" and external_id:
            spec.update(operation="upsert", externalIdFieldName=external_id)
        else:
            spec["operation"] = "insert" if op == "create" else "update"
        try:
            for _ in range(3):
                job_id = self._open(spec)
                on_job(job_id)
                if self._upload(job_id, spool):
                    self._close(job_id)
                    return job_id
            raise OutcomeUnknown(
                f"Salesforce did not confirm the upload of a {sobject} Bulk job three times; "
                "nothing was processed.",
                "run the sync again.",
            )
        finally:
            text.detach()
            spool.close()

    def _post_job(self, spec: dict) -> str:
        return self.client.call(
            lambda sf: sf.restful("jobs/ingest", method="POST", json=spec),
            "a Bulk ingest job",
            idempotent=False,
        )["id"]

    def _open(self, spec: dict) -> str:
        try:
            return self._post_job(spec)
        except OutcomeUnknown:
            # A job may have been made: it is empty and open, so it can only be aborted.
            self.abort_open_jobs(spec["object"])
            return self._post_job(spec)

    def abort_open_jobs(self, sobject: str) -> None:
        """Abort our open (never uploaded, never closed) ingest jobs on this object."""
        jobs = self.client.call(lambda sf: sf.restful("jobs/ingest"), "listing Bulk jobs")
        for job in jobs.get("records", []):
            mine = self.me is None or (job.get("createdById") or "")[:15] == self.me[:15]
            if job.get("object") == sobject and job.get("state") == "Open" and mine:
                self.abort(job["id"])

    def abort(self, job_id: str) -> None:
        try:
            self.client.call(
                lambda sf: sf.restful(
                    f"jobs/ingest/{job_id}", method="PATCH", json={"state": "Aborted"}
                ),
                "aborting a Bulk job",
            )
        except SalesforceApiError:
            pass  # already aborted, failed or complete: nothing to stop

    def _upload(self, job_id: str, spool) -> bool:
        """True once Salesforce has the job's data; False when that is unknown (the job is
        then aborted, so it will process nothing)."""

        def upload(sf):
            spool.seek(0)
            response = sf.session.put(
                f"{sf.base_url}jobs/ingest/{job_id}/batches",
                data=spool,
                headers={**sf.headers, "Content-Type": "text/csv"},
            )
            if response.status_code >= 300:
                exception_handler(response, "Bulk upload")

        try:
            self.client.call(upload, "the Bulk ingest upload", idempotent=False)
            return True
        except OutcomeUnknown:
            self.abort(job_id)
            return False

    def _close(self, job_id: str) -> None:
        path = f"jobs/ingest/{job_id}"

        def close(sf):
            return sf.restful(path, method="PATCH", json={"state": "UploadComplete"})

        try:
            self.client.call(close, "closing the Bulk ingest job", idempotent=False)
        except OutcomeUnknown:
            state = self.client.call(lambda sf: sf.restful(path), "a Bulk job status")["state"]
            if state == "Open":  # the close did not happen: close it now
                self.client.call(close, "closing the Bulk ingest job", idempotent=False)

    def finish_interrupted(self, job_id: str) -> None:
        """A job a killed run left: abort it if still open (it processed nothing), else wait
        for it to finish (what it made is then looked up)."""
        path = f"jobs/ingest/{job_id}"
        try:
            state = self.client.call(lambda sf: sf.restful(path), "an interrupted Bulk job")[
                "state"
            ]
        except LgcrmError:
            return
        if state == "Open":
            self.abort(job_id)
        elif state in ("UploadComplete", "InProgress"):
            wait_for_job(self.client, path)

    def results(
        self, job_id: str, key_of, expected_rows: int | None = None
    ) -> Iterator[WriteResult]:
        """A finished job's rows, streamed. Results don't keep the upload's order: each carries
        the key `key_of(row)` reads from its columns, for the caller to match."""
        wait_for_job(self.client, f"jobs/ingest/{job_id}", expected_rows)
        for kind in ("successfulResults", "failedResults"):
            spool = self.client.call(
                lambda sf, k=kind: _fetch(sf, job_id, k), "Bulk ingest results"
            )
            with spool:
                spool.seek(0)
                text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
                for row in csv.DictReader(text):
                    yield _row_result(kind, key_of(row), row)
                text.detach()


def _fetch(sf, job_id: str, kind: str):
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with sf.session.get(
        f"{sf.base_url}jobs/ingest/{job_id}/{kind}", headers=sf.headers, stream=True
    ) as response:
        if response.status_code >= 300:
            response.content  # noqa: B018 - read the error body for the exception
            exception_handler(response, "Bulk ingest results")
        for chunk in response.iter_content(1 << 20):
            spool.write(chunk)
    return spool


def _row_result(kind: str, key, row: dict) -> WriteResult:
    if kind == "successfulResults":
        return WriteResult(key, True, row["sf__Id"])
    code, _, rest = row["sf__Error"].partition(":")
    message, _, fields = rest.rpartition(":")
    return WriteResult(
        key,
        False,
        row.get("sf__Id") or None,
        code,
        message or rest,
        [f for f in fields.replace("--", "").strip().split(",") if f],
    )
