"""Bulk API 2.0 ingest for the sync's large writes: one job per batch of rows, spooled to disk
past a few MB, and its results streamed back.

Nothing is ever uploaded twice to a job: an upload whose answer is lost is settled by aborting
that job (an open job processes nothing) and starting another; a close whose answer is lost by
reading the job's state; a job created twice (its answer lost) leaves an empty open job, which
is aborted. Creates upsert on our external id when the org has one."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import Callable, Iterator

from ..errors import LgcrmError, OutcomeUnknown
from ..i18n import _
from . import bulk_ingest
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
    def __init__(self, client: SalesforceClient, integration_user_id: str | None) -> None:
        self.client, self.integration_user_id = client, integration_user_id

    def run_job(self, sobject, op, payloads: Callable, on_job: Callable, external_id=None) -> str:
        """One job from `payloads()` (an iterable it may call twice). Returns the job id once
        closed."""
        spool = tempfile.SpooledTemporaryFile(max_size=bulk_ingest.SPOOL_BYTES)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        _write_csv(text, payloads, op)
        if op == "create" and external_id:
            operation = "upsert"
        else:
            operation, external_id = ("insert" if op == "create" else "update"), None
        try:
            for _attempt in range(3):
                job_id = bulk_ingest.open_job(
                    self.client, sobject, operation, self.integration_user_id, external_id
                )
                on_job(job_id)
                if bulk_ingest.upload(self.client, job_id, spool):
                    bulk_ingest.close(self.client, job_id)
                    return job_id
            raise OutcomeUnknown(
                _(
                    "Salesforce did not confirm the upload of a {sobject} Bulk job three times; "
                    "nothing was processed."
                ).format(sobject=sobject),
                _("run the sync again."),
            )
        finally:
            text.detach()
            spool.close()

    def finish_interrupted(self, job_id: str) -> None:
        """A job a killed run left: abort it if still open (it processed nothing), else wait
        for it to finish (what it made is then looked up)."""
        try:
            state = bulk_ingest.job_info(self.client, job_id)["state"]
        except LgcrmError:
            return
        if state == "Open":
            bulk_ingest.abort(self.client, job_id)
        elif state in ("UploadComplete", "InProgress"):
            wait_for_job(self.client, f"jobs/ingest/{job_id}")

    def results(
        self, job_id: str, key_of, expected_rows: int | None = None
    ) -> Iterator[WriteResult]:
        """A job's rows once it is complete, streamed. Results don't keep the upload's order:
        each carries the key `key_of(row)` reads from its columns, for the caller to match. A
        list the job's counts show empty is not fetched (a call saved)."""
        info = wait_for_job(self.client, f"jobs/ingest/{job_id}", expected_rows)
        failed, processed = info.get("numberRecordsFailed"), info.get("numberRecordsProcessed")
        for kind in ("successfulResults", "failedResults"):
            if kind == "failedResults" and failed == 0:
                continue
            if kind == "successfulResults" and failed is not None and processed == failed:
                continue
            with bulk_ingest.results(self.client, job_id, kind) as spool:
                text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
                rows = csv.reader(text)
                header = next(rows, [])
                for values in rows:  # as csv.DictReader reads them, at half its cost
                    row = dict(zip(header, values, strict=False))
                    yield _row_result(kind, key_of(row), row)
                text.detach()


def _write_csv(text, payloads: Callable, op: str) -> None:
    """The job's CSV. Its columns are the first row's keys when every row has those (a sync's
    writes of one kind almost always do: one pass); else the union of all keys (a second)."""
    writer = csv.writer(text, lineterminator="\n")
    if not _write_rows(writer, payloads(), None, op):
        text.seek(0)
        text.truncate()
        _write_rows(writer, payloads(), sorted({k for p in payloads() for k in p}), op)
    text.flush()


def _write_rows(writer, payloads, columns: list[str] | None, op: str) -> bool:
    """Header and rows; without `columns`, the first row's keys, and False (stopped) at a row
    with a key they lack."""
    rows = iter(payloads)
    if columns is None:
        first = next(rows, None)
        columns = sorted(first or ())
        rows = itertools.chain([] if first is None else [first], rows)
    known = set(columns)
    writer.writerow(columns)
    for payload in rows:
        if not known.issuperset(payload):
            return False
        cells = [payload.get(c, _ABSENT) for c in columns]
        # Most cells are text, written as they are: the others through _csv_cell.
        writer.writerow([v if v.__class__ is str else _csv_cell(v, op) for v in cells])
    return True


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
