"""Opening a profile's state database: one way, for every part of the product that uses it.

- Writers wait for each other: a busy timeout (30 s) and transactions that take the write lock
  when they begin (BEGIN IMMEDIATE), so two commands never fail half-way on a lock upgrade;
  a wait past the timeout is reported as a busy profile (exit 7), never a traceback.
- The schema is versioned (`PRAGMA user_version`) and brought up to date by the numbered steps
  of migrations.py, each step in one transaction. A database newer than this release knows is
  refused rather than half-understood.
- A file that is not a readable SQLite database is named in one line (exit 3).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from ..errors import ConfigError, LockHeld
from ..i18n import N_, _
from .migrations import MIGRATIONS

BUSY_TIMEOUT_SECONDS = 30.0

MESSAGES = {
    "busy": N_(
        "The state database {path} is busy: another lgcrm-sf command of this profile has been "
        "writing to it for over {seconds:g} s; nothing was changed by this one."
    ),
    "unreadable": N_("The state database {path} cannot be read ({detail}); nothing was changed."),
    "unreadable_fix": N_(
        "restore it from a copy (it holds the profile's links and history), or move "
        "it away to start the profile afresh."
    ),
    "too_new": N_(
        "The state database {path} was written by a newer lgcrm-sf (schema {found}; this "
        "release knows up to {known}); nothing was changed."
    ),
}


class StateDatabaseBusy(LockHeld):
    pass


class StateDatabaseUnreadable(ConfigError):
    pass


def busy_timeout() -> float:
    # LGCRM_SF_BUSY_TIMEOUT shortens the wait (tests of a busy profile, troubleshooting).
    text = os.environ.get("LGCRM_SF_BUSY_TIMEOUT")
    try:
        return float(text) if text else BUSY_TIMEOUT_SECONDS
    except ValueError:
        return BUSY_TIMEOUT_SECONDS


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def busy_error(path: Path | str | None = None) -> StateDatabaseBusy:
    where = path or _("of this profile")
    return StateDatabaseBusy(
        _(MESSAGES["busy"]).format(path=where, seconds=busy_timeout()),
        _("run it again when the other command has finished."),
    )


def open_database(path: Path | str) -> sqlite_utils.Database:
    """The profile's database, migrated to the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(str(path), timeout=busy_timeout(), isolation_level="IMMEDIATE")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.OperationalError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error(path) from None
        raise StateDatabaseUnreadable(
            _(MESSAGES["unreadable"]).format(path=path, detail=exc), _(MESSAGES["unreadable_fix"])
        ) from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StateDatabaseUnreadable(
            _(MESSAGES["unreadable"]).format(path=path, detail=exc), _(MESSAGES["unreadable_fix"])
        ) from None
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: Path | str = "") -> None:
    """Take every step after the database's version, each in its own transaction; a process
    that finds a step already taken by another (which held the lock first) skips it."""
    known = len(MIGRATIONS)
    found = schema_version(conn)
    if found > known:
        raise ConfigError(
            _(MESSAGES["too_new"]).format(path=path, found=found, known=known),
            _("upgrade lgcrm-sf."),
        )
    while found < known:
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = schema_version(conn)  # another process may have migrated while we waited
            if found < known:
                step = MIGRATIONS[found][1]
                if callable(step):
                    step(conn)
                else:
                    for statement in statements(step):
                        conn.execute(statement)
                found += 1
                conn.execute(f"PRAGMA user_version = {found}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def statements(script: str) -> list[str]:
    """A script split into complete SQL statements (executescript would commit first)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def in_chunks(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    """`values` in lists of `size`, each with its placeholders ("?, ?, ...") for an IN (...):
    SQLite caps a statement's parameters, and 500 keys keep each query quick."""
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        yield chunk, ", ".join("?" * len(chunk))
