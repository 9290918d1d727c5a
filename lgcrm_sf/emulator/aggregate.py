"""Aggregate SOQL: COUNT(), COUNT(field), COUNT_DISTINCT, SUM, AVG, MIN, MAX with aliases,
GROUP BY and HAVING, returning AggregateResult records
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_agg_functions.htm).

An aggregate without an alias is named expr0, expr1... in the order of the SELECT list; a grouped
field is named by its alias or its own field name (Owner.Name gives "Name").
"""

from __future__ import annotations

from dataclasses import dataclass

from . import soql
from .compiled import Compiled, limit_sql
from .schema import COMPOUND_TYPES, Field
from .soql import SoqlError, located
from .values import output

NUMBER_TYPES = ("int", "double", "currency", "percent")
# Aggregate queries return at most one batch: there is no locator to page through groups.
MAX_GROUPS = 2000


@dataclass
class AggregateItem:
    key: str  # the AggregateResult field: alias, field name or exprN
    function: str | None  # None for a grouped field
    field: Field | None  # None for COUNT()
    path: soql.FieldPath | None
    index: int  # its column in the SQL

    @property
    def display(self) -> str:
        """columns=true's displayName: the field, or the call as the SOQL spelled it."""
        if self.function is None:
            return self.field.name
        return f"{self.function.lower()}({self.path.text if self.path else ''})"

    def value(self, stored: object) -> object:
        if self.function in ("COUNT", "COUNT_DISTINCT"):
            return int(stored or 0)
        if stored is None:
            return None
        if self.function == "AVG":
            return float(stored)
        if self.function == "SUM":
            return int(stored) if self.field.type == "int" else float(stored)
        return output(self.field, stored)


@dataclass
class AggregatePlan:
    items: list[AggregateItem]
    grouped: bool

    def render(self, row: tuple) -> dict:
        record: dict = {"attributes": {"type": "AggregateResult"}}
        for item in self.items:
            record[item.key] = item.value(row[item.index])
        return record


def _supports(function: str, f: Field) -> bool:
    if f.type in COMPOUND_TYPES or f.type == "base64" or (f.type == "textarea" and f.length > 255):
        return False
    if function in ("SUM", "AVG"):
        return f.type in NUMBER_TYPES
    if function in ("MIN", "MAX"):
        return f.type != "boolean"
    return True


def compile_aggregate(c, q: soql.Query) -> Compiled:
    """`c` is the query compiler (query._Compiler) holding the root object and its joins."""
    calls = [s for s in q.select if isinstance(s, soql.FuncCall)]
    if any(call.name == "COUNT" and call.field is None for call in calls):
        return _count_only(c, q)
    if any(isinstance(s, soql.TypeOf) for s in q.select):
        raise SoqlError("MALFORMED_QUERY", "TYPEOF can't be used in an aggregate query")
    groups: dict[tuple[str, ...], tuple[str, Field]] = {}
    for path in q.group_by:
        resolved = c.resolve(path)
        if not resolved.field.groupable:
            raise SoqlError(
                "INVALID_FIELD",
                located(
                    c.text,
                    path,
                    f"field '{resolved.field.name}' can not be grouped in a query call",
                ),
            )
        groups[resolved.parts] = (resolved.expr, resolved.field)

    def call_sql(call: soql.FuncCall) -> tuple[str, Field]:
        if call.field is None:
            raise SoqlError("MALFORMED_QUERY", "COUNT() can only be used alone in the SELECT list")
        resolved = c.resolve(call.field)
        if not _supports(call.name, resolved.field):
            raise SoqlError(
                "MALFORMED_QUERY",
                located(
                    c.text,
                    call.field,
                    f"field {resolved.field.name} does not support aggregate operator {call.name}",
                ),
            )
        if call.name == "COUNT_DISTINCT":
            return f"COUNT(DISTINCT {resolved.expr})", resolved.field
        return f"{call.name}({resolved.expr})", resolved.field

    def grouped(path: soql.FieldPath) -> tuple[str, Field]:
        resolved = c.resolve(path)
        if resolved.parts not in groups:
            raise SoqlError("MALFORMED_QUERY", f"Field must be grouped or aggregated: {path.text}")
        return groups[resolved.parts]

    def operand(node) -> tuple[str, Field]:
        """SQL and result type of a HAVING or ORDER BY operand: counts are integers, averages
        doubles, the other aggregates have their field's type."""
        if not isinstance(node, soql.FuncCall):
            return grouped(node)
        sql, f = call_sql(node)
        if node.name in ("COUNT", "COUNT_DISTINCT"):
            return sql, Field(node.text, "int")
        if node.name == "AVG":
            return sql, Field(node.text, "double")
        return sql, f

    select, items, expr_number = [], [], 0
    for item in q.select:
        if isinstance(item, soql.FuncCall):
            sql, f = call_sql(item)
            key = item.alias
            if key is None:
                key, expr_number = f"expr{expr_number}", expr_number + 1
            items.append(AggregateItem(key, item.name, f, item.field, len(select)))
        else:
            sql, f = grouped(item)
            items.append(AggregateItem(item.alias or f.name, None, f, item, len(select)))
        select.append(sql)
    keys = [i.key for i in items]
    for key in keys:
        if keys.count(key) > 1 and key.lower() != "id":
            raise SoqlError("MALFORMED_QUERY", f"duplicate alias: {key}")

    class _Having:
        """HAVING compares aggregates or grouped fields, as WHERE compares fields."""

        def __init__(self, node):
            self.expr, self.field = operand(node)

    sql = c.from_sql(select) + c.where_sql(q)
    if groups:
        sql += " GROUP BY " + ", ".join(expr for expr, _ in groups.values())
    if q.having is not None:
        sql += " HAVING " + c.condition(q.having, resolve=_Having)
    order = c.order_sql(q.order, resolve=lambda node: operand(node)[0])
    if order:
        sql += " ORDER BY " + ", ".join(order)
    sql += limit_sql(q)
    features = {"aggregate"} | ({"group_by"} if q.group_by else set())
    if q.offset is not None:
        features.add("offset")
    return Compiled(
        c.root,
        sql,
        c.params,
        [],
        aggregate=AggregatePlan(items, bool(groups)),
        features=features,
        query=q,
    )


def _count_only(c, q: soql.Query) -> Compiled:
    """COUNT() alone: only totalSize comes back, with no records."""
    if len(q.select) > 1 or q.group_by or q.having is not None:
        raise SoqlError(
            "MALFORMED_QUERY",
            "COUNT() and COUNT(field) must be the only item in the SELECT list without GROUP BY",
        )
    sql = c.from_sql([f'{c.a0}."Id"']) + c.where_sql(q) + limit_sql(q)
    features = {"aggregate"} | ({"offset"} if q.offset is not None else set())
    return Compiled(c.root, sql, c.params, [], count_only=True, features=features, query=q)
