"""`query?q=...&columns=true`: the columns a query returns, without running it.

Not in the REST API guide, but the Salesforce CLI sends it after every query that returns rows
and builds its table from the answer (salesforcecli/plugin-data, `retrieveColumns` in
src/commands/data/query.ts): each column has aggregate, apexType, booleanType, columnName,
custom, displayName, foreignKeyName, insertable, joinColumns, numberType, textType and
updatable; a relationship column nests the fields read through it in joinColumns.
"""

from __future__ import annotations

from .query import Compiled
from .schema import Field

APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "boolean": "Boolean",
    "int": "Integer",
    "double": "Double",
    "percent": "Double",
    "currency": "Decimal",
    "date": "Date",
    "datetime": "Datetime",
    "base64": "Blob",
    "address": "Address",
    "location": "Location",
}
NUMBER_TYPES = ("int", "double", "percent", "currency")
TEXT_TYPES = ("string", "textarea", "email", "phone", "url", "picklist")


def _column(name: str, f: Field | None, **overrides) -> dict:
    column = {
        "aggregate": False,
        "apexType": None if f is None else APEX_TYPES.get(f.type, "String"),
        "booleanType": f is not None and f.type == "boolean",
        "columnName": name,
        "custom": f is not None and f.custom,
        "displayName": name,
        "foreignKeyName": None,
        "insertable": f is not None and f.createable,
        "joinColumns": [],
        "numberType": f is not None and f.type in NUMBER_TYPES,
        "textType": f is not None and f.type in TEXT_TYPES,
        "updatable": f is not None and f.updateable,
    }
    column.update(overrides)
    return column


def column_metadata(compiled: Compiled) -> dict:
    q = compiled.query
    obj = compiled.sobject
    if compiled.count_only:
        columns = []
    elif compiled.is_aggregate:
        columns = []
        for item in compiled.aggregate.items:
            if item.function is None:
                columns.append(_column(item.key, item.field))
                continue
            counts = item.function in ("COUNT", "COUNT_DISTINCT", "SUM", "AVG")
            numeric = counts or item.field.type in NUMBER_TYPES
            columns.append(
                _column(
                    item.key,
                    None,
                    aggregate=True,
                    displayName=item.display,
                    numberType=numeric,
                    textType=not numeric and item.field.type in TEXT_TYPES,
                )
            )
    else:
        columns = _record_columns(compiled)
    return {
        "columnMetadata": columns,
        "entityName": obj.name,
        "groupBy": bool(q is not None and q.group_by),
        "idSelected": any(c.parts == ("Id",) for c in compiled.columns),
        "keyPrefix": obj.key_prefix,
    }


def _record_columns(compiled: Compiled) -> list[dict]:
    """One column per selected field; fields read through one relationship share its column,
    their own columns nested in joinColumns (Owner -> [Name, Email])."""
    top: list[dict] = []
    by_path: dict[tuple[str, ...], dict] = {}
    for col in compiled.columns:
        siblings = top
        for depth, rel in enumerate(col.parts[:-1]):
            key = col.parts[: depth + 1]
            join = by_path.get(key)
            if join is None:
                join = _column(rel, None, foreignKeyName=compiled.hops[key].reference)
                by_path[key] = join
                siblings.append(join)
            siblings = join["joinColumns"]
        name = col.parts[-1]
        if not any(c["columnName"] == name for c in siblings):
            siblings.append(_column(name, col.field))
    return top
