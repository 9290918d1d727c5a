"""A restore's own memory, in one SQLite file beside the target profile
(`<profile>/restores/<backup>.<mode>.<org id>.sqlite`, owner-only): the id map (source id ->
id in the target), each batch of creates journaled before it is sent, the Bulk job it went in,
records Salesforce refused, and second-pass references already set. Every change is one
transaction, so a restore killed at any moment finds the file as it was after its last step,
and resumes without creating anything twice. The file is not the state database: it belongs
to one restore and may be deleted once the restore is done."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..store.db import in_chunks

SCHEMA = """
CREATE TABLE IF NOT EXISTS restore_facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS id_map (
    source_id TEXT PRIMARY KEY, object TEXT NOT NULL, target_id TEXT NOT NULL,
    how TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS id_map_object ON id_map (object, how);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, object TEXT NOT NULL, api TEXT NOT NULL, since TEXT,
    job_id TEXT, fields TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunk_rows (
    chunk_id INTEGER NOT NULL, source_id TEXT NOT NULL, key TEXT NOT NULL, sent TEXT,
    PRIMARY KEY (chunk_id, source_id));
CREATE TABLE IF NOT EXISTS failures (
    source_id TEXT NOT NULL, object TEXT NOT NULL, op TEXT NOT NULL, code TEXT,
    message TEXT, PRIMARY KEY (source_id, op));
CREATE TABLE IF NOT EXISTS deferred_done (
    source_id TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (source_id, field));
CREATE TABLE IF NOT EXISTS ops (
    seq INTEGER PRIMARY KEY, object TEXT NOT NULL, kind TEXT NOT NULL,
    record_id TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ops_kind ON ops (kind, object, seq);
"""
IN_CHUNK = 500  # ids per IN (...) lookup


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def progress_path(profile_dir: Path, backup_name: str, mode: str, org_id: str) -> Path:
    return profile_dir / "restores" / f"{backup_name}.{mode}.{org_id}.sqlite"


class Progress:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.executescript(SCHEMA)
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self):
        """One transaction for the block; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM restore_facts WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO restore_facts VALUES (?, ?)", [key, value])

    # --- the id map -----------------------------------------------------------------------
    def map_ids(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """(source id, object, target id, how): how is inserted, undeleted or existing."""
        stamp = now()
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO id_map VALUES (?, ?, ?, ?, ?)",
                [(s, o, t, h, stamp) for s, o, t, h in rows],
            )

    def mapped(self, source_ids: Iterable[str]) -> dict[str, str]:
        """The target ids of those source ids that have one."""
        found: dict[str, str] = {}
        ids = list(dict.fromkeys(i for i in source_ids if i))
        for part, marks in in_chunks(ids, IN_CHUNK):
            found.update(
                self.conn.execute(
                    f"SELECT source_id, target_id FROM id_map WHERE source_id IN ({marks})",
                    part,
                ).fetchall()
            )
        return found

    def known_targets(self, target_ids: Iterable[str]) -> set[str]:
        ids = list(target_ids)
        known: set[str] = set()
        for part, marks in in_chunks(ids, IN_CHUNK):
            known.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT target_id FROM id_map WHERE target_id IN ({marks})",
                    part,
                )
            )
        return known

    def count_mapped(self, sobject: str, how: str = "inserted") -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM id_map WHERE object = ? AND how = ?", [sobject, how]
        ).fetchone()[0]

    def inserted_pairs(self) -> Iterator[tuple[str, str, str]]:
        """(object, source id, target id) of every record this restore created."""
        yield from self.conn.execute(
            "SELECT object, source_id, target_id FROM id_map WHERE how = 'inserted' ORDER BY rowid"
        )

    # --- batches of creates, journaled before they are sent ---------------------------------
    def journal(self, sobject: str, api: str, since: str | None, fields: list[str], rows) -> int:
        """A batch about to be sent: its rows (source id, key to know the record again, the
        fields it sends when a lookup must compare them, else None)."""
        with self.transaction():
            chunk = self.conn.execute(
                "INSERT INTO chunks (object, api, since, fields, at) VALUES (?, ?, ?, ?, ?)",
                [sobject, api, since, json.dumps(fields), now()],
            ).lastrowid
            self.conn.executemany(
                "INSERT INTO chunk_rows VALUES (?, ?, ?, ?)",
                ((chunk, s, k, json.dumps(f) if f else None) for s, k, f in rows),
            )
        return chunk

    def set_job(self, chunk: int, job_id: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE chunks SET job_id = ? WHERE id = ?", [job_id, chunk])

    def pending(self) -> list[dict]:
        """Batches journaled and never settled (a crash, a kill, a lost answer)."""
        rows = self.conn.execute(
            "SELECT id, object, api, since, job_id, fields FROM chunks ORDER BY id"
        ).fetchall()
        keys = ("id", "object", "api", "since", "job_id", "fields")
        return [dict(zip(keys, r, strict=True)) | {"fields": json.loads(r[5])} for r in rows]

    def chunk_rows(self, chunk: int) -> list[tuple[str, str, list | None]]:
        return [
            (s, k, json.loads(f) if f else None)
            for s, k, f in self.conn.execute(
                "SELECT source_id, key, sent FROM chunk_rows WHERE chunk_id = ? ORDER BY source_id",
                [chunk],
            )
        ]

    def settle(self, chunk: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM chunk_rows WHERE chunk_id = ?", [chunk])
            self.conn.execute("DELETE FROM chunks WHERE id = ?", [chunk])

    def match_results(self, chunk: int, sobject: str, results: Iterable[tuple[str, str]]) -> int:
        """Map a batch's rows to the ids its results name, by key ((key, target id) pairs; a
        key twice in the batch, for identical records, pairs in source id order). Returns rows
        mapped. The batch's unmapped rows are held by key while its results stream by: one
        Bulk job's rows at most, whatever the size of the restore."""
        waiting: dict[str, list[str]] = {}
        for source_id, key in reversed(self.unmapped_rows(chunk)):
            waiting.setdefault(key, []).append(source_id)  # the smallest source id last
        stamp = now()
        mapped = []
        for key, target_id in results:
            sources = waiting.get(key)
            if sources:
                mapped.append((sources.pop(), sobject, target_id, "inserted", stamp))
        with self.transaction():
            self.conn.executemany("INSERT OR IGNORE INTO id_map VALUES (?, ?, ?, ?, ?)", mapped)
        return len(mapped)

    def unmapped_rows(self, chunk: int) -> list[tuple[str, str]]:
        return self.conn.execute(
            "SELECT source_id, key FROM chunk_rows WHERE chunk_id = ? AND source_id NOT IN "
            "(SELECT source_id FROM id_map) ORDER BY source_id",
            [chunk],
        ).fetchall()

    # --- the records a copy will create (for a plan's references) ----------------------------
    def plan_ids(self, source_ids: Iterable[str]) -> None:
        """Remember, for this process only, the source ids a copy is about to create."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS planned (id TEXT PRIMARY KEY)")
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO temp.planned VALUES (?)", ((i,) for i in source_ids)
            )

    def planned(self, source_ids: Iterable[str]) -> set[str]:
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS planned (id TEXT PRIMARY KEY)")
        ids = list(dict.fromkeys(source_ids))
        found: set[str] = set()
        for part, marks in in_chunks(ids, IN_CHUNK):
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM temp.planned WHERE id IN ({marks})",
                    part,
                )
            )
        return found

    # --- refusals and second passes --------------------------------------------------------
    def fail(self, rows: Iterable[tuple[str, str, str, str | None, str | None]]) -> None:
        """(source id, object, op, code, message) of records Salesforce refused."""
        with self.transaction():
            self.conn.executemany("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?)", rows)

    def clear_failures(self) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM failures")

    def failed_ids(self, sobject: str, op: str) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT source_id FROM failures WHERE object = ? AND op = ?", [sobject, op]
            )
        }

    def failures(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT object, op, code, message, COUNT(*), MIN(source_id) FROM failures "
            "GROUP BY object, op, code, message ORDER BY object, COUNT(*) DESC"
        ).fetchall()
        keys = ("object", "op", "code", "message", "records", "example")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def mark_deferred(self, source_ids: Iterable[str], field: str) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO deferred_done VALUES (?, ?)",
                [(s, field) for s in source_ids],
            )

    def deferred_done(self, source_ids: list[str], field: str) -> set[str]:
        done: set[str] = set()
        for part, marks in in_chunks(source_ids, IN_CHUNK):
            done.update(
                r[0]
                for r in self.conn.execute(
                    "SELECT source_id FROM deferred_done WHERE field = ? "
                    f"AND source_id IN ({marks})",
                    [field, *part],
                )
            )
        return done

    # --- planned operations (--mode update) -------------------------------------------------
    def clear_ops(self) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM ops")

    def add_ops(self, rows: Iterable[tuple[str, str, str, dict]]) -> None:
        """(object, kind, record id, payload): kind undelete, insert or update."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO ops (object, kind, record_id, payload) VALUES (?, ?, ?, ?)",
                ((o, k, r, json.dumps(p)) for o, k, r, p in rows),
            )

    def ops(self, sobject: str, kind: str) -> Iterator[tuple[str, dict]]:
        for record_id, payload in self.conn.execute(
            "SELECT record_id, payload FROM ops WHERE object = ? AND kind = ? ORDER BY seq",
            [sobject, kind],
        ):
            yield record_id, json.loads(payload)

    def count_ops(self, sobject: str, kind: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM ops WHERE object = ? AND kind = ?", [sobject, kind]
        ).fetchone()[0]
