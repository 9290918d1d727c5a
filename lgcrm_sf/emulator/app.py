"""The WSGI application: routing, sessions, API counting, fault injection and error shapes.

Everything under /services/... behaves as Salesforce does; /_emulator/... is the control
surface for tests and the demo (see control.py) and is not part of Salesforce's API; /pubapi/...
is the Lead Gen & CRM Open API (leadgen/, set as `leadgen` by the server).
"""

from __future__ import annotations

import json
import socket
import threading

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from . import auth, composite, downgrade, metadata, rest, search, soap, usage
from .bulk import BulkJobs
from .bulk1 import Bulk1
from .errors import ApiError, RecordError
from .faults import Faults
from .relationships import children_of
from .store import Org
from .tooling import Tooling

MIN_VERSION, MAX_VERSION = 50, 66
VERSIONS = [f"{v}.0" for v in range(MIN_VERSION, MAX_VERSION + 1)]
RELEASES = {
    50: "Winter '21",
    51: "Spring '21",
    52: "Summer '21",
    53: "Winter '22",
    54: "Spring '22",
    55: "Summer '22",
    56: "Winter '23",
    57: "Spring '23",
    58: "Summer '23",
    59: "Winter '24",
    60: "Spring '24",
    61: "Summer '24",
    62: "Winter '25",
    63: "Spring '25",
    64: "Summer '25",
    65: "Winter '26",
    66: "Spring '26",
}

DATA_RULES = [
    Rule("/", endpoint="resources", methods=["GET"]),
    Rule("/limits", endpoint="limits", methods=["GET"]),
    Rule("/limits/recordCount", endpoint="record_count", methods=["GET"]),
    Rule("/sobjects", endpoint="describe_global", methods=["GET"]),
    Rule("/sobjects/<obj>", endpoint="sobject", methods=["GET", "POST"]),
    Rule("/sobjects/<obj>/describe", endpoint="describe", methods=["GET"]),
    Rule("/sobjects/<obj>/updated", endpoint="updated", methods=["GET"]),
    Rule("/sobjects/<obj>/deleted", endpoint="deleted", methods=["GET"]),
    Rule("/sobjects/<obj>/<record_id>", endpoint="record", methods=["GET", "PATCH", "DELETE"]),
    Rule(
        "/sobjects/<obj>/<field>/<path:value>",
        endpoint="by_external_id",
        methods=["GET", "PATCH", "POST", "DELETE"],
    ),
    Rule("/query", endpoint="query", methods=["GET"], defaults={"resource": "query"}),
    Rule("/queryAll", endpoint="query", methods=["GET"], defaults={"resource": "queryAll"}),
    Rule(
        "/query/<locator>", endpoint="query_more", methods=["GET"], defaults={"resource": "query"}
    ),
    Rule(
        "/queryAll/<locator>",
        endpoint="query_more",
        methods=["GET"],
        defaults={"resource": "queryAll"},
    ),
    Rule("/composite", endpoint="composite", methods=["POST"]),
    Rule("/composite/tree/<obj>", endpoint="composite_tree", methods=["POST"]),
    Rule("/tooling/query", endpoint="tooling_query", methods=["GET"]),
    Rule("/tooling/queryAll", endpoint="tooling_query", methods=["GET"]),
    Rule("/tooling/sobjects", endpoint="tooling_sobjects", methods=["GET"]),
    Rule("/tooling/sobjects/<obj>/describe", endpoint="tooling_describe", methods=["GET"]),
    Rule("/search", endpoint="search", methods=["GET"]),
    Rule("/parameterizedSearch", endpoint="parameterized_search", methods=["GET", "POST"]),
    Rule("/composite/sobjects", endpoint="collection", methods=["POST", "PATCH", "DELETE"]),
    Rule("/composite/sobjects/<obj>", endpoint="collection_retrieve", methods=["GET", "POST"]),
    Rule("/composite/sobjects/<obj>/<field>", endpoint="collection_upsert", methods=["PATCH"]),
    Rule("/jobs/query", endpoint="query_jobs", methods=["GET", "POST"]),
    Rule("/jobs/query/<job_id>", endpoint="query_job", methods=["GET", "PATCH", "DELETE"]),
    Rule("/jobs/query/<job_id>/results", endpoint="query_results", methods=["GET"]),
    Rule("/jobs/ingest", endpoint="ingest_jobs", methods=["GET", "POST"]),
    Rule("/jobs/ingest/<job_id>", endpoint="ingest_job", methods=["GET", "PATCH", "DELETE"]),
    Rule("/jobs/ingest/<job_id>/batches", endpoint="ingest_upload", methods=["PUT"]),
    Rule("/jobs/ingest/<job_id>/<kind>", endpoint="ingest_results", methods=["GET"]),
]


def _cut(response: Response, limit: int, request: Request) -> Response:
    """The real response, with its full Content-Length, broken off after `limit` bytes: the
    client sees a connection that died mid-body."""
    body = response.get_data()
    sock = request.environ.get("werkzeug.socket")

    def broken():
        yield body[:limit]
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionAbortedError("cut by an injected fault")

    cut = Response(broken(), status=response.status_code, headers=dict(response.headers))
    cut.headers["Content-Length"] = str(len(body))
    return cut


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(data),
        status=status,
        headers=headers,
        content_type="application/json;charset=UTF-8",
    )


def http_error_response(exc: HTTPException) -> Response:
    """An unknown resource or method, in Salesforce's words (not the WSGI server's)."""
    if exc.code == 404:
        return error_response(ApiError(404, "NOT_FOUND", "The requested resource does not exist"))
    return json_response(
        [
            {
                "message": exc.description or exc.name,
                "errorCode": "METHOD_NOT_ALLOWED",
                "fields": [],
            }
        ],
        exc.code or 405,
    )


def error_response(exc: ApiError) -> Response:
    return json_response(exc.errors, exc.status)


def xml_response(status: int, body: str) -> Response:
    return Response(body, status=status, content_type="text/xml;charset=UTF-8")


class SalesforceApp:
    def __init__(self, org: Org, workdir: str, control=None) -> None:
        self.workdir = workdir
        self.control = control  # the control surface handler (control.py)
        self.leadgen = None  # the Lead Gen & CRM endpoint (leadgen/app.py), set by the server
        self.base_url = ""  # https://127.0.0.1:PORT, set once the port is known
        # Requests being handled now (the control surface's own apart): tests wait for a held
        # request to finish on the server by this, not by sleeping.
        self.inflight = 0
        self._inflight_lock = threading.Lock()
        self.data_map = Map(
            [r.empty() for r in DATA_RULES],
            strict_slashes=False,
            merge_slashes=False,
            redirect_defaults=False,
        )
        self.use_org(org)

    def use_org(self, org: Org) -> None:
        """Serve this org from now on; sessions, cursors, jobs and faults start afresh."""
        self.org = org
        self.sessions = auth.Sessions(org)
        self.cursors = rest.Cursors()
        self.bulk = BulkJobs(org, self.workdir)
        self.bulk1 = Bulk1(org, self.workdir, self.sessions)
        self.tooling = Tooling(org)
        self.faults = Faults()

    # --- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        control = request.path.startswith("/_emulator/")
        if not control:
            with self._inflight_lock:
                self.inflight += 1
        try:
            return self._respond(request, environ, start_response)
        finally:
            if not control:
                with self._inflight_lock:
                    self.inflight -= 1

    def _respond(self, request: Request, environ, start_response):
        try:
            response = self.dispatch(request)
        except ApiError as exc:
            response = error_response(exc)
        except HTTPException as exc:
            response = http_error_response(exc)
        except Exception as exc:  # noqa: BLE001 - Salesforce answers 500 UNKNOWN_EXCEPTION
            response = json_response(
                [
                    {
                        "message": f"An unexpected error occurred: {type(exc).__name__}: {exc}",
                        "errorCode": "UNKNOWN_EXCEPTION",
                        "fields": [],
                    }
                ],
                500,
            )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        self.org.request.auto_assign = False  # only a REST data call may run assignment rules
        if path.startswith("/_emulator/"):
            return self.control(request)
        if path.startswith("/pubapi/") and self.leadgen is not None:
            return self.leadgen(request)  # its own limits and faults
        redirected = downgrade.redirect(self.org.settings, self.base_url, request)
        if redirected is not None:
            return redirected
        fault = self.faults.pick(request.method, path)
        if fault is not None:
            if fault.latency_ms:
                self.faults.hold(fault)
            if fault.drop:
                self._drop(request)
            elif fault.cut_after_bytes is not None:
                response = self.dispatch_clean(request)
                return _cut(response, fault.cut_after_bytes, request)
            elif fault.status:
                if "/Soap/" in path:
                    return xml_response(
                        fault.status,
                        auth.soap_fault(fault.error_code, fault.message, "UnexpectedErrorFault"),
                    )
                raise ApiError(fault.status, fault.error_code, fault.message)
        return self.dispatch_clean(request)

    def dispatch_clean(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/services/Soap/u/"):
            status, body = soap.partner_call(
                self.org,
                self.sessions,
                request.get_data(),
                downgrade.base_url(self.org.settings, self.base_url, "soap"),
                path.split("/")[4],
            )
            return xml_response(status, body)
        if path.startswith("/services/Soap/m/"):
            return self.metadata_call(request)
        if path.rstrip("/") == "/services/oauth2/token" and request.method == "POST":
            return self.oauth_token(request)
        if path.rstrip("/") == "/services/oauth2/userinfo":
            session = self.sessions.check(request.headers.get("Authorization"))
            return json_response(
                auth.userinfo(self.org, session.user_id, self.base_url, VERSIONS[-1])
            )
        if path.startswith("/id/"):
            session = self.sessions.check(request.headers.get("Authorization"))
            parts = path.strip("/").split("/")
            if len(parts) != 3 or parts[2] != session.user_id:
                raise ApiError(403, "INSUFFICIENT_ACCESS", "Bad_Id")
            return json_response(
                auth.identity(self.org, session.user_id, self.base_url, VERSIONS[-1])
            )
        if path.rstrip("/") == "/services/data":
            # The versions resource needs no session and does not count against limits.
            return json_response(
                [
                    {"label": RELEASES[int(float(v))], "url": f"/services/data/v{v}", "version": v}
                    for v in VERSIONS
                ]
            )
        if path.startswith("/services/data/v"):
            return self.data_call(request)
        if path.startswith("/services/async/"):
            return self.bulk1(request)
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")

    @staticmethod
    def _drop(request: Request) -> None:
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        raise ConnectionAbortedError("dropped by an injected fault")

    # --- auth-only endpoints ----------------------------------------------------------------
    def oauth_token(self, request: Request) -> Response:
        audiences = (self.base_url, "https://login.salesforce.com", "https://test.salesforce.com")
        try:
            result = auth.token(
                self.org,
                self.sessions,
                request.form.to_dict(),
                request.headers.get("Authorization"),
                downgrade.base_url(self.org.settings, self.base_url, "oauth"),
                audiences,
            )
        except auth.OAuthError as exc:
            return json_response(
                {"error": exc.error, "error_description": exc.description}, exc.status
            )
        return json_response(result)

    def metadata_call(self, request: Request) -> Response:
        body = request.get_data()
        token = metadata.session_id(body)
        try:
            self.sessions.check(f"Bearer {token}" if token else None)
            self.org.spend_api_call()
        except ApiError as exc:
            return xml_response(500, auth.soap_fault(exc.code, exc.message, "UnexpectedErrorFault"))
        status, text = metadata.handle(self.org, body)
        return xml_response(status, text)

    # --- REST ---------------------------------------------------------------------------------
    def data_call(self, request: Request) -> Response:
        rest_path = request.path[len("/services/data/v") :]
        version, _, tail = rest_path.partition("/")
        try:
            major = float(version)
        except ValueError:
            major = 0
        if not MIN_VERSION <= major <= MAX_VERSION or f"{major:.1f}" != version:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        session = self.sessions.check(request.headers.get("Authorization"))
        creds = self.org.settings["users"].get(session.user_id, {})
        if creds.get("password_expired"):
            raise ApiError(
                403,
                "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
                "The users password has expired, you must call SetPassword before attempting any "
                "other API operations",
            )
        self.org.spend_api_call()
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
        # The REST API runs active assignment rules unless told otherwise (default TRUE).
        self.org.request.auto_assign = (
            request.headers.get("Sforce-Auto-Assign", "TRUE").strip().upper() != "FALSE"
        )
        response = self.route_data(request, session.user_id, version, tail)
        response.headers["Sforce-Limit-Info"] = self.org.api_usage
        return response

    def route_data(self, request: Request, user_id: str, version: str, tail: str) -> Response:
        # Salesforce accepts resource paths with or without a trailing slash.
        route = "/" + tail.rstrip("/")
        endpoint, args = self.data_map.bind("").match(route, method=request.method)
        try:
            return getattr(self, "do_" + endpoint)(request, user_id, version, **args)
        except ApiError as exc:
            return error_response(exc)

    def subrequest(self, user_id: str, method: str, url: str, body, headers: dict):
        """One Composite subrequest, served like a REST call of the same session (it spends
        no API call of its own): (status, headers, JSON body or None)."""
        prefix = "/services/data/v"
        path = url.split("?", 1)[0]
        version, _, tail = path[len(prefix) :].partition("/")
        if not path.startswith(prefix) or not tail or version not in VERSIONS:
            exc = ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            return exc.status, {}, exc.errors
        if tail.strip("/") == "composite":
            exc = ApiError(400, "INVALID_INPUT", "A composite request can't contain composite")
            return exc.status, {}, exc.errors
        data = json.dumps(body).encode() if body is not None else None
        builder = EnvironBuilder(
            path=url, method=method, headers=headers, data=data, content_type="application/json"
        )
        request = Request(builder.get_environ())
        try:
            response = self.route_data(request, user_id, version, tail)
        except HTTPException as exc:
            response = http_error_response(exc)
        text = response.get_data()
        answer = json.loads(text) if text else None
        out_headers = {}
        if response.status_code == 201 and isinstance(answer, dict) and answer.get("id"):
            obj = tail.strip("/").split("/")[1] if tail.startswith("sobjects/") else None
            if obj:
                out_headers["Location"] = f"{prefix}{version}/sobjects/{obj}/{answer['id']}"
        return response.status_code, out_headers, answer

    def do_resources(self, request, user_id, version):
        base = f"/services/data/v{version}"
        return json_response(
            {
                name: f"{base}/{name}"
                for name in (
                    "sobjects",
                    "query",
                    "queryAll",
                    "search",
                    "parameterizedSearch",
                    "limits",
                    "composite",
                    "jobs",
                    "tooling",
                )
            }
        )

    def do_limits(self, request, user_id, version):
        return json_response(usage.limits(self.org))

    def do_record_count(self, request, user_id, version):
        return json_response(usage.record_counts(self.org, request.args.get("sObjects")))

    def do_composite(self, request, user_id, version):
        body = rest.parse_json(request.get_data())
        return json_response(
            composite.run_composite(self.org, body, lambda *call: self.subrequest(user_id, *call))
        )

    def do_composite_tree(self, request, user_id, version, obj):
        body = rest.parse_json(request.get_data())
        status, result = composite.create_tree(self.org, user_id, obj, body)
        return json_response(result, status)

    def do_tooling_query(self, request, user_id, version):
        text = request.args.get("q")
        if not text:
            raise ApiError(400, "MALFORMED_QUERY", "A query string is required (q=)")
        return json_response(self.tooling.query(text, version))

    def do_tooling_sobjects(self, request, user_id, version):
        return json_response(self.tooling.describe_global(version))

    def do_tooling_describe(self, request, user_id, version, obj):
        return json_response(self.tooling.describe(obj, version))

    def do_describe_global(self, request, user_id, version):
        return json_response(rest.describe_global(self.org, version))

    def do_sobject(self, request, user_id, version, obj):
        if request.method == "POST":
            if request.mimetype == "multipart/form-data":
                body = rest.multipart_body(self.org.sobject(obj), request)
            else:
                body = rest.parse_json(request.get_data())
            return json_response(rest.create(self.org, user_id, obj, body), 201)
        return json_response(rest.sobject_basic(self.org, obj, version))

    def do_describe(self, request, user_id, version, obj):
        sobject = self.org.sobject(obj)
        described = sobject.describe(version)
        described["childRelationships"] = children_of(self.org.schema, sobject.name)
        return json_response(described)

    def do_updated(self, request, user_id, version, obj):
        return json_response(
            rest.updated_or_deleted(
                self.org, obj, "updated", request.args.get("start"), request.args.get("end")
            )
        )

    def do_deleted(self, request, user_id, version, obj):
        return json_response(
            rest.updated_or_deleted(
                self.org, obj, "deleted", request.args.get("start"), request.args.get("end")
            )
        )

    def do_record(self, request, user_id, version, obj, record_id):
        sobject = self.org.sobject(obj)
        if request.method == "GET":
            row = self.org._live_row(sobject, record_id)
            fields = request.args.get("fields")
            names = [f.strip() for f in fields.split(",")] if fields else None
            return json_response(self.org.record(sobject, row, version, names))
        if request.method == "PATCH":
            # A blob is updated as it is inserted: base64 text in JSON, or multipart/form-data
            # (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_insert_update_blob.htm).
            if request.mimetype == "multipart/form-data":
                body = rest.multipart_body(sobject, request)
            else:
                body = rest.parse_json(request.get_data())
            if not isinstance(body, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of SObject")
            self.org.update(sobject.name, record_id, body, user_id)
            return Response(status=204)
        self.org.delete(sobject.name, record_id, user_id)
        return Response(status=204)

    def do_by_external_id(self, request, user_id, version, obj, field, value):
        sobject = self.org.sobject(obj)
        if request.method in ("PATCH", "POST"):
            body = rest.parse_json(request.get_data())
            status, result = rest.upsert(self.org, user_id, sobject.name, field, value, body)
            if status == 300:
                return json_response([u.replace("{version}", version) for u in result], 300)
            return json_response(result, status)
        blob = sobject.field(value)
        if request.method == "GET" and blob is not None and blob.type == "base64":
            # sobjects/{Obj}/{id}/{blobField}: the bytes of a base64 field.
            data = rest.blob(self.org, sobject, field, blob)
            return Response(data, content_type="application/octetstream")
        f = sobject.field(field)
        if f is None or not f.external_id:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        matches = self.org.find_ids(sobject, f.name, value)
        if not matches:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if len(matches) > 1:
            return json_response(
                [f"/services/data/v{version}/sobjects/{sobject.name}/{m}" for m in matches], 300
            )
        if request.method == "DELETE":
            self.org.delete(sobject.name, matches[0], user_id)
            return Response(status=204)
        return json_response(self.org.record(sobject, self.org.row(sobject, matches[0]), version))

    def do_query(self, request, user_id, version, resource):
        text = request.args.get("q")
        if not text:
            raise ApiError(400, "MALFORMED_QUERY", "A query string is required (q=)")
        if (request.args.get("columns") or "").lower() == "true":
            return json_response(rest.query_columns(self.org, text, resource == "queryAll"))
        batch = rest.batch_size(request.headers.get("Sforce-Query-Options"))
        return json_response(
            rest.run_query(
                self.org, self.cursors, text, resource == "queryAll", version, batch, resource
            )
        )

    def do_search(self, request, user_id, version):
        text = request.args.get("q")
        if not text:
            raise ApiError(
                400,
                "MALFORMED_SEARCH",
                "No search term found. The search term must be enclosed in braces.",
            )
        return json_response(search.run_sosl(self.org, text, version))

    def do_parameterized_search(self, request, user_id, version):
        if request.method == "POST":
            params = rest.parse_json(request.get_data())
            if not isinstance(params, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        else:
            params = {k: v[0] if k != "sobject" else v for k, v in request.args.lists()}
        return json_response(search.parameterized(self.org, params, version))

    def do_query_more(self, request, user_id, version, resource, locator):
        return json_response(rest.query_more(self.org, self.cursors, locator, resource))

    def do_collection(self, request, user_id, version):
        if request.method == "DELETE":
            ids = [i for i in (request.args.get("ids") or "").split(",") if i]
            if not ids:
                raise ApiError(400, "MISSING_ARGUMENT", "ids is required")
            all_or_none = (request.args.get("allOrNone") or "false").lower() == "true"
            return json_response(rest.collection_delete(self.org, user_id, ids, all_or_none))
        body = rest.parse_json(request.get_data())
        return json_response(rest.collection_write(self.org, user_id, request.method, body))

    def do_collection_upsert(self, request, user_id, version, obj, field):
        body = rest.parse_json(request.get_data())
        sobject = self.org.sobject(obj)
        f = sobject.field(field)
        if f is None or not (f.external_id or f.name == "Id"):
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"Field name provided, {field} is not an External ID or indexed field for "
                f"{sobject.name}",
            )
        return json_response(
            rest.collection_write(self.org, user_id, "PATCH", body, sobject.name, f.name, version)
        )

    def do_collection_retrieve(self, request, user_id, version, obj):
        if request.method == "POST":
            body = rest.parse_json(request.get_data()) or {}
            ids, fields = body.get("ids") or [], body.get("fields") or []
        else:
            ids = [i for i in (request.args.get("ids") or "").split(",") if i]
            fields = [f for f in (request.args.get("fields") or "").split(",") if f]
        return json_response(rest.collection_retrieve(self.org, obj, ids, fields, version))

    # --- Bulk API 2.0 -------------------------------------------------------------------------
    def do_query_jobs(self, request, user_id, version):
        if request.method == "GET":
            return json_response(self.bulk.list("query"))
        body = rest.parse_json(request.get_data()) or {}
        return json_response(self.bulk.create_query(body, version, user_id))

    def do_query_job(self, request, user_id, version, job_id):
        job = self.bulk.get(job_id, "query")
        if request.method == "DELETE":
            self.bulk.delete(job)
            return Response(status=204)
        if request.method == "PATCH":
            body = rest.parse_json(request.get_data()) or {}
            return json_response(self.bulk.set_state(job, body.get("state", "")))
        return json_response(self.bulk.describe(job))

    def do_query_results(self, request, user_id, version, job_id):
        job = self.bulk.get(job_id, "query")
        locator = request.args.get("locator") or None
        max_records = request.args.get("maxRecords")
        try:
            max_records = int(max_records) if max_records else None
        except ValueError:
            raise ApiError(400, "INVALIDJOB", "maxRecords must be a number") from None
        chunks, length, next_locator, count = self.bulk.query_results(job, locator, max_records)
        response = Response(
            chunks,
            status=200,
            content_type="text/csv",
            direct_passthrough=True,
            headers={"Sforce-Locator": next_locator, "Sforce-NumberOfRecords": str(count)},
        )
        response.headers["Content-Length"] = str(length)
        return response

    def do_ingest_jobs(self, request, user_id, version):
        if request.method == "GET":
            return json_response(self.bulk.list("ingest"))
        body = rest.parse_json(request.get_data()) or {}
        return json_response(self.bulk.create_ingest(body, version, user_id, self.base_url))

    def do_ingest_job(self, request, user_id, version, job_id):
        job = self.bulk.get(job_id, "ingest")
        if request.method == "DELETE":
            self.bulk.delete(job)
            return Response(status=204)
        if request.method == "PATCH":
            body = rest.parse_json(request.get_data()) or {}
            return json_response(self.bulk.set_state(job, body.get("state", "")))
        return json_response(self.bulk.describe(job))

    def do_ingest_upload(self, request, user_id, version, job_id):
        job = self.bulk.get(job_id, "ingest")
        self.bulk.upload(job, request.get_data())
        return Response(status=201)

    def do_ingest_results(self, request, user_id, version, job_id, kind):
        # Documented as unprocessedrecords; clients also send unprocessedRecords.
        names = {
            "successfulresults": "successfulResults",
            "failedresults": "failedResults",
            "unprocessedrecords": "unprocessedrecords",
        }
        if kind.lower() not in names:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        kind = names[kind.lower()]
        job = self.bulk.get(job_id, "ingest")
        return Response(self.bulk.ingest_results(job, kind), content_type="text/csv")


__all__ = ["SalesforceApp", "RecordError", "VERSIONS"]
