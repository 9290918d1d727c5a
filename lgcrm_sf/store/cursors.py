"""Cursors: where each stream's next read starts (a Salesforce object's change query, our side's
changes, the daily check of every link). A cursor never goes backwards."""

from __future__ import annotations

import sqlite3

from ..clock import utc_now


class Cursors:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, stream: str) -> str | None:
        row = self.conn.execute("SELECT value FROM cursors WHERE stream = ?", [stream]).fetchone()
        return row[0] if row else None

    def set(self, stream: str, value: str) -> None:
        current = self.get(stream)
        if current is not None and value <= current:
            return
        self.conn.execute(
            "INSERT INTO cursors (stream, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(stream) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [stream, value, utc_now()],
        )

    def all(self) -> list[dict]:
        cur = self.conn.execute("SELECT stream, value, updated_at FROM cursors ORDER BY stream")
        return [dict(zip(("stream", "value", "updated_at"), r, strict=True)) for r in cur]

    def none_yet(self) -> bool:
        return self.conn.execute("SELECT COUNT(*) FROM cursors").fetchone()[0] == 0
