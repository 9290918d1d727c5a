"""The sync's own state, in the profile's database: links between the two sides, the mirror
(each field's value on each side as last agreed), cursors, the journal of Salesforce writes,
conflicts, record-level errors and runs. No secret is ever stored here."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import sqlite_utils

from .db import open_database
from .state import utc_now


class SyncState:
    def __init__(self, path: Path | str | sqlite_utils.Database) -> None:
        self.db = path if isinstance(path, sqlite_utils.Database) else open_database(path)
        self.conn = self.db.conn

    # --- links and mirror -----------------------------------------------------------------
    def link_of(self, person_id: int) -> dict | None:
        row = self.conn.execute(
            "SELECT sf_object, sf_id, sf_modstamp FROM links WHERE person_id = ?", [person_id]
        ).fetchone()
        return {"sf_object": row[0], "sf_id": row[1], "sf_modstamp": row[2]} if row else None

    def person_of(self, sf_id: str) -> int | None:
        row = self.conn.execute("SELECT person_id FROM links WHERE sf_id = ?", [sf_id]).fetchone()
        return row[0] if row else None

    def set_link(self, person_id: int, sf_object: str, sf_id: str, modstamp: str | None) -> None:
        self.conn.execute(
            "DELETE FROM links WHERE sf_id = ? AND person_id != ?", [sf_id, person_id]
        )
        self.conn.execute(
            "INSERT INTO links (person_id, sf_object, sf_id, sf_modstamp, linked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(person_id) DO UPDATE SET sf_object = excluded.sf_object, sf_id = excluded.sf_id, "
            "sf_modstamp = COALESCE(excluded.sf_modstamp, links.sf_modstamp)",
            [person_id, sf_object, sf_id, modstamp, utc_now()],
        )

    def linked_ids(self, sf_object: str) -> dict[str, int]:
        """Every Salesforce id of this object linked to a person here: {sf id: person id}."""
        return dict(
            self.conn.execute(
                "SELECT sf_id, person_id FROM links WHERE sf_object = ?", [sf_object]
            ).fetchall()
        )

    def touch_link(self, person_id: int, modstamp: str) -> None:
        self.conn.execute(
            "UPDATE links SET sf_modstamp = ? WHERE person_id = ? AND "
            "(sf_modstamp IS NULL OR sf_modstamp < ?)",
            [modstamp, person_id, modstamp],
        )

    def unlink(self, person_id: int) -> None:
        self.conn.execute("DELETE FROM links WHERE person_id = ?", [person_id])
        self.conn.execute("DELETE FROM mirror WHERE person_id = ?", [person_id])

    def mirror_of(self, person_id: int) -> dict:
        row = self.conn.execute(
            "SELECT fields FROM mirror WHERE person_id = ?", [person_id]
        ).fetchone()
        return json.loads(row[0]) if row else {}

    def set_mirror(self, person_id: int, sf_object: str, fields: dict) -> None:
        """Merge `fields` ({name: {"lg": v, "sf": v}}) into the person's mirror."""
        current = self.mirror_of(person_id)
        if (
            all(current.get(k) == v for k, v in fields.items())
            and self.conn.execute(
                "SELECT 1 FROM mirror WHERE person_id = ? AND sf_object = ?", [person_id, sf_object]
            ).fetchone()
        ):
            return  # nothing new: a quiet run leaves the mirror as it was
        current.update(fields)
        self.conn.execute(
            "INSERT INTO mirror (person_id, sf_object, fields, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(person_id) DO UPDATE SET sf_object = excluded.sf_object, fields = excluded.fields, "
            "synced_at = excluded.synced_at",
            [person_id, sf_object, json.dumps(current), utc_now()],
        )

    def note_skip(self, sf_object: str, sf_id: str, modstamp: str | None, reason: str) -> bool:
        """Remember a Salesforce record the sync left alone; False if this version of it was
        already noted (so a re-read is not reported twice)."""
        row = self.conn.execute(
            "SELECT modstamp FROM skipped_records WHERE sf_id = ?", [sf_id]
        ).fetchone()
        if row is not None and row[0] == modstamp:
            return False
        self.conn.execute(
            "INSERT INTO skipped_records (sf_id, sf_object, modstamp, reason, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(sf_id) DO UPDATE SET modstamp = excluded.modstamp, "
            "reason = excluded.reason, at = excluded.at",
            [sf_id, sf_object, modstamp, reason, utc_now()],
        )
        return True

    # --- the profile's own facts ------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, value, utc_now()],
        )

    # --- engagement switches -----------------------------------------------------------------
    def engagement_switches(self) -> dict[str, tuple[bool, str | None]]:
        """type -> (enabled, since): since None means from the beginning."""
        return {
            r[0]: (bool(r[1]), r[2])
            for r in self.conn.execute("SELECT type, enabled, since FROM engagement_switches")
        }

    def switch_engagements(self, switches: dict[str, bool], at: str) -> None:
        """Record the switches as of `at`. A type switched on counts its events from `at`; the
        profile's first switches count from the beginning (history is sent once)."""
        current = self.engagement_switches()
        first = not current
        for kind, enabled in switches.items():
            was = current.get(kind)
            if was is None or (enabled and not was[0]):
                since = None if first or not enabled else at
                self.conn.execute(
                    "INSERT INTO engagement_switches (type, enabled, since, changed_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(type) DO UPDATE SET enabled = excluded.enabled, "
                    "since = excluded.since, changed_at = excluded.changed_at",
                    [kind, int(enabled), since, at],
                )
            elif not enabled and was[0]:
                self.conn.execute(
                    "UPDATE engagement_switches SET enabled = 0, changed_at = ? WHERE type = ?",
                    [at, kind],
                )

    # --- cursors --------------------------------------------------------------------------
    def cursor(self, stream: str) -> str | None:
        row = self.conn.execute("SELECT value FROM cursors WHERE stream = ?", [stream]).fetchone()
        return row[0] if row else None

    def set_cursor(self, stream: str, value: str) -> None:
        """Cursors never go backwards."""
        current = self.cursor(stream)
        if current is not None and value <= current:
            return
        self.conn.execute(
            "INSERT INTO cursors (stream, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [stream, value, utc_now()],
        )

    def cursors(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM cursors ORDER BY stream"))

    def is_first_sync(self) -> bool:
        return (
            self.conn.execute("SELECT COUNT(*) FROM cursors").fetchone()[0] == 0
            and self.conn.execute("SELECT COUNT(*) FROM links").fetchone()[0] == 0
        )

    # --- runs -----------------------------------------------------------------------------
    def start_run(self, dry_run: bool) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, status, dry_run) VALUES (?, 'running', ?)",
                [utc_now(), int(dry_run)],
            )
        return cur.lastrowid

    def finish_run(
        self,
        run_id: int,
        status: str,
        exit_code: int,
        summary: dict,
        api_calls: int,
        api_used: int | None,
        api_max: int | None,
        message: str | None,
    ) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, summary = ?, api_calls = ?, "
                "api_used = ?, api_max = ?, message = ? WHERE id = ?",
                [
                    utc_now(),
                    status,
                    exit_code,
                    json.dumps(summary),
                    api_calls,
                    api_used,
                    api_max,
                    message,
                    run_id,
                ],
            )

    def runs(self, limit: int = 10) -> list[dict]:
        rows = list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))
        for row in rows:
            row["summary"] = json.loads(row["summary"]) if row["summary"] else None
        return rows

    # --- errors and conflicts -----------------------------------------------------------------
    def record_error(
        self, person_id, email, sf_object, sf_id, operation, fields, code, message
    ) -> None:
        now = utc_now()
        row = self.conn.execute(
            "SELECT id FROM sync_errors WHERE status = 'open' AND person_id IS ? AND operation = ? "
            "AND code = ?",
            [person_id, operation, code],
        ).fetchone()
        if row:
            self.conn.execute(
                "UPDATE sync_errors SET last_at = ?, attempts = attempts + 1, message = ?, fields = ?, "
                "sf_id = COALESCE(?, sf_id) WHERE id = ?",
                [now, message, json.dumps(fields), sf_id, row[0]],
            )
        else:
            self.conn.execute(
                "INSERT INTO sync_errors (person_id, email, sf_object, sf_id, operation, fields, code, message, "
                "first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def clear_errors(self, person_id: int) -> None:
        self.conn.execute(
            "UPDATE sync_errors SET status = 'cleared', last_at = ? WHERE person_id = ? AND status = 'open'",
            [utc_now(), person_id],
        )

    def people_with_open_errors(self) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT person_id FROM sync_errors WHERE status = 'open' AND person_id IS NOT NULL"
            )
        ]

    def open_errors(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM sync_errors WHERE status = 'open' ORDER BY id"))

    def record_conflict(
        self, run_id, person_id, email, sf_object, sf_id, field, lg, sf, mirror, winner, rule
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO conflicts (run_id, person_id, email, sf_object, sf_id, field, leadgen_value, "
            "salesforce_value, mirror_value, winner, rule, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def conflicts(self, status: str | None = None) -> list[dict]:
        sql = "SELECT * FROM conflicts" + (" WHERE status = ?" if status else "") + " ORDER BY id"
        rows = list(self.db.query(sql, [status] if status else []))
        for row in rows:
            for key in ("leadgen_value", "salesforce_value", "mirror_value"):
                row[key] = json.loads(row[key]) if row[key] is not None else None
        return rows

    def pending_resolutions(self, person_id: int) -> list[dict]:
        return [c for c in self.conflicts("resolving") if c["person_id"] == person_id]

    # --- schema cache -------------------------------------------------------------------------
    def cached(self, key: str) -> tuple[object, str] | None:
        row = self.conn.execute(
            "SELECT value, fetched_at FROM schema_cache WHERE key = ?", [key]
        ).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def remembered(self, key: str, fetch, max_age: datetime.timedelta):
        """The cached value of `key` if younger than max_age, else fetch() (and cache it)."""
        hit = self.cached(key)
        if hit is not None:
            value, fetched = hit
            age = datetime.datetime.now(datetime.UTC) - datetime.datetime.fromisoformat(fetched)
            if age < max_age:
                return value
        value = fetch()
        self.cache(key, value)
        return value

    def cache(self, key: str, value) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO schema_cache (key, value, fetched_at) VALUES (?, ?, ?)",
                [key, json.dumps(value), utc_now()],
            )
