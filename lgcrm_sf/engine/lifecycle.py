"""What Salesforce does to a linked record that the sync never does itself, followed here: a
deletion (or a purge) deactivates the person here, a merge relinks to the surviving record, a
conversion relinks a lead to its contact. And a pair's link made, a Salesforce record left alone
(said once per version of it)."""

from __future__ import annotations

from ..i18n import N_, deferred
from .context import Sync

# Why a person was deactivated: stored in English (the person's record, the plan file) and
# read in the person's language when shown (`leads show` rereads them, i18n.reread).
MESSAGES = {
    "deleted": N_("deleted in Salesforce ({object} {id}) on {when}"),
    "deleted_recently": N_("deleted in Salesforce ({object} {id}) recently"),
    "purged": N_(
        "no longer in Salesforce ({object} {id}): purged from the recycle bin or hard-deleted"
    ),
    "merged_taken": N_("merged in Salesforce into {master}, which is already linked to {other}"),
    "converted_taken": N_(
        "converted in Salesforce into contact {contact}, which is already linked to {other}"
    ),
}
# The plan's `rule` of a change the sync follows rather than decides (shown translated).
RULES = {
    "deleted": N_("deleted in Salesforce"),
    "merged": N_("merged in Salesforce"),
    "converted": N_("lead converted in Salesforce"),
    "matched": N_("matched by e-mail"),
}


def deactivate(sync: Sync, person_id: int, sobject: str, reason: str) -> None:
    person = sync.leadgen.get(person_id)
    sync.report.count(sobject, "deactivated")
    sync.report.plan_line(person, sobject, "deactivate", None, reason, "leadgen", RULES["deleted"])
    if not sync.dry_run:
        if person["active"]:
            sync.leadgen.deactivate(person_id, reason)
        sync.state.links.unlink(person_id)


def merged(sync: Sync, person_id: int, sobject: str, sf_id: str, master: str) -> None:
    other = sync.state.links.person_of(master)
    if other is not None and other != person_id:
        other_email = sync.leadgen.get(other)["email"]
        reason = deferred(MESSAGES["merged_taken"], master=master, other=other_email)
        deactivate(sync, person_id, sobject, reason)
        return
    sync.report.count(sobject, "relinked")
    person = sync.leadgen.get(person_id)
    sync.report.plan_line(person, sobject, "relink", sf_id, master, "salesforce", RULES["merged"])
    if not sync.dry_run:
        sync.state.links.set_link(person_id, sobject, master, None)


def converted(sync: Sync, person_id: int, contact_id: str) -> None:
    other = sync.state.links.person_of(contact_id)
    person = sync.leadgen.get(person_id)
    if other is not None and other != person_id:
        other_email = sync.leadgen.get(other)["email"]
        reason = deferred(MESSAGES["converted_taken"], contact=contact_id, other=other_email)
        deactivate(sync, person_id, "Lead", reason)
        return
    sync.report.count("Lead", "relinked")
    sync.report.plan_line(
        person, "Lead", "convert", None, contact_id, "leadgen", RULES["converted"]
    )
    if not sync.dry_run:
        sync.state.links.set_link(person_id, "Contact", contact_id, None)
        sync.state.links.forget_mirror(person_id)
        sync.leadgen.set_kind(person_id, "contact")
        # Its Contact's values are read by Id, unless the Contact changes bring them.
        sync.work.to_read.setdefault("Contact", set()).add(person_id)


def link(sync: Sync, person: dict, sobject: str, sf_id: str, modstamp: str | None) -> None:
    """Link a person to a Salesforce record; its kind follows the record's object, so it syncs
    with the Lead or Contact field list from now on."""
    kind = "contact" if sobject == "Contact" else "lead"
    sync.done(person["id"])
    sync.report.count(sobject, "linked")
    sync.report.plan_line(person, sobject, "link", None, sf_id, "salesforce", RULES["matched"])
    if not sync.dry_run:
        sync.state.links.set_link(person["id"], sobject, sf_id, modstamp)
        if person["kind"] != kind:
            sync.leadgen.set_kind(person["id"], kind)


def skip(sync: Sync, sobject: str, sf_id: str, modstamp: str, reason: str, say=False) -> None:
    """A Salesforce record left alone, counted (and `say`-ed) once per version of it: the
    overlap window reads it again, and that is not news."""
    if sync.dry_run or sync.state.links.note_skip(sobject, sf_id, modstamp, reason):
        sync.report.count(sobject, "skipped")
        if say:
            sync.report.say(reason)
