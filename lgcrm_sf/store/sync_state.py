"""The sync's own state in the profile's database, one small repository per table family:
links and the mirror, cursors, the journal, conflicts, record errors, runs, the describe cache
and the profile's facts, the engagement log, and the run's scratch tables. Only store/ runs SQL
on these tables. No secret is ever stored here."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .cache import Cache, Meta
from .conflicts import Conflicts
from .cursors import Cursors
from .db import open_database
from .engagement_log import EngagementLog
from .journal import Journal
from .links import Links
from .migrated import MigratedRecords
from .record_errors import RecordErrors
from .runs import RunLog
from .scratch import Scratch


class SyncState:
    def __init__(self, path: Path | str | sqlite_utils.Database, log_path: Path | None = None):
        self.db = path if isinstance(path, sqlite_utils.Database) else open_database(path)
        self.conn = conn = self.db.conn
        self.links = Links(conn)
        self.cursors = Cursors(conn)
        self.journal = Journal(conn)
        self.conflicts = Conflicts(conn)
        self.errors = RecordErrors(conn)
        self.cache = Cache(conn)
        self.meta = Meta(conn)
        self.engagements = EngagementLog(conn)
        self.migrated = MigratedRecords(conn)
        self.runs = RunLog(conn, log_path or _beside(conn, "log.jsonl"))
        self._scratch: Scratch | None = None

    @property
    def scratch(self) -> Scratch:
        """The run's scratch tables, made on first use (they live as long as the connection)."""
        if self._scratch is None:
            self._scratch = Scratch(self.conn)
        return self._scratch

    def is_first_sync(self) -> bool:
        return self.cursors.none_yet() and self.links.count() == 0


def _beside(conn, name: str) -> Path:
    """A file next to the database file (the profile's log.jsonl lives beside state.db)."""
    main_file = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    return Path(main_file).with_name(name)
