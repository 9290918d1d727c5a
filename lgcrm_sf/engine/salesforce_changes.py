"""Salesforce to here: read each object's changes since its cursor into the run's stage table
(memory stays flat however many), then deal with them oldest first, in chunks: deletions,
merges and conversions are followed; a linked record's changes are merged (our own writes come
back too, and are known as echoes by the merge: every mapped field equals what the mirror says
we sent); a record new to us becomes a person here, or waits for matching when ours already has
its e-mail."""

from __future__ import annotations

import datetime
import json

from ..i18n import N_, _, deferred
from ..leadgen.fields import normalise_email
from ..salesforce import soql
from .context import Sync
from .fields import OWNER, lg_value
from .lifecycle import MESSAGES, converted, deactivate, merged, skip
from .pair_writer import merge_pair
from .values import sf_native, utc_text

OVERLAP = datetime.timedelta(minutes=2)  # re-read this much before the cursor: late commits
BASE_FIELDS = ("Id", "IsDeleted", "MasterRecordId", "SystemModstamp", "LastModifiedById", "Email")


def stage(sync: Sync, sobject: str) -> None:
    """Whoever made a change, it is read: the integration user's too (Data Loader, a script, a
    flow running as it), merged like any other; deletions, merges and conversions always."""
    scratch = sync.state.scratch
    scratch.clear_stage(sobject)
    fields = list(BASE_FIELDS) + (
        ["IsConverted", "ConvertedContactId"] if sobject == "Lead" else []
    )
    fields += [s.sf_field for s in sync.specs[sobject] if s.sf_field not in fields]
    types = {name: d["type"] for name, d in sync.sf_fields[sobject].items()}
    cursor = sync.state.cursors.get(f"salesforce:{sobject}")
    sync.work.full_pull[sobject] = cursor is None
    sync.progress(_("reading {object} changes from Salesforce").format(object=sobject))
    batch, read = [], 0
    sync.sf.last_query_started = None
    for record in sync.sf.changes_since(sobject, fields, soql.since_clause(cursor, OVERLAP)):
        values = {f: sf_native(record.get(f), types.get(f, "string")) for f in fields}
        batch.append(_stage_row(sobject, values))
        if len(batch) >= sync.tuning.chunk:
            scratch.stage(batch)
            read += len(batch)
            batch = []
            sync.progress(
                _("reading {object} changes from Salesforce").format(object=sobject), read
            )
    scratch.stage(batch)
    sync.work.query_started[sobject] = sync.sf.last_query_started


def _stage_row(sobject: str, values: dict) -> tuple:
    return (
        sobject,
        values["Id"],
        utc_text(values["SystemModstamp"]),
        int(bool(values["IsDeleted"])),
        values.get("MasterRecordId"),
        int(bool(values.get("IsConverted"))),
        values.get("ConvertedContactId"),
        (values.get("Email") or "").lower() or None,
        json.dumps(values),
    )


def apply_staged(sync: Sync, kind: str, sobject: str) -> None:
    sync.progress(_("merging {object} changes").format(object=sobject))
    offset = 0
    while rows := sync.state.scratch.staged(sobject, sync.tuning.chunk, offset):
        with sync.state.conn:
            for row in rows:
                from_salesforce(sync, row, kind, sobject)
        offset += sync.tuning.chunk


def from_salesforce(sync: Sync, row: dict, kind: str, sobject: str) -> None:
    sf_id, modstamp = row["sf_id"], row["modstamp"]
    person_id = sync.state.links.person_of(sf_id)
    if row["deleted"] or row["converted"]:
        _gone_or_converted(sync, row, person_id, sobject)
        return
    link = sync.state.links.link_of(person_id) if person_id else None
    if link and link["sf_modstamp"] and modstamp and modstamp <= link["sf_modstamp"]:
        return  # seen before: the overlap window re-read it
    values = json.loads(row["values"])
    if person_id is None:
        _new_to_us(sync, row, kind, sobject, values)
        return
    sync.done(person_id)
    sync.work.to_read.get(sobject, set()).discard(person_id)  # its record is here already
    person = sync.leadgen.get(person_id)
    if person["active"]:
        mirror = sync.state.links.mirror_of(person_id) or None
        merge_pair(sync, person, sobject, values, modstamp, mirror)


def _gone_or_converted(sync: Sync, row: dict, person_id: int | None, sobject: str) -> None:
    if person_id is None:
        return
    if row["deleted"]:
        sync.done(person_id)
        if row["master"]:
            merged(sync, person_id, sobject, row["sf_id"], row["master"])
        else:
            reason = deferred(
                MESSAGES["deleted"], object=sobject, id=row["sf_id"], when=row["modstamp"]
            )
            deactivate(sync, person_id, sobject, reason)
    elif row["converted_contact"]:
        sync.done(person_id)
        converted(sync, person_id, row["converted_contact"])


def _new_to_us(sync: Sync, row: dict, kind: str, sobject: str, values: dict) -> None:
    sf_id, modstamp = row["sf_id"], row["modstamp"]
    try:
        email = normalise_email(row["email"])
    except ValueError:
        email = None
    if not email:
        skip(sync, sobject, sf_id, modstamp, deferred(N_("no e-mail")))
        return
    person = sync.leadgen.by_email(email)
    if person is None:
        create_here(sync, email, kind, sobject, values, sf_id, modstamp)
        return
    other = sync.state.links.link_of(person["id"])
    if other and other["sf_id"] != sf_id:
        if person["id"] in sync.work.matched_while_reading:
            # Matched while the account was read (engine/account_first_sync.py): the usual
            # order saw this record before the match, which passed it over (Contact first).
            return
        reason = deferred(
            N_(
                "{object} {id} has the e-mail of {email}, already linked to {other_object} "
                "{other_id}: a duplicate in Salesforce, not linked."
            ),
            object=sobject,
            id=sf_id,
            email=email,
            other_object=other["sf_object"],
            other_id=other["sf_id"],
        )
        skip(sync, sobject, sf_id, modstamp, reason, say=True)
    elif not person["active"]:
        skip(
            sync, sobject, sf_id, modstamp, deferred(N_("{email} is deactivated here"), email=email)
        )
    else:
        # Ours already: matched the one way (Contact first, then Lead; ambiguity reported)
        # along with the other unlinked people.
        sync.work.matched_here.setdefault(person["kind"], set()).add(person["id"])


def create_here(sync: Sync, email, kind, sobject, values, sf_id, modstamp) -> None:
    specs = sync.specs[sobject]
    person_values, mirror = {}, {}
    for spec in specs:
        sf = values.get(spec.sf_field)
        lg = spec.converter.to_leadgen(sf)
        if spec.role == OWNER:
            if sf is not None and lg is None:
                sync.report.owner_gap("salesforce", sf, sobject)
            person_values["owner_user_id"] = lg
        elif spec.role == "field" and spec.key != "email":
            person_values[spec.key] = lg
        mirror[spec.key] = {"lg": lg if spec.role in ("field", OWNER) else None, "sf": sf}
    sync.report.count(sobject, "created_here")
    sync.report.plan_line(
        {"email": email, "id": None},
        sobject,
        "create",
        None,
        sf_id,
        "leadgen",
        N_("new in Salesforce"),
    )
    if sync.dry_run:
        return
    person_id = sync.leadgen.create_person(
        email, kind, {k: v for k, v in person_values.items() if v is not None}
    )
    sync.done(person_id)
    sync.state.links.set_link(person_id, sobject, sf_id, modstamp)
    person = sync.leadgen.get(person_id)
    for spec in specs:  # pseudo-fields computed from the new person (the lead link)
        if spec.role not in ("field", OWNER):
            mirror[spec.key]["lg"] = lg_value(spec, person, sync.mapping)
    sync.state.links.set_mirror(person_id, sobject, mirror)
    # The lead link and score may still need writing to Salesforce.
    merge_pair(sync, person, sobject, values, modstamp, sync.state.links.mirror_of(person_id))
