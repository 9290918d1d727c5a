"""The Salesforce side of the sync, as named operations: changes since a cursor, records by Id
or by e-mail or by our external id, what became of linked records, batches of creates and
updates, Bulk ingest jobs, the Tasks of an interrupted run. Every call is counted (the client's
counter) and the run stops at the quota reserve. The engine never calls simple-salesforce."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import QuotaReserveReached
from ..i18n import N_, deferred
from . import describe, soql
from .bulk_jobs import fetch_results_page, wait_for_job
from .client import SalesforceClient
from .ingest import IngestJobs
from .session import CallCounter
from .writes import WriteResult, write_collection

CHANGE_QUERY = deferred(N_("the change query"))  # what a failed read names
MESSAGES = {
    "quota": N_(
        "Stopped: the org has {remaining:,} API calls left today, below the reserve of "
        "{reserve:,} (api-usage {used:,}/{limit:,}). Work done so far is saved."
    ),
    "quota_fix": N_("the next run resumes; lower --api-reserve to use more of the day's calls."),
}
# What a record's state looks like, per object (the reconcile pass reads these).
STATE_FIELDS = {
    "Lead": ("Id", "IsDeleted", "MasterRecordId", "IsConverted", "ConvertedContactId"),
    "Contact": ("Id", "IsDeleted", "MasterRecordId"),
    "Account": ("Id", "IsDeleted", "MasterRecordId"),
    "Opportunity": ("Id", "IsDeleted"),
    "OpportunityContactRole": ("Id", "IsDeleted"),
}


@dataclass(frozen=True)
class Sizes:
    read_threshold: int = 10_000  # more rows than this: read them with Bulk API 2.0
    page_rows: int = 100_000  # rows per Bulk results page
    lookup_chunk: int = 300  # values per IN (...) lookup
    ids_per_query: int = 400  # ids per state lookup


class SalesforceSide:
    def __init__(
        self, client: SalesforceClient, sizes: Sizes | None = None, integration_user_id=None
    ) -> None:
        self.client = client
        self.sizes = sizes or Sizes()
        self.integration_user_id = integration_user_id  # the integration user's id
        self.api_reserve = 0
        self.last_query_started: datetime.datetime | None = None
        self.ingest = IngestJobs(client, integration_user_id)

    @property
    def calls(self) -> int:
        return self.client.counter.calls

    def usage(self) -> CallCounter:
        """This session's calls and the org's daily use as Salesforce last reported it."""
        return self.client.counter

    def pause_before_retry(self) -> None:
        """The client's own back-off before one more try (rows locked by another process)."""
        time.sleep(self.client.retry_policy.delay(1))

    # --- describe ------------------------------------------------------------------------
    def describe_fields(self, sobject: str) -> dict[str, dict]:
        return describe.describe_fields(self.client, sobject)

    def find_users(self, usernames: list[str]) -> list[dict]:
        return describe.find_users(self.client, usernames)

    # --- quota ---------------------------------------------------------------------------
    def reserve_from(self, calls: int | None, percent: float) -> None:
        """The reserve in calls: given, or a share of the daily limit the org reported in the
        first answers' Sforce-Limit-Info (no extra call to `limits`)."""
        counter = self.client.counter
        if calls is not None:
            self.api_reserve = calls
        elif counter.api_max:
            self.api_reserve = int(counter.api_max * percent / 100)
        self.check_quota()

    def check_quota(self) -> None:
        counter = self.client.counter
        if counter.api_used is None or counter.api_max is None:
            return
        remaining = counter.api_max - counter.api_used
        if remaining < self.api_reserve:
            raise QuotaReserveReached(
                deferred(
                    MESSAGES["quota"],
                    remaining=remaining,
                    reserve=self.api_reserve,
                    used=counter.api_used,
                    limit=counter.api_max,
                ),
                deferred(MESSAGES["quota_fix"]),
            )

    # --- reading ---------------------------------------------------------------------------
    def rows(self, text: str, what: str = CHANGE_QUERY) -> Iterator[dict]:
        """Every row of a queryAll, as {field: value}. The first REST page tells how many: past
        the threshold the rest comes through Bulk API 2.0. `last_query_started` is the org's
        clock when it answered: every change committed before then is in this query."""
        first = self.client.call(lambda sf: sf.query(text, include_deleted=True), what)
        self.last_query_started = self.client.counter.server_time
        if not first["done"] and first["totalSize"] > self.sizes.read_threshold:
            yield from self._bulk_rows(text, first["totalSize"])
            return
        page = first
        while True:
            for record in page["records"]:
                yield {k: v for k, v in record.items() if k != "attributes"}
            if page["done"]:
                return
            page = self.client.call(
                lambda sf, url=page["nextRecordsUrl"]: sf.query_more(
                    url, identifier_is_url=True, include_deleted=True
                ),
                what,
            )

    def changes_since(self, sobject: str, fields: list[str], since: str | None) -> Iterator[dict]:
        """The object's records changed since the clause (all of them for a first read),
        deletions, merges and conversions included, oldest change first."""
        text = soql.select(fields, sobject, [since] if since else (), "SystemModstamp, Id")
        yield from self.rows(text)

    def _bulk_rows(self, text: str, expected_rows: int) -> Iterator[dict]:
        body = {
            "operation": "queryAll",
            "query": text,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        job = self.client.call(
            lambda sf: sf.restful("jobs/query", method="POST", json=body),
            deferred(N_("a Bulk API 2.0 query")),
        )
        wait_for_job(self.client, f"jobs/query/{job['id']}", expected_rows)
        locator = None
        while True:
            spool, locator = self._results_page(job["id"], locator)
            with spool:
                spool.seek(0)
                csv_text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
                yield from csv.DictReader(csv_text)
                csv_text.detach()
            if locator is None:
                break
        self.client.call(
            lambda sf: sf.restful(f"jobs/query/{job['id']}", method="DELETE"),
            deferred(N_("deleting a Bulk job")),
        )

    def _results_page(self, job_id: str, locator: str | None):
        def fetch(sf):
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # a retry starts afresh
            next_locator, _ = fetch_results_page(
                sf, job_id, locator, self.sizes.page_rows, spool.write
            )
            return spool, next_locator

        return self.client.call(fetch, deferred(N_("a Bulk results page")))

    def records_by_id(self, sobject: str, fields: list[str], ids: list[str]) -> Iterator[dict]:
        for chunk in soql.chunks(ids, self.sizes.lookup_chunk):
            text = soql.select(fields, sobject, [f"Id IN {soql.in_list(chunk)}"])
            records = self.client.call(
                lambda sf, q=text: sf.query_all(q),
                deferred(N_("reading linked {sobject} records"), sobject=sobject),
            )["records"]
            for record in records:
                yield {k: v for k, v in record.items() if k != "attributes"}

    def find_by_emails(self, sobject: str, emails: list[str], extra: list[str] = ()) -> dict:
        """Live records with these e-mails, case-insensitive (SOQL compares text that way):
        {lower-cased e-mail: [records]}."""
        found: dict[str, list[dict]] = {}
        for chunk in soql.chunks(emails, self.sizes.lookup_chunk):
            text = soql.select(
                ("Id", "Email", "SystemModstamp"),
                sobject,
                [f"Email IN {soql.in_list(chunk)}", *extra],
            )
            rows = self.client.call(
                lambda sf, q=text: sf.query_all(q),
                deferred(N_("the {sobject} e-mail lookup"), sobject=sobject),
            )["records"]
            for row in rows:
                found.setdefault((row["Email"] or "").lower(), []).append(row)
        return found

    def created_by_me_since(self, sobject: str, emails: list[str], since: str) -> dict:
        """Records with these e-mails the integration user created since then."""
        extra = [f"CreatedDate >= {since}"]
        if self.integration_user_id:
            extra.append(f"CreatedById = {soql.quote(self.integration_user_id)}")
        return self.find_by_emails(sobject, emails, extra)

    def find_by_values(self, sobject: str, field: str, values: list[str]) -> dict[str, dict]:
        """Live records whose `field` holds one of `values` (an external id: one each)."""
        found: dict[str, dict] = {}
        for chunk in soql.chunks(values, self.sizes.lookup_chunk):
            text = soql.select(("Id", field), sobject, [f"{field} IN {soql.in_list(chunk)}"])
            for row in self.client.call(
                lambda sf, q=text: sf.query_all(q),
                deferred(N_("the {sobject} lookup"), sobject=sobject),
            )["records"]:
                found[str(row[field]).lower()] = row
        return {v: found[v.lower()] for v in values if v.lower() in found}

    def record_states(self, sobject: str, ids: list[str], scan_above: int) -> Iterator[tuple]:
        """(id, its state row, or None when Salesforce no longer has it at all) for every id.
        Rows in the recycle bin come back too (queryAll), marked IsDeleted. Past `scan_above`
        ids, every record of the object is read once (Bulk API past 10,000 rows: a few calls,
        not one per chunk of ids)."""
        fields = STATE_FIELDS[sobject]
        if len(ids) > scan_above:
            wanted, seen = set(ids), set()
            for row in self.rows(
                soql.select(fields, sobject),
                deferred(N_("checking linked {sobject} records"), sobject=sobject),
            ):
                if row["Id"] in wanted:
                    seen.add(row["Id"])
                    yield row["Id"], _normal_state(row)
            for missing in sorted(wanted - seen):
                yield missing, None
            return
        for chunk in soql.chunks(ids, self.sizes.ids_per_query):
            text = soql.select(fields, sobject, [f"Id IN {soql.in_list(chunk)}"])
            rows = self.client.call(
                lambda sf, q=text: sf.query_all(q, include_deleted=True),
                deferred(N_("checking linked {sobject} records"), sobject=sobject),
            )["records"]
            found = {r["Id"]: _normal_state(r) for r in rows}
            for sf_id in chunk:
                yield sf_id, found.get(sf_id)

    def tasks_since(self, who_ids: list[str], since: str) -> Iterator[dict]:
        """The Tasks on these people the integration user created since then (Id, Description)."""
        for chunk in soql.chunks(who_ids, self.sizes.lookup_chunk):
            where = [f"WhoId IN {soql.in_list(chunk)}", f"CreatedDate >= {since}"]
            if self.integration_user_id:
                where.append(f"CreatedById = {soql.quote(self.integration_user_id)}")
            text = soql.select(("Id", "Description"), "Task", where)
            yield from self.client.call(
                lambda sf, q=text: sf.query_all(q),
                deferred(N_("finding Tasks of an interrupted run")),
            )["records"]

    # --- writing ---------------------------------------------------------------------------
    def write_many(self, sobject, op, items, assignment_rules=False, external_id=None):
        return write_collection(self.client, sobject, op, items, assignment_rules, external_id)


def _normal_state(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "attributes"}
    for key in ("IsDeleted", "IsConverted"):
        if key in out:
            out[key] = out[key] is True or str(out[key]).lower() == "true"
    for key in ("MasterRecordId", "ConvertedContactId"):
        if key in out and not out[key]:
            out[key] = None
    return out


def cursor_after(query_started: datetime.datetime | None, newest_row: str | None) -> str | None:
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


__all__ = ["SalesforceSide", "Sizes", "WriteResult", "cursor_after"]
