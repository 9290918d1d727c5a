"""Comparing a field with a SOQL literal: type checks with Salesforce's messages, SOQL's null
semantics, and date literals (TODAY, LAST_N_DAYS:n...) as half-open ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from . import soql
from .clock import sf_datetime
from .ids import to18
from .schema import Field
from .soql import SoqlError, located


class LiteralFilters:
    """Mixed into the compiler: needs self.text, self.params and self.today."""

    text: str
    params: list
    today: date

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
