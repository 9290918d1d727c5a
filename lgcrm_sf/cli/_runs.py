"""Every run of a command that works on an org ends as one line in the profile's log.jsonl,
with the exit code the process really returns, whether it finished, failed or crashed. A usage
error (exit 2) is not a run: it appends nothing."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..config import Profile
from ..errors import ExitCode, LgcrmError
from ..i18n import english
from ..store.db import is_busy
from ..store.runs import append_log
from ..store.sync_state import SyncState
from ._errors import ABORTS, EXITS, USAGE, redact


@dataclass
class RunRecord:
    """What a command tells the record of its run as it goes."""

    run_id: int | None = None  # the row in `runs`, once the work started
    status: str | None = None  # ok | record_errors | quota | dry_run | ...
    exit_code: int = 0
    details: dict = field(default_factory=dict)


def exit_code_of(exc: BaseException) -> int:
    if isinstance(exc, EXITS):
        return exc.exit_code
    if isinstance(exc, LgcrmError):
        return int(exc.exit_code)
    if isinstance(exc, (*ABORTS, KeyboardInterrupt)):
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, USAGE):
        return int(ExitCode.USAGE)
    if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
        return int(ExitCode.LOCK_HELD)
    return int(ExitCode.INTERNAL)


@contextmanager
def recorded(profile: Profile, command: str) -> Iterator[RunRecord]:
    record, started = RunRecord(), time.perf_counter()
    try:
        yield record
    except BaseException as exc:
        code = exit_code_of(exc)
        if code == ExitCode.USAGE and record.run_id is None:
            raise  # a mistyped command is not a run
        status = record.status or {
            ExitCode.INTERRUPTED: "interrupted",
            ExitCode.QUOTA_RESERVE: "quota",
        }.get(code, "failed")
        # log.jsonl is machine output: the English of a translated message
        message = (
            english(exc.message) if isinstance(exc, LgcrmError) else f"{type(exc).__name__}: {exc}"
        )
        if code != ExitCode.INTERNAL and not isinstance(exc, LgcrmError):
            message = None  # an exit the command chose: its details say why
        _finish(profile, command, record, status, code, started, redact(message or ""))
        raise
    else:
        _finish(profile, command, record, record.status or "ok", record.exit_code, started, "")


def _finish(profile, command, record, status, code, started, message) -> None:
    details = {"seconds": round(time.perf_counter() - started, 3), **record.details}
    if message:
        details["error"] = message
    try:
        log = SyncState(profile.state_path, profile.log_path).runs if record.run_id else None
    except (LgcrmError, sqlite3.Error):
        log = None  # the state database is the trouble: the log line still says what happened
    if log is not None:
        log.finish(record.run_id, command, status, code, **details)
    else:
        append_log(
            profile.log_path,
            {"command": command, "run": record.run_id, "status": status, "exit_code": code}
            | details,
        )
