"""`lgcrm-sf restore BACKUP --mode update|copy`: a verified backup back into its org, or copied
into another. This module runs the steps in order; copy.py and update.py say what each mode
does. The target profile's sync lock is held from the plan to the last write (a sync and a
restore never write at once), and the id map and progress live in a file beside the target
profile (progress.py), so a killed restore resumes where it stopped."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..engine.lock import ProfileLock
from ..errors import ConfigError, UsageError
from ..i18n import N_, _
from ..salesforce.connection import open_client
from ..salesforce.identity import read_identity
from ..store.links import repoint_links
from .copy import CopyRestore
from .job import RestoreRequest
from .progress import Progress, progress_path
from .report import RestoreReport
from .update import UpdateRestore

MODES = ("update", "copy")
DECLINED = N_("Not restored: the confirmation word (Confirm) was not typed. Nothing was written.")


def restore(
    request: RestoreRequest,
    confirm: Callable[[RestoreReport], bool],
    tell: Callable[[str, str, int], None] | None = None,
) -> RestoreReport:
    """Plan, ask, write. `confirm(report)` sees the plan before the first write."""
    started = time.perf_counter()
    _settings, client = open_client(request.target)
    identity = read_identity(client)
    backup = request.backup
    if request.mode == "update":
        _refuse_another_org(request, backup.org_id, identity)
    report = RestoreReport(
        request.mode,
        request.dry_run,
        str(backup.path),
        backup.org_id,
        request.target.name,
        identity.org_id,
        identity.org_name,
    )
    path = progress_path(request.target.dir, backup.path.name, request.mode, identity.org_id)
    lock = (
        nullcontext()
        if request.dry_run
        else ProfileLock(request.target.lock_path, request.target.name)
    )
    calls = client.counter.calls
    with (
        lock,
        _progress(path, request.dry_run) as progress,
        _workdir(path, request.dry_run) as work,
    ):
        job_class = UpdateRestore if request.mode == "update" else CopyRestore
        job = job_class(request, client, identity, progress, report, tell)
        job.workdir = work
        job.prepare()
        job.plan()
        if not request.dry_run:
            report.progress_file = str(path)
            if not confirm(report):
                raise ConfigError(_(DECLINED))
            job.execute()
            if request.mode == "update":
                pairs = ((old, new) for _object, old, new in progress.inserted_pairs())
                report.links_repointed = repoint_links(request.target.state_path, pairs)
            report.failures = progress.failures()
    report.api_calls = client.counter.calls - calls
    report.seconds = time.perf_counter() - started
    return report


def _refuse_another_org(request: RestoreRequest, backup_org_id: str, identity) -> None:
    """--mode update writes values back where they were taken: never into another org."""
    if backup_org_id != identity.org_id:
        raise UsageError(
            _(
                "--mode update writes a backup back into the org it was taken from: this backup"
                " is of org {org_id}, profile {name!r} is linked to {org_id2} ({org_name}). "
                "Nothing was written."
            ).format(
                org_id=backup_org_id,
                name=request.target.name,
                org_id2=identity.org_id,
                org_name=identity.org_name,
            ),
            _(
                "use --mode copy to copy it into another org, or pick the profile of its org "
                "with --target-profile."
            ),
        )


@contextmanager
def _progress(path: Path, dry_run: bool) -> Iterator[Progress]:
    """The restore's progress file; a dry run works on a throwaway copy of it."""
    if not dry_run:
        progress = Progress(path)
        try:
            yield progress
        finally:
            progress.close()
        return
    with tempfile.TemporaryDirectory(prefix="lgcrm-sf-restore-") as scratch:
        copy = Path(scratch) / path.name
        if path.exists():
            shutil.copyfile(path, copy)
        progress = Progress(copy)
        try:
            yield progress
        finally:
            progress.close()


@contextmanager
def _workdir(path: Path, dry_run: bool) -> Iterator[Path]:
    """Room for the org's current records and sort runs: beside the progress file (the
    profile's disk, owner-only), removed when the restore ends."""
    base = None if dry_run else path.parent
    if base is not None:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=f".{path.stem}.work-", dir=base) as work:
        yield Path(work)
