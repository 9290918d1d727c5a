"""The one place SOQL text is built: quoting, IN lists in chunks that keep a query's URL short,
and the since-clause of a change query."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator


def quote(value: str) -> str:
    """A SOQL string literal."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(quote(v) for v in values) + ")"


def chunks(values: list, size: int) -> Iterator[list]:
    """Slices of `size`: each IN list stays well under Salesforce's URL limit (~16 kB)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def datetime_literal(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def since_clause(cursor: str | None, overlap: datetime.timedelta) -> str | None:
    """`SystemModstamp >= cursor - overlap` (re-reading the overlap: a transaction may commit
    after a later one), or None for a first read."""
    if not cursor:
        return None
    since = datetime.datetime.fromisoformat(cursor.replace("Z", "+00:00")) - overlap
    return f"SystemModstamp >= {datetime_literal(since)}"


def select(fields: Iterable[str], sobject: str, where: Iterable[str] = (), order: str = "") -> str:
    conditions = [w for w in where if w]
    text = f"SELECT {', '.join(fields)} FROM {sobject}"
    if conditions:
        text += " WHERE " + " AND ".join(conditions)
    return text + (f" ORDER BY {order}" if order else "")
