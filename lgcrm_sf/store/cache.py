"""What the org told us and may be asked again later (describe data, the owners' users): cached
with the time it was fetched. And the profile's own facts (`meta`): the marketing store's id,
the hash of the mapping last seen."""

from __future__ import annotations

import datetime
import json
import sqlite3

from ..clock import parse, utc_now


class Cache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, key: str) -> tuple[object, str] | None:
        row = self.conn.execute(
            "SELECT value, fetched_at FROM schema_cache WHERE key = ?", [key]
        ).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def put(self, key: str, value) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO schema_cache (key, value, fetched_at) VALUES (?, ?, ?)",
                [key, json.dumps(value), utc_now()],
            )

    def remembered(self, key: str, fetch, max_age: datetime.timedelta):
        """The cached value of `key` if younger than max_age, else fetch() (and cache it)."""
        hit = self.get(key)
        if hit is not None:
            value, fetched = hit
            if datetime.datetime.now(datetime.UTC) - parse(fetched) < max_age:
                return value
        value = fetch()
        self.put(key, value)
        return value


class Meta:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, value, utc_now()],
        )
