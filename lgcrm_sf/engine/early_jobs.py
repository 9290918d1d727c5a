"""Creates sent while the run still reads: one Bulk job an object, started with what the run
has journaled so far, checked now and then (one status call when its wait is due, never a
blocking wait), settled as soon as it is complete; whatever is still in flight when the run
sends the rest of its journal is settled first (engine/apply.py). A job is only worth its calls
(create, upload, close, status, results) when it is big: below `EARLY_MIN_ROWS` the creates
wait for the usual send."""

from __future__ import annotations

import time

from ..salesforce.retry import poll_delays
from .apply import SentJob, settle_job, start_job
from .context import Sync

EARLY_MIN_ROWS = 20_000


class EarlyJobs:
    def __init__(self, sync: Sync) -> None:
        self.sync = sync
        self.started: set[str] = set()

    def start(self, sobject: str) -> None:
        """The creates of `sobject` journaled so far, sent as one job (once a run)."""
        sync = self.sync
        if sobject in self.started:
            return
        planned = sync.state.journal.planned_count(sync.run_id, "create", sobject)
        if planned < max(EARLY_MIN_ROWS, sync.tuning.bulk_write_threshold):
            return
        self.started.add(sobject)
        ids = sync.state.journal.planned_ids(
            sync.run_id, "create", sobject, sync.tuning.bulk_job_rows
        )
        job = start_job(sync, sobject, "create", ids)
        sync.work.jobs_in_flight.append(InFlight(job))

    def check(self) -> None:
        """Each job whose next status check is due checked; a complete one settled."""
        for flight in list(self.sync.work.jobs_in_flight):
            if time.monotonic() < flight.due:
                continue
            info = self.sync.sf.ingest.finished(flight.job.job_id)
            if info is None:
                flight.due = time.monotonic() + next(flight.delays)
                continue
            self.sync.work.jobs_in_flight.remove(flight)
            settle_job(self.sync, flight.job, info)
            self.sync.sf.check_quota()


class InFlight:
    """A job sent early, and when to check it next (the usual waits for its size)."""

    def __init__(self, job: SentJob) -> None:
        self.job = job
        self.delays = poll_delays(job.rows)
        self.due = time.monotonic() + next(self.delays)
