"""A linked pair's plan (pair.py) carried out: our side's new values and the mirror written
here now, in the run's transaction; what goes to Salesforce journaled as an update, settled when
Salesforce answers (apply.py). Conflicts are recorded, plan lines reported."""

from __future__ import annotations

from ..i18n import N_, deferred
from ..leadgen.fields import normalise_email
from .context import Sync
from .fields import OWNER
from .pair import plan_pair
from .setup import specs_for

MESSAGES = {
    "email_taken": N_(
        "{email}: Salesforce changed its e-mail to {new}, which another person here has; kept ours."
    ),
    "email_invalid": N_(
        "{email}: Salesforce changed its e-mail to {new}, which is not valid; kept ours."
    ),
}


def merge_pair(sync: Sync, person: dict, sobject: str, sf_values: dict, modstamp, mirror) -> None:
    link = sync.state.links.link_of(person["id"])
    sf_id = link["sf_id"] if link else None
    resolutions = {c["field"]: c for c in sync.state.conflicts.resolving(person["id"])}
    plan = plan_pair(
        specs_for(sync, sobject), person, sf_values, modstamp, mirror, sync.mapping, resolutions
    )
    report = sync.report
    for side, owner in plan.owner_gaps:
        report.owner_gap(side, owner, sobject)
    for conflict in plan.conflicts:
        report.count(sobject, "conflicts")
        if not sync.dry_run:
            sync.state.conflicts.record(
                sync.run_id,
                person["id"],
                person["email"],
                sobject,
                sf_id,
                conflict.field,
                conflict.leadgen_value,
                conflict.salesforce_value,
                conflict.mirror_value,
                conflict.winner,
                conflict.rule,
            )
    for line in plan.lines:
        report.plan_line(person, sobject, *line)
    if sync.dry_run:
        if plan.to_leadgen:
            report.count(sobject, "updated_here")
        if plan.to_salesforce:
            report.count(sobject, "updated_in_salesforce")
        return
    _write(sync, person, sobject, sf_id, modstamp, plan)


def _write(sync: Sync, person: dict, sobject: str, sf_id, modstamp, plan) -> None:
    to_lg, mirror_now = plan.to_leadgen, plan.mirror_now
    if "email" in to_lg and not _email_is_free(sync, person, to_lg["email"], sobject):
        del to_lg["email"]
        mirror_now.pop("email", None)
    if to_lg:
        values = {("owner_user_id" if k == OWNER else k): v for k, v in to_lg.items()}
        sync.leadgen.set_fields(person["id"], values)
        sync.report.count(sobject, "updated_here")
    sync.state.links.set_mirror(person["id"], sobject, mirror_now)
    if modstamp:
        sync.state.links.touch_link(person["id"], modstamp)
    for conflict_id in plan.resolved:
        sync.state.conflicts.resolved(conflict_id)
    if plan.to_salesforce:
        sync.report.count(sobject, "updated_in_salesforce")
        sync.state.journal.add(
            sync.run_id,
            "update",
            sobject,
            person["id"],
            person["email"],
            sf_id,
            {"Id": sf_id, **plan.to_salesforce},
            plan.mirror_later,
        )
    else:
        sync.state.errors.clear(person["id"])  # nothing left to send: an earlier failure is over


def _email_is_free(sync: Sync, person: dict, email, sobject: str) -> bool:
    """An e-mail changed in Salesforce comes here only if it is valid and no other person has
    it: people are keyed by e-mail, and two must never become one by accident."""
    try:
        address = normalise_email(email)
    except ValueError:
        address = None
    other = sync.leadgen.by_email(address) if address else None
    if address and (other is None or other["id"] == person["id"]):
        return True
    sync.report.count(sobject, "skipped")
    message = MESSAGES["email_taken"] if address else MESSAGES["email_invalid"]
    sync.report.say(deferred(message, email=person["email"], new=repr(email)))
    return False
