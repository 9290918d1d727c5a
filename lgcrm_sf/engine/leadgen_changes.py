"""Here to Salesforce: the people changed here since the cursor (plus those whose last write
failed, those with a conflict resolved by hand, and those a Salesforce record matched), in
chunks of ids so memory stays flat. A linked person is merged with the Salesforce values the
mirror holds (no read needed); one whose record we don't hold is read by Id, once, with the
others; an unlinked one goes to matching. The pairs this run linked are merged in this run."""

from __future__ import annotations

from ..i18n import _
from .context import OBJECTS, Sync
from .matching import match_or_create
from .pair_writer import merge_pair
from .setup import specs_for
from .values import sf_native, utc_text


def apply_leadgen_changes(sync: Sync, kind: str, sobject: str) -> None:
    sync.progress(_("merging our {kind} changes").format(kind=kind))
    _gather_candidates(sync, kind)
    scratch, specs, last = sync.state.scratch, sync.specs[sobject], 0
    while ids := scratch.next_candidates(last, sync.tuning.chunk):
        last = ids[-1]
        linked = sync.state.links.linked_people(ids)
        with sync.state.conn:
            # The unlinked go to matching, which reads them: here their ids are enough.
            scratch.add_unlinked(sync.leadgen.active_among([i for i in ids if i not in linked]))
            for person in sync.leadgen.get_many([i for i in ids if i in linked]):
                if person["active"]:
                    _linked(sync, person, sobject, specs)
    read_and_merge(sync, sobject)
    match_or_create(sync, sobject)
    for _kind, linked_object in OBJECTS.values():
        if sync.work.to_read.get(linked_object) and linked_object in sync.sf_fields:
            read_and_merge(sync, linked_object)


def _gather_candidates(sync: Sync, kind: str) -> None:
    scratch = sync.state.scratch
    scratch.start_candidates()
    since = sync.state.cursors.get(f"leadgen:{kind}")
    changed = sync.leadgen.changed_since(
        kind, since, sync.signpost, sync.tuning.chunk, not_dealt_with=True
    )
    for ids in changed:  # those dealt with are passed over anyway (scratch.next_candidates)
        scratch.add_candidates(ids)
    retry = (
        set(sync.state.errors.people_open())
        | sync.state.conflicts.people_resolving()
        | sync.work.matched_here.pop(kind, set())
    )
    scratch.add_candidates(sync.leadgen.of_kind(sorted(retry), kind))


def _linked(sync: Sync, person: dict, sobject: str, specs) -> None:
    link = sync.state.links.link_of(person["id"])
    if link is None:  # its link went since the chunk was read: matching deals with it
        sync.state.scratch.add_unlinked([person["id"]])
        return
    if link["sf_object"] != sobject:
        return
    sync.done(person["id"])
    mirror = sync.state.links.mirror_of(person["id"])
    if any(spec.key not in mirror for spec in specs):
        sync.work.to_read.setdefault(sobject, set()).add(person["id"])
        return
    values = {spec.sf_field: mirror[spec.key]["sf"] for spec in specs}
    merge_pair(sync, person, sobject, values, link["sf_modstamp"], mirror)


def read_and_merge(sync: Sync, sobject: str) -> None:
    """Linked people whose Salesforce values we don't hold here (a pair just matched, a new
    field in the mapping, a lead just converted): their records as this run read them, or read
    by Id, then merged."""
    person_ids = sorted(sync.work.to_read.pop(sobject, set()))
    if not person_ids:
        return
    specs = specs_for(sync, sobject)
    types = {name: d["type"] for name, d in sync.sf_fields[sobject].items()}
    fields = ["Id", "SystemModstamp"] + [
        s.sf_field for s in specs if s.sf_field not in ("Id", "SystemModstamp")
    ]
    by_sf = {sf_id: pid for pid, sf_id in sync.state.links.linked_people(person_ids).items()}
    staged = {
        sf_id: values
        for sf_id, values in sync.state.scratch.staged_values(sobject, list(by_sf)).items()
        if all(f in values for f in fields)
    }
    _merge_records(sync, sobject, by_sf, staged.values())
    missing = [i for i in by_sf if i not in staged]
    records = (
        {f: sf_native(r.get(f), types.get(f, "string")) for f in fields}
        for r in sync.sf.records_by_id(sobject, fields, missing)
    )
    _merge_records(sync, sobject, by_sf, list(records))


def _merge_records(sync: Sync, sobject: str, by_sf: dict, records) -> None:
    with sync.state.conn:
        for values in records:
            person_id = by_sf[values["Id"]]
            sync.done(person_id)
            mirror = sync.state.links.mirror_of(person_id) or None
            person = sync.leadgen.get(person_id)
            merge_pair(sync, person, sobject, values, utc_text(values["SystemModstamp"]), mirror)
