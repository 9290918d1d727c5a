"""Polymorphic relationships (Task.Who, Task.What...): a path through one is resolved on the
`Name` entity, whose fields each target object maps to its own
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_and_polymorph_keys.htm).
`SELECT Who.Name FROM Task` reads Contact.Name or Lead.Name, whichever the id points at; the
record comes back with attributes type "Name" and the URL of the real record. TYPEOF picks
fields per target type instead (query.py)."""

from __future__ import annotations

from .schema import Field, SObject

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
