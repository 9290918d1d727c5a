"""Semi-joins and anti-joins: `WHERE Id IN (SELECT AccountId FROM Contact WHERE ...)`, and
NOT IN, with Salesforce's restrictions: one level only, at the top of the WHERE clause (never
under OR or NOT), at most two, the inner select on another object selecting one id or
reference field that points at the same type as the left operand, which is itself an id or
reference field of the outer object
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm).
"""

from __future__ import annotations

from . import soql
from .schema import Field, SObject
from .soql import SoqlError

# Objects Salesforce doesn't accept as the inner select of a semi-join.
NO_SEMI_JOIN = {"Task", "Event"}
MAX_SEMI_JOINS = 2


def compile_semi_join(c, node: soql.SemiJoin, top: bool) -> str:
    """`Id IN (SELECT AccountId FROM Contact WHERE ...)` with Salesforce's restrictions
    (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm)."""
    if c.nested:
        raise SoqlError("MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported")
    if not top:
        raise SoqlError(
            "MALFORMED_QUERY",
            "Semi join sub-selects are only allowed at the top level WHERE expressions and not in "
            "nested WHERE expressions.",
        )
    c.semi_joins += 1
    if c.semi_joins > MAX_SEMI_JOINS:
        raise SoqlError(
            "MALFORMED_QUERY", f"Maximum of {MAX_SEMI_JOINS} semi join sub-selects are allowed"
        )
    left = node.field
    if isinstance(left, soql.FuncCall) or len(left.parts) > 1:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"The left operand of a semi join must be an id field of {c.root.name}, "
            f"cannot use: '{left.text}'",
        )
    outer = c.resolve(left)
    if outer.field.type not in ("id", "reference"):
        raise SoqlError(
            "MALFORMED_QUERY",
            f"The left operand field in the where expression for outer query should be an "
            f"id field, cannot use: '{outer.field.name}'",
        )
    sub = node.query
    inner_root = c.root_object(sub)
    if inner_root is c.root:
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
    # The inner select is compiled as any query is, with table aliases of its own.
    inner = type(c)(
        c.text,
        c.schema,
        c.today,
        False,
        alias=f"j{c.semi_joins}_",
        params=c.params,
    )
    inner.root = inner_root
    chosen = inner.resolve(picked)
    if chosen.field.type not in ("id", "reference"):
        raise SoqlError(
            "MALFORMED_QUERY",
            f"semi join sub selects can only query id fields, cannot use: '{chosen.field.name}'",
        )
    if not points_at(outer.field, c.root) & points_at(chosen.field, inner_root):
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


def points_at(f: Field, owner: SObject) -> set[str]:
    return {owner.name} if f.type == "id" else set(f.reference_to)


def has_semi_join(node) -> bool:
    if isinstance(node, soql.SemiJoin):
        return True
    if isinstance(node, soql.BoolOp):
        return any(has_semi_join(i) for i in node.items)
    if isinstance(node, soql.Not):
        return has_semi_join(node.item)
    return False
