"""Compile a parsed SOQL query to SQLite SQL against the org's tables.

SQLite does the filtering, ordering and paging, using the indexes the store keeps
(Id, Email, SystemModstamp, reference fields), so a selective query never scans a table.
Text columns are declared COLLATE NOCASE because SOQL compares text case-insensitively.
Aggregate queries are compiled by aggregate.py, polymorphic paths resolved by polymorphic.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import soql
from .literals import LiteralFilters, date_literal_range
from .polymorphic import NAME_ENTITY, field_expr, type_expr
from .schema import COMPOUND_TYPES, Field, SObject
from .soql import SoqlError, located
from .values import blob_url, output

# Objects Salesforce doesn't accept as the inner select of a semi-join
# (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm).
NO_SEMI_JOIN = {"Task", "Event"}
MAX_SEMI_JOINS = 2


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
                if col.branch is not None and not self._in_branch(col, row):
                    continue
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


class _Compiler(LiteralFilters):
    def __init__(
        self,
        text: str,
        schema: dict[str, SObject],
        today: date,
        include_deleted: bool,
        alias: str = "t",
        params: list | None = None,
    ):
        self.text = text
        self.schema = {k.lower(): v for k, v in schema.items()}
        self.today = today
        self.include_deleted = include_deleted
        self.alias = alias
        self.joins: dict[tuple, tuple[str, SObject]] = {}
        self.join_sql: list[str] = []
        self.hops: dict[tuple[str, ...], Hop] = {}
        self.params: list = [] if params is None else params
        self.semi_joins = 0
        self.nested = alias != "t"
        self.extra_where: tuple[str, list] | None = None  # a search's text match (search.py)

    # --- the query ----------------------------------------------------------------------
    def root_object(self, q: soql.Query) -> SObject:
        root = self.schema.get(q.sobject.lower())
        if root is None or root is NAME_ENTITY:
            raise SoqlError(
                "INVALID_TYPE",
                f"\n{self.text}\n^\nERROR at Row:1:Column:1\nsObject type '{q.sobject}' is not "
                "supported. If you are attempting to use a custom object, be sure to append the "
                "'__c' after the entity name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        return root

    def compile(self, q: soql.Query) -> Compiled:
        self.root = self.root_object(q)
        if q.for_clause == "UPDATE":
            # Locking is for Apex transactions; the APIs have none to hold it in.
            raise SoqlError("MALFORMED_QUERY", "FOR UPDATE not allowed in this context")
        if q.is_aggregate:
            from .aggregate import compile_aggregate

            return compile_aggregate(self, q)
        select = [f'{self.a0}."Id"']
        columns: list[Column] = []
        parent_ids: dict[tuple[str, ...], int] = {}
        seen = set()
        features: set[str] = set()
        for item in q.select:
            if isinstance(item, soql.TypeOf):
                features.add("typeof")
                for resolved, branch in self.typeof(item):
                    columns.append(self._column(resolved, select, parent_ids, branch))
                continue
            resolved = self.resolve(item)
            if resolved.parts in seen:
                raise SoqlError("DUPLICATE_FIELD", f"duplicate field selected: {item.text}")
            seen.add(resolved.parts)
            if resolved.field.components:
                features.add("compound:" + resolved.field.name)
            if resolved.field.type == "base64":
                features.add("base64:" + resolved.field.name)
            columns.append(self._column(resolved, select, parent_ids, None))
        where = self.where_sql(q)
        order = self.order_sql(q.order)
        if q.offset is not None:
            features.add("offset")
            if q.offset > 2000:
                raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
        sql = self.from_sql(select) + where
        if order:
            sql += " ORDER BY " + ", ".join(order)
        sql += limit_sql(q)
        return Compiled(
            self.root,
            sql,
            self.params,
            columns,
            parent_ids,
            hops=self.hops,
            prefixes={o.key_prefix: o.name for o in self.schema.values()},
            features=features,
            for_clause=q.for_clause,
            query=q,
        )

    @property
    def a0(self) -> str:
        return f"{self.alias}0"

    def from_sql(self, select: list[str]) -> str:
        return f'SELECT {", ".join(select)} FROM "{self.root.name}" {self.a0} ' + " ".join(
            self.join_sql
        )

    def where_sql(self, q: soql.Query) -> str:
        where = []
        if not self.include_deleted:
            where.append(f'{self.a0}."IsDeleted" = 0')
        if self.extra_where is not None:
            where.append(self.extra_where[0])
            self.params.extend(self.extra_where[1])
        if q.where is not None:
            where.append(self.condition(q.where, top=True))
        return " WHERE " + " AND ".join(f"({w})" for w in where) if where else ""

    def order_sql(self, items: list[soql.OrderItem], resolve=None) -> list[str]:
        order = []
        for item in items:
            if resolve is not None:
                expr = resolve(item.field)
            else:
                if isinstance(item.field, soql.FuncCall):
                    raise SoqlError(
                        "MALFORMED_QUERY",
                        f"Ordered field must be grouped or aggregated: {item.field.text}",
                    )
                resolved = self.resolve(item.field)
                self.check_sortable(resolved.field, item.field)
                expr = resolved.expr
            direction = "DESC" if item.descending else "ASC"
            nulls = "FIRST" if item.nulls_first else "LAST"
            order.append(f"{expr} {direction} NULLS {nulls}")
        return order

    def check_sortable(self, f: Field, path) -> None:
        if not f.sortable:
            raise SoqlError(
                "INVALID_FIELD",
                located(self.text, path, f"field '{f.name}' can not be sorted in a query call"),
            )

    def _column(self, r: Resolved, select: list, parent_ids: dict, branch) -> Column:
        for depth in range(1, len(r.parts)):
            key = r.parts[:depth]
            if key not in parent_ids:
                parent_ids[key] = len(select)
                select.append(self.hops[key].id_expr)
        if r.components:
            parts = []
            for json_key, part, expr in r.components:
                parts.append((json_key, part, len(select)))
                select.append(expr)
            return Column(r.parts, r.objects, r.field, parts[0][2], tuple(parts), branch)
        index = len(select)
        # A blob is never read by a query: REST gives its URL, so only whether it is set.
        select.append(f"({r.expr} IS NOT NULL)" if r.field.type == "base64" else r.expr)
        return Column(r.parts, r.objects, r.field, index, (), branch)

    # --- names --------------------------------------------------------------------------
    def _relationship_error(self, path, rel: str) -> SoqlError:
        return SoqlError(
            "INVALID_FIELD",
            located(
                self.text,
                path,
                f"Didn't understand relationship '{rel}' in field path. If you are attempting "
                "to use a custom relationship, be sure to append the '__r' after the custom "
                "relationship name. Please reference your WSDL or the describe call for the "
                "appropriate names.",
            ),
        )

    def _no_column(self, path, name: str, obj: SObject) -> SoqlError:
        return SoqlError(
            "INVALID_FIELD",
            located(
                self.text,
                path,
                f"No such column '{name}' on entity '{obj.name}'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
            ),
        )

    def _join(self, key: tuple, target: SObject, on: str) -> str:
        if key not in self.joins:
            alias = f"{self.alias}{len(self.joins) + 1}"
            self.join_sql.append(f'LEFT JOIN "{target.name}" {alias} ON {alias}."Id" = {on}')
            self.joins[key] = (alias, target)
        return self.joins[key][0]

    def resolve(self, path: soql.FieldPath) -> Resolved:
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() == self.root.name.lower():
            parts = parts[1:]  # "SELECT Lead.Email FROM Lead" is valid SOQL
        obj, alias, canonical, objects = self.root, self.a0, [], [self.root.name]
        poly: tuple[str, list[SObject]] | None = None  # (reference expr, targets)
        for rel in parts[:-1]:
            ref = obj.relationship(rel) if poly is None else None
            if ref is None:
                raise self._relationship_error(path, rel)
            canonical.append(ref.relationship_name)
            key = tuple(canonical)
            ref_expr = f'{alias}."{ref.name}"'
            if len(ref.reference_to) > 1:
                targets = [self.schema[t.lower()] for t in ref.reference_to]
                self.hops.setdefault(key, Hop(ref_expr, None, ref.name))
                poly, obj = (ref_expr, targets), NAME_ENTITY
                objects.append("Name")
                continue
            target = self.schema[ref.reference_to[0].lower()]
            alias = self._join(key, target, ref_expr)
            self.hops.setdefault(key, Hop(f'{alias}."Id"', target.name, ref.name))
            obj = target
            objects.append(obj.name)
        f = obj.field(parts[-1])
        if f is None:
            raise self._no_column(path, parts[-1], obj)
        canonical.append(f.name)
        if poly is not None:
            ref_expr, targets = poly
            if f.name == "Type":
                expr = type_expr(ref_expr, targets)
            else:
                key = tuple(canonical[:-1])
                joined = [(t, self._join((*key, t.name), t, ref_expr)) for t in targets]
                expr = field_expr(f, ref_expr, joined)
            return Resolved(expr, f, tuple(canonical), tuple(objects))
        if f.components:
            comps = tuple((k, obj.fields[name], f'{alias}."{name}"') for k, name in f.components)
            return Resolved(comps[0][2], f, tuple(canonical), tuple(objects), comps)
        return Resolved(f'{alias}."{f.name}"', f, tuple(canonical), tuple(objects))

    def typeof(self, item: soql.TypeOf):
        """TYPEOF What WHEN Account THEN Phone ... ELSE Name END: per target type, its own
        fields; ELSE fields come from the Name entity."""
        ref = self.root.relationship(item.relationship)
        if ref is None or len(ref.reference_to) < 2:
            raise SoqlError(
                "INVALID_FIELD",
                f"TYPEOF can only be used on a polymorphic relationship: {item.relationship}",
            )
        key = (ref.relationship_name,)
        ref_expr = f'{self.a0}."{ref.name}"'
        hop = self.hops.setdefault(key, Hop(ref_expr, None, ref.name))
        hop.typeof = True
        for type_name, paths in item.whens:
            target = self.schema.get(type_name.lower())
            if target is None or target.name not in ref.reference_to:
                raise SoqlError(
                    "INVALID_TYPE",
                    f"TYPEOF {item.relationship}: {type_name} is not a type "
                    f"{ref.relationship_name} can refer to ({', '.join(ref.reference_to)})",
                )
            hop.whens.add(target.name)
            alias = self._join((*key, target.name), target, ref_expr)
            for path in paths:
                f = target.field(path.parts[-1]) if len(path.parts) == 1 else None
                if f is None:
                    raise self._no_column(path, path.text, target)
                yield (
                    Resolved(f'{alias}."{f.name}"', f, (*key, f.name), ("", target.name)),
                    target.name,
                )
        for path in item.else_fields:
            resolved = self.resolve(
                soql.FieldPath((item.relationship, *path.parts), path.line, path.column)
            )
            yield resolved, ""

    # --- conditions ---------------------------------------------------------------------
    def filter_field(self, node_field) -> Resolved:
        if isinstance(node_field, soql.FuncCall):
            raise SoqlError(
                "MALFORMED_QUERY",
                f"aggregate function {node_field.text} can only be used in HAVING, not in WHERE",
            )
        resolved = self.resolve(node_field)
        f = resolved.field
        if f.type in COMPOUND_TYPES or f.type == "base64":
            raise SoqlError(
                "INVALID_FIELD",
                located(
                    self.text, node_field, f"field '{f.name}' can not be filtered in query call"
                ),
            )
        return resolved

    def condition(self, node, top: bool = False, resolve=None) -> str:
        resolve = resolve or self.filter_field
        if isinstance(node, soql.BoolOp):
            if node.op == "OR" and _has_semi_join(node):
                raise SoqlError(
                    "MALFORMED_QUERY",
                    "Semi join sub-selects are not allowed with the 'OR' operator",
                )
            nested = top and node.op == "AND"
            return f" {node.op} ".join(
                f"({self.condition(i, nested, resolve)})" for i in node.items
            )
        if isinstance(node, soql.Not):
            return f"NOT ({self.condition(node.item, False, resolve)})"
        if isinstance(node, soql.SemiJoin):
            return self.semi_join(node, top)
        if isinstance(node, soql.Like):
            r = resolve(node.field)
            expr, f = r.expr, r.field
            if not f.is_text or f.type in ("id", "reference") or node.value.kind != "string":
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    located(self.text, node.field, f"invalid operator on {f.type} field: {f.name}"),
                )
            self.params.append(soql.unescape(node.value.value, keep_like_escapes=True))
            return f"{expr} LIKE ? ESCAPE '\\'"
        if isinstance(node, soql.InList):
            r = resolve(node.field)
            parts = [self.comparison(r.expr, r.field, "=", v, node.field) for v in node.values]
            if node.negate:
                # SOQL's NOT IN, like !=, keeps rows whose value is null.
                return f"(NOT ({' OR '.join(parts)}) OR {r.expr} IS NULL)"
            return " OR ".join(f"({p})" for p in parts)
        if isinstance(node, soql.Compare):
            r = resolve(node.field)
            return self.comparison(r.expr, r.field, node.op, node.value, node.field)
        raise AssertionError(node)

    def semi_join(self, node: soql.SemiJoin, top: bool) -> str:
        """`Id IN (SELECT AccountId FROM Contact WHERE ...)` with Salesforce's restrictions
        (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm)."""
        if self.nested:
            raise SoqlError("MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported")
        if not top:
            raise SoqlError(
                "MALFORMED_QUERY",
                "Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions.",
            )
        self.semi_joins += 1
        if self.semi_joins > MAX_SEMI_JOINS:
            raise SoqlError(
                "MALFORMED_QUERY", f"Maximum of {MAX_SEMI_JOINS} semi join sub-selects are allowed"
            )
        left = node.field
        if isinstance(left, soql.FuncCall) or len(left.parts) > 1:
            raise SoqlError(
                "MALFORMED_QUERY",
                f"The left operand of a semi join must be an id field of {self.root.name}, "
                f"cannot use: '{left.text}'",
            )
        outer = self.resolve(left)
        if outer.field.type not in ("id", "reference"):
            raise SoqlError(
                "MALFORMED_QUERY",
                f"The left operand field in the where expression for outer query should be an "
                f"id field, cannot use: '{outer.field.name}'",
            )
        sub = node.query
        inner_root = self.root_object(sub)
        if inner_root is self.root:
            raise SoqlError(
                "MALFORMED_QUERY",
                "The inner and outer selects should not be on the same object type",
            )
        if inner_root.name in NO_SEMI_JOIN:
            raise SoqlError(
                "INVALID_TYPE",
                f"Entity '{inner_root.name}' is not supported for semi join inner selects",
            )
        extra = sub.group_by or sub.having or sub.order or sub.for_clause
        if extra or sub.limit is not None or sub.offset is not None or len(sub.select) != 1:
            raise SoqlError(
                "MALFORMED_QUERY",
                "A semi join sub-select selects one id field and takes WHERE only "
                "(no GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or FOR)",
            )
        picked = sub.select[0]
        if not isinstance(picked, soql.FieldPath) or len(picked.parts) > 1:
            shown = picked.text if hasattr(picked, "text") else picked.relationship
            raise SoqlError(
                "MALFORMED_QUERY",
                f"semi join sub selects can only query id fields, cannot use: '{shown}'",
            )
        inner = _Compiler(
            self.text,
            self.schema,
            self.today,
            False,
            alias=f"j{self.semi_joins}_",
            params=self.params,
        )
        inner.root = inner_root
        chosen = inner.resolve(picked)
        if chosen.field.type not in ("id", "reference"):
            raise SoqlError(
                "MALFORMED_QUERY",
                f"semi join sub selects can only query id fields, cannot use: '{chosen.field.name}'",
            )
        if not _points_at(outer.field, self.root) & _points_at(chosen.field, inner_root):
            raise SoqlError(
                "MALFORMED_QUERY",
                f"The semi join sub-select's {chosen.field.name} and {outer.field.name} don't "
                "refer to the same object type",
            )
        # The inner select never includes deleted rows, so it always has a WHERE.
        sql = inner.from_sql([chosen.expr]) + inner.where_sql(sub)
        if node.negate:
            # An anti-join keeps rows whose value is null, as SOQL's NOT IN does; SQL's NOT IN
            # would match nothing at all if the inner select returned a null.
            inner_sql = f"{sql} AND {chosen.expr} IS NOT NULL"
            return f"({outer.expr} IS NULL OR {outer.expr} NOT IN ({inner_sql}))"
        return f"{outer.expr} IN ({sql})"


def _points_at(f: Field, owner: SObject) -> set[str]:
    return {owner.name} if f.type == "id" else set(f.reference_to)


def _has_semi_join(node) -> bool:
    if isinstance(node, soql.SemiJoin):
        return True
    if isinstance(node, soql.BoolOp):
        return any(_has_semi_join(i) for i in node.items)
    if isinstance(node, soql.Not):
        return _has_semi_join(node.item)
    return False


def limit_sql(q: soql.Query) -> str:
    if q.limit is None and q.offset is None:
        return ""
    sql = f" LIMIT {q.limit if q.limit is not None else -1}"
    if q.offset is not None:
        sql += f" OFFSET {q.offset}"
    return sql


def compile_query(
    text: str,
    schema: dict[str, SObject],
    today: date,
    include_deleted: bool,
    extra_where: tuple[str, list] | None = None,
) -> Compiled:
    """`extra_where` (SQL over alias t0, its params) narrows the rows further: SOSL uses it."""
    compiler = _Compiler(text, schema, today, include_deleted)
    compiler.extra_where = extra_where
    return compiler.compile(soql.parse(text))


def compile_condition(
    condition: str, sobject: SObject, schema: dict[str, SObject], today: date
) -> tuple[str, str, list]:
    """(FROM-and-JOIN SQL, WHERE SQL, params) for a condition alone: validation rules are
    written as SOQL conditions."""
    text = f"SELECT Id FROM {sobject.name} WHERE {condition}"
    compiled = _Compiler(text, schema, today, include_deleted=True).compile(soql.parse(text))
    where = compiled.sql.split(" WHERE ", 1)[1]
    return compiled.sql.split(" FROM ", 1)[1].split(" WHERE ")[0], where, compiled.params


__all__ = ["Compiled", "Column", "compile_query", "compile_condition", "date_literal_range"]
