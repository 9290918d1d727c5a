"""`sync`, `conflicts` and `status`: the core behind the commands."""

from __future__ import annotations

import json
import os

from ..config import Profile
from ..connection import open_client
from ..errors import ConfigError, ExitCode
from ..mapping.service import mapping_for
from ..store.state import utc_now
from ..store.sync_state import SyncState
from .lock import ProfileLock
from .run import SyncEngine, SyncOptions, SyncResult

EXIT = {
    "ok": ExitCode.OK,
    "dry_run": ExitCode.OK,
    "record_errors": ExitCode.RECORD_ERRORS,
    "quota": ExitCode.QUOTA_RESERVE,
}


def parse_reserve(text: str | None) -> tuple[int | None, float]:
    """`--api-reserve 500` (calls) or `--api-reserve 10%` (of the daily limit)."""
    if not text:
        return None, 5.0
    try:
        if text.endswith("%"):
            return None, float(text[:-1])
        return int(text), 0.0
    except ValueError:
        raise ConfigError(
            f"--api-reserve {text!r}: give a number of calls (500) or a share of the daily limit (10%)."
        ) from None


def run_sync(profile: Profile, options: SyncOptions, mapping_file=None) -> tuple[SyncResult, int]:
    with ProfileLock(profile.lock_path, profile.name):
        mapping = mapping_for(profile, mapping_file)
        settings, client = open_client(profile)
        engine = SyncEngine(profile, settings, client, mapping, options)
        result = engine.sync()
        code = int(EXIT[result.status])
        _log(profile, result, code, mapping)
        return result, code


def _log(profile: Profile, result: SyncResult, code: int, mapping) -> None:
    """One JSON line per run in the profile's log (named by `status`); never a secret."""
    record = {
        "at": utc_now(),
        "run": result.run_id,
        "status": result.status,
        "exit_code": code,
        "seconds": round(result.seconds, 3),
        "api_calls": result.api_calls,
        "api_used": result.api_used,
        "api_max": result.api_max,
        "mapping": mapping.source,
        "summary": result.summary,
        "messages": result.messages[:50],
    }
    profile.ensure_dir()
    fd = os.open(profile.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def resolve_conflict(profile: Profile, conflict_id: int, take: str) -> dict:
    if take not in ("salesforce", "leadgen"):
        raise ConfigError("--take must be salesforce or leadgen.")
    state = SyncState(profile.state_path)
    rows = [c for c in state.conflicts() if c["id"] == conflict_id]
    if not rows:
        raise ConfigError(f"No conflict with id {conflict_id}: see `lgcrm-sf conflicts`.")
    with state.conn:
        state.conn.execute(
            "UPDATE conflicts SET status = 'resolving', take = ? WHERE id = ?", [take, conflict_id]
        )
    return rows[0]


def status(profile: Profile) -> dict:
    settings = profile.load()
    state = SyncState(profile.state_path)
    runs = state.runs(5)
    last = next((r for r in runs if r["api_used"] is not None), None)
    return {
        "profile": profile.name,
        "connected": settings.connected,
        "org": {"id": settings.org_id, "name": settings.org_name, "edition": settings.edition},
        "username": settings.username,
        "login_url": settings.login_url,
        "mapping": settings.mapping_file or "<built-in default mapping>",
        "log_file": str(profile.log_path),
        "state_database": str(profile.state_path),
        "last_runs": runs,
        "cursors": state.cursors(),
        "pending_errors": len(state.open_errors()),
        "open_conflicts": len(state.conflicts("open")),
        "api_usage": {
            "used": last["api_used"],
            "max": last["api_max"],
            "as_of": last["finished_at"],
        }
        if last
        else None,
    }
