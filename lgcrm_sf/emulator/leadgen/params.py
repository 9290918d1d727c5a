"""Reading a call's `params`: the checks every method shares, with the vendor's error codes.

Clients send numbers as strings ("limit": "500") and PHP clients send an empty hash as `[]`;
both are accepted (LEADGEN_API.md §1, §5).
"""

from __future__ import annotations

import re
from datetime import datetime

from .errors import CallError
from .schema import TIMESTAMP_FORMAT

MAX_OBJECTS = 500  # objects per write call (§4)
READ_CAP = 500  # getLeads and the other list reads return at most this many rows (§4 [1])
INT_FORMAT = {"type": "int", "length": 11, "required": False}
_INT = re.compile(r"^-?\d+$")


def as_int(name: str, value, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not _INT.match(str(value)) or isinstance(value, list | dict):
        raise CallError.invalid(name, "Expected data of type integer", INT_FORMAT)
    number = int(str(value))
    if abs(number) >= 2**63 or (minimum is not None and number < minimum):
        raise CallError.invalid(name, "Expected data of type integer", INT_FORMAT)
    return number


def where(params: dict, allowed: set[str]) -> dict:
    """`where` is required even when empty (§5); unknown keys are refused."""
    if "where" not in params:
        raise CallError.missing("where")
    value = params["where"]
    if value == [] or value is None:
        return {}
    if not isinstance(value, dict):
        raise CallError.invalid("where", "Expected a hash")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise CallError.invalid(unknown[0], f"Unknown where parameter; use {sorted(allowed)}")
    return value


def limit_offset(params: dict, cap: int | None = READ_CAP, default: int = READ_CAP):
    """`limit` above the cap is quietly lowered (getLeads returns at most 500, §4 [1])."""
    limit = as_int("limit", params["limit"], 0) if params.get("limit") is not None else default
    offset = as_int("offset", params["offset"], 0) if params.get("offset") is not None else 0
    if cap is not None:
        limit = min(limit, cap)
    return limit, offset


def objects(params: dict) -> list:
    if "objects" not in params:
        raise CallError(207)
    value = params["objects"]
    if isinstance(value, dict):
        value = list(value.values())  # a PHP list with holes arrives as a hash
    if not isinstance(value, list):
        raise CallError(208)
    if len(value) > MAX_OBJECTS:
        # The overview's "limit of 500 queries per request" and 209's message match (§3, §4).
        raise CallError(
            209,
            {"params": [{"param": "objects", "message": f"At most {MAX_OBJECTS} objects"}]},
        )
    return value


def timestamp(name: str, value) -> str:
    """`Y-m-d H:i:s` (a bare date means its midnight), read as UTC in v1.2 (§1)."""
    if value is None or value == "":
        raise CallError.missing(name)
    text = str(value).strip()
    for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).strftime(TIMESTAMP_FORMAT)
        except ValueError:
            continue
    raise CallError.invalid(name, "Expected a date and time (Y-m-d H:i:s)", {"type": "datetime"})


def id_list(name: str, value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [as_int(name, v) for v in values]


def field_names(params: dict, known: list[str]) -> list[str] | None:
    """`fields` limits the fields a lead read returns; unknown names are refused."""
    value = params.get("fields")
    if value in (None, [], ""):
        return None
    names = value if isinstance(value, list) else [n.strip() for n in str(value).split(",")]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CallError.invalid("fields", f"Unknown field {unknown[0]}")
    return list(dict.fromkeys(names))
