"""The Salesforce side of the sync: reading changes (REST queryAll, Bulk API 2.0 queryAll when the
volume is large), finding records by e-mail, and writing in batches (sObject Collections, 200 a
call with allOrNone=false; Bulk API 2.0 ingest above a threshold). Counts calls and stops at the
quota reserve."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from simple_salesforce.util import exception_handler

from ..errors import QuotaReserveReached
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
        self, client: SalesforceClient, api_reserve: int = 0, tuning: Tuning | None = None
    ) -> None:
        self.client = client
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

    # --- writing ---------------------------------------------------------------------------
    def write_collection(
        self, sobject: str, op: str, items: list[tuple[str, dict]], assignment_rules=False
    ) -> list[WriteResult]:
        """Up to 200 creates or updates in one sObject Collections call, allOrNone=false: a
        rejected record never blocks the others. The REST API runs the org's active
        assignment rules on every Lead write unless told not to, which would silently replace
        the owner the sync sets: only a create may ask for them (the mapping's
        `assignment_rules`)."""
        records = [{"attributes": {"type": sobject}, **payload} for _, payload in items]
        method = "POST" if op == "create" else "PATCH"
        body = {"allOrNone": False, "records": records}
        assign = "TRUE" if assignment_rules and op == "create" else "FALSE"
        answers = self.call(
            lambda sf: sf.restful(
                "composite/sobjects",
                method=method,
                json=body,
                headers={"Sforce-Auto-Assign": assign},
            ),
            f"a batch of {sobject} {op}s",
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

    def bulk_ingest(self, sobject: str, op: str, payloads, on_job) -> str:
        """One Bulk API 2.0 ingest job from `payloads()` (called twice: once for the columns,
        once for the rows), spooled to disk past a few MB. Returns the job id once closed."""
        columns = sorted({k for payload in payloads() for k in payload})
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for payload in payloads():
            writer.writerow([_csv_cell(payload.get(c, _ABSENT), op) for c in columns])
        text.flush()
        operation = "insert" if op == "create" else "update"
        job = self.call(
            lambda sf: sf.restful(
                "jobs/ingest",
                method="POST",
                json={
                    "object": sobject,
                    "operation": operation,
                    "contentType": "CSV",
                    "lineEnding": "LF",
                },
            ),
            "a Bulk ingest job",
        )
        on_job(job["id"])

        def upload(sf):
            spool.seek(0)
            response = sf.session.put(
                f"{sf.base_url}jobs/ingest/{job['id']}/batches",
                data=spool,
                headers={**sf.headers, "Content-Type": "text/csv"},
            )
            if response.status_code >= 300:
                exception_handler(response, "Bulk upload")

        try:
            self.call(upload, "the Bulk ingest upload")
        finally:
            text.detach()
            spool.close()
        self.call(
            lambda sf: sf.restful(
                f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "UploadComplete"}
            ),
            "closing the Bulk ingest job",
        )
        return job["id"]

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
