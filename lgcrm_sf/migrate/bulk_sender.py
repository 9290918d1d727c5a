"""Large batches of a restore's writes through Bulk API 2.0 ingest. The rows of a job are
written to a spool file and journaled (source id, key) in one pass, so memory does not grow
with the job; the job's id is journaled before its data is uploaded. Its results come back in
no particular order, each row echoing the columns uploaded: the key (the source id column when
the object has a source-id field, else the digest of the values sent) pairs each result with
its row. After a crash, the journaled job id leads to those same results: nothing is created
twice, nothing uploaded twice (salesforce/bulk_ingest.py). Creates are pipelined: the next job
is prepared and uploaded while the org processes the one before (two jobs in flight, each
journaled on its own), so the restore's own work hides behind the org's."""

from __future__ import annotations

import csv
import io
import operator
import tempfile
import time
from collections import deque
from itertools import chain, islice

from ..errors import OutcomeUnknown
from ..i18n import _
from ..salesforce import bulk_ingest
from .target import ObjectSpec
from .values import fingerprinter

SPOOL_BYTES = 2 * 1024 * 1024  # a job's CSV kept in memory up to this, then on disk
PIPELINE_JOBS = 2  # create jobs in flight at once: one processed, the next being prepared
FIRST_JOB_PART = 8  # an object's first job: this part of bulk_job_rows, doubling from there
LAST_JOB_POLL = (0.1, 0.5)  # seconds: the first and the longest wait between status checks
UPLOAD_ATTEMPTS = 3
CLEAR = "#N/A"  # Bulk API: set the field to null on update (an empty cell leaves it as is)


class BulkSender:
    def __init__(self, sender) -> None:
        self.s = sender  # the Sender: client, progress, tuning, tallies

    # --- creates ----------------------------------------------------------------------------
    def create(self, spec: ObjectSpec, items) -> None:
        """Jobs of up to `bulk_job_rows` rows, pipelined: the next job is read, remapped,
        journaled and uploaded while Salesforce processes the one before, so neither side waits
        on the other. The first jobs are smaller (the org starts sooner; each next one is
        prepared while the one before is processed, at twice its size). Each job is journaled
        with its id before its upload, as when alone: a kill with two jobs in flight leaves two
        journaled jobs, both settled by the next run."""
        iterator = iter(items)
        in_flight: deque[dict] = deque()
        size = max(1, self.s.tuning.bulk_job_rows // FIRST_JOB_PART)
        while (first := next(iterator, None)) is not None:
            group = chain([first], islice(iterator, size - 1))
            in_flight.append(self._start_create_job(spec, group, list(first[1])))
            size = min(size * 2, self.s.tuning.bulk_job_rows)
            if len(in_flight) >= PIPELINE_JOBS:
                self._finish_create_job(spec, in_flight.popleft(), last=False)
        while in_flight:
            chunk = in_flight.popleft()
            self._finish_create_job(spec, chunk, last=not in_flight)

    def _start_create_job(self, spec: ObjectSpec, group, value_columns: list[str]) -> dict:
        """Journal the group's rows while writing them to the job's CSV, then upload it."""
        columns = value_columns + ([spec.source_id_field] if spec.source_id_field else [])
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)

        # The key of a row without a source-id field: the digest of the cells uploaded.
        digest = fingerprinter(value_columns, spec.types, {c: i for i, c in enumerate(columns)})

        def rows():
            for source_id, values in group:
                cells = [values.get(c, "") for c in value_columns]
                writer.writerow(cells + ([source_id] if spec.source_id_field else []))
                yield source_id, source_id if spec.source_id_field else digest(cells), None

        try:
            chunk = self.s.progress.journal(spec.name, "bulk", self.s.since(), columns, rows())
            text.flush()
            job_id = self._submit(spec, chunk, spool, "insert")
        finally:
            text.detach()
            spool.close()
        return {"id": chunk, "job_id": job_id, "fields": columns}

    def _finish_create_job(self, spec: ObjectSpec, chunk: dict, last: bool) -> None:
        """While a job is waited on, the next is queued behind it and the org is busy; the
        object's last job is waited on alone, and the next object waits for its ids: it is
        checked often, so that the org does not sit idle once it is done."""
        client, job_id = self.s.client, chunk["job_id"]
        info = self._wait_closely(job_id) if last else bulk_ingest.wait(client, job_id)
        self._map_results(spec, chunk, info)
        self.s.tell(spec.name, "created", self.s.tallies[spec.name]["created"])

    def _wait_closely(self, job_id: str) -> dict:
        delay, longest = LAST_JOB_POLL
        while True:
            info = bulk_ingest.job_info(self.s.client, job_id)
            if info["state"] in bulk_ingest.TERMINAL:
                return info
            time.sleep(delay)
            delay = min(delay * 1.5, longest)

    def _submit(self, spec: ObjectSpec, chunk: int, spool, operation: str) -> str:
        client, integration_user_id = self.s.client, self.s.integration_user_id
        for _attempt in range(UPLOAD_ATTEMPTS):
            job_id = bulk_ingest.open_job(client, spec.name, operation, integration_user_id)
            self.s.progress.set_job(chunk, job_id)
            if bulk_ingest.upload(client, job_id, spool):
                bulk_ingest.close(client, job_id)
                return job_id
        raise OutcomeUnknown(
            _(
                "Salesforce did not confirm the upload of a {name} Bulk job {attempts} "
                "times; nothing was processed. Run the restore again."
            ).format(name=spec.name, attempts=UPLOAD_ATTEMPTS)
        )

    def settle(self, spec: ObjectSpec, chunk: dict) -> None:
        """Map a journaled create job's rows from its results (a job a killed run left)."""
        progress, client = self.s.progress, self.s.client
        job_id = chunk["job_id"]
        info = bulk_ingest.job_info(client, job_id) if job_id else {"state": "Open"}
        if info["state"] == "Open":  # never closed: it processes nothing, the rows go again
            if job_id:
                bulk_ingest.abort(client, job_id)
            progress.settle(chunk["id"])
            return
        if info["state"] not in bulk_ingest.TERMINAL:
            info = bulk_ingest.wait(client, job_id)
        self._map_results(spec, chunk, info)

    def _map_results(self, spec: ObjectSpec, chunk: dict, info: dict) -> None:
        """The rows of a finished job: created ones mapped, refused ones and ones never
        processed recorded, and the journal entry closed, all in one transaction (a kill leaves
        the job either settled or journaled, to be settled again from the same results)."""
        progress, client, job_id = self.s.progress, self.s.client, chunk["job_id"]
        fields = chunk["fields"]
        with (
            bulk_ingest.results(client, job_id, "successfulResults") as succeeded,
            bulk_ingest.results(client, job_id, "failedResults") as refused,
            progress.transaction(),
        ):
            pairs = self._keyed(spec, fields, succeeded, "sf__Id")
            created = progress.match_results(chunk["id"], spec.name, pairs)
            failed = self._failures(
                spec, chunk, self._keyed(spec, fields, refused, "sf__Error"), info
            )
            progress.settle(chunk["id"])
        self.s.tallies[spec.name]["created"] += created
        self.s.tallies[spec.name]["failed"] += failed

    @staticmethod
    def _keyed(spec: ObjectSpec, columns: list[str], spool, wanted: str):
        """(key, the `wanted` column) of each row of a results file: the key as the row's
        journal entry has it, from the columns the job uploaded, which each result echoes."""
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        try:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            at = {name: i for i, name in enumerate(header)}
            if spec.source_id_field:
                key_at = at[spec.source_id_field]
                key_of = operator.itemgetter(key_at)
            else:
                values = [c for c in columns if c != spec.source_id_field]
                key_of = fingerprinter(values, spec.types, at)
            wanted_at = at[wanted]
            for cells in reader:
                yield key_of(cells), cells[wanted_at]
        finally:
            text.detach()

    def _failures(self, spec: ObjectSpec, chunk: dict, refused, info: dict) -> int:
        """Rows refused (failedResults: (key, sf__Error)) and rows a failed or aborted job
        never processed."""
        progress = self.s.progress
        waiting: dict[str, list[str]] = {}
        for source_id, key in progress.unmapped_rows(chunk["id"]):
            waiting.setdefault(key, []).append(source_id)
        failures = []
        for key, error in refused:
            sources = waiting.get(key)
            if sources:
                code, message = _error(error)
                failures.append((sources.pop(0), spec.name, "create", code, message))
        reason = info.get("errorMessage") or f"the Bulk job ended {info['state']}"
        failures += [
            (sid, spec.name, "create", "UNPROCESSED", reason)
            for sources in waiting.values()
            for sid in sources
        ]
        progress.fail(failures)
        return len(failures)

    # --- updates ----------------------------------------------------------------------------
    def update(self, spec: ObjectSpec, items, done) -> None:
        iterator = iter(items)
        while (first := next(iterator, None)) is not None:
            group = chain([first], islice(iterator, self.s.tuning.bulk_job_rows - 1))
            self._update_job(spec, group, done)
            self.s.tell(spec.name, "updated", self.s.tallies[spec.name]["updated"])

    def _update_job(self, spec: ObjectSpec, group, done) -> None:
        columns = sorted(set(spec.update_fields) | set(spec.deferred))
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["Id", *columns])

        def rows():
            for source_id, target_id, values in group:
                cells = [_update_cell(values, c) for c in columns]
                writer.writerow([target_id, *cells])
                yield source_id, target_id, None

        try:
            chunk = self.s.progress.journal(spec.name, "bulk-update", None, columns, rows())
            text.flush()
            job_id = self._submit(spec, chunk, spool, "update")
        finally:
            text.detach()
            spool.close()
        self._settle_update(spec, chunk, job_id, done)

    def _settle_update(self, spec: ObjectSpec, chunk: int, job_id: str, done) -> None:
        progress, client = self.s.progress, self.s.client
        info = bulk_ingest.wait(client, job_id)
        source_of = {tid: sid for sid, tid, _ in progress.chunk_rows(chunk)}
        with bulk_ingest.results(client, job_id, "successfulResults") as spool:
            succeeded = [source_of[r["sf__Id"]] for r in _rows(spool) if r["sf__Id"] in source_of]
        failures = []
        with bulk_ingest.results(client, job_id, "failedResults") as spool:
            for row in _rows(spool):
                code, message = _error(row["sf__Error"])
                sid = source_of.get(row.get("Id") or row.get("sf__Id"))
                failures.append((sid, spec.name, "update", code, message))
        left = set(source_of.values()) - set(succeeded) - {f[0] for f in failures}
        reason = info.get("errorMessage") or f"the Bulk job ended {info['state']}"
        failures += [(sid, spec.name, "update", "UNPROCESSED", reason) for sid in sorted(left)]
        with progress.transaction():
            progress.fail(failures)
            if done:
                done(succeeded)
            progress.settle(chunk)
        self.s.tallies[spec.name]["updated"] += len(succeeded)
        self.s.tallies[spec.name]["failed"] += len(failures)


def _update_cell(values: dict, column: str) -> str:
    if column not in values:
        return ""  # unchanged
    return values[column] if values[column] != "" else CLEAR


def _rows(spool):
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        yield from csv.DictReader(text)
    finally:
        text.detach()


def _error(text: str) -> tuple[str, str]:
    """`CODE:message:fields --` as Bulk API 2.0 writes sf__Error."""
    code, _, rest = (text or "").partition(":")
    message, _, _fields = rest.rpartition(":")
    return code or "UNKNOWN", (message or rest).strip()
