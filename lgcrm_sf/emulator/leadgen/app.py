"""The Lead Gen & CRM Open API v1.2 endpoint: `POST /pubapi/v1.2/?accountID=..&secretKey=..`
with a JSON envelope `{"method", "params", "id"}` (LEADGEN_API.md §1-§3).

Order of checks, each answered as the vendor does (errors inside HTTP 200 bodies):
1. the path: only /pubapi/v1.2/ is emulated; /pubapi/v1/ (which reads dates in the company's
   time zone) and anything else get HTTP 404 with a plain sentence saying so;
2. credentials from the query string: none -> 103, no secret -> 104, a wrong pair -> HTTP 401
   with the body "Unable to determine clusterID from provided accountID/secretKey" (a JSON
   string); credentials repeated in a body `header` are accepted and ignored;
3. limits (limits.py): every authenticated call is counted, a malformed one too; 106 for the
   day, 107 for the second;
4. injected faults (faults.py);
5. the envelope: not a JSON object -> 101, no id -> 102, no method -> 201, unknown method ->
   204, no params -> 202;
6. the method. Reads answer `error: null`, writes and list-member reads `error: []` (or the
   failed objects' errors, see call.DEFAULT_SETTINGS["write_error_envelope"]); the request id
   is echoed as sent.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ..app import SalesforceApp, _cut
from . import catalog, events, leads, reads, sales
from .call import DEFAULT_SETTINGS, Answer, Call, dumps
from .errors import UNAUTHORIZED_BODY, CallError, error_body
from .faults import UNAVAILABLE_BODY, Faults
from .limits import Limits
from .schema import TIMESTAMP_FORMAT
from .store import Account

PATH = "/pubapi/v1.2/"
METHODS: dict[str, Callable[[Call], Answer]] = {
    **reads.METHODS,
    **leads.METHODS,
    **events.METHODS,
    **sales.METHODS,
    **catalog.METHODS,
}


def _json(data, status: int = 200) -> Response:
    # UTF-8 as is (PHP's json_encode would write \u00e3; both decode the same).
    return Response(dumps(data), status=status, content_type="application/json; charset=utf-8")


def envelope(result, error, request_id, has_more: bool | None = None) -> Response:
    body = {"result": result, "error": error, "id": request_id}
    if has_more is not None:
        # Both next to and inside `result` (§2; rmuit Connection::call calls it a bug).
        body["hasMore"] = has_more
        result["hasMore"] = has_more
    return _json(body)


def refusal(code: int, request_id, data=None) -> Response:
    return envelope(None, error_body(code, data if data is not None else []), request_id)


class LeadGenApi:
    def __init__(self, account: Account, limits: Limits, clock_source: Callable) -> None:
        self.account = account
        self.limits = limits
        self.clock_source = clock_source
        self.faults = Faults()
        self.settings = dict(DEFAULT_SETTINGS)

    def restore(self) -> None:
        """What a reset does to the endpoint: default settings, no faults, counters zeroed."""
        self.settings = dict(DEFAULT_SETTINGS)
        self.faults.clear()
        self.limits.restore()

    def __call__(self, request: Request) -> Response:
        if request.path != PATH and request.path.rstrip("/") != PATH.rstrip("/"):
            return Response(
                "lgcrm-sf emulator: only the Lead Gen & CRM Open API v1.2 is emulated, at "
                f"{PATH} (v1 reads dates in the company's time zone).\n",
                status=404,
                content_type="text/plain",
            )
        body, request_id = self._parse(request.get_data())
        account_id = request.args.get("accountID", "")
        secret = request.args.get("secretKey", "")
        if not account_id:
            return refusal(103, request_id)
        if not secret:
            return refusal(104, request_id)
        if not (
            hmac.compare_digest(account_id, self.account.account_id)
            and hmac.compare_digest(secret, self.account.secret_key)
        ):
            self.limits.count_unauthorized()
            return _json(UNAUTHORIZED_BODY, 401)
        method = body.get("method") if isinstance(body, dict) else None
        method = method if isinstance(method, str) else ""
        now = self.clock_source().now()
        refused = self.limits.admit(method, now)
        if refused:
            return refusal(refused, request_id)
        fault = self.faults.pick(method)
        if fault is not None:
            if fault.latency_ms:
                self.faults.hold(fault)
            if fault.drop:
                SalesforceApp._drop(request)
            if fault.cut_after_bytes is not None:
                response = self.run(body, request_id, now.strftime(TIMESTAMP_FORMAT))
                return _cut(response, fault.cut_after_bytes, request)
            if fault.code is not None:
                return envelope(None, error_body(fault.code, [], fault.message), request_id)
            if fault.unavailable:
                return Response(UNAVAILABLE_BODY, status=503, content_type="text/html")
            if fault.status is not None:
                return Response(fault.body or "", status=fault.status, content_type="text/html")
        return self.run(body, request_id, now.strftime(TIMESTAMP_FORMAT))

    @staticmethod
    def _parse(raw: bytes):
        try:
            body = json.loads(raw or b"")
        except (ValueError, UnicodeDecodeError):
            return None, None
        request_id = body.get("id") if isinstance(body, dict) else None
        return body, request_id

    def run(self, body, request_id, now: str) -> Response:
        if not isinstance(body, dict):
            return refusal(101, None)
        if request_id in (None, ""):
            return refusal(102, None)
        method = body.get("method")
        if not method:
            return refusal(201, request_id)
        handler = METHODS.get(method) if isinstance(method, str) else None
        if handler is None:
            return refusal(204, request_id)
        if "params" not in body:
            return refusal(202, request_id)
        params = body["params"]
        if params == [] or params is None:
            params = {}  # PHP sends an empty hash as []
        if not isinstance(params, dict):
            return refusal(
                205, request_id, {"params": [{"param": "params", "message": "Expected a hash"}]}
            )
        call = Call(self.account, params, now, self.settings)
        try:
            answer = handler(call)
        except CallError as exc:
            return envelope(None, exc.body, request_id)
        except Exception as exc:  # noqa: BLE001 - a crash is the vendor's 999, with a clue
            return refusal(999, request_id, {"exception": f"{type(exc).__name__}: {exc}"})
        error = None
        if answer.write:
            mode = self.settings["write_error_envelope"]
            failed = [r["error"] for r in answer.object_results if r.get("error")]
            error = None if mode == "null" else (failed if mode == "list" else [])
        return envelope(answer.result, error, request_id, answer.has_more)
