"""The profile's backup catalog (and its small event log: connected, disconnected), in the state
database (see db.py for how it is opened and migrated). Every write is in a transaction. No
secret is ever stored."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from ..clock import utc_now
from ..errors import UsageError
from ..i18n import _
from .db import open_database


class Catalog:
    def __init__(self, path: Path | str | sqlite_utils.Database) -> None:
        self.db = path if isinstance(path, sqlite_utils.Database) else open_database(path)

    def record_event(self, kind: str, detail: dict) -> None:
        with self.db.conn:
            self.db["events"].insert({"at": utc_now(), "kind": kind, "detail": json.dumps(detail)})

    # --- the backup catalog ---------------------------------------------------------------
    def record_backup(self, path: str, manifest: dict) -> int:
        objects = manifest["objects"]
        with self.db.conn:
            return (
                self.db["backups"]
                .insert(
                    {
                        "org_id": manifest["org"]["id"],
                        "path": path,
                        "started_at": manifest["started_at"],
                        "finished_at": manifest["finished_at"],
                        "complete": int(manifest["complete"]),
                        "verified": 0,
                        "objects": len(objects),
                        "object_names": json.dumps(
                            sorted(o["name"] for o in objects if o.get("status", "ok") == "ok")
                        ),
                        "rows": sum(o["rows"] for o in objects),
                        "bytes": sum(o["bytes"] for o in objects),
                    }
                )
                .last_pk
            )

    def mark_verified(self, path: str, manifest: dict, manifest_sha256: str) -> None:
        """Record a verified backup; one copied in from elsewhere is added to the catalog."""
        with self.db.conn:
            rows = list(self.db.query("SELECT id FROM backups WHERE path = ?", [path]))
            if not rows:
                self.db.conn.execute("SAVEPOINT add_backup")
                self.record_backup(path, manifest)
                self.db.conn.execute("RELEASE add_backup")
            self.db.conn.execute(
                "UPDATE backups SET verified = 1, verified_at = ?, manifest_sha256 = ? WHERE "
                "path = ?",
                [utc_now(), manifest_sha256, path],
            )

    def mark_unverified(self, path: str) -> None:
        with self.db.conn:
            self.db.conn.execute("UPDATE backups SET verified = 0 WHERE path = ?", [path])

    def backup_path(self, given: str) -> Path:
        """A backup named by its directory or by its id in the catalog (`backup list`)."""
        path = Path(given).expanduser()
        if path.exists() or not given.strip().isdigit():
            return path
        rows = list(self.db.query("SELECT path FROM backups WHERE id = ?", [int(given)]))
        if not rows:
            raise UsageError(
                _("No backup with id {given} in the catalog, and no directory {given}.").format(
                    given=given
                ),
                _("see `lgcrm-sf backup list`."),
            )
        return Path(rows[0]["path"])

    def backups(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM backups ORDER BY finished_at DESC, id DESC"))

    def backup_covering(self, org_id: str, required) -> tuple[dict | None, list[str]]:
        """The newest complete, verified backup of the org holding every `required` object;
        else (None, the objects the newest verified backup lacks, or all of them)."""
        rows = list(
            self.db.query(
                "SELECT * FROM backups WHERE org_id = ? AND complete = 1 AND verified = 1 "
                "ORDER BY finished_at DESC, id DESC",
                [org_id],
            )
        )
        missing_from_newest = None
        for row in rows:
            held = set(_object_names(row))
            missing = [name for name in required if name not in held]
            if not missing:
                return row, []
            if missing_from_newest is None:
                missing_from_newest = missing
        return None, missing_from_newest if missing_from_newest is not None else list(required)


def _object_names(row: dict) -> list[str]:
    """The objects a catalogued backup holds; for a backup catalogued before the catalog named
    them, read from its manifest (none if the manifest is gone)."""
    if row.get("object_names"):
        return json.loads(row["object_names"])
    try:
        manifest = json.loads((Path(row["path"]) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return []
    return [o["name"] for o in manifest.get("objects", []) if o.get("status", "ok") == "ok"]
