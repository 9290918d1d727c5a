"""Marketing engagements to Salesforce activities: each event of a type switched on in the
mapping becomes a completed Task on the linked Lead or Contact (WhoId), exactly once.

Exactly once: an event is recorded as sent before the Task goes out and settled with the Task's
id after. A run killed in between finds, on the next run, the Tasks it created (each carries its
event id in the description) before sending anything again. An event of a person not linked yet
waits; a type switched on later sends only events recorded from then on (unless backfilled).
Only the first click of a given link in a given e-mail is sent."""

from __future__ import annotations

import datetime
import itertools
import re

from ..clock import parse
from ..errors import OutcomeUnknown
from ..i18n import N_, deferred
from ..mapping.model import ENGAGEMENT_EVENTS
from ..salesforce.writes import WriteResult
from .context import Sync

SWITCHES = {event_type: switch for switch, event_type in ENGAGEMENT_EVENTS.items()}
MARKER = "Lead Gen & CRM event: "
MARKER_RE = re.compile(re.escape(MARKER) + r"(\S+)")
MESSAGES = {
    # a record error (state.db), shown again by `lgcrm-sf status`
    "refused": N_("event {key}: {message}"),
    "refused_count": N_(
        "{count} engagement(s) were refused by Salesforce; they are retried on the next run "
        "(see `lgcrm-sf status`)."
    ),
}

# Task subjects and labels, one place; written in the profile's language (`say`, from
# Sync.written). The marker above stays English: it is how a Task is found again.
SUBJECTS = {
    "form_submission": N_("Form submitted: {form_name}"),
    "email_sent": N_("Marketing e-mail sent: {email_name}"),
    "email_open": N_("Marketing e-mail opened: {email_name}"),
    "email_click": N_("Link clicked in {email_name}: {url}"),
    "page_visit": N_("Page visited: {title}"),
}
DETAIL_LABELS = {
    "form_name": N_("Form"),
    "page_url": N_("Page"),
    "email_name": N_("E-mail"),
    "url": N_("Link"),
    "title": N_("Title"),
}


def task_for(event: dict, who_id: str, say=str) -> dict:
    details = event["details"]
    fill = {
        "form_name": details.get("form_name") or details.get("page_url") or say(N_("form")),
        "email_name": details.get("email_name") or say(N_("(untitled e-mail)")),
        "url": details.get("url") or "",
        "title": details.get("title") or details.get("url") or say(N_("page")),
    }
    subject = say(SUBJECTS[event["kind"]]).format(**fill)[:255]
    lines = [say(N_("When: {moment} (UTC)")).format(moment=event["occurred_at"])]
    lines += [
        f"{say(DETAIL_LABELS[k]) if k in DETAIL_LABELS else k}: {v}" for k, v in details.items()
    ]
    lines.append(MARKER + event["id"])
    return {
        "WhoId": who_id,
        "Subject": subject,
        "Status": "Completed",
        "Priority": "Normal",
        "ActivityDate": event["occurred_at"][:10],
        "Description": "\n".join(lines),
    }


class EngagementPusher:
    def __init__(self, sync: Sync) -> None:
        self.sync, self.state, self.sf = sync, sync.state, sync.sf
        switches_on = sync.mapping.engagements
        self.on = {event_type for event_type, switch in SWITCHES.items() if switches_on.get(switch)}
        self.backfill = sync.options.backfill_engagements
        self.counts = {"created_in_salesforce": 0, "errors": 0, "skipped": 0}

    def eligible(self, since: dict[str, str | None], after: tuple | None = None):
        """Events to send, oldest first: of a type switched on (recorded since it was, unless
        backfilled), the first click of a link only, of an active person linked to a
        Salesforce record, not sent yet. Streamed in chunks: memory stays flat."""
        event_types = {event_type: since.get(event_type) for event_type in self.on}
        chunk = self.sync.tuning.chunk
        while event_types:
            events = self.sync.leadgen.events_for_sync(event_types, self.backfill, after, chunk)
            if not events:
                return
            after = (events[-1]["occurred_at"], events[-1]["id"])
            sent = self.state.engagements.already([e["id"] for e in events])
            who = self.state.links.linked_people(sorted({e["person_id"] for e in events}))
            for event in events:
                if event["id"] not in sent and event["person_id"] in who:
                    yield {**event, "who_id": who[event["person_id"]]}

    def push(self, since: dict[str, str | None]) -> None:
        tuning = self.sync.tuning
        ahead = sum(
            1 for _ in itertools.islice(self.eligible(since), tuning.bulk_write_threshold + 1)
        )
        bulk = ahead > tuning.bulk_write_threshold
        size = tuning.bulk_job_rows if bulk else tuning.collection_size
        after, unknown = None, 0
        while events := list(itertools.islice(self.eligible(since, after), size)):
            with self.state.conn:  # recorded as sent before anything goes out
                self.state.engagements.sending(events, self.sync.run_id)
            items = [(e["id"], task_for(e, e["who_id"], self.sync.written)) for e in events]
            try:
                results = self._bulk(items) if bulk else self.sf.write_many("Task", "create", items)
            except OutcomeUnknown:
                # Tasks Salesforce may have made before the answer was lost (an Activity field
                # can't be an external id): found by the event id each carries; the rest are
                # sent again from this batch's place on.
                unknown += 1
                if unknown > 3:
                    raise
                self.reconcile(count=True)
                continue
            with self.state.conn:
                for result in results:
                    self._settle(result)
            self.sf.check_quota()
            after = (events[-1]["occurred_at"], events[-1]["id"])  # failures wait for next run

    def _bulk(self, items: list[tuple[str, dict]]) -> list[WriteResult]:
        job_id = self.sf.ingest.run_job(
            "Task", "create", lambda: (p for _, p in items), lambda _job: None
        )
        return list(self.sf.ingest.results(job_id, bulk_task_key, len(items)))

    def _settle(self, result: WriteResult) -> None:
        if result.success:
            self.state.engagements.settled(result.key, result.sf_id)
            self.counts["created_in_salesforce"] += 1
            return
        # Not sent: forget the attempt so a later run tries again, and report it.
        self.state.engagements.forget(result.key)
        self.counts["errors"] += 1
        self.state.errors.record(
            None,
            None,
            "Task",
            None,
            "engagement",
            result.fields or [],
            result.code,
            deferred(MESSAGES["refused"], key=result.key, message=result.message),
        )

    def reconcile(self, count: bool = False) -> None:
        """Tasks an interrupted run (or a lost answer, `count`ed as this run's) may have
        created: find them by the event id in their description, settle those, and let the
        rest be sent again."""
        pending = self.state.engagements.in_flight()
        if not pending:
            return
        # Salesforce's clock and ours may differ: an hour's margin (our user's Tasks only).
        earliest = min(parse(r[2]) for r in pending) - datetime.timedelta(hours=1)
        since = earliest.strftime("%Y-%m-%dT%H:%M:%SZ")
        found = {}
        for row in self.sf.tasks_since(sorted({r[1] for r in pending}), since):
            match = MARKER_RE.search(row.get("Description") or "")
            if match:
                found[match.group(1)] = row["Id"]
        with self.state.conn:
            for event_id, _, _ in pending:
                if event_id in found:
                    self.state.engagements.settled(event_id, found[event_id])
                    self.counts["created_in_salesforce"] += int(count)
                else:
                    self.state.engagements.forget(event_id)


def bulk_task_key(row: dict) -> str:
    match = MARKER_RE.search(row.get("Description") or "")
    return match.group(1) if match else ""


def push_engagements(sync: Sync) -> None:
    """This run's engagements: switches brought up to date (a mapping edited in place switched
    them when the file changed), a killed run's Tasks settled, then new events sent."""
    state, mapping = sync.state, sync.mapping
    if not sync.dry_run and state.meta.get("mapping_hash") != mapping.text_hash:
        with state.conn:
            state.engagements.switch(mapping.event_switches(), mapping.modified_at or sync.signpost)
            state.meta.set("mapping_hash", mapping.text_hash)
    since = {event_type: at for event_type, (on, at) in state.engagements.switches().items() if on}
    pusher = EngagementPusher(sync)
    if sync.dry_run:
        for event in pusher.eligible(since):
            sync.report.count("Task", "created_in_salesforce")
            subject = task_for(event, event["who_id"], sync.written)["Subject"]
            person = {"email": deferred(N_("person {id}"), id=event["person_id"])}
            sync.report.plan_line(
                person, "Task", event["kind"], None, subject, "salesforce", N_("engagement")
            )
        return
    pusher.reconcile()
    pusher.push(since)
    for key, value in pusher.counts.items():
        sync.report.count("Task", key, value)
    if pusher.counts["errors"]:
        sync.report.say(deferred(MESSAGES["refused_count"], count=pusher.counts["errors"]))
