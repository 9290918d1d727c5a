"""Sending what was journaled: sObject Collections in batches of 200, or Bulk API 2.0 ingest
jobs past the threshold, rows read from the journal as they go so memory does not grow with the
number of writes. Each row is marked sent before it goes out and settled with Salesforce's
answer (a create links its person; both set the mirror). A create whose answer was lost is
looked up (our external id, or the e-mail among the integration user's creates) before anything
is sent again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..clock import parse
from ..errors import OutcomeUnknown
from ..i18n import N_, _, deferred
from ..salesforce.writes import TRANSIENT_RECORD_CODES, WriteResult
from .context import Sync

# Codes a write answers for a record no longer there (deleted, merged away, purged).
# a record error (state.db), shown again by `lgcrm-sf status`
UNPROCESSED = N_("Salesforce did not process this row")
REJECTED = {
    "create": N_("{email}: Salesforce rejected the create ({code}: {message})."),
    "update": N_("{email}: Salesforce rejected the update ({code}: {message})."),
}
GONE_CODES = {"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_ID_FIELD"}


def apply_journal(sync: Sync) -> None:
    _send_journal(sync)
    settle_early(sync)


def _send_journal(sync: Sync) -> None:
    for op in ("create", "update"):
        for sobject in ("Lead", "Contact"):
            total = sync.state.journal.planned_count(sync.run_id, op, sobject)
            if total > sync.tuning.bulk_write_threshold:
                _apply_bulk(sync, sobject, op)
                continue
            sent = 0
            while rows := sync.state.journal.planned(
                sync.run_id, op, sobject, sync.tuning.collection_size
            ):
                sync.progress(
                    _("sending {object} {op}s to Salesforce").format(object=sobject, op=op), sent
                )
                send(sync, sobject, op, [(str(i), p) for i, p in rows])
                sent += len(rows)


def send(sync: Sync, sobject, op, items, retry_locked: int = 2, unknown_left: int = 3) -> None:
    with sync.state.conn:  # journaled as sent before anything goes out
        sync.state.journal.mark_sent([int(k) for k, _ in items])
    try:
        results = sync.sf.write_many(
            sobject, op, items, sync.mapping.assignment_rules, sync.external_ids.get(sobject)
        )
    except OutcomeUnknown:
        if not unknown_left:
            raise  # the journal keeps them 'sent': the next run settles them first
        # Creates Salesforce may have made before the answer was lost: look them up before
        # anything is sent again, and send only what is not there.
        found = find_created(sync, sobject, [int(k) for k, _ in items])
        settle_many(sync, sobject, op, [WriteResult(str(k), True, i) for k, i in found.items()])
        rest = [(k, p) for k, p in items if int(k) not in found]
        if rest:
            send(sync, sobject, op, rest, retry_locked, unknown_left - 1)
        return
    locked = {r.key for r in results if not r.success and r.code in TRANSIENT_RECORD_CODES}
    if not retry_locked:
        locked = set()
    settle_many(sync, sobject, op, [r for r in results if r.key not in locked])
    sync.sf.check_quota()
    if locked:  # a locked row frees up in a moment: try those again
        sync.sf.pause_before_retry()
        send(sync, sobject, op, [(k, p) for k, p in items if k in locked], retry_locked - 1)


def find_created(sync: Sync, sobject: str, journal_ids: list[int]) -> dict[int, str]:
    """Journal rows (creates) whose record Salesforce has: {journal id: Salesforce id}. By our
    external id where the org has one (exact), else by e-mail among the records the integration
    user created since the rows were journaled."""
    rows = sync.state.journal.entries(journal_ids)
    if not rows:
        return {}
    field = sync.external_ids.get(sobject)
    if field:
        keys = {row["payload"].get(field): jid for jid, row in rows.items()}
        found = sync.sf.find_by_values(sobject, field, sorted(k for k in keys if k))
        return {keys[key]: record["Id"] for key, record in found.items()}
    # Salesforce's clock and ours may differ: an hour's margin (our user's creates only).
    earliest = min(parse(row["created_at"]) for row in rows.values())
    since = (earliest - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    hits = sync.sf.created_by_me_since(sobject, sorted({r["email"] for r in rows.values()}), since)
    return {jid: hits[row["email"]][0]["Id"] for jid, row in rows.items() if hits.get(row["email"])}


def _apply_bulk(sync: Sync, sobject: str, op: str) -> None:
    journal = sync.state.journal
    while ids := journal.planned_ids(sync.run_id, op, sobject, sync.tuning.bulk_job_rows):
        job = start_job(sync, sobject, op, ids)
        settle_early(sync)  # while this job runs
        settle_job(sync, job)
        sync.sf.check_quota()


def settle_early(sync: Sync) -> None:
    """Jobs sent while the run was still reading (engine/early_jobs.py), settled. Their rows
    are other people's than any job sent after them, so they may be settled in any order:
    their settling is left for the wait on the next job."""
    while sync.work.jobs_in_flight:
        settle_job(sync, sync.work.jobs_in_flight.pop(0))
        sync.sf.check_quota()


@dataclass
class SentJob:
    """A Bulk job this run sent: its journal rows are the span's."""

    sobject: str
    op: str
    job_id: str
    span: tuple
    rows: int


def start_job(sync: Sync, sobject: str, op: str, ids: list[int]) -> SentJob:
    """These planned journal rows (a span of ids) marked sent and sent as one Bulk job."""
    journal = sync.state.journal
    span = (sync.run_id, op, sobject, ids[0], ids[-1])
    with sync.state.conn:
        journal.mark_span_sent(*span)

    def journal_job(job_id: str) -> None:
        with sync.state.conn:  # a crash from here on is settled from the job's results
            journal.set_batch(*span, job_id)

    job_id = sync.sf.ingest.run_job(
        sobject,
        op,
        lambda: journal.sent_payloads(*span),
        journal_job,
        sync.external_ids.get(sobject),
    )
    return SentJob(sobject, op, job_id, span, len(ids))


def settle_job(sync: Sync, job: SentJob) -> None:
    """A job's results, once it is complete, settled."""
    journal, sobject, op, span = sync.state.journal, job.sobject, job.op, job.span
    column = "email" if op == "create" else "sf_id"
    if op == "create":
        key_of = lambda row: (row.get("Email") or "").lower()  # noqa: E731
    else:
        key_of = lambda row: row.get("Id") or row.get("sf__Id")  # noqa: E731
    batch: list[WriteResult] = []
    for result in sync.sf.ingest.results(job.job_id, key_of, job.rows):
        batch.append(result)
        if len(batch) >= sync.tuning.settle_chunk:
            _settle_by_key(sync, sobject, op, span, column, batch)
            batch = []
    _settle_by_key(sync, sobject, op, span, column, batch)
    left = journal.still_sent(*span)
    for start in range(0, len(left), sync.tuning.settle_chunk):
        unprocessed = [
            WriteResult(str(i), False, None, "UNPROCESSED", deferred(UNPROCESSED))
            for i in left[start : start + sync.tuning.settle_chunk]
        ]
        settle_many(sync, sobject, op, unprocessed)


def _settle_by_key(sync: Sync, sobject, op, span: tuple, column: str, results: list) -> None:
    """Bulk results carry the row's e-mail (creates) or Id (updates), not our journal id: each
    takes the oldest sent row of the span with its key."""
    ids = sync.state.journal.sent_ids_by_keys(*span, column, [r.key for r in results])
    keyed, people = [], {}
    for result in results:
        waiting = ids.get(result.key)
        if waiting:
            journal_id, people[journal_id] = waiting.pop(0)
            result.key = str(journal_id)
            keyed.append(result)
    settle_many(sync, sobject, op, keyed, people)


def settle_many(
    sync: Sync, sobject: str, op: str, results: list[WriteResult], people: dict | None = None
) -> None:
    """Salesforce's answers, in one transaction: the successes together (a few statements for
    the lot, nothing decoded), each refusal on its own. `people`: {journal id: person id}, if
    the caller has them."""
    journal = sync.state.journal
    done = [r for r in results if r.success]
    if people is None:
        people = journal.people_of([int(r.key) for r in done])
    refused = journal.entries([int(r.key) for r in results if not r.success])
    if len(results) > 1 and set(people.values()) & {e["person_id"] for e in refused.values()}:
        for result in results:  # a person both refused and accepted: in the answers' order
            settle_many(sync, sobject, op, [result])
        return
    with sync.state.conn:
        if done:
            _settle_successes(sync, sobject, op, done, people)
        for result in results:
            if not result.success:
                _settle_refusal(sync, sobject, op, result, refused[int(result.key)])


def _settle_successes(sync: Sync, sobject: str, op: str, done: list, people: dict) -> None:
    state, ids = sync.state, [int(r.key) for r in done]
    state.journal.settle_many([(int(r.key), r.sf_id) for r in done])
    if op == "create":
        state.links.set_links(sobject, [(people[int(r.key)], r.sf_id) for r in done])
    state.links.set_mirrors_from_journal(sobject, ids)
    state.errors.clear_many([people[i] for i in ids])


def _settle_refusal(sync: Sync, sobject: str, op: str, result: WriteResult, entry: dict) -> None:
    person_id, payload = entry["person_id"], entry["payload"]
    sync.state.journal.fail(int(result.key), f"{result.code}: {result.message}")
    done = "created_in_salesforce" if op == "create" else "updated_in_salesforce"
    sync.report.count(sobject, done, -1)
    if op == "update" and result.code in GONE_CODES and payload.get("Id"):
        # Deleted, merged away or purged since we read it: found out next (link_checks.py),
        # like any deletion Salesforce reports, not an error to retry forever.
        sync.work.gone.setdefault(sobject, {})[payload["Id"]] = person_id
        return
    sync.state.errors.record(
        person_id,
        entry["email"],
        sobject,
        payload.get("Id"),
        op,
        result.fields or [],
        result.code,
        result.message,
    )
    sync.report.count(sobject, "errors")
    rejected = REJECTED.get(op, REJECTED["update"])
    sync.report.say(
        deferred(rejected, email=entry["email"], code=result.code, message=result.message)
    )
