"""What the target org lets a restore write, object by object, from its describe: the fields a
create may send and an update may change, the references to remap, the fields it must skip
(read-only, formula, system, absent from the target, binary fields the backup skipped: each said
once, not per record), the required fields to check before writing, record types, and the field
that keeps the source id when the org has one.

Binary (base64) fields are written from the backup's files (sender.py); compound fields
(address, geolocation) never: they are read-only views of their components, which a backup
holds as columns and a restore writes like any other field."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from ..i18n import N_, _, deferred
from ..salesforce.client import SalesforceClient
from .backup_files import BackupObject
from .order import Reference

# Audit fields: createable only with *Set Audit Fields upon Record Creation*, and only on insert
# (https://help.salesforce.com/s/articleView?id=000386065&type=1); the describe tells.
AUDIT_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById")
# Objects a restore never writes: users are found by username (owners.py), the rest is setup.
NEVER_RESTORED = {
    "User",
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "UserRole",
    "Group",
    "Organization",
    "RecordType",
    "LeadStatus",
    "Calendar",
    "ContentDocument",
}
# The default field that keeps each record's source id (Text(18), External ID): with it a lost
# answer is settled by an exact lookup, and the copy keeps a trace of where it came from.
SOURCE_ID_FIELD = "LGCRM_Source_Id__c"
USER = "User"
BINARY = "base64"
COMPOUND_TYPES = {"address", "location"}


@dataclass
class ObjectSpec:
    name: str
    backup: BackupObject
    types: dict[str, str] = field(default_factory=dict)  # every backup field the target has
    insert_fields: list[str] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> referenceTo
    user_fields: set[str] = field(default_factory=set)  # references to User (owners, audit)
    required: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # field -> why it is not written
    audit_fields: list[str] = field(default_factory=list)  # sent on insert (the user may)
    source_id_field: str | None = None
    record_types: dict[str, dict] = field(default_factory=dict)  # developerName -> info
    deferred: list[str] = field(default_factory=list)  # references set in a second pass

    @property
    def binary_fields(self) -> list[str]:
        """The base64 fields a create or an update sends (as files, through REST)."""
        names = dict.fromkeys(self.insert_fields + self.update_fields)
        return [n for n in names if self.types.get(n) == BINARY]

    def references_for_order(self, describe: dict) -> list[Reference]:
        by_name = {f["name"]: f for f in describe["fields"]}
        return [
            Reference(
                self.name,
                name,
                targets,
                bool(by_name[name]["nillable"] and by_name[name]["updateable"]),
            )
            for name, targets in self.references.items()
            if name in self.insert_fields
        ]


def describe_objects(client: SalesforceClient, names: list[str]) -> dict[str, dict]:
    """Each object's describe in the target; an object it lacks or can't create is refused."""
    described = client.call(lambda sf: sf.describe(), "the global describe")["sobjects"]
    known = {o["name"].lower(): o for o in described}
    out = {}
    for name in names:
        info = known.get(name.lower())
        if info is None or not info.get("createable"):
            why = _("has no such object") if info is None else _("does not let this user create it")
            raise UsageError(
                _("The target org {why}: {name}.").format(why=why, name=name),
                _("leave it out with --objects, or grant the integration user access to it."),
            )
        out[name] = client.call(
            lambda sf, n=info["name"]: getattr(sf, n).describe(), f"the describe of {name}"
        )
    return out


def object_spec(
    backup: BackupObject, describe: dict, chosen_fields: set[str] | None, source_id_field: str
) -> ObjectSpec:
    spec = ObjectSpec(backup.name, backup)
    fields = {f["name"].lower(): f for f in describe["fields"]}
    for column in backup.fields:
        _classify(spec, column, fields.get(column.lower()), chosen_fields)
    for column in backup.skipped_binary:
        spec.skipped[column] = _("binary: the backup skipped it (--skip-binary), not restorable")
    candidate = fields.get(source_id_field.lower())
    if candidate and candidate["createable"] and candidate["type"] in ("string", "text"):
        spec.source_id_field = candidate["name"]
        spec.skipped.pop(candidate["name"], None)
        for kind in (spec.insert_fields, spec.update_fields):
            if candidate["name"] in kind:
                kind.remove(candidate["name"])
    spec.required = [
        f["name"]
        for f in describe["fields"]
        if f["createable"]
        and not f["nillable"]
        and not f.get("defaultedOnCreate")
        and f["type"] != "boolean"
    ]
    spec.record_types = {
        info["developerName"]: info
        for info in describe.get("recordTypeInfos") or []
        if info.get("developerName")
    }
    return spec


def _classify(spec: ObjectSpec, column: str, meta: dict | None, chosen: set[str] | None) -> None:
    if column == "Id":
        return
    if meta is None:
        spec.skipped[column] = deferred(N_("not in the target org"))
        return
    name = meta["name"]
    spec.types[name] = meta["type"]
    if meta["type"] == "reference":
        targets = tuple(meta.get("referenceTo") or ())
        if USER in targets:
            spec.user_fields.add(name)
        spec.references[name] = tuple(t for t in targets if t != USER)
    if meta["type"] in COMPOUND_TYPES:
        spec.skipped[name] = _("compound field (its components are restored)")
    elif meta.get("calculated"):
        spec.skipped[name] = deferred(N_("formula"))
    elif name in AUDIT_FIELDS:
        if meta["createable"]:
            spec.audit_fields.append(name)
            spec.insert_fields.append(name)
        else:
            spec.skipped[name] = deferred(
                N_("audit field: needs Set Audit Fields upon Record Creation")
            )
    elif not meta["createable"] and not meta["updateable"]:
        spec.skipped[name] = deferred(N_("read-only"))
    else:
        if meta["createable"]:
            spec.insert_fields.append(name)
        if meta["updateable"] and (chosen is None or name.lower() in chosen):
            spec.update_fields.append(name)


def narrow_inserts(spec: ObjectSpec, chosen: set[str] | None) -> None:
    """--fields in --mode copy: the fields named, plus what a create needs (required fields)
    and the audit fields the user may set."""
    if chosen is None:
        return
    keep = set(spec.required) | set(spec.audit_fields)
    for name in list(spec.insert_fields):
        if name.lower() not in chosen and name not in keep:
            spec.insert_fields.remove(name)
            spec.skipped[name] = deferred(N_("not in --fields"))


def check_required(spec: ObjectSpec) -> None:
    """Every field the target requires on create must come from the backup (or be the source
    id field, which a restore fills)."""
    missing = [
        name
        for name in spec.required
        if name not in spec.insert_fields and name != spec.source_id_field
    ]
    unreadable = [name for name in missing if name in spec.backup.skipped_binary]
    if unreadable:
        raise UsageError(
            _(
                "{object}: the target org requires {fields} on create, and the backup skipped "
                "these binary fields (--skip-binary)."
            ).format(object=spec.name, fields=", ".join(unreadable)),
            _("take a backup without --skip-binary, or leave the object out with --objects."),
        )
    if missing:
        raise UsageError(
            _(
                "{name}: the target org requires {names} on create, and the backup has no such "
                "column."
            ).format(name=spec.name, names=", ".join(missing)),
            _("make them optional in the target org, or leave the object out with --objects."),
        )
