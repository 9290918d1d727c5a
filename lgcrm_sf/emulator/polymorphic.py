"""Polymorphic relationships (Task.Who, Task.What...): a path through one is resolved on the
`Name` entity, whose fields each target object maps to its own
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_and_polymorph_keys.htm).
`SELECT Who.Name FROM Task` reads Contact.Name or Lead.Name, whichever the id points at; the
record comes back with attributes type "Name" and the URL of the real record. TYPEOF picks
fields per target type instead (query.py)."""

from __future__ import annotations

from . import soql
from .compiled import Hop, Resolved
from .schema import Field, SObject
from .soql import SoqlError

# The Name entity's fields that this org's objects can fill. Type is the target's object name.
NAME_ENTITY = SObject(
    "Name",
    "000",
    {
        f.name: f
        for f in (
            Field("Id", "id"),
            Field("Name", "string", 255),
            Field("Type", "string", 40),
            Field("Alias", "string", 8),
            Field("Email", "email", 80),
            Field("FirstName", "string", 40),
            Field("LastName", "string", 80),
            Field("Phone", "phone", 40),
            Field("Title", "string", 128),
            Field("IsActive", "boolean"),
            Field("UserRoleId", "reference", reference_to=("UserRole",)),
            Field("LastReferencedDate", "datetime"),
            Field("LastViewedDate", "datetime"),
        )
    },
)


def type_expr(ref_expr: str, targets: list[SObject]) -> str:
    """The object name of the record a reference points at, from its key prefix."""
    cases = " ".join(f"WHEN '{t.key_prefix}' THEN '{t.name}'" for t in targets)
    return f"(CASE substr({ref_expr}, 1, 3) {cases} END)"


def field_expr(f: Field, ref_expr: str, joined: list[tuple[SObject, str]]) -> str:
    """A Name field read from whichever target the reference points at. Ids are unique across
    objects, so at most one of the LEFT JOINs matches and COALESCE takes its value."""
    if f.name == "Id":
        return ref_expr
    columns = [f'{alias}."{f.name}"' for obj, alias in joined if obj.field(f.name) is not None]
    if not columns:
        return "NULL"
    return columns[0] if len(columns) == 1 else f"COALESCE({', '.join(columns)})"


def typeof_fields(c, item: soql.TypeOf):
    """TYPEOF What WHEN Account THEN Phone ... ELSE Name END: per target type, its own
    fields; ELSE fields come from the Name entity. Yields (resolved field, branch) where the
    branch is the WHEN type, or "" for ELSE."""

    ref = c.root.relationship(item.relationship)
    if ref is None or len(ref.reference_to) < 2:
        raise SoqlError(
            "INVALID_FIELD",
            f"TYPEOF can only be used on a polymorphic relationship: {item.relationship}",
        )
    key = (ref.relationship_name,)
    ref_expr = f'{c.a0}."{ref.name}"'
    hop = c.hops.setdefault(key, Hop(ref_expr, None, ref.name))
    hop.typeof = True
    for type_name, paths in item.whens:
        target = c.schema.get(type_name.lower())
        if target is None or target.name not in ref.reference_to:
            raise SoqlError(
                "INVALID_TYPE",
                f"TYPEOF {item.relationship}: {type_name} is not a type "
                f"{ref.relationship_name} can refer to ({', '.join(ref.reference_to)})",
            )
        hop.whens.add(target.name)
        alias = c.join((*key, target.name), target, ref_expr)
        for path in paths:
            f = target.field(path.parts[-1]) if len(path.parts) == 1 else None
            if f is None:
                raise c.no_column(path, path.text, target)
            yield (
                Resolved(f'{alias}."{f.name}"', f, (*key, f.name), ("", target.name)),
                target.name,
            )
    for path in item.else_fields:
        resolved = c.resolve(
            soql.FieldPath((item.relationship, *path.parts), path.line, path.column)
        )
        yield resolved, ""
