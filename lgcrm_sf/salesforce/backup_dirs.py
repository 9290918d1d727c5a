"""A backup's directory: a name no other backup has, written in a hidden `.partial` work
directory and renamed into place only when every object is done, so an interrupted backup never
looks complete; and the removal of the work directories that killed backups left behind."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

from ..errors import LgcrmError
from ..i18n import _

# A backup at work holds a lock inside its hidden .partial directory: a backup killed midway
# leaves the directory but not the lock (the system frees it with the process), so the next
# backup knows which partial directories are abandoned and removes them.
WORK_LOCK = ".lock"
UNLOCKED_GRACE_SECONDS = 3600  # a .partial without a lock file: another backup may be starting


def new_work_directory(out_dir: Path, base: str) -> tuple[str, Path]:
    """A name no backup in `out_dir` has (two backups in one second get -2, -3...), and its
    hidden work directory, created."""
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        taken = any((out_dir / candidate).exists() for candidate in (name, f"{name}-incomplete"))
        if taken:
            continue
        partial = out_dir / f".{name}.partial"
        try:
            partial.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return name, partial
    raise LgcrmError(
        _("Too many backups named {base} in {out_dir}.").format(base=base, out_dir=out_dir)
    )


def move_into_place(partial: Path, final: Path) -> None:
    """The rename that makes a backup visible, made durable with its directory's entry."""
    os.replace(partial, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def hold_work_lock(partial: Path):
    handle = open(partial / WORK_LOCK, "a+")  # noqa: SIM115 - held until the rename
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def release_work_lock(partial: Path, handle) -> None:
    (partial / WORK_LOCK).unlink(missing_ok=True)
    handle.close()


def remove_abandoned_partials(out_dir: Path) -> list[Path]:
    removed = []
    for partial in sorted(out_dir.glob(".*.partial")):
        lock = partial / WORK_LOCK
        if not lock.exists():
            age = time.time() - partial.stat().st_mtime
            if age > UNLOCKED_GRACE_SECONDS:
                shutil.rmtree(partial, ignore_errors=True)
                removed.append(partial)
            continue
        with open(lock, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a backup is writing it right now
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial)
    return removed
