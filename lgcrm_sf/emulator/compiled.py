"""What the SOQL compiler (query.py) makes: the compiled query with its columns and how a row
becomes a record, and the shapes the helpers share (a resolved field path, a relationship hop),
kept apart so aggregate.py and polymorphic.py use them without importing the compiler."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import soql
from .schema import Field, SObject
from .values import blob_url, output


@dataclass
class Hop:
    """A relationship step of a selected path: where its record's id is, and its type."""

    id_expr: str
    sobject: str | None  # None: polymorphic, the type follows the id's key prefix
    reference: str = ""  # the reference field read through: OwnerId for Owner
    typeof: bool = False  # TYPEOF: attributes name the real type, fields follow it
    whens: set[str] = field(default_factory=set)  # TYPEOF: the types with a WHEN branch


@dataclass
class Column:
    parts: tuple[str, ...]  # canonical names: ("Owner", "Email")
    objects: tuple[str, ...]  # object of each relationship hop, then the field's object
    field: Field
    index: int
    components: tuple[tuple[str, Field, int], ...] = ()  # compound: (JSON key, field, index)
    branch: str | None = None  # TYPEOF: the WHEN type this field is for; "" for ELSE

    def __post_init__(self) -> None:
        self.plain = not self.components and self.branch is None and self.field.type != "base64"


@dataclass
class Compiled:
    sobject: SObject
    sql: str
    params: list
    columns: list[Column]
    parent_ids: dict[tuple[str, ...], int] = field(default_factory=dict)
    count_only: bool = False
    aggregate: object | None = None  # aggregate.AggregatePlan for GROUP BY / aggregate functions
    hops: dict[tuple[str, ...], Hop] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)  # key prefix -> object, for hops
    features: set[str] = field(default_factory=set)  # what Bulk API refuses: typeof, offset...
    for_clause: str | None = None
    query: soql.Query | None = None

    @property
    def is_aggregate(self) -> bool:
        return self.aggregate is not None

    def render(self, row: tuple, version: str) -> dict:
        record: dict = {"attributes": _attrs(self.sobject.name, row[0], version)}
        for col in self.columns:
            target = record
            for depth, rel in enumerate(col.parts[:-1]):
                key = col.parts[: depth + 1]
                if rel not in target:
                    parent_id = row[self.parent_ids[key]]
                    target[rel] = (
                        None
                        if parent_id is None
                        else {"attributes": self._hop_attrs(key, parent_id, version)}
                    )
                target = target[rel]
                if target is None:
                    break
            else:
                if col.plain:  # the common case, kept as cheap as a field read can be
                    target[col.parts[-1]] = output(col.field, row[col.index])
                elif col.branch is None or self._in_branch(col, row):
                    target[col.parts[-1]] = self._value(col, row, version)
        return record

    def _value(self, col: Column, row: tuple, version: str) -> object:
        f = col.field
        if col.components:
            values = {key: output(part, row[i]) for key, part, i in col.components}
            return None if all(v is None for v in values.values()) else values
        if f.type == "base64":
            if not row[col.index]:
                return None
            key = col.parts[:-1]
            record_id = row[self.parent_ids[key]] if key else row[0]
            return blob_url(self._type_of(key, record_id), record_id, f.name, version)
        return output(f, row[col.index])

    def _type_of(self, key: tuple[str, ...], record_id: str) -> str:
        if not key:
            return self.sobject.name
        hop = self.hops[key]
        return hop.sobject or self.prefixes.get(record_id[:3], "Name")

    def _hop_attrs(self, key: tuple[str, ...], record_id: str, version: str) -> dict:
        hop = self.hops[key]
        if hop.sobject is not None:
            return _attrs(hop.sobject, record_id, version)
        real = self.prefixes.get(record_id[:3], "Name")
        attrs = _attrs(real, record_id, version)
        if not hop.typeof:
            attrs["type"] = "Name"  # a path through a polymorphic field reads the Name entity
        return attrs

    def _in_branch(self, col: Column, row: tuple) -> bool:
        key = col.parts[:-1]
        real = self.prefixes.get(row[self.parent_ids[key]][:3])
        return real == col.branch if col.branch else real not in self.hops[key].whens


def _attrs(sobject: str, record_id: str, version: str) -> dict:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


@dataclass
class Resolved:
    expr: str  # SQL expression (for a compound: its first component's)
    field: Field
    parts: tuple[str, ...]
    objects: tuple[str, ...]
    components: tuple[tuple[str, Field, str], ...] = ()  # compound: (JSON key, field, expr)


def limit_sql(q: soql.Query) -> str:
    if q.limit is None and q.offset is None:
        return ""
    sql = f" LIMIT {q.limit if q.limit is not None else -1}"
    if q.offset is not None:
        sql += f" OFFSET {q.offset}"
    return sql
