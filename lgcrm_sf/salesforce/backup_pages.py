"""An object's rows, page by page, into its CSV: from a Bulk API 2.0 query job, or from a REST
query and its queryMore pages when Bulk doesn't suit. Each page goes to disk as it arrives, so
memory is bounded by one page whatever the row count.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field

from ..errors import LgcrmError, QuotaReserveReached, SalesforceApiError
from ..i18n import N_, deferred
from .backup_sink import CsvSink
from .bulk_jobs import fetch_results_page, wait_for_job
from .client import SalesforceClient
from .tuning import BackupTuning

SPOOL_BYTES = 8 * 1024 * 1024  # a results page is held in memory up to this, then on disk
CHUNK_BYTES = 1024 * 1024
# Bulk API 2.0 doesn't serve every object (Organization, Profile...): REST does, page by page.
BULK_REFUSALS = ("INVALIDJOB", "FeatureNotEnabled", "INVALIDENTITY")


@dataclass
class ObjectPlan:
    """One object's export, decided before any data moves."""

    name: str
    file: str
    fields: list[str] = field(default_factory=list)
    query: str = ""
    total: int | None = None
    api: str = "none"
    job_id: str | None = None
    note: str | None = None
    error: str | None = None
    binary: list[str] = field(default_factory=list)


class PageFetcher:
    """Moves an object's rows from Salesforce to its sink, telling `progress` the rows so far."""

    def __init__(self, client: SalesforceClient, progress, tuning: BackupTuning) -> None:
        self.client, self.progress, self.tuning = client, progress, tuning

    # --- Bulk API 2.0 ---------------------------------------------------------------------
    def start_job(self, plan: ObjectPlan, include_deleted: bool) -> None:
        """Submit the query job; a refusal of the object turns the plan to REST."""
        body = {
            "operation": "queryAll" if include_deleted else "query",
            "query": plan.query,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        try:
            job = self.client.call(
                lambda sf: sf.restful("jobs/query", method="POST", json=body),
                deferred(N_("the Bulk API 2.0 job for {name}"), name=plan.name),
            )
            plan.job_id = job["id"]
        except SalesforceApiError as exc:
            if exc.code in BULK_REFUSALS or "not supported" in exc.message:
                plan.api = "rest"
                plan.note = deferred(
                    N_("Bulk API 2.0 refused this object ({detail}); REST query used"),
                    detail=exc.message,
                )
            else:
                plan.error = exc.message
        except QuotaReserveReached:
            raise
        except LgcrmError as exc:
            plan.error = exc.message

    def bulk(self, plan: ObjectPlan, sink: CsvSink) -> int:
        wait_for_job(self.client, f"jobs/query/{plan.job_id}", plan.total, eager=True)
        rows, locator, first = 0, None, True
        while True:
            locator, count = self._page(plan.job_id, locator, sink, skip_header=not first)
            first = False
            rows += count
            self.progress.rows_written(plan.name, rows)
            if locator is None:
                break
        # Results stay on Salesforce for days unless deleted: don't leave a copy of the org there.
        self.client.call(
            lambda sf: sf.restful(f"jobs/query/{plan.job_id}", method="DELETE"),
            deferred(N_("deleting the Bulk job")),
        )
        return rows

    def _page(
        self, job_id: str, locator: str | None, sink: CsvSink, skip_header: bool
    ) -> tuple[str | None, int]:
        """Fetch one results page into the sink. A plain file gets it streamed (and rolled
        back if the connection breaks); a gzip file gets it from a spool."""
        point = sink.checkpoint()
        page_rows = self.tuning.bulk_page_rows

        def fetch(sf):
            sink.roll_back(point)  # a retry starts the page again from its first byte
            target = (
                sink if sink.can_roll_back else tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
            )
            page = _PageWriter(target, skip_header)
            next_locator, count = fetch_results_page(sf, job_id, locator, page_rows, page.write)
            return target, next_locator, count

        target, next_locator, count = self.client.call(fetch, deferred(N_("a Bulk results page")))
        if target is not sink:
            with target:
                target.seek(0)
                while chunk := target.read(CHUNK_BYTES):
                    sink.write(chunk)
        return next_locator, count

    # --- REST -----------------------------------------------------------------------------
    def rest(self, plan: ObjectPlan, include_deleted: bool, sink: CsvSink) -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(plan.fields)
        rows = 0
        page = self.client.call(
            lambda sf: sf.query(plan.query, include_deleted=include_deleted),
            deferred(N_("the query of {name}"), name=plan.name),
        )
        while True:
            for record in page["records"]:
                writer.writerow([_csv_value(record.get(f)) for f in plan.fields])
            rows += len(page["records"])
            sink.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            self.progress.rows_written(plan.name, rows)
            if page.get("done", True):
                return rows
            page = self.client.call(
                lambda sf, url=page["nextRecordsUrl"]: sf.query_more(
                    url, identifier_is_url=True, include_deleted=include_deleted
                ),
                deferred(N_("the query of {name}"), name=plan.name),
            )


class _PageWriter:
    """Passes a results page on; every page after the first repeats the header row (which has
    no embedded newline), so that row is dropped there."""

    def __init__(self, target, skip_header: bool) -> None:
        self.target, self.skip_header = target, skip_header

    def write(self, chunk: bytes) -> None:
        if self.skip_header:
            newline = chunk.find(b"\n")
            if newline < 0:
                return
            chunk, self.skip_header = chunk[newline + 1 :], False
        self.target.write(chunk)


def _csv_value(value) -> str:
    """REST JSON to the same text Bulk API 2.0 writes: empty for null, true/false, UTC 'Z'."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str) and len(value) == 28 and value.endswith("+0000") and value[10] == "T":
        return value[:-5] + "Z"
    return str(value)
