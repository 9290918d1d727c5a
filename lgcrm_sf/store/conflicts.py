"""Conflicts the sync settled (both sides changed a bidirectional field to different values):
what each side had, the mirror value both had agreed on, the winner and the rule. Open ones
can be resolved by hand (`conflicts resolve`), which the next sync applies."""

from __future__ import annotations

import json
import sqlite3

from ..clock import utc_now

COLUMNS = (
    "id",
    "run_id",
    "person_id",
    "email",
    "sf_object",
    "sf_id",
    "field",
    "leadgen_value",
    "salesforce_value",
    "mirror_value",
    "winner",
    "rule",
    "at",
    "status",
    "take",
    "resolved_at",
)


class Conflicts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(
        self, run_id, person_id, email, sf_object, sf_id, field, lg, sf, mirror, winner, rule
    ):
        cur = self.conn.execute(
            "INSERT INTO conflicts (run_id, person_id, email, sf_object, sf_id, field, "
            "leadgen_value, salesforce_value, mirror_value, winner, rule, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                person_id,
                email,
                sf_object,
                sf_id,
                field,
                json.dumps(lg),
                json.dumps(sf),
                json.dumps(mirror),
                winner,
                rule,
                utc_now(),
            ],
        )
        return cur.lastrowid

    def list(self, status: str | None = None) -> list[dict]:
        sql = f"SELECT {', '.join(COLUMNS)} FROM conflicts"
        sql += (" WHERE status = ?" if status else "") + " ORDER BY id"
        rows = [
            dict(zip(COLUMNS, r, strict=True))
            for r in self.conn.execute(sql, [status] if status else [])
        ]
        for row in rows:
            for key in ("leadgen_value", "salesforce_value", "mirror_value"):
                row[key] = json.loads(row[key]) if row[key] is not None else None
        return rows

    def resolving(self, person_id: int) -> list[dict]:
        return [c for c in self.list("resolving") if c["person_id"] == person_id]

    def people_resolving(self) -> set[int]:
        return {c["person_id"] for c in self.list("resolving")}

    def take(self, conflict_id: int, side: str) -> None:
        self.conn.execute(
            "UPDATE conflicts SET status = 'resolving', take = ? WHERE id = ?", [side, conflict_id]
        )

    def resolved(self, conflict_id: int) -> None:
        self.conn.execute(
            "UPDATE conflicts SET status = 'resolved', resolved_at = ? WHERE id = ?",
            [utc_now(), conflict_id],
        )
