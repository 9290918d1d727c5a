"""Compile a parsed SOQL query to SQLite SQL against the org's tables.

SQLite does the filtering, ordering and paging, using the indexes the store keeps
(Id, Email, SystemModstamp, reference fields), so a selective query never scans a table.
Text columns are declared COLLATE NOCASE because SOQL compares text case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from . import soql
from .clock import sf_datetime
from .ids import to18
from .schema import Field, SObject
from .soql import SoqlError, located


@dataclass
class Column:
    parts: tuple[str, ...]  # canonical names: ("Owner", "Email")
    objects: tuple[str, ...]  # object of each relationship hop, then the field's object
    field: Field
    index: int


@dataclass
class Compiled:
    sobject: SObject
    sql: str
    params: list
    columns: list[Column]
    parent_ids: dict[tuple[str, ...], int] = field(default_factory=dict)
    count_only: bool = False
    aggregate_alias: str | None = None

    def render(self, row: tuple, version: str) -> dict:
        from .values import output

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
                        else {"attributes": _attrs(col.objects[depth + 1], parent_id, version)}
                    )
                target = target[rel]
                if target is None:
                    break
            else:
                target[col.parts[-1]] = output(col.field, row[col.index])
        return record


def _attrs(sobject: str, record_id: str, version: str) -> dict:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


class _Compiler:
    def __init__(self, text: str, schema: dict[str, SObject], today: date, include_deleted: bool):
        self.text = text
        self.schema = {k.lower(): v for k, v in schema.items()}
        self.today = today
        self.include_deleted = include_deleted
        self.joins: dict[tuple[str, ...], tuple[str, SObject]] = {}
        self.join_sql: list[str] = []
        self.params: list = []

    def compile(self, q: soql.Query) -> Compiled:
        root = self.schema.get(q.sobject.lower())
        if root is None:
            raise SoqlError(
                "INVALID_TYPE",
                f"\n{self.text}\n^\nERROR at Row:1:Column:1\nsObject type '{q.sobject}' is not "
                "supported. If you are attempting to use a custom object, be sure to append the "
                "'__c' after the entity name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        self.root = root
        select = ['t0."Id"']
        columns: list[Column] = []
        parent_ids: dict[tuple[str, ...], int] = {}
        count_only, aggregate_alias = False, None
        counts = [s for s in q.select if isinstance(s, soql.CountCall)]
        if counts:
            if len(q.select) > 1:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    "COUNT() and COUNT(field) must be the only "
                    "item in the SELECT list without GROUP BY",
                )
            if counts[0].field is None:
                count_only = True
            else:
                self.resolve(counts[0].field)
                aggregate_alias = counts[0].alias or "expr0"
        seen = set()
        for item in q.select:
            if isinstance(item, soql.CountCall):
                continue
            expr, f, parts, objects = self.resolve(item)
            if parts in seen:
                raise SoqlError("DUPLICATE_FIELD", f"duplicate field selected: {item.text}")
            seen.add(parts)
            for depth in range(1, len(parts)):
                key = parts[:depth]
                if key not in parent_ids:
                    alias = self.joins[key][0]
                    parent_ids[key] = len(select)
                    select.append(f'{alias}."Id"')
            columns.append(Column(parts, objects, f, len(select)))
            select.append(expr)
        where = []
        if not self.include_deleted:
            where.append('t0."IsDeleted" = 0')
        if q.where is not None:
            where.append(self.condition(q.where))
        order = []
        for item in q.order:
            expr, f, _, _ = self.resolve(item.field)
            if f.type == "textarea" and f.length > 255:
                raise SoqlError(
                    "INVALID_FIELD",
                    located(
                        self.text, item.field, f"field '{f.name}' can not be sorted in a query call"
                    ),
                )
            direction = "DESC" if item.descending else "ASC"
            nulls = "FIRST" if item.nulls_first else "LAST"
            order.append(f"{expr} {direction} NULLS {nulls}")
        if q.offset is not None and q.offset > 2000:
            raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
        sql = f'SELECT {", ".join(select)} FROM "{root.name}" t0 ' + " ".join(self.join_sql)
        if where:
            sql += " WHERE " + " AND ".join(f"({w})" for w in where)
        if order:
            sql += " ORDER BY " + ", ".join(order)
        if q.limit is not None or q.offset is not None:
            sql += f" LIMIT {q.limit if q.limit is not None else -1}"
            if q.offset is not None:
                sql += f" OFFSET {q.offset}"
        return Compiled(root, sql, self.params, columns, parent_ids, count_only, aggregate_alias)

    # --- names --------------------------------------------------------------------------
    def resolve(self, path: soql.FieldPath) -> tuple[str, Field, tuple[str, ...], tuple[str, ...]]:
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() == self.root.name.lower():
            parts = parts[1:]  # "SELECT Lead.Email FROM Lead" is valid SOQL
        obj, alias, canonical, objects = self.root, "t0", [], [self.root.name]
        for rel in parts[:-1]:
            ref = obj.relationship(rel)
            if ref is None or len(ref.reference_to) != 1:
                raise SoqlError(
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
            canonical.append(ref.relationship_name)
            key = tuple(canonical)
            if key not in self.joins:
                target = self.schema[ref.reference_to[0].lower()]
                new_alias = f"t{len(self.joins) + 1}"
                self.join_sql.append(
                    f'LEFT JOIN "{target.name}" {new_alias} ON {new_alias}."Id" = {alias}."{ref.name}"'
                )
                self.joins[key] = (new_alias, target)
            alias, obj = self.joins[key]
            objects.append(obj.name)
        f = obj.field(parts[-1])
        if f is None:
            raise SoqlError(
                "INVALID_FIELD",
                located(
                    self.text,
                    path,
                    f"No such column '{parts[-1]}' on entity '{obj.name}'. If you are attempting to "
                    "use a custom field, be sure to append the '__c' after the custom field name. "
                    "Please reference your WSDL or the describe call for the appropriate names.",
                ),
            )
        canonical.append(f.name)
        return f'{alias}."{f.name}"', f, tuple(canonical), tuple(objects)

    # --- conditions ---------------------------------------------------------------------
    def condition(self, node) -> str:
        if isinstance(node, soql.BoolOp):
            return f" {node.op} ".join(f"({self.condition(i)})" for i in node.items)
        if isinstance(node, soql.Not):
            return f"NOT ({self.condition(node.item)})"
        if isinstance(node, soql.Like):
            expr, f, _, _ = self.resolve(node.field)
            if not f.is_text or f.type in ("id", "reference") or node.value.kind != "string":
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    located(self.text, node.field, f"invalid operator on {f.type} field: {f.name}"),
                )
            self.params.append(soql.unescape(node.value.value, keep_like_escapes=True))
            return f"{expr} LIKE ? ESCAPE '\\'"
        if isinstance(node, soql.InList):
            expr, f, _, _ = self.resolve(node.field)
            parts = [self.comparison(expr, f, "=", v, node.field) for v in node.values]
            if node.negate:
                # SOQL's NOT IN, like !=, keeps rows whose value is null.
                return f"(NOT ({' OR '.join(parts)}) OR {expr} IS NULL)"
            return " OR ".join(f"({p})" for p in parts)
        if isinstance(node, soql.Compare):
            expr, f, _, _ = self.resolve(node.field)
            return self.comparison(expr, f, node.op, node.value, node.field)
        raise AssertionError(node)

    def comparison(self, expr: str, f: Field, op: str, lit: soql.Literal, path) -> str:
        if lit.kind == "null":
            if op not in ("=", "!="):
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    located(self.text, path, f"invalid operator on null value: {op}"),
                )
            return f"{expr} IS NULL" if op == "=" else f"{expr} IS NOT NULL"
        if lit.kind == "date_literal":
            if f.type not in ("date", "datetime"):
                raise self._type_error(f, path, lit)
            start, end = self.date_range(lit, f)
            return self._range(expr, op, start, end)
        value = self.value_for(f, lit, path)
        sql_op = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[op]
        if f.type == "boolean" and op not in ("=", "!="):
            raise SoqlError(
                "INVALID_QUERY_FILTER_OPERATOR",
                located(self.text, path, f"invalid operator on boolean field: {f.name}"),
            )
        self.params.append(value)
        if op == "!=":
            # SOQL's != matches null values too, unlike SQL.
            return f"({expr} != ? OR {expr} IS NULL)"
        return f"{expr} {sql_op} ?"

    def _range(self, expr: str, op: str, start: str, end: str) -> str:
        if op == "=":
            self.params += [start, end]
            return f"({expr} >= ? AND {expr} < ?)"
        if op == "!=":
            self.params += [start, end]
            return f"({expr} < ? OR {expr} >= ? OR {expr} IS NULL)"
        bound, sql = {"<": (start, "<"), "<=": (end, "<"), ">": (end, ">="), ">=": (start, ">=")}[
            op
        ]
        self.params.append(bound)
        return f"{expr} {sql} ?"

    def _type_error(self, f: Field, path, lit) -> SoqlError:
        wanted = {
            "datetime": "dateTime",
            "reference": "id",
            "id": "id",
            "int": "int",
            "double": "double",
            "currency": "currency",
            "percent": "percent",
            "boolean": "boolean",
            "date": "date",
        }.get(f.type, "string")
        quoted = " and should not be enclosed in quotes" if lit.kind == "string" else ""
        if f.is_text and f.type not in ("id", "reference"):
            quoted = " and should be enclosed in quotes"
        return SoqlError(
            "INVALID_QUERY_FILTER_OPERATOR",
            located(
                self.text,
                path,
                f"value of filter criterion for field '{f.name}' must be of type {wanted}{quoted}",
            ),
        )

    def value_for(self, f: Field, lit: soql.Literal, path) -> object:
        t = f.type
        if t in ("id", "reference"):
            if lit.kind != "string":
                raise self._type_error(f, path, lit)
            try:
                return to18(soql.unescape(lit.value, False))
            except ValueError:
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}"
                ) from None
        if t == "boolean":
            if lit.kind != "boolean":
                raise self._type_error(f, path, lit)
            return int(lit.value)
        if t in ("int", "double", "currency", "percent"):
            if lit.kind != "number":
                raise self._type_error(f, path, lit)
            return lit.value
        if t == "date":
            if lit.kind != "date":
                raise self._type_error(f, path, lit)
            return lit.value.isoformat()
        if t == "datetime":
            if lit.kind != "datetime":
                raise self._type_error(f, path, lit)
            return sf_datetime(lit.value)
        if lit.kind != "string":
            raise self._type_error(f, path, lit)
        return soql.unescape(lit.value, False)

    def date_range(self, lit: soql.Literal, f: Field) -> tuple[str, str]:
        name, n = lit.value
        start, end = date_literal_range(name, n, self.today)
        if f.type == "date":
            return start.isoformat(), end.isoformat()
        as_dt = lambda d: sf_datetime(datetime(d.year, d.month, d.day, tzinfo=UTC))  # noqa: E731
        return as_dt(start), as_dt(end)


def _month_start(d: date, shift: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def date_literal_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """[start, end) of a SOQL date literal, in days (UTC stands for the user's time zone)."""
    day = timedelta(days=1)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday
    quarter_start = _month_start(date(today.year, (today.month - 1) // 3 * 3 + 1, 1))
    fixed = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "THIS_WEEK": (week_start, week_start + 7 * day),
        "LAST_WEEK": (week_start - 7 * day, week_start),
        "NEXT_WEEK": (week_start + 7 * day, week_start + 14 * day),
        "THIS_MONTH": (_month_start(today), _month_start(today, 1)),
        "LAST_MONTH": (_month_start(today, -1), _month_start(today)),
        "NEXT_MONTH": (_month_start(today, 1), _month_start(today, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "THIS_QUARTER": (quarter_start, _month_start(quarter_start, 3)),
        "LAST_QUARTER": (_month_start(quarter_start, -3), quarter_start),
        "NEXT_QUARTER": (_month_start(quarter_start, 3), _month_start(quarter_start, 6)),
        "THIS_YEAR": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
    }
    if name in fixed:
        return fixed[name]
    n = n or 0
    ranges = {
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": (week_start - 7 * n * day, week_start),
        "NEXT_N_WEEKS": (week_start + 7 * day, week_start + 7 * (n + 1) * day),
        "N_WEEKS_AGO": (week_start - 7 * n * day, week_start - 7 * (n - 1) * day),
        "LAST_N_MONTHS": (_month_start(today, -n), _month_start(today)),
        "NEXT_N_MONTHS": (_month_start(today, 1), _month_start(today, n + 1)),
        "N_MONTHS_AGO": (_month_start(today, -n), _month_start(today, -n + 1)),
        "LAST_N_YEARS": (date(today.year - n, 1, 1), date(today.year, 1, 1)),
        "NEXT_N_YEARS": (date(today.year + 1, 1, 1), date(today.year + n + 1, 1, 1)),
        "N_YEARS_AGO": (date(today.year - n, 1, 1), date(today.year - n + 1, 1, 1)),
    }
    return ranges[name]


def compile_query(
    text: str, schema: dict[str, SObject], today: date, include_deleted: bool
) -> Compiled:
    return _Compiler(text, schema, today, include_deleted).compile(soql.parse(text))


def compile_condition(
    condition: str, sobject: SObject, schema: dict[str, SObject], today: date
) -> tuple[str, str, list]:
    """(FROM-and-JOIN SQL, WHERE SQL, params) for a condition alone: validation rules are
    written as SOQL conditions."""
    text = f"SELECT Id FROM {sobject.name} WHERE {condition}"
    compiled = _Compiler(text, schema, today, include_deleted=True).compile(soql.parse(text))
    where = compiled.sql.split(" WHERE ", 1)[1]
    return compiled.sql.split(" FROM ", 1)[1].split(" WHERE ")[0], where, compiled.params
