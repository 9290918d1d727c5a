"""The sync's links after a restore created records again: a person linked to a Salesforce
record that was purged and then restored from a backup (with a new id, as Salesforce gives
every record it creates) follows it to the new id, so the next sync updates that record
instead of creating a duplicate."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .db import open_database


def repoint_links(state_path: Path | str, pairs: Iterable[tuple[str, str]]) -> int:
    """(old Salesforce id, new id) pairs; returns how many links moved. One transaction."""
    db = open_database(state_path)
    try:
        with db.conn:
            moved = 0
            for old, new in pairs:
                moved += db.conn.execute(
                    "UPDATE links SET sf_id = ? WHERE sf_id = ?", [new, old]
                ).rowcount
        return moved
    finally:
        db.conn.close()
