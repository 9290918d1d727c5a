"""A profile's backups, as the commands ask for them: take one of the connected org (the
identity read for its manifest, the objects chosen, the run recorded, the result catalogued),
verify one (and mark it verified or not in the catalog), list the catalog. Backup (backup.py)
does the export and backup_verify.py the checking; this module ties them to the profile."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..config import Profile
from ..errors import ExitCode, UsageError
from ..i18n import N_, _, deferred
from ..store.catalog import Catalog
from ..store.sync_state import SyncState
from .backup import Backup, BackupProgress, BackupResult
from .backup_verify import VerifyReport, verify
from .connection import open_client
from .identity import read_identity


@dataclass(frozen=True)
class BackupRequest:
    out: Path | None = None  # default <home>/backups/<profile>
    objects: list[str] | None = None  # API names; default Backup's DEFAULT_OBJECTS
    everything: bool = False  # every queryable object the org lists
    include_deleted: bool = False
    compress: bool = False
    skip_binary: bool = False


def backup_target(profile: Profile, out: Path | None) -> Path:
    target = out or profile.home / "backups" / profile.name
    if target.exists() and not target.is_dir():
        raise UsageError(
            _("--out {out}: a file, not a directory.").format(out=out),
            _("give a directory (it is created if needed)."),
        )
    return target


def run_backup(
    profile: Profile, request: BackupRequest, progress: BackupProgress | None = None, record=None
) -> BackupResult:
    """One backup, catalogued. `progress`, when given, is also a context manager, entered for
    the export only; `record` (the CLI's record of the run, cli/_runs.py) is told the run id."""
    target = backup_target(profile, request.out)
    _, client = open_client(profile)
    job = Backup(client, read_identity(client), progress)
    chosen = job.object_names(request.objects, request.everything)  # unknown names fail first
    catalog = Catalog(profile.state_path)
    run_id = SyncState(catalog.db, profile.log_path).runs.start("backup")
    if record is not None:
        record.run_id = run_id
    with progress if progress is not None else contextlib.nullcontext():
        result = job.run(
            target, chosen, request.include_deleted, request.compress, request.skip_binary
        )
    catalog.record_backup(str(result.path), result.manifest)
    return result


def outcome(result: BackupResult) -> tuple[str, int, dict]:
    """The run's status, exit code and what its line in log.jsonl says besides them. A backup
    some object of which failed exits 11: the others are kept, the manifest says which."""
    code = 0 if result.complete else int(ExitCode.SALESFORCE)
    fields = {
        "path": str(result.path),
        "complete": result.complete,
        "objects": len(result.objects),
        "rows": result.rows,
        "api_calls": result.api_calls,
    }
    return ("ok" if result.complete else "incomplete"), code, fields


def incomplete_message(result: BackupResult) -> str:
    failed = [o.name for o in result.objects if o.status != "ok"]
    return deferred(
        N_(
            "The backup is incomplete: {objects} failed (see the manifest in {path}); the "
            "other objects were kept."
        ),
        objects=", ".join(failed),
        path=result.path,
    )


def verify_backup(profile: Profile, given: str) -> VerifyReport:
    """Verify a backup named by its directory or its catalog id, and record the outcome: a
    verified backup (with its manifest's hash) is what the first sync and check-prereqs ask
    for; one that no longer verifies loses that mark."""
    catalog = Catalog(profile.state_path)
    report = verify(catalog.backup_path(given).resolve())
    if report.ok:
        manifest_sha = hashlib.sha256((report.path / "manifest.json").read_bytes()).hexdigest()
        catalog.mark_verified(str(report.path), report.manifest, manifest_sha)
    else:
        catalog.mark_unverified(str(report.path))
    return report


def catalog_of(profile: Profile) -> list[dict]:
    """The backups recorded in the profile's catalog, newest first."""
    return Catalog(profile.state_path).backups()
