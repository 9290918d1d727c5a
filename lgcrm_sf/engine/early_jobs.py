"""Creates sent while the run still reads: one Bulk job an object, started with what the run
has journaled so far. Salesforce processes it while the read goes on. Once the read is done,
the rest of what it journaled is sent at once, before the usual phases; the early job is settled
while that one runs (engine/apply.py). A job is only worth its calls (create, upload, close,
status, results) when it is big: below the tuning's `early_job_rows` the creates wait for the
usual send."""

from __future__ import annotations

from .apply import start_job
from .context import Sync


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
        if planned < max(sync.tuning.early_job_rows, sync.tuning.bulk_write_threshold):
            return
        self.started.add(sobject)
        self._send(sobject)

    def send_rest(self, sobject: str) -> None:
        """Once the read is done: the rest of the creates it journaled, sent now if the usual
        send would make a Bulk job of them. Salesforce processes them while the usual phases
        run and the early job is settled; what those phases plan goes the usual way."""
        planned = self.sync.state.journal.planned_count(self.sync.run_id, "create", sobject)
        if planned > self.sync.tuning.bulk_write_threshold:
            self._send(sobject)

    def _send(self, sobject: str) -> None:
        sync = self.sync
        sync.sf.check_quota()  # the org's reserve holds for this job as for any other
        ids = sync.state.journal.planned_ids(
            sync.run_id, "create", sobject, sync.tuning.bulk_job_rows
        )
        sync.work.jobs_in_flight.append(start_job(sync, sobject, "create", ids))
