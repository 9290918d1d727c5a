"""The journal of Salesforce writes: every create and update is written here ('planned')
before it goes out, marked 'sent' just before, and settled ('settled' or 'failed') once
Salesforce answers, in the same transaction as what the answer changes. A run killed at any
moment leaves rows a later run settles ('abandoned' once dealt with).

A row's payload and mirror (a kilobyte of JSON) live in `journal_bodies`, written once: the
changes of state after it rewrite only the small row."""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Iterator

from ..clock import utc_now
from . import mirror_text
from .db import in_chunks


class JournalState(enum.StrEnum):
    PLANNED = "planned"  # written, not sent
    SENT = "sent"  # on its way: Salesforce may or may not have it
    SETTLED = "settled"  # Salesforce answered yes
    FAILED = "failed"  # Salesforce answered no
    ABANDONED = "abandoned"  # left by a killed run, dealt with by the next


class Journal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, run_id, op, sobject, person_id, email, sf_id, payload, mirror) -> None:
        self.add_many(run_id, op, sobject, [(person_id, email, sf_id, payload, mirror)])

    def add_many(self, run_id, op, sobject, writes: list[tuple]) -> None:
        """Planned writes: (person id, e-mail, Salesforce id, payload, mirror) each."""
        if not writes:
            return
        now = utc_now()
        self.conn.executemany(
            "INSERT INTO journal (run_id, op, sf_object, person_id, sf_id, email, state, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, op, sobject, person_id, sf_id, email, JournalState.PLANNED, now)
                for person_id, email, sf_id, _payload, _mirror in writes
            ],
        )  # fmt: skip
        # The rows just inserted, in order, are the last ids: SQLite gives a table without
        # AUTOINCREMENT the largest id plus one, and this transaction holds the write lock.
        first = self.conn.execute("SELECT MAX(id) FROM journal").fetchone()[0] - len(writes) + 1
        self.conn.executemany(
            "INSERT INTO journal_bodies (journal_id, payload, mirror) VALUES (?, ?, ?)",
            [
                (first + n, json.dumps(payload), mirror_text.dumps(mirror))
                for n, (_person, _email, _sf_id, payload, mirror) in enumerate(writes)
            ],
        )

    def creates_of(self, run_id: int, person_ids: list[int]) -> list[tuple[int, int, str, str]]:
        """(journal id, person id, state, object) of this run's planned or sent creates for
        these people."""
        out: list[tuple[int, int, str, str]] = []
        for chunk, marks in in_chunks(person_ids):
            out += self.conn.execute(
                "SELECT id, person_id, state, sf_object FROM journal WHERE state IN (?, ?) "
                f"AND run_id = ? AND op = 'create' AND person_id IN ({marks})",
                [JournalState.PLANNED, JournalState.SENT, run_id, *chunk],
            ).fetchall()
        return out

    def planned_count(self, run_id: int, op: str, sobject: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM journal WHERE run_id = ? AND state = ? AND op = ? AND "
            "sf_object = ?",
            [run_id, JournalState.PLANNED, op, sobject],
        ).fetchone()[0]

    def planned(self, run_id: int, op: str, sobject: str, limit: int) -> list[tuple[int, dict]]:
        rows = self.conn.execute(
            "SELECT j.id, b.payload FROM journal j JOIN journal_bodies b ON b.journal_id = j.id "
            "WHERE j.run_id = ? AND j.state = ? AND j.op = ? AND j.sf_object = ? "
            "ORDER BY j.id LIMIT ?",
            [run_id, JournalState.PLANNED, op, sobject, limit],
        ).fetchall()
        return [(r[0], json.loads(r[1])) for r in rows]

    def planned_ids(self, run_id: int, op: str, sobject: str, limit: int) -> list[int]:
        """Ids only: a Bulk job's span is up to 100,000 rows, and their payloads decoded at once
        were the sync's peak memory (about 1.3 KB a row)."""
        rows = self.conn.execute(
            "SELECT id FROM journal WHERE run_id = ? AND state = ? AND op = ? "
            "AND sf_object = ? ORDER BY id LIMIT ?",
            [run_id, JournalState.PLANNED, op, sobject, limit],
        )
        return [r[0] for r in rows]

    def mark_sent(self, ids: list[int]) -> None:
        self.conn.executemany(
            "UPDATE journal SET state = ? WHERE id = ?", [(JournalState.SENT, i) for i in ids]
        )

    def mark_span_sent(self, run_id, op, sobject, first: int, last: int) -> None:
        self.conn.execute(
            "UPDATE journal SET state = ? WHERE run_id = ? AND state = ? AND op = ? "
            "AND sf_object = ? AND id BETWEEN ? AND ?",
            [JournalState.SENT, run_id, JournalState.PLANNED, op, sobject, first, last],
        )

    def set_batch(self, run_id, op, sobject, first: int, last: int, job_id: str) -> None:
        self.conn.execute(
            "UPDATE journal SET batch = ? WHERE run_id = ? AND state = ? AND op = ? "
            "AND sf_object = ? AND id BETWEEN ? AND ?",
            [job_id, run_id, JournalState.SENT, op, sobject, first, last],
        )

    def sent_payloads(self, run_id, op, sobject, first: int, last: int) -> Iterator[dict]:
        for (payload,) in self.conn.execute(
            "SELECT b.payload FROM journal j JOIN journal_bodies b ON b.journal_id = j.id "
            "WHERE j.run_id = ? AND j.state = ? AND j.op = ? AND j.sf_object = ? "
            "AND j.id BETWEEN ? AND ? ORDER BY j.id",
            [run_id, JournalState.SENT, op, sobject, first, last],
        ):
            yield json.loads(payload)

    def sent_ids_by_keys(self, run_id, op, sobject, first, last, column: str, keys) -> dict:
        """The sent rows of this span by e-mail or Salesforce id (Bulk results carry those):
        {key: [(journal id, person id), oldest first]}, looked up in one query per 500 keys."""
        assert (column, op) in (("email", "create"), ("sf_id", "update"))
        found: dict = {}
        keys = sorted({k for k in keys if k is not None})
        for chunk, marks in in_chunks(keys):
            for journal_id, person_id, key in self.conn.execute(
                # The unary + keeps SQLite on the key's index: by (state, run_id) it would scan
                # the whole span for every chunk of keys. The op is written out: the index on
                # sf_id holds updates only (schema step 14), and SQLite takes a partial index
                # only for a query whose terms say what its WHERE says.
                f"SELECT id, person_id, {column} FROM journal WHERE +run_id = ? AND +state = ? "
                f"AND op = '{op}' AND sf_object = ? AND +id BETWEEN ? AND ? "
                f"AND {column} IN ({marks}) ORDER BY id",
                [run_id, JournalState.SENT, sobject, first, last, *chunk],
            ):
                found.setdefault(key, []).append((journal_id, person_id))
        return found

    def still_sent(self, run_id, op, sobject, first: int, last: int) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM journal WHERE run_id = ? AND state = ? AND op = ? "
                "AND sf_object = ? AND id BETWEEN ? AND ?",
                [run_id, JournalState.SENT, op, sobject, first, last],
            )
        ]

    def entries(self, journal_ids: list[int]) -> dict[int, dict]:
        """{journal id: its row}, one query per 500 ids."""
        out = {}
        for chunk, marks in in_chunks(journal_ids):
            for row in self.conn.execute(
                "SELECT j.id, j.person_id, j.email, b.mirror, b.payload, j.created_at "
                "FROM journal j JOIN journal_bodies b ON b.journal_id = j.id "
                f"WHERE j.id IN ({marks})",
                chunk,
            ):
                out[row[0]] = {
                    "person_id": row[1],
                    "email": row[2],
                    "mirror": mirror_text.loads(row[3]),
                    "payload": json.loads(row[4]),
                    "created_at": row[5],
                }
        return out

    def people_of(self, journal_ids: list[int]) -> dict[int, int]:
        """{journal id: its person id}."""
        out: dict[int, int] = {}
        for chunk, marks in in_chunks(journal_ids):
            out.update(
                self.conn.execute(
                    f"SELECT id, person_id FROM journal WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def settle_many(self, answers: list[tuple[int, str | None]]) -> None:
        """Rows Salesforce answered yes to: (journal id, the record's id)."""
        now = utc_now()
        self.conn.executemany(
            "UPDATE journal SET state = ?, sf_id = ?, settled_at = ? WHERE id = ?",
            [(JournalState.SETTLED, sf_id, now, journal_id) for journal_id, sf_id in answers],
        )

    def fail(self, journal_id: int, error: str) -> None:
        self.conn.execute(
            "UPDATE journal SET state = ?, error = ?, settled_at = ? WHERE id = ?",
            [JournalState.FAILED, error, utc_now(), journal_id],
        )

    def leftovers(self) -> list[dict]:
        """Rows an earlier run journaled but never settled, oldest first."""
        cur = self.conn.execute(
            "SELECT j.id, j.op, j.sf_object, j.person_id, j.email, b.mirror, j.batch, j.state "
            "FROM journal j JOIN journal_bodies b ON b.journal_id = j.id "
            "WHERE j.state IN (?, ?) ORDER BY j.id",
            [JournalState.PLANNED, JournalState.SENT],
        )
        names = ("id", "op", "sf_object", "person_id", "email", "mirror", "batch", "state")
        return [dict(zip(names, r, strict=True)) for r in cur]

    def abandon(self, ids: list[int]) -> None:
        now = utc_now()
        self.conn.executemany(
            "UPDATE journal SET state = ?, settled_at = ? WHERE id = ?",
            [(JournalState.ABANDONED, now, i) for i in ids],
        )
