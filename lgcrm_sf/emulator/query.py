"""Compile a parsed SOQL query to SQLite SQL against the org's tables.

SQLite does the filtering, ordering and paging, using the indexes the store keeps
(Id, Email, SystemModstamp, reference fields), so a selective query never scans a table.
Text columns are declared COLLATE NOCASE because SOQL compares text case-insensitively.
Aggregate queries are compiled by aggregate.py, polymorphic paths resolved by polymorphic.py.
"""

from __future__ import annotations

from datetime import date

from . import soql
from .compiled import Column, Compiled, Hop, Resolved, limit_sql
from .literals import LiteralFilters, date_literal_range
from .polymorphic import NAME_ENTITY, field_expr, type_expr, typeof_fields
from .schema import COMPOUND_TYPES, Field, SObject
from .semijoin import compile_semi_join, has_semi_join
from .soql import SoqlError, located


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
                for resolved, branch in typeof_fields(self, item):
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
            # Only polymorphic hops need to tell an object from its id's key prefix.
            prefixes={o.key_prefix: o.name for o in self.schema.values()}
            if any(h.sobject is None for h in self.hops.values())
            else {},
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
    def relationship_error(self, path, rel: str) -> SoqlError:
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

    def no_column(self, path, name: str, obj: SObject) -> SoqlError:
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

    def join(self, key: tuple, target: SObject, on: str) -> str:
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
                raise self.relationship_error(path, rel)
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
            alias = self.join(key, target, ref_expr)
            self.hops.setdefault(key, Hop(f'{alias}."Id"', target.name, ref.name))
            obj = target
            objects.append(obj.name)
        f = obj.field(parts[-1])
        if f is None:
            raise self.no_column(path, parts[-1], obj)
        canonical.append(f.name)
        if poly is not None:
            ref_expr, targets = poly
            if f.name == "Type":
                expr = type_expr(ref_expr, targets)
            else:
                key = tuple(canonical[:-1])
                joined = [(t, self.join((*key, t.name), t, ref_expr)) for t in targets]
                expr = field_expr(f, ref_expr, joined)
            return Resolved(expr, f, tuple(canonical), tuple(objects))
        if f.components:
            comps = tuple((k, obj.fields[name], f'{alias}."{name}"') for k, name in f.components)
            return Resolved(comps[0][2], f, tuple(canonical), tuple(objects), comps)
        return Resolved(f'{alias}."{f.name}"', f, tuple(canonical), tuple(objects))

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
            if node.op == "OR" and has_semi_join(node):
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
            return compile_semi_join(self, node, top)
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
