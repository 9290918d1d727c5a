"""Records Salesforce (or our side) refused: one open row per person, operation and error
code, with when it was first and last seen and how many attempts; cleared once the record
goes through."""

from __future__ import annotations

import json
import sqlite3

from ..clock import utc_now
from .db import in_chunks

COLUMNS = (
    "id",
    "person_id",
    "email",
    "sf_object",
    "sf_id",
    "operation",
    "fields",
    "code",
    "message",
    "first_at",
    "last_at",
    "attempts",
    "status",
)


class RecordErrors:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(self, person_id, email, sf_object, sf_id, operation, fields, code, message):
        now = utc_now()
        row = self.conn.execute(
            "SELECT id FROM sync_errors WHERE status = 'open' AND person_id IS ? AND operation = ? "
            "AND code = ?",
            [person_id, operation, code],
        ).fetchone()
        if row:
            self.conn.execute(
                "UPDATE sync_errors SET last_at = ?, attempts = attempts + 1, message = ?, "
                "fields = ?, sf_id = COALESCE(?, sf_id) WHERE id = ?",
                [now, message, json.dumps(fields), sf_id, row[0]],
            )
            return
        self.conn.execute(
            "INSERT INTO sync_errors (person_id, email, sf_object, sf_id, operation, fields, code, "
            "message, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                person_id,
                email,
                sf_object,
                sf_id,
                operation,
                json.dumps(fields),
                code,
                message,
                now,
                now,
            ],
        )

    def clear(self, person_id: int) -> None:
        self.clear_many([person_id])

    def clear_many(self, person_ids: list[int]) -> None:
        now = utc_now()
        for chunk, marks in in_chunks(person_ids):
            self.conn.execute(
                "UPDATE sync_errors SET status = 'cleared', last_at = ? WHERE status = 'open' "
                f"AND person_id IN ({marks})",
                [now, *chunk],
            )

    def people_open(self) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT person_id FROM sync_errors WHERE status = 'open' "
                "AND person_id IS NOT NULL"
            )
        ]

    def open(self) -> list[dict]:
        cur = self.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM sync_errors WHERE status = 'open' ORDER BY id"
        )
        return [dict(zip(COLUMNS, r, strict=True)) for r in cur]
