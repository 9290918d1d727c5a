"""One sync per profile at a time: an advisory lock on the profile's lock file, released by the
operating system when the process ends, however it ends (so a killed run never blocks cron)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import LockHeld
from ..i18n import N_, deferred

# Also logged: English there, the person's language on the error line.
MESSAGE = N_(
    "Another sync of profile {profile} is running ({holder}); this run did nothing. "
    "If no sync is running, the lock is released automatically."
)


class ProfileLock:
    def __init__(self, path: Path, profile: str) -> None:
        self.path, self.profile = path, profile
        self.handle = None

    def __enter__(self) -> ProfileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the lock's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or deferred(N_("pid unknown"))
            handle.close()
            raise LockHeld(deferred(MESSAGE, profile=repr(self.profile), holder=holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
