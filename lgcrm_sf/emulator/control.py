"""The control surface: /_emulator/... on the same server. NOT part of Salesforce's API.

It lets tests, the demo and benchmarks act as Salesforce users and admins would (edit, delete,
undelete, merge, convert), reseed the org, set the clock, read and set API usage, change org
settings and inject faults. Every call needs the header `X-Emulator-Token` printed at start.
/_emulator/leadgen/... does the same for the Lead Gen & CRM account (leadgen/control.py).
"""

from __future__ import annotations

import hmac
import json

from werkzeug.wrappers import Request, Response

from . import downgrade
from .clock import parse_datetime, sf_datetime
from .convert import LeadConvert, convert_lead
from .errors import ApiError

SETTABLE = {
    "api_enabled",
    "require_security_token",
    "session_idle_seconds",
    "api_max",
    "api_used",
    "password_expiration",
    "session_levels",
    "lead_auto_response_rules",
    "fail_next_bulk_jobs",
    "fail_bulk_message",
    "lead_assignment_owner",
    "downgrade_urls",  # None, or some of "soap", "oauth", "redirect" (downgrade.py)
    # Bulk allocations spent today (see usage.py), and their daily maxima.
    "bulk_batches_used",
    "bulk_batches_max",
    "bulk_v2_query_jobs_used",
    "bulk_v2_query_jobs_max",
    "bulk_v2_query_storage_mb_used",
    "bulk_v2_query_storage_mb_max",
}


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


class Control:
    def __init__(self, server) -> None:
        self.server = server  # the Emulator: owns the org, app and credentials

    @property
    def org(self):
        return self.server.org

    @property
    def app(self):
        return self.server.app

    def __call__(self, request: Request) -> Response:
        token = request.headers.get("X-Emulator-Token", "")
        if not hmac.compare_digest(token, self.server.control_token):
            return _json({"error": "missing or wrong X-Emulator-Token"}, 403)
        parts = request.path.strip("/").split("/")[1:]
        body = json.loads(request.get_data() or b"{}")
        try:
            result = self.route(request.method, parts, body)
        except ApiError as exc:
            return _json({"error": exc.message, "errorCode": exc.code}, exc.status)
        except (KeyError, ValueError, TypeError) as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return _json(result if result is not None else {"ok": True})

    def _user(self, body: dict) -> str:
        """Act as the named user (username) or, by default, the org's admin user."""
        username = body.get("as")
        if username:
            row = self.org.conn.execute(
                'SELECT "Id" FROM "User" WHERE "Username" = ?', (username,)
            ).fetchone()
            if row is None:
                raise ValueError(f"no user {username}")
            return row[0]
        return self.server.credentials["users"]["admin"]

    def route(self, method: str, parts: list[str], body: dict):
        org, head = self.org, parts[0] if parts else ""
        if head == "info" and method == "GET":
            return self.server.info
        if head == "inflight" and method == "GET":
            return {"inflight": self.app.inflight}
        if head == "reset" and method == "POST":
            self.server.reset(
                body.get("seed", "empty"),
                body.get("custom_fields"),
                body.get("edition", "Enterprise Edition"),
                body.get("username"),
                body.get("org_name"),
                body.get("leadgen_seed"),
            )
            return self.server.info
        if head == "snapshot" and method == "POST":
            self.server.snapshot(body["name"])
            return None
        if head == "restore" and method == "POST":
            self.server.restore(body["name"])
            return self.server.info
        if head == "leadgen":
            return self.server.leadgen.control.route(method, parts[1:], body)
        if head == "records":
            obj = parts[1]
            values = body.get("values", {})
            system = bool(body.get("system", False))
            if method == "POST":
                return {"id": org.insert(obj, values, self._user(body), system=system)}
            if method == "PATCH":
                org.update(obj, parts[2], values, self._user(body), system=system)
                return None
            if method == "DELETE":
                org.delete(obj, parts[2], self._user(body))
                return None
            if method == "GET":
                sobject = org.sobject(obj)
                row = org.row(sobject, parts[2])
                return org.record(sobject, row, "59.0") if row else None
        if head == "undelete":
            return {"undeleted": org.undelete(parts[1], self._user(body))}
        if head == "hard-delete":
            org.hard_delete(parts[1])
            return None
        if head == "merge":
            org.merge(body["object"], body["master"], body["duplicates"], self._user(body))
            return None
        if head == "convert":  # the same conversion as the SOAP API's convertLead()
            request = LeadConvert(
                lead_id=body["lead"],
                converted_status=body.get("converted_status"),
                account_id=body.get("account"),
                contact_id=body.get("contact"),
                do_not_create_opportunity=not body.get("create_opportunity", True),
                opportunity_name=body.get("opportunity_name"),
                owner_id=body.get("owner"),
                overwrite_lead_source=bool(body.get("overwrite_lead_source", False)),
            )
            return convert_lead(org, request, self._user(body))
        if head == "clock":
            if body.get("real"):
                org.clock.real()
            if "now" in body:
                org.clock.set(parse_datetime(body["now"]), frozen=body.get("frozen", True))
            if "advance" in body:
                org.clock.advance(float(body["advance"]))
            return {"now": sf_datetime(org.clock.now())}
        if head == "usage":
            if method == "POST":
                for key in ("used", "max"):
                    if key in body:
                        org.settings[f"api_{key}"] = int(body[key])
            return {"used": org.settings["api_used"], "max": org.settings["api_max"]}
        if head == "settings":
            if method == "POST":
                unknown = set(body) - SETTABLE - {"edition", "users"}
                if unknown:
                    raise ValueError(f"unknown settings {sorted(unknown)}")
                for key, value in body.items():
                    if key == "edition":
                        org.conn.execute(
                            'UPDATE "Organization" SET "OrganizationType" = ?', (value,)
                        )
                    elif key == "users":  # {username: {password_expired, locked, ...}}
                        for username, changes in value.items():
                            uid = self._user({"as": username})
                            org.settings["users"].setdefault(uid, {}).update(changes)
                    elif key == "downgrade_urls":
                        org.settings[key] = downgrade.kinds(value)
                    else:
                        org.settings[key] = value
                org.save_meta()
            return {k: org.settings[k] for k in SETTABLE if k in org.settings}
        if head == "faults":
            if method == "POST":
                specs = body if isinstance(body, list) else [body]
                for spec in specs:
                    self.app.faults.add(spec)
            elif method == "DELETE":
                self.app.faults.clear()
            return self.app.faults.summary()
        if head == "sessions" and parts[1:] == ["expire"]:
            return {"expired": self.app.sessions.expire_all()}
        if head == "generate":
            return {"created": org.generate(body["object"], int(body["count"]), self._user(body))}
        if head == "custom-fields":
            org.add_custom_field(body["object"], body["field"])
            org.save_meta()
            return None
        if head == "validation-rules":
            if method == "DELETE":
                org.settings["validation_rules"] = []
            else:
                rule = {k: body[k] for k in ("object", "name", "condition", "message")}
                rule.update(field=body.get("field"), active=body.get("active", True))
                org.sobject(rule["object"])
                from .query import compile_condition

                compile_condition(
                    rule["condition"], org.sobject(rule["object"]), org.schema, org.clock.today()
                )
                org.settings["validation_rules"].append(rule)
            org.save_meta()
            return org.settings["validation_rules"]
        if head == "jwt-certificate":
            app = org.settings["connected_apps"][body["consumer_key"]]
            app["certificate"] = body["certificate"]
            org.save_meta()
            return None
        if head == "refresh-token":
            import secrets

            token = "5Aep" + secrets.token_urlsafe(60)
            org.settings["refresh_tokens"][token] = self._user({"as": body["username"]})
            return {"refresh_token": token}
        raise ApiError(404, "NOT_FOUND", f"no control resource {'/'.join(parts)}")


class ControlClient:
    """A small client for the control surface, used by tests, the demo and the benchmarks."""

    def __init__(self, info: dict) -> None:
        import requests

        self.base = info["instance_url"] + "/_emulator"
        self.session = requests.Session()
        self.session.trust_env = False  # never let REQUESTS_CA_BUNDLE or proxies interfere
        self.session.verify = info["ca_bundle"]
        self.session.headers["X-Emulator-Token"] = info["control_token"]

    def call(self, method: str, path: str, body=None):
        response = self.session.request(method, f"{self.base}/{path}", json=body, timeout=600)
        data = response.json()
        if response.status_code >= 400:
            raise RuntimeError(f"emulator control {method} {path}: {data}")
        return data

    def reset(self, seed: str = "empty", **kw) -> dict:
        return self.call("POST", "reset", {"seed": seed, **kw})

    def snapshot(self, name: str) -> None:
        """Keep the org as it is now under `name`; restore(name) brings it back."""
        self.call("POST", "snapshot", {"name": name})

    def restore(self, name: str) -> dict:
        return self.call("POST", "restore", {"name": name})

    def create(self, sobject: str, values: dict, **kw) -> str:
        return self.call("POST", f"records/{sobject}", {"values": values, **kw})["id"]

    def update(self, sobject: str, record_id: str, values: dict, **kw) -> None:
        self.call("PATCH", f"records/{sobject}/{record_id}", {"values": values, **kw})

    def delete(self, sobject: str, record_id: str) -> None:
        self.call("DELETE", f"records/{sobject}/{record_id}")

    def get(self, sobject: str, record_id: str) -> dict | None:
        return self.call("GET", f"records/{sobject}/{record_id}")

    def undelete(self, record_id: str) -> list[str]:
        """Undelete as an admin in the UI would; returns the ids restored with it."""
        return self.call("POST", f"undelete/{record_id}")["undeleted"]

    def hard_delete(self, record_id: str) -> None:
        """Purge a record (and what its delete took with it), as emptying the recycle bin does."""
        self.call("POST", f"hard-delete/{record_id}")

    def merge(self, sobject: str, master: str, duplicates: list[str]) -> None:
        self.call("POST", "merge", {"object": sobject, "master": master, "duplicates": duplicates})

    def convert(self, lead: str, **kw) -> dict:
        """Convert a lead as a user would: keywords account, contact, create_opportunity,
        opportunity_name, converted_status (default: the org's converted status), owner,
        overwrite_lead_source. Returns leadId, accountId, contactId, opportunityId."""
        return self.call("POST", "convert", {"lead": lead, **kw})

    def clock(self, **kw) -> str:
        return self.call("POST", "clock", kw)["now"]

    def inflight(self) -> int:
        """Requests the server is handling now (the control surface's apart)."""
        return self.call("GET", "inflight")["inflight"]

    def usage(self, **kw) -> dict:
        return self.call("POST" if kw else "GET", "usage", kw or None)

    def settings(self, **kw) -> dict:
        return self.call("POST", "settings", kw)

    def fault(self, **spec) -> None:
        self.call("POST", "faults", spec)

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")

    def expire_sessions(self) -> int:
        return self.call("POST", "sessions/expire")["expired"]

    def generate(self, sobject: str, count: int) -> int:
        return self.call("POST", "generate", {"object": sobject, "count": count})["created"]

    def add_custom_field(self, sobject: str, **spec) -> None:
        self.call("POST", "custom-fields", {"object": sobject, "field": spec})

    def add_validation_rule(
        self, sobject: str, name: str, condition: str, message: str, field: str | None = None
    ) -> None:
        self.call(
            "POST",
            "validation-rules",
            {
                "object": sobject,
                "name": name,
                "condition": condition,
                "message": message,
                "field": field,
            },
        )

    def clear_validation_rules(self) -> None:
        self.call("DELETE", "validation-rules")

    def register_jwt_certificate(self, consumer_key: str, certificate_pem: str) -> None:
        self.call(
            "POST",
            "jwt-certificate",
            {"consumer_key": consumer_key, "certificate": certificate_pem},
        )

    def refresh_token(self, username: str) -> str:
        return self.call("POST", "refresh-token", {"username": username})["refresh_token"]

    # --- the Lead Gen & CRM account (/_emulator/leadgen/..., see leadgen/control.py) ---------
    def lg(self, method: str, path: str, body=None):
        return self.call(method, f"leadgen/{path}", body)

    def lg_info(self) -> dict:
        """{url, account_id, secret_key, seed}"""
        return self.lg("GET", "info")

    def lg_reset(self, seed: str = "empty") -> dict:
        return self.lg("POST", "reset", {"seed": seed})

    def lg_rotate_secret(self) -> str:
        return self.lg("POST", "rotate-secret")["secret_key"]

    def lg_settings(self, **kw) -> dict:
        return self.lg("POST" if kw else "GET", "settings", kw or None)

    def lg_counters(self) -> dict:
        return self.lg("GET", "counters")

    def lg_reset_counters(self) -> dict:
        return self.lg("DELETE", "counters")

    def lg_fault(self, **spec) -> None:
        self.lg("POST", "faults", spec)

    def lg_faults(self) -> list[dict]:
        return self.lg("GET", "faults")

    def lg_clear_faults(self) -> None:
        self.lg("DELETE", "faults")

    def lg_clock(self, **kw) -> str:
        """The emulator's one clock (same as clock()), answered as `Y-m-d H:i:s`."""
        return self.lg("POST", "clock", kw)["now"]

    def lg_create_leads_raw(self, leads: list[dict]) -> list[int]:
        return self.lg("POST", "leads", {"leads": leads})["ids"]

    def lg_get_lead(self, lead_id: int) -> dict | None:
        return self.lg("GET", f"leads/{lead_id}")["lead"]

    def lg_edit_lead(self, lead_id: int, values: dict, typed: bool = True) -> bool:
        return self.lg("PATCH", f"leads/{lead_id}", {"values": values, "typed": typed})["changed"]

    def lg_delete_lead(self, lead_id: int) -> None:
        self.lg("DELETE", f"leads/{lead_id}")

    def lg_generate(self, count: int, spread_seconds: int = 0, active: bool = True) -> dict:
        body = {"count": count, "spread_seconds": spread_seconds, "active": active}
        return self.lg("POST", "generate", body)

    def lg_fill_form(self, email: str, fields: dict | None = None, **kw) -> dict:
        return self.lg("POST", "form", {"email": email, "fields": fields or {}, **kw})

    def lg_send_campaign(self, leads: list[int], **kw) -> dict:
        return self.lg("POST", "campaign", {"leads": leads, **kw})

    def lg_page_visit(self, lead: int, url: str, referrer: str | None = None) -> int:
        body = {"lead": lead, "url": url, "referrer": referrer}
        return self.lg("POST", "page-visit", body)["event_id"]

    def lg_add_event(self, lead: int, source: str, **kw) -> int:
        return self.lg("POST", "events", {"lead": lead, "source": source, **kw})["event_id"]

    def lg_add_field(self, label: str, data_type: str = "text", relationship: str = "lead") -> dict:
        body = {"label": label, "dataType": data_type, "relationship": relationship}
        return self.lg("POST", "fields", body)

    def lg_add_user(self, first: str, last: str, email: str, active: bool = True) -> int:
        body = {"firstName": first, "lastName": last, "emailAddress": email, "isActive": active}
        return self.lg("POST", "users", body)["id"]

    def lg_set_user(self, user_id: int, **changes) -> None:
        self.lg("PATCH", f"users/{user_id}", changes)

    def lg_create_list(self, name: str, leads: list[int]) -> int:
        return self.lg("POST", "lists", {"name": name, "leads": leads})["id"]
