"""A run's scratch tables (SQLite TEMP tables: gone with the connection), so that what a run
reads and decides is kept on disk, not in memory, however many records it touches:
- stage: the Salesforce changes read this run, one row per record;
- processed: the people this run has dealt with;
- candidates: the people changed here since the cursor (and those retried);
- unlinked: the changed people with no Salesforce record yet."""

from __future__ import annotations

import json
import sqlite3

from .db import in_chunks

STAGE_COLUMNS = (
    "sobject",
    "sf_id",
    "modstamp",
    "deleted",
    "master",
    "converted",
    "converted_contact",
    "email",
    "values",
)


class Scratch:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._resume: dict[str, tuple] = {}  # sobject: (next offset, last modstamp, sf id)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS processed (person_id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS unlinked (person_id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS candidates (person_id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS stage (sobject TEXT, sf_id TEXT, modstamp TEXT, "
            "deleted INTEGER, master TEXT, converted INTEGER, converted_contact TEXT, "
            "email TEXT, [values] TEXT, PRIMARY KEY (sobject, sf_id))"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS temp.stage_email ON stage (sobject, email)")
        # staged() pages in this order: without the index every page sorted the whole stage
        # (quadratic in the records a run reads: minutes at 100,000).
        conn.execute(
            "CREATE INDEX IF NOT EXISTS temp.stage_order ON stage (sobject, modstamp, sf_id)"
        )
        with conn:
            conn.execute("DELETE FROM temp.processed")

    # --- stage -----------------------------------------------------------------------------
    def clear_stage(self, sobject: str) -> None:
        self._resume.pop(sobject, None)
        with self.conn:
            self.conn.execute("DELETE FROM temp.stage WHERE sobject = ?", [sobject])

    def stage(self, rows: list[tuple]) -> None:
        self._resume.clear()  # the order changed: page by offset again
        if rows:
            with self.conn:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO temp.stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )

    def staged(self, sobject: str, limit: int, offset: int) -> list[dict]:
        """Staged rows, oldest change first. The page that follows the last one returned starts
        after that page's last key rather than counting `offset` rows again."""
        resume = self._resume.get(sobject)
        if resume and resume[0] == offset and resume[1] is not None:
            rows = self.conn.execute(
                "SELECT * FROM temp.stage WHERE sobject = ? AND (modstamp, sf_id) > (?, ?) "
                "ORDER BY modstamp, sf_id LIMIT ?",
                [sobject, resume[1], resume[2], limit],
            ).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM temp.stage WHERE sobject = ? ORDER BY modstamp, sf_id "
                "LIMIT ? OFFSET ?",
                [sobject, limit, offset],
            ).fetchall()
        if rows:
            self._resume[sobject] = (offset + len(rows), rows[-1][2], rows[-1][1])
        return [dict(zip(STAGE_COLUMNS, r, strict=True)) for r in rows]

    def staged_values(self, sobject: str, sf_ids: list[str]) -> dict[str, dict]:
        """Live staged records by id, as read."""
        found = {}
        for chunk, marks in in_chunks(sf_ids):
            for sf_id, values in self.conn.execute(
                f"SELECT sf_id, [values] FROM temp.stage WHERE sobject = ? AND deleted = 0 "
                f"AND converted = 0 AND sf_id IN ({marks})",
                [sobject, *chunk],
            ):
                found[sf_id] = json.loads(values)
        return found

    def staged_by_email(self, sobject: str, emails: list[str]) -> list[tuple[str, str]]:
        """(email, sf id) of live staged records with these e-mails."""
        found: list[tuple[str, str]] = []
        for chunk, marks in in_chunks(emails):
            found += self.conn.execute(
                f"SELECT email, sf_id FROM temp.stage WHERE sobject = ? AND email IN ({marks}) "
                "AND deleted = 0 AND converted = 0",
                [sobject, *chunk],
            ).fetchall()
        return found

    def newest_modstamp(self, sobject: str) -> str | None:
        return self.conn.execute(
            "SELECT MAX(modstamp) FROM temp.stage WHERE sobject = ?", [sobject]
        ).fetchone()[0]

    # --- people dealt with, candidates, unlinked ----------------------------------------------
    def done(self, person_id: int) -> None:
        self.done_many([person_id])

    def done_many(self, person_ids: list[int]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO temp.processed VALUES (?)", [(p,) for p in person_ids]
        )

    def undo(self, person_ids) -> None:
        """Not dealt with after all: a later phase deals with them."""
        self.conn.executemany(
            "DELETE FROM temp.processed WHERE person_id = ?", [(p,) for p in person_ids]
        )

    def start_candidates(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM temp.candidates")
            self.conn.execute("DELETE FROM temp.unlinked")

    def add_candidates(self, person_ids) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR IGNORE INTO temp.candidates VALUES (?)", [(p,) for p in person_ids]
            )

    def next_candidates(self, after: int, limit: int) -> list[int]:
        """Candidates not dealt with yet, by id, after `after`."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT person_id FROM temp.candidates WHERE person_id > ? AND person_id NOT IN "
                "(SELECT person_id FROM temp.processed) ORDER BY person_id LIMIT ?",
                [after, limit],
            )
        ]

    def add_unlinked(self, person_ids: list[int]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO temp.unlinked VALUES (?)", [(p,) for p in person_ids]
        )

    def next_unlinked(self, after: int, limit: int) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT person_id FROM temp.unlinked WHERE person_id > ? ORDER BY person_id "
                "LIMIT ?",
                [after, limit],
            )
        ]
