"""Unlinked people: matched by e-mail (Contact first, then Lead; several matches are an
ambiguity to report, never a guess), or created in Salesforce. In chunks: memory stays flat,
and each chunk's e-mails are looked up together (in this run's stage when it read the whole
object, else in Salesforce)."""

from __future__ import annotations

import functools
import hashlib

from ..i18n import N_, deferred
from .context import Sync
from .fields import OWNER, REQUIRED_DEFAULTS, lg_value
from .lifecycle import link

MESSAGES = {
    "ambiguous": N_(
        "{email} matches {count} Salesforce {object}s ({ids}): not linked; merge them in "
        "Salesforce."
    ),
    # a record error (state.db), shown again by `lgcrm-sf status`
    "ambiguous_error": N_("{count} {object}s have this e-mail"),
}


def match_or_create(sync: Sync, sobject: str) -> None:
    last = 0
    while ids := sync.state.scratch.next_unlinked(last, sync.tuning.chunk):
        last = ids[-1]
        match_people(sync, sobject, sync.leadgen.get_many(ids))


def match_people(sync: Sync, sobject: str, people: list[dict], done: bool = False) -> list[int]:
    """These unlinked people (rows of our copy) matched or journaled for creation, in one
    transaction (and, when `done`, marked dealt with by this run in it). Returns the ids of
    those linked to a Salesforce record."""
    matches = _matches(sync, sorted({p["email"] for p in people}))
    creates: list[tuple] = []
    linked = []
    with sync.state.conn:
        for person in people:
            if _match_one(sync, person, matches, sobject, creates):
                linked.append(person["id"])
        if creates:  # journaled together: one statement for the chunk
            sync.state.journal.add_many(sync.run_id, "create", sobject, creates)
        if done:
            sync.state.scratch.done_many([p["id"] for p in people])
    return linked


def _matches(sync: Sync, emails: list[str]) -> dict[str, list[tuple[str, str]]]:
    matches: dict[str, list[tuple[str, str]]] = {}
    for candidate in ("Contact", "Lead"):
        if sync.work.full_pull.get(candidate):  # read whole this run: look in the stage
            for email, sf_id in sync.state.scratch.staged_by_email(candidate, emails):
                matches.setdefault(email, []).append((candidate, sf_id))
            continue
        extra = ["IsConverted = false"] if candidate == "Lead" else []
        for email, rows in sync.sf.find_by_emails(candidate, emails, extra).items():
            for row in rows:
                matches.setdefault(email, []).append((candidate, row["Id"]))
    return matches


def _match_one(sync: Sync, person: dict, matches, sobject: str, creates: list) -> bool:
    """Whether the person was linked to a record it matched (else reported or planned)."""
    found = [
        f
        for f in matches.get(person["email"], [])
        if sync.state.links.person_of(f[1]) in (None, person["id"])
    ]
    contacts = [f for f in found if f[0] == "Contact"]
    chosen = contacts or [f for f in found if f[0] == "Lead"]
    if len(chosen) > 1:
        _ambiguous(sync, person, chosen, sobject)
        return False
    if chosen:
        match_object, sf_id = chosen[0]
        link(sync, person, match_object, sf_id, None)
        if not sync.dry_run:
            sync.work.to_read.setdefault(match_object, set()).add(person["id"])
        return True
    plan_create(sync, person, sobject, creates)
    return False


def _ambiguous(sync: Sync, person: dict, chosen: list[tuple[str, str]], sobject: str) -> None:
    sync.report.count(sobject, "skipped")
    sync.report.say(
        deferred(
            MESSAGES["ambiguous"],
            email=person["email"],
            count=len(chosen),
            object=chosen[0][0],
            ids=", ".join(c[1] for c in chosen),
        )
    )
    if not sync.dry_run:
        sync.state.errors.record(
            person["id"],
            person["email"],
            chosen[0][0],
            None,
            "match",
            [],
            "AMBIGUOUS_EMAIL",
            deferred(MESSAGES["ambiguous_error"], count=len(chosen), object=chosen[0][0]),
        )


def plan_create(sync: Sync, person: dict, sobject: str, creates: list) -> None:
    """A create planned (and, outside a dry run, added to `creates` for the journal)."""
    payload, mirror = _create_payload(sync, person, sobject)
    sync.report.count(sobject, "created_in_salesforce")
    sync.report.plan_line(
        person,
        sobject,
        "create",
        None,
        payload.get("Email"),
        "salesforce",
        N_("new in Lead Gen & CRM"),
    )
    if not sync.dry_run:
        creates.append((person["id"], person["email"], None, payload, mirror))


def _create_payload(sync: Sync, person: dict, sobject: str) -> tuple[dict, dict]:
    payload, mirror = {}, {}
    mapping = sync.mapping
    for spec, createable in _sendable(sync, sobject):
        lg = lg_value(spec, person, mapping)
        if spec.direction == "pull":
            # Salesforce's to set (its default included): never sent; the next run's change
            # query brings Salesforce's value here.
            mirror[spec.key] = {"lg": lg, "sf": None}
            continue
        sf = spec.converter.to_salesforce(lg)
        if sf is None and spec.role != OWNER:
            mirror[spec.key] = {"lg": lg, "sf": None}
            continue
        if spec.role == OWNER and sf is None:
            if lg is not None:
                sync.report.owner_gap("leadgen", lg, sobject)
            # Not sent: Salesforce makes the integration user the owner (assignment rules are
            # off for our writes), unless the mapping lets the org's rules assign it.
            mirror[spec.key] = {
                "lg": lg,
                "sf": None if sync.mapping.assignment_rules else sync.integration_user_id,
            }
            continue
        if createable:
            payload[spec.sf_field] = sf
        mirror[spec.key] = {"lg": lg, "sf": sf if spec.sf_field in payload else None}
    payload["Email"] = payload.get("Email") or person["email"]
    if sobject in sync.external_ids:  # makes the create an upsert: safe to send again
        payload[sync.external_ids[sobject]] = external_key(sync, person)
    for name, default in REQUIRED_DEFAULTS[sobject].items():
        if not payload.get(name):
            default = payload[name] = sync.written(default)
            for spec in sync.specs[sobject]:
                if spec.sf_field == name:
                    mirror[spec.key] = {"lg": mirror.get(spec.key, {}).get("lg"), "sf": default}
    return payload, mirror


def _sendable(sync: Sync, sobject: str) -> list[tuple]:
    """(spec, whether Salesforce lets a create set its field) of an object, worked out once a
    run (asked per person and field)."""
    key = ("sendable", sobject)
    if key not in sync.work.memo:
        described = sync.sf_fields[sobject]
        sync.work.memo[key] = [
            (spec, described[spec.sf_field].get("createable", True)) for spec in sync.specs[sobject]
        ]
    return sync.work.memo[key]


def external_key(sync: Sync, person: dict) -> str:
    """Our external id of a person (a row of our copy): which marketing side, and the person
    in it. In account mode a person the account has is `acct-<12 hex>:<lead id>`, the hex a
    SHA-256 prefix of the account id (LGCRM_Id__c is Text(40): 5 + 12 + 1 + up to 19 digits of
    an int64 id)."""
    person_id, lead_id = person["id"], person.get("account_lead_id")
    if sync.account is not None and lead_id is not None:
        return f"acct-{account_hash(sync.settings.leadgen_account_id)}:{lead_id}"
    store = sync.state.meta.get("leadgen_store_id")
    if store is None:
        import uuid

        store = uuid.uuid4().hex[:16]
        with sync.state.conn:
            sync.state.meta.set("leadgen_store_id", store)
    return f"local-{store}:{person_id}"


@functools.cache
def account_hash(account_id: str) -> str:
    """A stable, short stand-in for the account id in external ids."""
    return hashlib.sha256(str(account_id).encode()).hexdigest()[:12]
