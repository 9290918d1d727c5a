"""Which marketing engagements became Salesforce Tasks: when each type was switched on, and each
event sent ('sent' before the Task goes out, 'settled' with the Task's id after), so every event
is sent exactly once, even across a killed run."""

from __future__ import annotations

import sqlite3

from ..clock import utc_now
from .db import in_chunks


class EngagementLog:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # --- switches ---------------------------------------------------------------------------
    def switches(self) -> dict[str, tuple[bool, str | None]]:
        """type -> (enabled, since): since None means from the beginning."""
        return {
            r[0]: (bool(r[1]), r[2])
            for r in self.conn.execute("SELECT type, enabled, since FROM engagement_switches")
        }

    def switch(self, switches: dict[str, bool], at: str) -> None:
        """Record the switches as of `at`. A type switched on counts its events from `at`; the
        profile's first switches count from the beginning (history is sent once)."""
        current = self.switches()
        first = not current
        for kind, enabled in switches.items():
            was = current.get(kind)
            if was is None or (enabled and not was[0]):
                since = None if first or not enabled else at
                self.conn.execute(
                    "INSERT INTO engagement_switches (type, enabled, since, changed_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(type) DO UPDATE SET "
                    "enabled = excluded.enabled, since = excluded.since, "
                    "changed_at = excluded.changed_at",
                    [kind, int(enabled), since, at],
                )
            elif not enabled and was[0]:
                self.conn.execute(
                    "UPDATE engagement_switches SET enabled = 0, changed_at = ? WHERE type = ?",
                    [at, kind],
                )

    # --- events sent ---------------------------------------------------------------------------
    def already(self, event_ids: list[str]) -> set[str]:
        """Those of these events sent (or being sent) already."""
        found: set[str] = set()
        for chunk, marks in in_chunks(event_ids):
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT event_id FROM engagements_sent WHERE event_id IN ({marks})", chunk
                )
            )
        return found

    def sending(self, events: list[dict], run_id: int) -> None:
        now = utc_now()
        self.conn.executemany(
            "INSERT INTO engagements_sent (event_id, person_id, who_id, state, run_id, sent_at) "
            "VALUES (?, ?, ?, 'sent', ?, ?)",
            [(e["id"], e["person_id"], e["who_id"], run_id, now) for e in events],
        )

    def settled(self, event_id: str, task_id: str) -> None:
        self.conn.execute(
            "UPDATE engagements_sent SET state = 'settled', task_id = ?, settled_at = ? "
            "WHERE event_id = ?",
            [task_id, utc_now(), event_id],
        )

    def forget(self, event_id: str) -> None:
        """Not sent after all: a later run sends it again."""
        self.conn.execute("DELETE FROM engagements_sent WHERE event_id = ?", [event_id])

    def in_flight(self) -> list[tuple[str, str, str]]:
        """(event id, who id, sent at) of events sent but never settled."""
        return self.conn.execute(
            "SELECT event_id, who_id, sent_at FROM engagements_sent WHERE state = 'sent'"
        ).fetchall()
