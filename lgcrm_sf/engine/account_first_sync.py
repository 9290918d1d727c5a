"""Account mode's first sync, matched while the account is read. The account's 10 calls a
second set the pace of a first read (100,000 leads are 200 pages: 20 s at best) and leave the
process idle much of that time; the people of each page are matched by e-mail and their
creates journaled as the page arrives, so that when the last page is in, only the sending is
left.

It is the usual sync in another order, and only where that order changes nothing: both Lead and
Contact are read whole from Salesforce first (their first sync), so matching looks in this run's
stage, as it would after the read; a person a page brings is new to the copy and unlinked, which
is all the later phases would have seen of it. Those people are marked dealt with, so the
later phases pass over them; everything else (Salesforce's records, the rest of the people, a
person a killed run left unlinked) goes through the usual phases after the read. Killed at any
point, the rerun is the same first sync again: the journal settles what was sent, the copy
re-reads idempotently."""

from __future__ import annotations

from ..store.journal import JournalState
from .account_refresh import CURSOR_LEADS
from .context import OBJECTS, Sync
from .early_jobs import EarlyJobs
from .matching import match_people

# Once about this share of a first read is done, the creates journaled so far are sent: the
# rest of the read covers the job's processing, and what is left after it is a small job.
EARLY_SHARE = 0.7

KINDS = dict(OBJECTS.values())  # our kind -> its Salesforce object


def matches_while_reading(sync: Sync) -> bool:
    """A first account read whose people can be matched page by page: both objects synced and
    read whole from Salesforce this run (their stage is where matching looks), not a dry run."""
    chosen = [sobject for _kind, sobject in sync.chosen()]
    return (
        sync.account is not None
        and not sync.dry_run
        and sorted(chosen) == ["Contact", "Lead"]
        and sync.state.cursors.get(CURSOR_LEADS) is None
        and all(sync.state.cursors.get(f"salesforce:{s}") is None for s in chosen)
    )


class PageMatcher:
    """Told each batch of account leads once it is in the copy: its new people are matched,
    and once most of the account is read, the creates journaled so far go to Salesforce as one
    Bulk job while the rest is read (engine/early_jobs.py)."""

    def __init__(self, sync: Sync) -> None:
        self.sync = sync
        self.early = EarlyJobs(sync)

    def __call__(self, created: list[dict], lead_ids: list[int], share: float | None) -> None:
        """`created`: the people this batch created in the copy (new: unlinked); `lead_ids`:
        the account ids of all its leads (a lead changed during the read comes again)."""
        sync = self.sync
        self._read_again(lead_ids)
        for kind, sobject in KINDS.items():
            people = [p for p in created if p["kind"] == kind]
            if people:
                linked = match_people(sync, sobject, people, done=True)
                sync.work.matched_while_reading.update(linked)
        if share is not None and share >= EARLY_SHARE:
            for sobject in KINDS.values():
                self.early.start(sobject)

    def read_done(self) -> None:
        """The read is over: the creates journaled since the early jobs go now, before the
        usual phases (engine/early_jobs.py)."""
        for sobject in KINDS.values():
            self.early.send_rest(sobject)

    def _read_again(self, lead_ids: list[int]) -> None:
        """People matched from an earlier batch whose lead came again (changed in the account
        while it was read): their planned create no longer says what the copy holds. One still
        planned is abandoned and the person left to the usual phases; one already sent early
        is merged by them once that job is settled (engine/run.py)."""
        sync = self.sync
        again = sync.leadgen.dealt_with_of_leads(lead_ids)  # this batch's not matched yet
        if not again:
            return
        creates = sync.state.journal.creates_of(sync.run_id, again)
        planned = [c for c in creates if c[2] == JournalState.PLANNED]
        with sync.state.conn:
            sync.state.journal.abandon([c[0] for c in planned])
            sync.state.scratch.undo([c[1] for c in planned])
        for _jid, _pid, _state, sobject in planned:  # planned again by the usual phases
            sync.report.count(sobject, "created_in_salesforce", -1)
        sync.work.after_early.update(c[1] for c in creates if c[2] == JournalState.SENT)
