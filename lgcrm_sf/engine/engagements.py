"""Marketing engagements to Salesforce activities: each event of a type switched on in the
mapping becomes a completed Task on the linked Lead or Contact (WhoId), exactly once.

Exactly once: an event is recorded as sent before the Task goes out and settled with the Task's
id after. A run killed in between finds, on the next run, the Tasks it created (each carries its
event id in the description) before sending anything again. An event of a person not linked yet
waits; a type switched on later sends only events recorded from then on (unless backfilled).
Only the first click of a given link in a given e-mail is sent."""

from __future__ import annotations

import datetime
import json
import re

from ..errors import OutcomeUnknown
from ..leadgen.store import now_iso
from ..mapping.model import ENGAGEMENT_EVENTS
from ..store.sync_state import SyncState
from .salesforce_side import (
    SalesforceSide,
    WriteResult,
    soql_quote,
)

SWITCHES = {kind: switch for switch, kind in ENGAGEMENT_EVENTS.items()}
MARKER = "Lead Gen & CRM event: "
MARKER_RE = re.compile(re.escape(MARKER) + r"(\S+)")

# Task subjects, one place (a pt-BR translation follows from here).
SUBJECTS = {
    "form_submission": "Form submitted: {form_name}",
    "email_sent": "Marketing e-mail sent: {email_name}",
    "email_open": "Marketing e-mail opened: {email_name}",
    "email_click": "Link clicked in {email_name}: {url}",
    "page_visit": "Page visited: {title}",
}
DETAIL_LABELS = {
    "form_name": "Form",
    "page_url": "Page",
    "email_name": "E-mail",
    "url": "Link",
    "title": "Title",
}


def task_for(event: dict, who_id: str) -> dict:
    details = event["details"]
    fill = {
        "form_name": details.get("form_name") or details.get("page_url") or "form",
        "email_name": details.get("email_name") or "(untitled e-mail)",
        "url": details.get("url") or "",
        "title": details.get("title") or details.get("url") or "page",
    }
    subject = SUBJECTS[event["kind"]].format(**fill)[:255]
    lines = [f"When: {event['occurred_at']} (UTC)"]
    lines += [f"{DETAIL_LABELS.get(k, k)}: {v}" for k, v in details.items()]
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
    def __init__(
        self,
        state: SyncState,
        sf: SalesforceSide,
        switches_on: dict[str, bool],
        me: str | None,
        run_id: int,
        backfill_since: str | None,
    ) -> None:
        self.state, self.conn, self.sf = state, state.conn, sf
        self.on = {kind for kind, switch in SWITCHES.items() if switches_on.get(switch)}
        self.me, self.run_id, self.backfill = me, run_id, backfill_since
        self.counts = {"created_in_salesforce": 0, "errors": 0, "skipped": 0}

    def eligible(self, since: dict[str, str | None], limit: int):
        clauses, params = [], []
        for kind in sorted(self.on):
            if self.backfill:
                clauses.append("(e.kind = ? AND e.occurred_at >= ?)")
                params += [kind, self.backfill]
            elif since.get(kind):
                clauses.append("(e.kind = ? AND e.recorded_at >= ?)")
                params += [kind, since[kind]]
            else:
                clauses.append("e.kind = ?")
                params.append(kind)
        if not clauses:
            return []
        first_click = (
            "NOT (e.kind = 'email_click' AND EXISTS (SELECT 1 FROM lg_events f WHERE f.person_id = e.person_id "
            "AND f.kind = 'email_click' AND json_extract(f.details, '$.email_name') IS json_extract(e.details, '$.email_name') "
            "AND json_extract(f.details, '$.url') IS json_extract(e.details, '$.url') "
            "AND (f.occurred_at < e.occurred_at OR (f.occurred_at = e.occurred_at AND f.id < e.id))))"
        )
        sql = (
            f"SELECT e.id, e.person_id, e.kind, e.occurred_at, e.details, l.sf_id FROM lg_events e "
            f"JOIN links l ON l.person_id = e.person_id JOIN lg_people p ON p.id = e.person_id AND p.active = 1 "
            f"WHERE ({' OR '.join(clauses)}) AND {first_click} "
            f"AND e.id NOT IN (SELECT event_id FROM engagements_sent) ORDER BY e.occurred_at, e.id LIMIT ?"
        )
        return [
            {
                "id": r[0],
                "person_id": r[1],
                "kind": r[2],
                "occurred_at": r[3],
                "details": json.loads(r[4]),
                "who_id": r[5],
            }
            for r in self.conn.execute(sql, [*params, limit])
        ]

    def count_eligible(self, since) -> int:
        return len(self.eligible(since, 10**9))

    def push(self, since: dict[str, str | None]) -> None:
        unknown = 0
        while True:
            tuning = self.sf.tuning
            total = len(self.eligible(since, tuning.bulk_write_threshold + 1))
            bulk = total > tuning.bulk_write_threshold
            batch_size = tuning.bulk_job_rows if bulk else tuning.collection_size
            events = self.eligible(since, batch_size)
            if not events:
                return
            with self.conn:  # recorded as sent before anything goes out
                self.conn.executemany(
                    "INSERT INTO engagements_sent (event_id, person_id, who_id, state, run_id, sent_at) "
                    "VALUES (?, ?, ?, 'sent', ?, ?)",
                    [
                        (e["id"], e["person_id"], e["who_id"], self.run_id, now_iso())
                        for e in events
                    ],
                )
            items = [(e["id"], task_for(e, e["who_id"])) for e in events]
            try:
                if not bulk:
                    results = self.sf.write_collection("Task", "create", items)
                else:
                    results = self._bulk(items)
            except OutcomeUnknown:
                # Tasks Salesforce may have made before the answer was lost (an Activity field
                # can't be an external id): found by the event id each carries, the rest sent
                # again by the next turn of this loop.
                unknown += 1
                if unknown > 3:
                    raise
                self.reconcile(count=True)
                continue
            with self.conn:
                for result in results:
                    self._settle(result)
            self.sf.check_quota()

    def _bulk(self, items: list[tuple[str, dict]]) -> list[WriteResult]:
        job_id = self.sf.bulk_ingest(
            "Task", "create", lambda: (p for _, p in items), lambda job: None
        )
        results = []
        for result in self.sf.bulk_results(job_id, bulk_task_key, len(items)):
            results.append(result)
        return results

    def _settle(self, result: WriteResult) -> None:
        if result.success:
            self.conn.execute(
                "UPDATE engagements_sent SET state = 'settled', task_id = ?, settled_at = ? "
                "WHERE event_id = ?",
                [result.sf_id, now_iso(), result.key],
            )
            self.counts["created_in_salesforce"] += 1
        else:
            # Not sent: forget the attempt so a later run tries again, and report it.
            self.conn.execute("DELETE FROM engagements_sent WHERE event_id = ?", [result.key])
            self.counts["errors"] += 1
            self.state.record_error(
                None,
                None,
                "Task",
                None,
                "engagement",
                result.fields or [],
                result.code,
                f"event {result.key}: {result.message}",
            )

    def reconcile(self, count: bool = False) -> None:
        """Tasks an interrupted run (or a lost answer, `count`ed as this run's) may have
        created: find them by the event id in their description, settle those, and let the
        rest be sent again."""
        pending = self.conn.execute(
            "SELECT event_id, who_id, sent_at FROM engagements_sent WHERE state = 'sent'"
        ).fetchall()
        if not pending:
            return
        who_ids = sorted({r[1] for r in pending})
        # Salesforce's clock and ours may differ: an hour's margin (our user's Tasks only).
        earliest = (
            datetime.datetime.fromisoformat(min(r[2] for r in pending).replace("Z", "+00:00"))
            - datetime.timedelta(hours=1)
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        found = {}
        for start in range(0, len(who_ids), 300):
            chunk = who_ids[start : start + 300]
            soql = (
                f"SELECT Id, Description FROM Task WHERE WhoId IN ({', '.join(soql_quote(w) for w in chunk)}) "
                f"AND CreatedDate >= {earliest}"
                + (f" AND CreatedById = {soql_quote(self.me)}" if self.me else "")
            )
            for row in self.sf.call(
                lambda sf, q=soql: sf.query_all(q), "finding Tasks of an interrupted run"
            )["records"]:
                match = MARKER_RE.search(row.get("Description") or "")
                if match:
                    found[match.group(1)] = row["Id"]
        with self.conn:
            for event_id, _, _ in pending:
                if event_id in found:
                    self.conn.execute(
                        "UPDATE engagements_sent SET state = 'settled', task_id = ?, settled_at = ? "
                        "WHERE event_id = ?",
                        [found[event_id], now_iso(), event_id],
                    )
                    self.counts["created_in_salesforce"] += int(count)
                else:
                    self.conn.execute("DELETE FROM engagements_sent WHERE event_id = ?", [event_id])


def bulk_task_key(row: dict) -> str:
    match = MARKER_RE.search(row.get("Description") or "")
    return match.group(1) if match else ""
