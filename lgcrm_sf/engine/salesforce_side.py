"""The Salesforce side of the sync: reading changes (REST queryAll, Bulk API 2.0 queryAll when the
volume is large), finding records by e-mail, and writing in batches (sObject Collections, 200 a
call with allOrNone=false; Bulk API 2.0 ingest above a threshold). Counts calls and stops at the
quota reserve."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from simple_salesforce.util import exception_handler

from ..errors import OutcomeUnknown, QuotaReserveReached, SalesforceApiError
from ..salesforce.bulk_jobs import fetch_results_page, wait_for_job
from ..salesforce.client import SalesforceClient
from .options import Tuning

TRANSIENT_RECORD_CODES = {"UNABLE_TO_LOCK_ROW"}

MESSAGES = {
    "quota": "Stopped: the org has {remaining:,} API calls left today, below the reserve of {reserve:,} "
    "(api-usage {used:,}/{limit:,}). Work done so far is saved; the next run resumes.",
}


@dataclass
class WriteResult:
    key: str  # journal id as text
    success: bool
    sf_id: str | None = None
    code: str | None = None
    message: str | None = None
    fields: list | None = None


def soql_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SalesforceSide:
    def __init__(
        self,
        client: SalesforceClient,
        api_reserve: int = 0,
        tuning: Tuning | None = None,
        me: str | None = None,
    ) -> None:
        self.client = client
        self.me = me  # the integration user's id
        self.last_query_started: datetime.datetime | None = None
        self.tuning = tuning or Tuning()
        self.api_reserve = api_reserve
        self.quota_hit: QuotaReserveReached | None = None

    # --- quota ---------------------------------------------------------------------------
    def check_quota(self) -> None:
        counter = self.client.counter
        if counter.api_used is None or counter.api_max is None:
            return
        remaining = counter.api_max - counter.api_used
        if remaining < self.api_reserve:
            raise QuotaReserveReached(
                MESSAGES["quota"].format(
                    remaining=remaining,
                    reserve=self.api_reserve,
                    used=counter.api_used,
                    limit=counter.api_max,
                )
            )

    def call(self, fn, what: str):
        result = self.client.call(fn, what)
        return result

    # --- reading ---------------------------------------------------------------------------
    def describe(self, sobject: str) -> dict[str, dict]:
        described = self.call(
            lambda sf: getattr(sf, sobject).describe(), f"the describe of {sobject}"
        )
        return {
            f["name"]: {
                k: f.get(k)
                for k in (
                    "name",
                    "type",
                    "length",
                    "updateable",
                    "createable",
                    "nillable",
                    "picklistValues",
                    "restrictedPicklist",
                )
            }
            for f in described["fields"]
        }

    def query_rows(self, soql: str, types: dict[str, str]) -> Iterator[dict]:
        """Every row of a queryAll, as {field: value} with relationship-free field names. The
        first REST page tells how many: past the threshold the rest comes through Bulk API 2.0."""
        first = self.call(lambda sf: sf.query(soql, include_deleted=True), "the change query")
        # The org's clock when it answered: every change committed before then is in this
        # query, so the next one may start there (less the overlap), not at the newest row.
        self.last_query_started = self.client.counter.server_time
        if first["done"] or first["totalSize"] <= self.tuning.bulk_read_threshold:
            page = first
            while True:
                for record in page["records"]:
                    yield {k: v for k, v in record.items() if k != "attributes"}
                if page["done"]:
                    return
                page = self.call(
                    lambda sf, url=page["nextRecordsUrl"]: sf.query_more(
                        url, identifier_is_url=True, include_deleted=True
                    ),
                    "the change query",
                )
        yield from self._bulk_rows(soql, first["totalSize"])

    def _bulk_rows(self, soql: str, expected_rows: int) -> Iterator[dict]:
        body = {
            "operation": "queryAll",
            "query": soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        job = self.call(
            lambda sf: sf.restful("jobs/query", method="POST", json=body), "a Bulk API 2.0 query"
        )
        self._wait(f"jobs/query/{job['id']}", expected_rows)
        locator = None
        while True:
            spool, locator = self._results_page(job["id"], locator)
            with spool:
                spool.seek(0)
                text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
                yield from csv.DictReader(text)
                text.detach()
            if locator is None:
                break
        self.call(
            lambda sf: sf.restful(f"jobs/query/{job['id']}", method="DELETE"), "deleting a Bulk job"
        )

    def _results_page(self, job_id: str, locator: str | None):
        def fetch(sf):
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # a retry starts afresh
            next_locator, _ = fetch_results_page(
                sf, job_id, locator, self.tuning.bulk_page_rows, spool.write
            )
            return spool, next_locator

        return self.call(fetch, "a Bulk results page")

    def _wait(self, path: str, expected_rows: int | None = None) -> dict:
        return wait_for_job(self.client, path, expected_rows)

    def find_by_emails(
        self, sobject: str, emails: list[str], extra_where: str = ""
    ) -> dict[str, list[dict]]:
        """Live records with these e-mails, case-insensitive (SOQL compares text that way)."""
        found: dict[str, list[dict]] = {}
        for start in range(0, len(emails), self.tuning.emails_per_query):
            chunk = emails[start : start + self.tuning.emails_per_query]
            soql = (
                f"SELECT Id, Email, SystemModstamp FROM {sobject} WHERE Email IN "
                f"({', '.join(soql_quote(e) for e in chunk)}){extra_where}"
            )
            rows = self.call(lambda sf, q=soql: sf.query_all(q), f"the {sobject} e-mail lookup")[
                "records"
            ]
            for row in rows:
                found.setdefault((row["Email"] or "").lower(), []).append(row)
        return found

    def find_by_values(self, sobject: str, field: str, values: list[str]) -> dict[str, dict]:
        """Live records whose `field` holds one of `values` (an external id: one each)."""
        found: dict[str, dict] = {}
        size = self.tuning.emails_per_query
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            soql = (
                f"SELECT Id, {field} FROM {sobject} WHERE {field} IN "
                f"({', '.join(soql_quote(v) for v in chunk)})"
            )
            for row in self.call(lambda sf, q=soql: sf.query_all(q), f"the {sobject} lookup")[
                "records"
            ]:
                found[str(row[field]).lower()] = row
        return {v: found[v.lower()] for v in values if v.lower() in found}

    # --- writing ---------------------------------------------------------------------------
    def write_collection(
        self,
        sobject: str,
        op: str,
        items: list[tuple[str, dict]],
        assignment_rules=False,
        external_id: str | None = None,
    ) -> list[WriteResult]:
        """Up to 200 creates or updates in one sObject Collections call, allOrNone=false: a
        rejected record never blocks the others.

        Creates are upserts on our external-id field when the org has one (sending one twice
        then updates, never duplicates, so it is retried like an update); without it a create
        is not idempotent, and a lost answer raises OutcomeUnknown for the caller to look the
        records up. The REST API runs the org's active assignment rules on every Lead write
        unless told not to, which would silently replace the owner the sync sets: only a create
        may ask for them (the mapping's `assignment_rules`)."""
        records = [{"attributes": {"type": sobject}, **payload} for _, payload in items]
        body = {"allOrNone": False, "records": records}
        assign = "TRUE" if assignment_rules and op == "create" else "FALSE"
        if op == "create" and external_id:
            path, method, idempotent = f"composite/sobjects/{sobject}/{external_id}", "PATCH", True
        elif op == "create":
            path, method, idempotent = "composite/sobjects", "POST", False
        else:
            path, method, idempotent = "composite/sobjects", "PATCH", True
        answers = self.client.call(
            lambda sf: sf.restful(
                path, method=method, json=body, headers={"Sforce-Auto-Assign": assign}
            ),
            f"a batch of {sobject} {op}s",
            idempotent=idempotent,
        )
        results = []
        for (key, payload), answer in zip(items, answers, strict=True):
            if answer.get("success"):
                results.append(WriteResult(key, True, answer.get("id") or payload.get("Id")))
            else:
                error = (answer.get("errors") or [{}])[0]
                results.append(
                    WriteResult(
                        key,
                        False,
                        payload.get("Id"),
                        error.get("statusCode"),
                        error.get("message"),
                        error.get("fields"),
                    )
                )
        return results

    def bulk_ingest(
        self, sobject: str, op: str, payloads, on_job, external_id: str | None = None
    ) -> str:
        """One Bulk API 2.0 ingest job from `payloads()` (called twice: once for the columns,
        once for the rows), spooled to disk past a few MB. Returns the job id once closed.

        Nothing is ever uploaded twice to a job: an upload whose answer is lost is settled by
        aborting that job (an open job processes nothing) and starting another; a close whose
        answer is lost by reading the job's state. Creates upsert on our external id when the
        org has one."""
        columns = sorted({k for payload in payloads() for k in payload})
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for payload in payloads():
            writer.writerow([_csv_cell(payload.get(c, _ABSENT), op) for c in columns])
        text.flush()
        job_spec = {"object": sobject, "contentType": "CSV", "lineEnding": "LF"}
        if op == "create" and external_id:
            job_spec.update(operation="upsert", externalIdFieldName=external_id)
        else:
            job_spec["operation"] = "insert" if op == "create" else "update"
        try:
            for _ in range(3):
                job_id = self._open_job(job_spec)
                on_job(job_id)
                if self._upload(job_id, spool):
                    self._close_job(job_id)
                    return job_id
            raise OutcomeUnknown(
                f"Salesforce did not confirm the upload of a {sobject} Bulk job three times; "
                "nothing was processed. Run the sync again."
            )
        finally:
            text.detach()
            spool.close()

    def _open_job(self, spec: dict) -> str:
        try:
            return self.client.call(
                lambda sf: sf.restful("jobs/ingest", method="POST", json=spec),
                "a Bulk ingest job",
                idempotent=False,
            )["id"]
        except OutcomeUnknown:
            # A job may have been made: it is empty and open, so it can only be aborted.
            self._abort_open_jobs(spec["object"])
            return self.client.call(
                lambda sf: sf.restful("jobs/ingest", method="POST", json=spec),
                "a Bulk ingest job",
                idempotent=False,
            )["id"]

    def _abort_open_jobs(self, sobject: str) -> None:
        """Abort our open (never uploaded, never closed) ingest jobs on this object."""
        jobs = self.client.call(lambda sf: sf.restful("jobs/ingest"), "listing Bulk jobs")
        for job in jobs.get("records", []):
            mine = self.me is None or (job.get("createdById") or "")[:15] == self.me[:15]
            if job.get("object") == sobject and job.get("state") == "Open" and mine:
                self._abort(job["id"])

    def _abort(self, job_id: str) -> None:
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
            self._abort(job_id)
            return False

    def _close_job(self, job_id: str) -> None:
        path = f"jobs/ingest/{job_id}"
        try:
            self.client.call(
                lambda sf: sf.restful(path, method="PATCH", json={"state": "UploadComplete"}),
                "closing the Bulk ingest job",
                idempotent=False,
            )
        except OutcomeUnknown:
            state = self.client.call(lambda sf: sf.restful(path), "a Bulk job status")["state"]
            if state == "Open":  # the close did not happen: close it now
                self.client.call(
                    lambda sf: sf.restful(path, method="PATCH", json={"state": "UploadComplete"}),
                    "closing the Bulk ingest job",
                    idempotent=False,
                )

    def bulk_results(
        self, job_id: str, key_of, expected_rows: int | None = None
    ) -> Iterator[WriteResult]:
        """A finished ingest job's rows, streamed. Results don't keep the upload's order: each
        carries the key `key_of(row)` reads from its columns, for the caller to match."""
        self._wait(f"jobs/ingest/{job_id}", expected_rows)
        for kind in ("successfulResults", "failedResults"):

            def fetch(sf, k=kind):
                spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
                with sf.session.get(
                    f"{sf.base_url}jobs/ingest/{job_id}/{k}", headers=sf.headers, stream=True
                ) as r:
                    if r.status_code >= 300:
                        r.content  # noqa: B018 - read the error body for the exception
                        exception_handler(r, "Bulk ingest results")
                    for chunk in r.iter_content(1 << 20):
                        spool.write(chunk)
                return spool

            spool = self.call(fetch, "Bulk ingest results")
            with spool:
                spool.seek(0)
                text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
                for row in csv.DictReader(text):
                    key = key_of(row)
                    if kind == "successfulResults":
                        yield WriteResult(key, True, row["sf__Id"])
                    else:
                        code, _, rest = row["sf__Error"].partition(":")
                        message, _, fields = rest.rpartition(":")
                        yield WriteResult(
                            key,
                            False,
                            row.get("sf__Id") or None,
                            code,
                            message or rest,
                            [f for f in fields.replace("--", "").strip().split(",") if f],
                        )
                text.detach()


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


def sf_cursor(query_started: datetime.datetime | None, newest_row: str | None) -> str | None:
    """Where the next change query of an object starts (less the overlap): when the org said
    this run's query ran (everything committed before is in it), else the newest row read. Not
    the newest row when the time is known: our own writes are the newest rows, and a window
    pinned to them would read them again at every quiet run."""
    if query_started is None:
        return newest_row
    return (
        query_started.astimezone(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
