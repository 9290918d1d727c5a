"""Account mode's dry run (`sync --dry-run` in a profile connected to an account): what a real
run would do on both sides, written nowhere.

The account is read as a real run reads it (reads are allowed; they cost API calls, counted in
the day's budget, and the run says how many), but into a throwaway copy of the profile's state
database: the engine's phases then plan against the account as it is now, in dry-run mode (no
Salesforce write), and our copy, links, mirror and cursors in the real state are untouched. What
the phases would change on our side is, in account mode, a write to the account: the plan shows
it with side `account`. Then the writes a real run's last phases would send (people the account
does not have, people changed and not yet sent, opportunities, accounts and contact roles) are
planned from the throwaway copy, and the copy is deleted.

The copy lives in the profile's directory (it holds personal data: same place, same
permissions as state.db) and is removed when the run ends (or, after a kill -9, by the next
dry run: runs of a profile are locked, so any such folder is a leftover)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..i18n import _
from ..leadgen.store import LeadGenStore
from ..store.sync_state import SyncState
from .account_push import CHUNK, lead_object
from .context import Sync
from .report import ACCOUNT

SIDE = ACCOUNT  # the plan's side for a write to the account
PREFIX = "dry-run-"  # the throwaway copy's folder in the profile's directory


@contextmanager
def throwaway_state(sync: Sync):
    """sync.state and sync.leadgen on a copy of state.db for the block, then the real ones."""
    real_state, real_leadgen = sync.state, sync.leadgen
    for stale in sync.profile.dir.glob(f"{PREFIX}*"):  # a dry run killed -9 (runs are locked)
        shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=sync.profile.dir))
    try:
        target = sqlite3.connect(folder / "state.db")
        with target:
            real_state.conn.backup(target)
        target.close()
        copy = SyncState(folder / "state.db", folder / "log.jsonl")
        sync.state, sync.leadgen = copy, LeadGenStore(copy.db, sales_read_only=True)
        sync.work.throwaway = True
        sync.report.ours_side = SIDE
        try:
            yield
        finally:
            sync.state, sync.leadgen = real_state, real_leadgen
            copy.conn.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def plan_account_writes(sync: Sync) -> None:
    """The account's side of the plan: what push_people and push_sales would send."""
    _plan_people(sync)
    if "opportunities" in sync.options.only:
        _plan_sales(sync)
    sync.report.say(
        _(
            "Dry run: the Lead Gen & CRM account was read ({calls} API calls, counted in "
            "today's budget); nothing was written to it, to Salesforce or to this profile's state."
        ).format(calls=sync.account.calls)
    )


def _plan_people(sync: Sync) -> None:
    owners = sync.leadgen.account_user_ids()
    for people in sync.leadgen.people_to_create(CHUNK):
        for person in people:
            sync.report.plan_line(
                person, _object(person), "create", None, person["email"], SIDE,
                "not in the Lead Gen & CRM account",
            )  # fmt: skip
    for people in sync.leadgen.people_to_update(CHUNK):
        for person in people:
            _lead_id, known, _stamp = sync.leadgen.account_state(person["id"])
            for name, value in lead_object(person, known, owners).items():
                sync.report.plan_line(
                    person, _object(person), name, None, value, SIDE, "changed here, not yet sent"
                )


def _object(person: dict) -> str:
    return "Contact" if person["kind"] == "contact" else "Lead"


def _plan_sales(sync: Sync) -> None:
    for sobject in ("Opportunity", "Account"):
        for row in sync.leadgen.gone_from_salesforce(sobject):
            _sale_line(sync, sobject, row, "delete", "deleted in Salesforce")
    stages = None
    for sobject in ("Account", "Opportunity"):
        for row in sync.leadgen.sales_to_push(sobject):
            if row["deleted"]:
                continue
            rule = "changed in Salesforce" if row["account_remote_id"] else "new in Salesforce"
            if sobject == "Opportunity":
                stages = stages if stages is not None else _deal_stages(sync)
                stage = sync.mapping.stages.get(row["stage"] or "", row["stage"] or "")
                if stage not in stages:
                    # the plan's rules are machine text, like the engine's other rules
                    rule = f"refused: stage {row['stage']!r} is not a deal stage of the account"
            action = "update" if row["account_remote_id"] else "create"
            _sale_line(sync, sobject, row, action, rule)


def _deal_stages(sync: Sync) -> set[str]:
    from .account_sales import deal_stages

    return set(deal_stages(sync))


def _sale_line(sync: Sync, sobject: str, row: dict, action: str, rule: str) -> None:
    remote = row["account_remote_id"]
    sync.report.plan_line({"email": None}, sobject, action, remote, row["name"], SIDE, rule)
