"""Account mode, last phase: what the sync changed in our copy of the account, written to the
account through the API (issue 14 §3). People the account does not have are created
(createLeads); people the sync changed are updated with only the fields that differ from what
the account last had (updateLeadsV2, which says 404 where updateLeads would lie, §7.1), a lead
deleted in Salesforce included (`active: 0`).

Killed at any call, a rerun converges without duplicates: a create whose answer was lost is
either read back by the next refresh (adopted by e-mail) or answered 301 "Entry already exists"
when sent again, and then linked by e-mail; an update is sent again and changes nothing
(302) or what is left. A changed e-mail is read back: updateLeadsV2 reports success and does
nothing when another lead owns the address (§7.1)."""

from __future__ import annotations

import json

from ..i18n import _
from ..leadgen.account_copy import person_values
from ..leadgen.api import names
from ..leadgen.api.errors import AccountOutcomeUnknown
from .account_refresh import account_deleted
from .context import Sync
from .report import ACCOUNT

CHUNK = 500
ALREADY = 301
NOTHING_CHANGED = 302
NOT_FOUND = 404
NEVER_SENT = {"lead_score"}  # the score is the account's: read from it, pushed to Salesforce


def push_people(sync: Sync) -> None:
    sync.progress("writing to the Lead Gen & CRM account")
    owners = sync.leadgen.account_user_ids()
    for people in sync.leadgen.people_to_create(CHUNK):
        _create(sync, people, owners)
    for people in sync.leadgen.people_to_update(CHUNK):
        _update(sync, people, owners)


def known_after(person: dict) -> dict:
    return {**person_values(person), "email": person["email"], "active": person["active"]}


def lead_object(person: dict, known: dict | None, owners: dict[int, int]) -> dict:
    """The person as an API lead object: every field (a create) or those that differ from what
    the account last had (an update)."""
    ours = person_values(person)
    if person["kind"] == "contact" and ours.get("lead_status") not in names.CONTACT_STATUSES:
        ours["lead_status"] = "contact"
    if ours.get("lead_status") not in names.LEAD_STATUSES:
        ours.pop("lead_status")  # not one of the account's values: left as the account has it
    owner = ours.pop("owner_user_id")
    fields = {k: v for k, v in ours.items() if k not in NEVER_SENT}
    if owner is None or owner in owners:
        fields["owner_user_id"] = owners.get(owner) if owner else None
    if known is not None:
        fields = {k: v for k, v in fields.items() if known.get(k) != _as_known(k, v, owners)}
    else:
        fields = {k: v for k, v in fields.items() if v not in (None, "", False)}
    obj = names.encode_lead(fields)
    if known is None or known.get("email") != person["email"]:
        obj["emailAddress"] = person["email"]
    if known is not None and bool(known.get("active", True)) != person["active"]:
        obj["active"] = "1" if person["active"] else "0"
    return obj


def _as_known(name: str, value, owners: dict[int, int]):
    """Values in the known snapshot hold our user ids; compare like with like."""
    if name == "owner_user_id" and value is not None:
        return next((ours for ours, acct in owners.items() if acct == value), value)
    return value


def _create(sync: Sync, people: list[dict], owners: dict[int, int]) -> None:
    objects = [lead_object(p, None, owners) for p in people]
    try:
        results = sync.account.create_leads(objects)
    except AccountOutcomeUnknown:
        sync.report.say(_("A createLeads answer was lost; the next run settles it by e-mail."))
        return
    with sync.state.conn:
        for person, result in zip(people, results, strict=True):
            if result.success:
                known = known_after(person)
                sync.leadgen.set_account_state(person["id"], result.id, known, None, False)
                sync.report.count(ACCOUNT, "created_in_account")
            elif result.code == ALREADY:
                _link_existing(sync, person)
            else:
                _failed(sync, person, "createLeads", result)


def _link_existing(sync: Sync, person: dict) -> None:
    """301: the account has a lead with this e-mail (ours from a lost answer, or one the date
    ranges leave out because it is inactive): link it; the update step sends what differs."""
    found = sync.account.get_leads_by_email(person["email"])
    if not found:
        sync.report.count(ACCOUNT, "errors")
        return
    lead = names.decode_lead(found[0], names.custom_names(found[0]))
    owners = {acct: ours for ours, acct in sync.leadgen.account_user_ids().items()}
    owner = lead["values"].get("owner_user_id")
    lead["values"]["owner_user_id"] = owners.get(owner) if owner else None
    known = {**lead["values"], "email": lead["email"], "active": lead["active"]}
    dirty = known != known_after(person)
    sync.leadgen.set_account_state(person["id"], lead["account_id"], known, None, dirty)
    sync.report.count(ACCOUNT, "linked_by_email")


def _update(sync: Sync, people: list[dict], owners: dict[int, int]) -> None:
    plans = []
    with sync.state.conn:
        for person in people:  # rows of lg_people: what the account last had is in them
            lead_id, known = person["account_lead_id"], json.loads(person["account_values"] or "{}")
            obj = lead_object(person, known, owners)
            if obj:
                plans.append((person, lead_id, {"id": str(lead_id), **obj}))
            else:
                sync.leadgen.mark_pushed(person["id"], known_after(person))
    if not plans:
        return
    try:
        results = sync.account.update_leads([obj for _p, _i, obj in plans])
    except AccountOutcomeUnknown:
        sync.report.say(_("An updateLeadsV2 answer was lost; the next run sends it again."))
        return
    moved = [(p, lead_id) for (p, lead_id, obj), r in zip(plans, results, strict=True)
             if r.success and "emailAddress" in obj]  # fmt: skip
    refused = _emails_refused(sync, moved)
    with sync.state.conn:
        for (person, lead_id, _obj), result in zip(plans, results, strict=True):
            if person["id"] in refused:
                sync.report.count(ACCOUNT, "errors")
                sync.report.say(
                    _(
                        "{email}: the account kept the lead's old e-mail (another lead has this "
                        "one); change it in the account or in Salesforce."
                    ).format(email=person["email"])
                )
            elif result.success or result.code == NOTHING_CHANGED:
                sync.leadgen.mark_pushed(person["id"], known_after(person))
                sync.report.count(ACCOUNT, "updated_in_account")
            elif result.code == NOT_FOUND:
                account_deleted(sync, person["id"], lead_id)
            else:
                _failed(sync, person, "updateLeadsV2", result)


def _emails_refused(sync: Sync, moved: list[tuple[dict, int]]) -> set[int]:
    """People whose new e-mail the account did not take, read back by id."""
    if not moved:
        return set()
    found = {int(r["id"]): r for r in sync.account.get_leads_by_id([i for _p, i in moved])}
    return {
        p["id"]
        for p, lead_id in moved
        if (found.get(lead_id, {}).get("emailAddress") or "").strip().lower() != p["email"]
    }


def _failed(sync: Sync, person: dict, method: str, result) -> None:
    sync.report.count(ACCOUNT, "errors")
    sync.report.say(
        _("{email}: the account refused {method}: {error}.").format(
            email=person["email"], method=method, error=result.error_text
        )
    )
