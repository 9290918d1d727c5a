"""`leads import` in a profile connected to the real account (issue 14 §3): the file is read and
checked by the import tool exactly as in local mode (into a scratch store, so bad rows are
reported the same way), then its people go to the account through the API: createLeads, and for
an e-mail the account already has (301) updateLeadsV2 by e-mail with `active: 1`, which is how a
re-import re-activates a lead. The next sync reads them into our copy."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..config import Profile
from ..errors import ConfigError
from ..i18n import N_, _
from ..store.account_budget import AccountBudget
from ..store.db import open_database
from .account_copy import person_values
from .api import names
from .connection import open_account_client
from .importer import ImportReport, import_people
from .store import LeadGenStore

CHUNK = 500
# Commands of the offline store, and where to do the same with a real account.
OFFLINE_ONLY = {
    "events import": N_("events are recorded by the account itself (forms, e-mails, visits)"),
    "users add": N_("add users in the account (Settings > Users)"),
    "accounts add": N_("accounts are managed in Salesforce; the sync copies them to the account"),
    "opportunities add": N_("opportunities are managed in Salesforce; the sync copies them"),
}


def refuse_offline_only(profile: Profile, command: str) -> None:
    """Exit 3 for a command of the offline store in a profile connected to an account."""
    if profile.load().account_mode:
        raise ConfigError(
            _("`{command}` works on the offline store, and profile {name!r} is connected to a "
              "Lead Gen & CRM account.").format(command=command, name=profile.name),
            _(OFFLINE_ONLY[command]) + ".",
        )  # fmt: skip


def import_into_account(
    profile: Profile, path: Path, kind: str, column_map: dict | None, encoding: str
) -> ImportReport:
    settings = profile.load()
    copy = LeadGenStore(profile.state_path)
    client = open_account_client(profile, settings, AccountBudget(copy.db.conn))
    with copy.db.conn:  # the owner column names the account's users by e-mail
        for user in client.get_user_profiles():
            if user.get("emailAddress"):
                copy.apply_account_user(names.decode_user(user))
    owners = {u["email"]: u for u in copy.users()}
    account_users = copy.account_user_ids()  # our user id -> the account's
    with tempfile.TemporaryDirectory(prefix="lgcrm-import-") as tmp:
        scratch = LeadGenStore(open_database(Path(tmp) / "import.db"))
        ids = {}
        for email, user in owners.items():
            ids[scratch.add_user(user["name"], email)] = account_users.get(user["id"])
        report = import_people(scratch, path, kind, column_map, encoding)
        report.created = report.updated = report.unchanged = report.reactivated = 0
        for start in range(0, scratch.count_people(), CHUNK):
            people = scratch.people(limit=CHUNK, offset=start)
            _send(client, people, ids, report)
    return report


def _object(person: dict, owners: dict) -> dict:
    values = {k: v for k, v in person_values(person).items() if v not in (None, "")}
    values.pop("lead_score", None)
    owner = values.pop("owner_user_id", None)
    if owners.get(owner):
        values["owner_user_id"] = owners[owner]
    if person["kind"] == "contact" and values.get("lead_status") not in names.CONTACT_STATUSES:
        values["lead_status"] = "contact"
    if values.get("lead_status") not in (None, *names.LEAD_STATUSES):
        values.pop("lead_status")
    if not values.get("unsubscribed"):
        values.pop("unsubscribed", None)
    return {"emailAddress": person["email"], **names.encode_lead(values)}


def _send(client, people: list[dict], owners: dict, report: ImportReport) -> None:
    objects = [_object(p, owners) for p in people]
    results = client.create_leads(objects)
    again = []
    for obj, result in zip(objects, results, strict=True):
        if result.success:
            report.created += 1
        elif result.code == 301:  # the account has this e-mail: update it, re-activate it
            again.append({**obj, "active": "1"})
        else:
            report.reject(0, f"{obj['emailAddress']}: {result.error_text}")
    if not again:
        return
    for obj, result in zip(again, client.update_leads(again), strict=True):
        if result.success:
            report.updated += 1
        elif result.code == 302:
            report.unchanged += 1
        else:
            report.reject(0, f"{obj['emailAddress']}: {result.error_text}")
