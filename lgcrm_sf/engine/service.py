"""`sync`, `conflicts` and `status`: the core behind the commands."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path

from ..config import Profile
from ..errors import ExitCode, UsageError
from ..i18n import _
from ..mapping.loader import MappingInvalid
from ..mapping.service import mapping_for, org_schema
from ..mapping.validate import check_leadgen_side, validate
from ..salesforce.connection import open_client, settle_locale
from ..salesforce.side import SalesforceSide
from ..store.sync_state import SyncState
from .lock import ProfileLock
from .options import SYNCABLE, SyncOptions
from .run import SyncEngine, SyncResult

EXIT = {
    "ok": ExitCode.OK,
    "dry_run": ExitCode.OK,
    "record_errors": ExitCode.RECORD_ERRORS,
    "quota": ExitCode.QUOTA_RESERVE,
}


def parse_reserve(text: str | None) -> tuple[int | None, float]:
    """`--api-reserve 500` (calls) or `--api-reserve 10%` (of the daily limit, 0 to 100)."""
    if text is None or not text.strip():
        return None, 5.0
    text = text.strip()
    fix = _("give a number of calls (500) or a share of the daily limit from 0% to 100% (10%).")
    try:
        if text.endswith("%"):
            share = float(text[:-1])
            if not math.isfinite(share) or not 0 <= share <= 100:
                raise ValueError
            return None, share
        calls = int(text)
        if calls < 0:
            raise ValueError
        return calls, 0.0
    except ValueError:
        raise UsageError(
            _("--api-reserve {text!r} is not a valid reserve.").format(text=text), fix
        ) from None


def parse_only(text: str) -> tuple[str, ...]:
    """`--only leads,contacts`: the parts of the sync to run, each one the sync knows."""
    chosen = tuple(o.strip() for o in text.split(",") if o.strip())
    if not chosen or any(o not in SYNCABLE for o in chosen):
        raise UsageError(
            _("--only {text!r} names no part of the sync.").format(text=text),
            _("use any of {names}.").format(names=", ".join(SYNCABLE)),
        )
    return chosen


def parse_since(text: str | None) -> str | None:
    """`--backfill-engagements 2026-11-01` (or a date-time; UTC unless it says otherwise), in
    the one ISO spelling the state uses."""
    if not text:
        return text
    try:
        since = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            _("--backfill-engagements {text!r} is not a date.").format(text=text),
            _("give a date such as 2026-11-01."),
        ) from None
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)
    return since.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sync_options(
    only: str, backfill_engagements: str | None, api_reserve: str | None, **flags
) -> SyncOptions:
    """A sync's options from the command line's words, each checked (exit 2 naming the option);
    `flags` are SyncOptions' own: dry_run, no_backup_check, reconcile, plan_file."""
    chosen, since = parse_only(only), parse_since(backfill_engagements)
    reserve, percent = parse_reserve(api_reserve)
    return SyncOptions(
        only=chosen,
        backfill_engagements=since,
        api_reserve=reserve,
        reserve_percent=percent,
        **flags,
    )


def run_sync(
    profile: Profile, options: SyncOptions, mapping_file=None, record=None
) -> tuple[SyncResult, int]:
    """One sync. What can be checked here is checked before the profile's lock is taken or
    anything is written: the stored settings, the mapping file and our side of the mapping."""
    if mapping_file is not None and not Path(mapping_file).is_file():
        raise UsageError(
            _("--mapping {mapping_file} does not exist.").format(mapping_file=mapping_file),
            _("give the path of a mapping file."),
        )
    settings, client = open_client(profile)
    settle_locale(profile, settings, client, save=not options.dry_run)
    mapping = mapping_for(profile, mapping_file)
    if any(p.severity == "error" for p in check_leadgen_side(mapping)):
        # Refused before the lock or any write: every problem, the org's too (not cached).
        raise MappingInvalid(
            validate(mapping, org_schema(SalesforceSide(client), None, mapping), None),
            _("nothing was synced"),
        )
    SyncState(profile.state_path)  # a database that can't be opened stops us before the lock
    with ProfileLock(profile.lock_path, profile.name):
        engine = SyncEngine(profile, settings, client, mapping, options, record)
        result = engine.sync()
        return result, int(EXIT[result.status])


def log_fields(result: SyncResult, mapping_source: str) -> dict:
    """What a sync's line in log.jsonl says besides its status and exit code; never a secret."""
    return {
        "api_calls": result.api_calls,
        "api_used": result.api_used,
        "api_max": result.api_max,
        "mapping": mapping_source,
        "summary": result.summary,
        "messages": result.messages[:50],
    }


def resolve_conflict(profile: Profile, conflict_id: int, take: str) -> dict:
    if take not in ("salesforce", "leadgen"):
        raise UsageError(
            _("--take {take!r} is not a side.").format(take=take), _("use salesforce or leadgen.")
        )
    state = SyncState(profile.state_path)
    rows = [c for c in state.conflicts.list() if c["id"] == conflict_id]
    if not rows:
        raise UsageError(
            _("No conflict with id {conflict_id}.").format(conflict_id=conflict_id),
            _("see `lgcrm-sf conflicts`."),
        )
    with state.conn:
        state.conflicts.take(conflict_id, take)
    return rows[0]


def conflicts(profile: Profile, include_resolved: bool = False) -> list[dict]:
    """The conflicts the sync settled: the open ones, or all of them."""
    return SyncState(profile.state_path).conflicts.list(None if include_resolved else "open")


def status(profile: Profile) -> dict:
    settings = profile.load()
    state = SyncState(profile.state_path, profile.log_path)
    runs = state.runs.recent(5)
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
        "cursors": state.cursors.all(),
        "pending_errors": len(state.errors.open()),
        "record_errors": [
            {
                "object": e["sf_object"],
                "record_id": e["sf_id"],
                "email": e["email"],
                "field": (json.loads(e["fields"] or "[]") or [None])[0],
                "message": f"{e['code']}: {e['message']}" if e["code"] else e["message"],
                "first_seen": e["first_at"],
                "last_seen": e["last_at"],
                "attempts": e["attempts"],
            }
            for e in state.errors.open()
        ],
        "open_conflicts": len(state.conflicts.list("open")),
        "api_usage": {
            "used": last["api_used"],
            "max": last["api_max"],
            "as_of": last["finished_at"],
        }
        if last
        else None,
    }
