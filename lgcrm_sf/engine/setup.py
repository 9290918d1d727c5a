"""Before anything is read or written: the mapping checked against the org (describe data and
the owners' users cached a day, so a quiet run costs no describe call) and, in account mode,
against the account's fields and deal stages (also remembered a day), what syncs for each
object, the owner map, and whether the org has our external-id field."""

from __future__ import annotations

from ..mapping.account_side import check_for_sync
from ..mapping.service import check_against_org, org_schema
from ..salesforce.describe import EXTERNAL_ID_FIELD
from .context import OBJECTS, Sync
from .fields import OwnerConverter, field_specs


def prepare(sync: Sync) -> None:
    schema = org_schema(sync.sf, sync.state, sync.mapping)
    problems = check_against_org(sync.mapping, schema, sync.state)  # errors stop the run here
    if sync.account is not None:
        check_for_sync(sync.mapping, sync.state, sync.account, sync.settings.leadgen_account_id)
    for problem in problems:  # warnings
        sync.report.say(str(problem))
    sync.sf_fields = {
        sobject: schema.fields[sobject]
        for name, (_, sobject) in OBJECTS.items()
        if name in sync.options.only
    }
    sync.external_ids = {
        sobject: EXTERNAL_ID_FIELD
        for sobject, fields in sync.sf_fields.items()
        if (fields.get(EXTERNAL_ID_FIELD) or {}).get("externalId")
    }
    sync.owners = _owner_map(sync, schema) if sync.mapping.owners else None
    sync.specs = {
        sobject: field_specs(sync.mapping, kind, sync.sf_fields[sobject], sync.owners)
        for kind, sobject in sync.chosen()
    }


def _owner_map(sync: Sync, schema) -> OwnerConverter:
    ours = {u["email"]: u["id"] for u in sync.leadgen.users()}
    ours_to_sf, sf_to_ours = {}, {}
    for owner in sync.mapping.owners:
        user = schema.user(owner.salesforce)
        our_id = ours.get(owner.user)
        if user and user["IsActive"] and our_id:
            ours_to_sf[our_id] = user["Id"]
            sf_to_ours[user["Id"]] = our_id
    return OwnerConverter(ours_to_sf, sf_to_ours)


def specs_for(sync: Sync, sobject: str):
    """What syncs for an object (also for the other object of a person who changed kind)."""
    if sobject not in sync.specs:
        kind = "lead" if sobject == "Lead" else "contact"
        sync.specs[sobject] = field_specs(sync.mapping, kind, sync.sf_fields[sobject], sync.owners)
    return sync.specs[sobject]
