"""Running searches: SOSL (`GET search?q=FIND ...`) and parameterized search
(`GET|POST parameterizedSearch`), both answering {"searchRecords": [...]}
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm,
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search_parameterized.htm).

The index is honest and simple: a SQLite function tokenizes each searched field of a row and
evaluates the search expression (sosl.py) against the tokens. Each RETURNING object is a SOQL
query (its fields, WHERE, ORDER BY, LIMIT) narrowed by that match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import sosl
from .errors import ApiError
from .query import compile_query
from .schema import SObject
from .soql import SoqlError
from .sosl import Returning, Search, SoslError, Term

TEXT_TYPES = ("string", "textarea", "email", "phone", "url")
# Fields searched IN NAME FIELDS besides Name, FirstName and LastName.
NAME_FIELDS = {
    "Lead": ("Company",),
    "Task": ("Subject",),
    "Event": ("Subject",),
    "ContentVersion": ("Title",),
}
_TOKENS = re.compile(r"[^\W_]+")


# --- matching -------------------------------------------------------------------------------
def _has(tokens: list[str], term: Term) -> bool:
    n = len(term.tokens)
    if n == 0:
        return False
    for start in range(len(tokens) - n + 1):
        for offset, pattern in enumerate(term.tokens):
            token = tokens[start + offset]
            if not (token == pattern if isinstance(pattern, str) else pattern.match(token)):
                break
        else:
            return True
    return False


def _matches(node, fields: list[list[str]]) -> bool:
    if isinstance(node, Term):
        # A phrase is found within one field; the terms of an expression across the record.
        return any(_has(tokens, node) for tokens in fields)
    if node.op == "OR":
        return _matches(node.left, fields) or _matches(node.right, fields)
    left = _matches(node.left, fields)
    if not left:
        return False
    right = _matches(node.right, fields)
    return right if node.op == "AND" else not right


@lru_cache(maxsize=4096)
def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.casefold())


def sosl_match(body: str, *values) -> int:
    node = sosl.parse_expression(body)
    fields = [_tokens(v) for v in values if isinstance(v, str) and v]
    return int(bool(fields) and _matches(node, fields))


def _install(org) -> None:
    if not getattr(org, "_sosl_installed", False):
        org.conn.create_function("sosl_match", -1, sosl_match, deterministic=True)
        org._sosl_installed = True


def searched_fields(obj: SObject, scope: str) -> list[str]:
    if scope == "EMAIL":
        return [f.name for f in obj.stored_fields if f.type == "email"]
    if scope == "PHONE":
        return [f.name for f in obj.stored_fields if f.type == "phone"]
    if scope == "NAME":
        names = ("Name", "FirstName", "LastName", *NAME_FIELDS.get(obj.name, ()))
        return [n for n in names if obj.field(n) is not None]
    return [f.name for f in obj.stored_fields if f.type in TEXT_TYPES]


# --- running --------------------------------------------------------------------------------
def run(org, search: Search, version: str) -> dict:
    try:
        sosl.parse_expression(search.body)  # a bad expression fails before any object is read
    except SoslError as exc:
        raise ApiError(400, exc.code, exc.message) from None
    specs = search.returning or [Returning(o.name) for o in org.schema.values() if o.searchable]
    records: list[dict] = []
    with org.lock:
        _install(org)
        for spec in specs:
            if len(records) >= search.limit:
                break
            records += _search_object(org, search, spec, version, search.limit - len(records))
    return {"searchRecords": records}


def _search_object(org, search: Search, spec: Returning, version: str, room: int) -> list[dict]:
    soql_text = f"SELECT {spec.fields or 'Id'} FROM {spec.sobject} {spec.clauses}".strip()
    obj = org.schema.get(spec.sobject) or next(
        (o for o in org.schema.values() if o.name.lower() == spec.sobject.lower()), None
    )
    if obj is not None and not obj.searchable:
        raise ApiError(400, "INVALID_TYPE", f"entity type {obj.name} does not support search")
    columns = searched_fields(obj, search.scope) if obj is not None else []
    if obj is not None and not columns:
        return []
    match = (
        f"sosl_match(?, {', '.join(f't0.{chr(34)}{c}{chr(34)}' for c in columns)}) = 1",
        [search.body],
    )
    try:
        compiled = compile_query(soql_text, org.schema, org.clock.today(), False, match)
    except SoqlError as exc:
        raise ApiError(400, exc.code, exc.message) from None
    if compiled.is_aggregate or compiled.count_only:
        raise ApiError(400, "MALFORMED_SEARCH", "Aggregate functions are not allowed in RETURNING")
    rows = org.conn.execute(compiled.sql, compiled.params).fetchmany(room)
    return [compiled.render(row, version) for row in rows]


def run_sosl(org, text: str, version: str) -> dict:
    try:
        search = sosl.parse(text)
    except SoslError as exc:
        raise ApiError(400, exc.code, exc.message) from None
    return run(org, search, version)


# --- parameterized search -------------------------------------------------------------------
def _limit(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, "INVALID_SEARCH", f"{name} must be a number: {value}") from None
    if not 0 < number <= sosl.MAX_LIMIT:
        raise ApiError(400, "INVALID_SEARCH", f"{name} must be between 1 and {sosl.MAX_LIMIT}")
    return number


def _scope(value: str | None) -> str:
    scope = sosl.SCOPES.get((value or "ALL").upper())
    if scope is None:
        raise ApiError(400, "INVALID_SEARCH", f"Invalid value for in: {value}")
    return scope


def _spec(name: str, fields, where, limit, order_by, default_limit) -> Returning:
    if isinstance(fields, list):
        fields = ", ".join(fields)
    clauses = ""
    if where:
        clauses += f" WHERE {where}"
    if order_by:
        clauses += f" ORDER BY {order_by}"
    limit = limit or default_limit
    if limit:
        clauses += f" LIMIT {limit}"
    return Returning(name, fields or "", clauses.strip())


def parameterized(org, params: dict, version: str) -> dict:
    """GET query parameters (lists for repeated ones) or the POST body, as one dict."""
    q = params.get("q")
    if not q:
        raise ApiError(400, "MISSING_ARGUMENT", "q: search string is required")
    default_limit = _limit(params.get("defaultLimit"), "defaultLimit")
    overall = _limit(params.get("overallLimit"), "overallLimit") or sosl.MAX_LIMIT
    global_fields = params.get("fields")
    specs = []
    for entry in params.get("sobjects") or []:  # POST
        specs.append(
            _spec(
                entry.get("name", ""),
                entry.get("fields") or global_fields,
                entry.get("where"),
                _limit(entry.get("limit"), "limit"),
                entry.get("orderBy"),
                default_limit,
            )
        )
    for name in params.get("sobject") or []:  # GET
        specs.append(
            _spec(
                name,
                params.get(f"{name}.fields") or global_fields,
                params.get(f"{name}.where"),
                _limit(params.get(f"{name}.limit"), f"{name}.limit"),
                params.get(f"{name}.orderBy"),
                default_limit,
            )
        )
    search = Search(q, _scope(params.get("in")), specs, overall)
    return run(org, search, version)


__all__ = ["run_sosl", "parameterized"]
