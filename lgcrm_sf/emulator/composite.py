"""The Composite resources: sObject Tree (`composite/tree/{sObject}`) and Composite
(`composite`, up to 25 subrequests chained by `@{ref...}` references).

sObject Tree: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
Composite: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
Each counts as one API call, however many records or subrequests it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ApiError, RecordError
from .relationships import child_lookup
from .store import Org

TREE_MAX_RECORDS = 200
TREE_MAX_TYPES = 5
TREE_MAX_DEPTH = 5
COMPOSITE_MAX_SUBREQUESTS = 25
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)
REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")


# --- sObject Tree -------------------------------------------------------------------------
@dataclass
class _Node:
    sobject: str
    reference_id: str | None
    values: dict
    level: int
    parent: _Node | None = None
    lookup: str | None = None  # the child's field pointing at its parent
    record_id: str | None = None
    children: list = field(default_factory=list)


def _tree_error(reference_id, code: str, message: str, fields=None) -> dict:
    return {
        "referenceId": reference_id,
        "errors": [{"statusCode": code, "message": message, "fields": fields or []}],
    }


def _flatten(org: Org, records: list, sobject: str, level: int, parent, lookup, out: list):
    for record in records:
        if not isinstance(record, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
        attributes = record.get("attributes") or {}
        kind = attributes.get("type") or sobject
        if kind.lower() != sobject.lower():
            raise ApiError(
                400,
                "INVALID_INPUT",
                f"Record of type {kind} does not match the expected type {sobject}",
            )
        if level > TREE_MAX_DEPTH:
            raise ApiError(
                400, "LIMIT_EXCEEDED", f"sObject trees can be at most {TREE_MAX_DEPTH} levels deep"
            )
        node = _Node(org.sobject(kind).name, attributes.get("referenceId"), {}, level, parent)
        node.lookup = lookup
        out.append(node)
        for key, value in record.items():
            if key == "attributes":
                continue
            child = None
            if isinstance(value, dict) and isinstance(value.get("records"), list):
                child = child_lookup(org.schema, node.sobject, key)
            if child is None:
                node.values[key] = value
                continue
            child_object, child_lookup_field = child
            _flatten(org, value["records"], child_object, level + 1, node, child_lookup_field, out)


def create_tree(org: Org, user_id: str, object_name: str, body) -> tuple[int, dict]:
    """Create every record of the trees in one transaction, level by level (all roots, then
    every second-level record...). Any failure rolls everything back; the answer then names
    only the records that failed."""
    root = org.sobject(object_name)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must have a records array")
    nodes: list[_Node] = []
    _flatten(org, body["records"], root.name, 1, None, None, nodes)
    if len(nodes) > TREE_MAX_RECORDS:
        raise ApiError(
            400,
            "LIMIT_EXCEEDED",
            f"Exceeded max limit of {TREE_MAX_RECORDS} records: {len(nodes)} records in the "
            "request",
        )
    if len({n.sobject for n in nodes}) > TREE_MAX_TYPES:
        raise ApiError(
            400,
            "LIMIT_EXCEEDED",
            f"A request can create records of at most {TREE_MAX_TYPES} different types",
        )
    problems = []
    seen: dict[str, int] = {}
    for n in nodes:
        if n.reference_id:
            seen[n.reference_id.lower()] = seen.get(n.reference_id.lower(), 0) + 1
    for n in nodes:
        if not n.reference_id:
            problems.append(
                _tree_error(None, "INVALID_INPUT", "Include a reference ID for each record")
            )
        elif seen[n.reference_id.lower()] > 1:
            problems.append(
                _tree_error(
                    n.reference_id,
                    "INVALID_INPUT",
                    "Duplicate ReferenceId provided in the request",
                )
            )
    if problems:
        return 400, {"hasErrors": True, "results": problems}

    class _RollBack(Exception):
        pass

    failures: list[dict] = []
    try:
        with org.atomic():
            for level in range(1, TREE_MAX_DEPTH + 1):
                for n in (n for n in nodes if n.level == level):
                    values = dict(n.values)
                    if n.parent is not None:
                        values[n.lookup] = n.parent.record_id
                    try:
                        with org.atomic():
                            n.record_id = org.insert(n.sobject, values, user_id)
                    except RecordError as exc:
                        failures.append(
                            {"referenceId": n.reference_id, "errors": [exc.as_status()]}
                        )
                if failures:
                    raise _RollBack
    except _RollBack:
        return 400, {"hasErrors": True, "results": failures}
    ordered = sorted(nodes, key=lambda n: n.level)
    return 201, {
        "hasErrors": False,
        "results": [{"referenceId": n.reference_id, "id": n.record_id} for n in ordered],
    }


# --- Composite ----------------------------------------------------------------------------
class _Unresolved(Exception):
    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.text, self.name = text, name

    @property
    def error(self) -> list[dict]:
        return [
            {
                "errorCode": "PROCESSING_HALTED",
                "message": f"Invalid reference specified. No value for {self.text} found in "
                f"{self.name}.",
            }
        ]


def _lookup(results: dict, name: str, path: str):
    text = name + path
    if name not in results:
        raise _Unresolved(text, name)
    value = results[name]
    for step in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        key, index = step
        if key and isinstance(value, dict):
            match = next((k for k in value if k.lower() == key.lower()), None)
            if match is None:
                raise _Unresolved(text, name)
            value = value[match]
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            raise _Unresolved(text, name)
    if value is None or isinstance(value, dict | list):
        raise _Unresolved(text, name)
    return value


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _resolve(value, results: dict):
    """Replace every @{ref.path} in strings of `value` (a URL or a JSON body). A string that is
    nothing but one reference takes the referenced value itself (a number stays a number)."""
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value)
        if whole:
            return _lookup(results, whole.group(1), whole.group(2))
        return REFERENCE.sub(lambda m: _text(_lookup(results, m.group(1), m.group(2))), value)
    if isinstance(value, list):
        return [_resolve(v, results) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, results) for k, v in value.items()}
    return value


def _parse(body) -> tuple[list[dict], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must have a compositeRequest")
    for flag in ("allOrNone", "collateSubrequests"):
        if not isinstance(body.get(flag, False), bool):
            raise ApiError(400, "JSON_PARSER_ERROR", f"{flag} must be true or false")
    subrequests = body["compositeRequest"]
    for sub in subrequests:
        if not isinstance(sub, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each subrequest must be a JSON object")
        missing = [k for k in ("method", "url", "referenceId") if not sub.get(k)]
        if missing:
            raise ApiError(
                400, "INVALID_INPUT", f"Subrequest is missing required fields: {missing}"
            )
        if str(sub["method"]).upper() not in METHODS:
            raise ApiError(400, "INVALID_INPUT", f"Invalid HTTP method: {sub['method']}")
        if not REFERENCE.fullmatch("@{" + str(sub["referenceId"]) + "}"):
            raise ApiError(
                400,
                "INVALID_INPUT",
                f"Provided referenceId ('{sub['referenceId']}') must start with a letter or a "
                "number, and it can contain only letters, numbers and underscores ('_').",
            )
    names = [str(s["referenceId"]) for s in subrequests]
    if len(set(names)) != len(names):
        raise ApiError(400, "INVALID_INPUT", "Duplicate referenceId in compositeRequest")
    return subrequests, body.get("allOrNone", False)


Dispatch = Callable[[str, str, object, dict], tuple[int, dict, object]]


def _failed(status: int, body, all_or_none: bool) -> bool:
    if status >= 400:
        return True
    # Under allOrNone an sObject Collections subrequest with a failed record fails the whole.
    return (
        all_or_none
        and isinstance(body, list)
        and any(isinstance(r, dict) and r.get("success") is False for r in body)
    )


def run_composite(org: Org, body, dispatch: Dispatch) -> dict:
    """Run the subrequests in order; `dispatch(method, url, body, headers)` serves one as the
    REST API would and returns (status, headers, JSON body or None)."""
    if isinstance(body, dict) and isinstance(body.get("compositeRequest"), list):
        if len(body["compositeRequest"]) > COMPOSITE_MAX_SUBREQUESTS:
            # As Salesforce answers it: one result, with no referenceId.
            return {
                "compositeResponse": [
                    {
                        "body": [
                            {
                                "errorCode": "LIMIT_EXCEEDED",
                                "message": "The request can’t contain more than "
                                f"{COMPOSITE_MAX_SUBREQUESTS} operations.",
                            }
                        ],
                        "httpHeaders": {},
                        "httpStatusCode": 400,
                        "referenceId": None,
                    }
                ]
            }
    subrequests, all_or_none = _parse(body)
    results: dict[str, object] = {}  # referenceId -> body of a subrequest that succeeded
    responses: list[dict] = []

    class _RollBack(Exception):
        pass

    def one(sub: dict) -> dict:
        method = str(sub["method"]).upper()
        try:
            url = _resolve(str(sub["url"]), results)
            payload = _resolve(sub.get("body"), results)
        except _Unresolved as exc:
            return _response(400, {}, exc.error, sub)
        if all_or_none and isinstance(payload, dict) and "/composite/sobjects" in url:
            payload = {**payload, "allOrNone": True}
        status, headers, answer = dispatch(method, url, payload, sub.get("httpHeaders") or {})
        if not _failed(status, answer, all_or_none):
            results[str(sub["referenceId"])] = answer
        return _response(status, headers, answer, sub)

    if not all_or_none:
        return {"compositeResponse": [one(sub) for sub in subrequests]}
    try:
        with org.atomic():
            for sub in subrequests:
                responses.append(one(sub))
                if _failed(responses[-1]["httpStatusCode"], responses[-1]["body"], True):
                    raise _RollBack
    except _RollBack:
        halted = [{"errorCode": "PROCESSING_HALTED", "message": ROLLED_BACK}]
        failed_at = len(responses) - 1
        return {
            "compositeResponse": [
                responses[i] if i == failed_at else _response(400, {}, halted, sub)
                for i, sub in enumerate(subrequests)
            ]
        }
    return {"compositeResponse": responses}


def _response(status: int, headers: dict, body, sub: dict) -> dict:
    return {
        "body": body,
        "httpHeaders": headers,
        "httpStatusCode": status,
        "referenceId": sub["referenceId"],
    }
