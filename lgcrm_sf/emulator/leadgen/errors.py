"""The vendor's error codes and the two shapes errors take.

An API-level error replaces the whole result: `{"result": null, "error": {code, message, data},
"id": ...}` inside an HTTP 200 body. An object-level error belongs to one object of a bulk write:
the call succeeds and that object's entry says `{"success": "false", "error": {...}}` (input order
kept). Codes and messages: the vendor's "Open API Error Codes" article (LEADGEN_API.md §3).
"""

from __future__ import annotations

MESSAGES = {
    101: "Invalid request data format.",
    102: "Header missing request ID.",
    103: "Header missing account ID.",
    104: "Header missing Secret Key.",
    105: "User authentication failed.",
    106: "Exceeded daily method call limit.",
    107: "Exceeded per second method call limit.",
    201: "Missing method signature.",
    202: "Missing params array.",
    203: "Missing header array.",
    204: "Invalid method signature.",
    205: "Invalid parameters.",
    206: "Missing parameters.",
    207: "Missing objects array.",
    208: "Object is malformed (expected array, got scalar).",
    209: "Attempting to execute an excess amount of queries.",
    210: "Got array, expected variable.",
    211: "Only custom fields can be deleted.",
    212: "Object is not owned by the company.",
    213: "The lead you tried to add is already a member.",
    214: "The lead you tried to add does not exist for this account.",
    215: "You have supplied an invalid country code.",
    301: "Entry already exists.",
    302: "No table rows affected.",
    404: "A record with that ID does not exist.",
    999: "Unknown error.",
}

# The body of the HTTP 401 the vendor sends for an unknown account id / secret key pair
# (LEADGEN_API.md §1 [1]). A client seen in the wild json-decodes the body and compares it to
# this sentence, so it is sent as a JSON string.
UNAUTHORIZED_BODY = "Unable to determine clusterID from provided accountID/secretKey"


def error_body(code: int, data=None, message: str | None = None) -> dict:
    return {"code": code, "message": message or MESSAGES.get(code, MESSAGES[999]), "data": data}


def param_problem(param: str, message: str, valid_format: dict | None = None) -> dict:
    """One entry of `data.params`, as in the vendor's documented 205 example."""
    entry = {"param": param, "message": message}
    if valid_format is not None:
        entry["validFormat"] = valid_format
    return entry


class CallError(Exception):
    """An API-level error: the call as a whole is refused."""

    def __init__(self, code: int, data=None, message: str | None = None) -> None:
        super().__init__(f"{code}: {message or MESSAGES.get(code)}")
        self.body = error_body(code, data if data is not None else [], message)

    @classmethod
    def invalid(cls, param: str, message: str, valid_format: dict | None = None) -> CallError:
        return cls(205, {"params": [param_problem(param, message, valid_format)]})

    @classmethod
    def missing(cls, param: str) -> CallError:
        return cls(206, {"params": [param_problem(param, "Missing required parameter")]})


class ObjectError(Exception):
    """An object-level error: one object of a bulk write fails, the others go on."""

    def __init__(self, code: int, data=None, message: str | None = None) -> None:
        super().__init__(f"{code}: {message or MESSAGES.get(code)}")
        self.body = error_body(code, data if data is not None else [], message)

    @classmethod
    def invalid(cls, param: str, message: str, valid_format: dict | None = None) -> ObjectError:
        return cls(205, {"params": [param_problem(param, message, valid_format)]})

    @classmethod
    def missing(cls, param: str) -> ObjectError:
        return cls(206, {"params": [param_problem(param, "Missing required field")]})
