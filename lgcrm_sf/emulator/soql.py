"""SOQL: a lark grammar and the syntax tree it builds.

Covers what clients of this project and ordinary integrations send: SELECT with fields,
parent relationship paths (polymorphic ones too), TYPEOF and aggregate functions with aliases;
WHERE with comparisons, LIKE, IN/NOT IN, semi-joins and anti-joins, AND/OR/NOT and parentheses;
literals of every kind including date literals; GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET and
FOR VIEW/REFERENCE/UPDATE. As in Salesforce, AND and OR cannot be mixed at one level without
parentheses (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_conditionexpression.htm).
The checks that need the schema (which fields, which objects) are the compiler's (query.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from .clock import parse_datetime

GRAMMAR = r"""
start: query
query: SELECT select_list FROM NAME where_clause? group_clause? having_clause? order_clause? limit_clause? offset_clause? for_clause?
select_list: select_item ("," select_item)*
?select_item: func_call NAME? -> aliased_call
            | field_path NAME? -> aliased_field
            | typeof_expr
func_call: NAME "(" field_path? ")"
field_path: NAME ("." NAME)*
typeof_expr: TYPEOF NAME when_clause+ else_clause? END
when_clause: WHEN NAME THEN field_list
else_clause: ELSE field_list
field_list: field_path ("," field_path)*
where_clause: WHERE condition
group_clause: GROUP BY field_path ("," field_path)*
having_clause: HAVING condition
?condition: term (AND term)+ -> and_
          | term (OR term)+ -> or_
          | term
?term: NOT term -> not_
     | "(" condition ")"
     | comparison
?operand: field_path | func_call
comparison: operand COMP_OP value -> compare
          | operand LIKE value -> like
          | operand IN "(" value_list ")" -> in_
          | operand NOT IN "(" value_list ")" -> not_in
          | operand IN "(" query ")" -> semi_join
          | operand NOT IN "(" query ")" -> anti_join
value_list: value ("," value)*
value: STRING | NUMBER | TRUE | FALSE | NULL | DATETIME | DATE | DATE_N_LITERAL | DATE_LITERAL
order_clause: ORDER BY order_item ("," order_item)*
order_item: operand DIRECTION? (NULLS NULLS_WHERE)?
limit_clause: LIMIT INT
offset_clause: OFFSET INT
for_clause: FOR FOR_WHAT

SELECT.3: /select\b/i
FROM.3: /from\b/i
WHERE.3: /where\b/i
AND.3: /and\b/i
OR.3: /or\b/i
NOT.3: /not\b/i
LIKE.3: /like\b/i
IN.3: /in\b/i
ORDER.3: /order\b/i
GROUP.3: /group\b/i
HAVING.3: /having\b/i
BY.3: /by\b/i
LIMIT.3: /limit\b/i
OFFSET.3: /offset\b/i
FOR.3: /for\b/i
FOR_WHAT.3: /(view|reference|update)\b/i
TYPEOF.3: /typeof\b/i
WHEN.3: /when\b/i
THEN.3: /then\b/i
ELSE.3: /else\b/i
END.3: /end\b/i
NULLS.3: /nulls\b/i
NULLS_WHERE.3: /(first|last)\b/i
DIRECTION.3: /(asc|desc)\b/i
TRUE.3: /true\b/i
FALSE.3: /false\b/i
NULL.3: /null\b/i
DATE_N_LITERAL.4: /(last_n_days|next_n_days|n_days_ago|last_n_weeks|next_n_weeks|last_n_months|next_n_months|last_n_years|next_n_years|n_weeks_ago|n_months_ago|n_years_ago):\s*\d+/i
DATE_LITERAL.3: /(yesterday|today|tomorrow|last_week|this_week|next_week|last_month|this_month|next_month|last_90_days|next_90_days|this_quarter|last_quarter|next_quarter|this_year|last_year|next_year)\b/i
DATETIME.5: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})/
DATE.4: /\d{4}-\d{2}-\d{2}/
NUMBER.2: /[+-]?(\d+(\.\d*)?|\.\d+)/
INT: /\d+/
COMP_OP: "!=" | "<>" | "<=" | ">=" | "=" | "<" | ">"
STRING: /'(?:[^'\\]|\\.)*'/
NAME: /[A-Za-z][A-Za-z0-9_]*/

%import common.WS
%ignore WS
"""  # noqa: E501 - a lark rule, and a terminal's regular expression, stay on one line


class SoqlError(Exception):
    """A query Salesforce would reject. `code` is Salesforce's errorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FieldPath:
    parts: tuple[str, ...]
    line: int = 1
    column: int = 1
    alias: str | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        return ".".join(self.parts)


AGGREGATE_FUNCTIONS = ("COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX")
# SOQL functions the emulator does not implement: refused by name rather than misread.
_KNOWN_FUNCTIONS = {
    "CALENDAR_MONTH",
    "CALENDAR_QUARTER",
    "CALENDAR_YEAR",
    "DAY_IN_MONTH",
    "DAY_IN_WEEK",
    "DAY_IN_YEAR",
    "DAY_ONLY",
    "FISCAL_MONTH",
    "FISCAL_QUARTER",
    "FISCAL_YEAR",
    "HOUR_IN_DAY",
    "WEEK_IN_MONTH",
    "WEEK_IN_YEAR",
    "CONVERTCURRENCY",
    "TOLABEL",
    "FORMAT",
    "GROUPING",
    "FIELDS",
    "DISTANCE",
    "GEOLOCATION",
}


@dataclass(frozen=True)
class FuncCall:
    """An aggregate function: COUNT() (no field), COUNT(Id), SUM(Amount) total..."""

    name: str  # upper case
    field: FieldPath | None
    alias: str | None
    line: int = 1
    column: int = 1

    @property
    def text(self) -> str:
        return f"{self.name}({self.field.text if self.field else ''})"


@dataclass(frozen=True)
class TypeOf:
    """TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END"""

    relationship: str
    whens: tuple[tuple[str, tuple[FieldPath, ...]], ...]
    else_fields: tuple[FieldPath, ...]
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Literal:
    kind: str  # string number boolean null date datetime date_literal
    value: object
    text: str


@dataclass(frozen=True)
class Compare:
    field: FieldPath | FuncCall
    op: str
    value: Literal


@dataclass(frozen=True)
class Like:
    field: FieldPath | FuncCall
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldPath | FuncCall
    values: tuple[Literal, ...]
    negate: bool


@dataclass(frozen=True)
class SemiJoin:
    """`Id IN (SELECT AccountId FROM Contact ...)`; negate for NOT IN (an anti-join)."""

    field: FieldPath | FuncCall
    query: Query
    negate: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND OR
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath | FuncCall
    descending: bool
    nulls_first: bool


@dataclass(eq=False)
class Query:
    select: list
    sobject: str
    where: object | None = None
    group_by: list[FieldPath] = field(default_factory=list)
    having: object | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    for_clause: str | None = None  # VIEW REFERENCE UPDATE

    @property
    def aggregates(self) -> list[FuncCall]:
        return [s for s in self.select if isinstance(s, FuncCall)]

    @property
    def is_aggregate(self) -> bool:
        return bool(self.group_by) or any(isinstance(s, FuncCall) for s in self.select)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(body: str, keep_like_escapes: bool) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in "%_":
                out.append("\\" + nxt if keep_like_escapes else nxt)
            else:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    f"Invalid string literal '{body}'. Illegal character sequence '\\{nxt}' in "
                    "string literal.",
                )
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_DATE_N = re.compile(r"([a-z_]+):\s*(\d+)", re.I)


def _no_tokens(items) -> tuple:
    return tuple(i for i in items if not isinstance(i, Token))


@v_args(inline=True)
class _Build(Transformer):
    def start(self, q):
        return q

    def query(self, _select, select_list, _from, name, *rest):
        q = Query(select=select_list, sobject=str(name))
        for part in rest:
            kind, value = part
            setattr(q, kind, value)
        return q

    def select_list(self, *items):
        return list(items)

    def field_path(self, *names):
        first = names[0]
        return FieldPath(tuple(str(n) for n in names), first.line, first.column)

    def aliased_field(self, path, alias=None):
        if alias is None:
            return path
        return FieldPath(path.parts, path.line, path.column, str(alias))

    def func_call(self, name, path=None):
        upper = str(name).upper()
        if upper not in AGGREGATE_FUNCTIONS:
            raise SoqlError(
                "MALFORMED_QUERY",
                f"line {name.line}:{name.column} unknown function {name}"
                if upper not in _KNOWN_FUNCTIONS
                else f"{upper}() is not implemented by this emulator",
            )
        return FuncCall(upper, path, None, name.line, name.column)

    def aliased_call(self, call, alias=None):
        if alias is None:
            return call
        return FuncCall(call.name, call.field, str(alias), call.line, call.column)

    def typeof_expr(self, _typeof, name, *clauses):
        clauses = _no_tokens(clauses)
        whens = tuple(c for c in clauses if c[0] != "else")
        else_fields = next((c[1] for c in clauses if c[0] == "else"), ())
        return TypeOf(str(name), whens, else_fields, name.line, name.column)

    def when_clause(self, _when, name, _then, fields):
        return (str(name), fields)

    def else_clause(self, _else, fields):
        return ("else", fields)

    def field_list(self, *paths):
        return tuple(paths)

    def where_clause(self, _where, cond):
        return ("where", cond)

    def group_clause(self, _group, _by, *paths):
        return ("group_by", list(paths))

    def having_clause(self, _having, cond):
        return ("having", cond)

    def for_clause(self, _for, what):
        return ("for_clause", str(what).upper())

    def and_(self, *items):
        return BoolOp("AND", _no_tokens(items))

    def or_(self, *items):
        return BoolOp("OR", _no_tokens(items))

    def not_(self, _not, item):
        return Not(item)

    def compare(self, path, op, value):
        op = "!=" if str(op) == "<>" else str(op)
        return Compare(path, op, value)

    def like(self, path, _like, value):
        return Like(path, value)

    def in_(self, path, _in, values):
        return InList(path, tuple(values), False)

    def not_in(self, path, _not, _in, values):
        return InList(path, tuple(values), True)

    def semi_join(self, path, _in, query):
        return SemiJoin(path, query, False)

    def anti_join(self, path, _not, _in, query):
        return SemiJoin(path, query, True)

    def value_list(self, *values):
        return list(values)

    def value(self, tok):
        kind, text = tok.type, str(tok)
        if kind == "STRING":
            return Literal("string", text[1:-1], text)
        if kind == "NUMBER":
            return Literal("number", float(text) if "." in text else int(text), text)
        if kind in ("TRUE", "FALSE"):
            return Literal("boolean", kind == "TRUE", text)
        if kind == "NULL":
            return Literal("null", None, text)
        if kind == "DATETIME":
            return Literal("datetime", parse_datetime(text), text)
        if kind == "DATE":
            try:
                return Literal("date", date.fromisoformat(text), text)
            except ValueError:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    f"line {tok.line}:{tok.column} no viable alternative at character '{text}'",
                ) from None
        if kind == "DATE_N_LITERAL":
            m = _DATE_N.match(text)
            return Literal("date_literal", (m.group(1).upper(), int(m.group(2))), text)
        return Literal("date_literal", (text.upper(), None), text)

    def order_clause(self, _order, _by, *items):
        return ("order", list(items))

    def order_item(self, path, *rest):
        words = [str(r).upper() for r in rest]
        desc = "DESC" in words
        nulls_first = not desc  # Salesforce's defaults: ASC NULLS FIRST, DESC NULLS LAST
        if "FIRST" in words:
            nulls_first = True
        elif "LAST" in words:
            nulls_first = False
        return OrderItem(path, desc, nulls_first)

    def limit_clause(self, _limit, n):
        return ("limit", int(n))

    def offset_clause(self, _offset, n):
        return ("offset", int(n))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=False)


@lru_cache(maxsize=512)
def parse(text: str) -> Query:
    """Parse SOQL text or raise SoqlError(MALFORMED_QUERY) with Salesforce's position text."""
    try:
        tree = _parser().parse(text)
        return _Build().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SoqlError):
            raise exc.orig_exc from None
        raise
    except UnexpectedEOF:
        raise SoqlError("MALFORMED_QUERY", "unexpected token: <EOF>") from None
    except UnexpectedCharacters as exc:
        raise SoqlError(
            "MALFORMED_QUERY",
            _located(text, exc, f"no viable alternative at character '{text[exc.pos_in_stream]}'"),
        ) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        shown = "<EOF>" if token is None or token.type == "$END" else str(token)
        raise SoqlError(
            "MALFORMED_QUERY", _located(text, exc, f"unexpected token: '{shown}'")
        ) from None


def _located(text: str, exc: UnexpectedInput, what: str) -> str:
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    return f"\n{text}\n{' ' * (column - 1)}^\nERROR at Row:{line}:Column:{column}\n{what}"


def located(text: str, path: FieldPath, what: str) -> str:
    caret = " " * (path.column - 1) + "^"
    return f"\n{text}\n{caret}\nERROR at Row:{path.line}:Column:{path.column}\n{what}"


__all__ = [
    "AGGREGATE_FUNCTIONS",
    "FuncCall",
    "TypeOf",
    "SemiJoin",
    "FieldPath",
    "Literal",
    "Compare",
    "Like",
    "InList",
    "BoolOp",
    "Not",
    "OrderItem",
    "Query",
    "SoqlError",
    "parse",
    "unescape",
    "located",
    "datetime",
]
