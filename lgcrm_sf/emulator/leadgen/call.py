"""What a method handler receives (one API call) and returns (its answer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ObjectError
from .store import Account

# Behaviour switches a test may flip through the control surface (see control.py); the limits
# (calls per second and per day) live in limits.py.
DEFAULT_SETTINGS = {
    # Offset paging has no guaranteed order (§4 [1]). "unstable": rows ordered by a hash of
    # (salt, id, rev) - the same order on every call until a row changes, then the changed row
    # jumps to a new place, so a client trusting offsets across changes skips or repeats rows.
    # "stable": getLeads by id, date ranges by (timestamp, id).
    "page_order": "unstable",
    # getLeadsDateRange's limit defaults to 500 and may be raised (rmuit/sharpspring-restapi
    # Connection::getLeadsDateRange [1]); set a number to cap it like getLeads.
    "date_range_max_limit": None,
    # The envelope's `error` on writes: "list" (copies of the failed objects' errors, [] when
    # none; rmuit Connection::call [1]), "empty" (always []) or "null".
    "write_error_envelope": "list",
    # Values written through the API come back as written. True mimics the observed `<` quirk:
    # every `<` but a trailing one comes back as `&lt;` (rmuit encoding.md [1]).
    "api_encoding_quirk": False,
}


class RawJSON(str):
    """JSON text made elsewhere (SQLite's json_object, see reads.py), embedded as is."""

    def value(self):
        return json.loads(self)


def dumps(value) -> str:
    """json.dumps that embeds RawJSON values of a result as they are."""
    if isinstance(value, RawJSON):
        return value
    if isinstance(value, dict) and any(isinstance(v, RawJSON | dict) for v in value.values()):
        return "{" + ", ".join(f"{json.dumps(k)}: {dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Call:
    account: Account
    params: dict
    now: str  # the call's one timestamp: every row a call writes shares this second
    settings: dict


@dataclass
class Answer:
    result: object
    write: bool = False  # writes answer `error: []` rather than null (§2)
    object_results: list = field(default_factory=list)
    has_more: bool | None = None  # also copied inside `result` (§2)


def run_objects(account: Account, objects: list, one: Callable[[dict], dict | None]) -> list:
    """Each object in its own savepoint; results in input order (§2)."""
    results = []
    for obj in objects:
        try:
            if not isinstance(obj, dict):
                raise ObjectError(208)
            with account.atomic():
                extra = one(obj) or {}
            results.append({"success": True, "error": None, **extra})
        except ObjectError as exc:
            results.append({"success": "false", "error": exc.body})
    return results
