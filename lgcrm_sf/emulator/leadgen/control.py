"""The Lead Gen & CRM part of the control surface: /_emulator/leadgen/... on the same server and
with the same `X-Emulator-Token` as the Salesforce part (emulator/control.py routes here). NOT
part of the vendor's API; calls here are not counted by the limits.

    GET    info                 url, account id, secret key, seed
    POST   reset                {seed: empty|demo}: wipe the account (same credentials), default
                                settings, no faults, counters zeroed
    POST   rotate-secret        a new secret key (the old one gets HTTP 401)
    GET    settings / POST      rate_per_second, daily_limit, used_today, page_order,
                                date_range_max_limit, write_error_envelope, api_encoding_quirk,
                                order_salt
    GET    counters / DELETE    calls (total, by method), max_per_second, rejected_rate,
                                rejected_daily, unauthorized, used_today, limits
    GET    faults / POST / DELETE   see faults.py
    POST   clock                {now, frozen, advance, real}: the emulator's one clock
    POST   leads                {leads: [...]}: import (values as given, timestamps settable)
    GET    leads/<id>           {lead}: as getLead shows it (inactive too), or null
    PATCH  leads/<id>           {values, typed=true}: a marketer edits it in the web app
    DELETE leads/<id>           a marketer deletes it
    POST   generate             {count, spread_seconds=0, active=true}: bulk leads for benchmarks
    POST   form                 {email, fields, form_name, url}: a form fill
    POST   campaign             {leads, subject, opened, clicks}: an e-mail campaign
    POST   page-visit           {lead, url, referrer}
    POST   events               {lead, source, name, what_id, what_type, data, at}: any event type
    POST   fields               {label, dataType, relationship}: a custom field
    POST   users                {firstName, lastName, emailAddress, isActive}; PATCH users/<id>
    POST   lists                {name, leads}: an active list with members
"""

from __future__ import annotations

from ..clock import parse_datetime
from ..errors import ApiError
from . import webapp
from .call import DEFAULT_SETTINGS, Call
from .errors import CallError, ObjectError
from .leads import edit_as_user
from .reads import get_lead
from .schema import TIMESTAMP_FORMAT

ORDERS = ("unstable", "stable")
ENVELOPES = ("list", "empty", "null")


class LeadGenControl:
    def __init__(self, leadgen) -> None:
        self.leadgen = leadgen  # the LeadGen bundle (__init__.py): account, api, limits

    def now(self):
        return self.leadgen.clock_source().now()

    def stamp(self) -> str:
        return self.now().strftime(TIMESTAMP_FORMAT)

    def route(self, method: str, parts: list[str], body: dict):
        try:
            return self._route(method, parts, body)
        except (CallError, ObjectError) as exc:
            raise ValueError(exc.body) from None  # the control surface answers 400

    def _route(self, method: str, parts: list[str], body: dict):
        lg, account = self.leadgen, self.leadgen.account
        head = parts[0] if parts else ""
        rest = parts[1:]
        if head == "info":
            return lg.info()
        if head == "reset" and method == "POST":
            lg.reset(body.get("seed", "empty"))
            return lg.info()
        if head == "rotate-secret" and method == "POST":
            account.rotate_secret()
            return lg.info()
        if head == "settings":
            if method == "POST":
                self.settings(body)
            return self.current_settings()
        if head == "counters":
            if method == "DELETE":
                lg.limits.reset_counters()
            return lg.limits.snapshot()
        if head == "faults":
            if method == "POST":
                for spec in body if isinstance(body, list) else [body]:
                    lg.api.faults.add(spec)
            elif method == "DELETE":
                lg.api.faults.clear()
            return lg.api.faults.summary()
        if head == "clock" and method == "POST":
            return self.clock(body)
        if head == "leads":
            return self.leads(method, rest, body)
        if head == "generate" and method == "POST":
            return webapp.generate(
                account,
                int(body["count"]),
                self.now(),
                int(body.get("spread_seconds", 0)),
                bool(body.get("active", True)),
            )
        if head == "form" and method == "POST":
            kw = {k: body[k] for k in ("form_name", "url") if k in body}
            return webapp.fill_form(
                account, body["email"], body.get("fields") or {}, self.stamp(), **kw
            )
        if head == "campaign" and method == "POST":
            clicks = [{"lead": int(c["lead"]), "url": c["url"]} for c in body.get("clicks") or []]
            return webapp.send_campaign(
                account,
                [int(i) for i in body["leads"]],
                self.stamp(),
                body.get("subject", "Novidades de junho"),
                [int(i) for i in body.get("opened") or []],
                clicks,
            )
        if head == "page-visit" and method == "POST":
            event_id = webapp.page_visit(
                account, int(body["lead"]), body["url"], self.stamp(), body.get("referrer")
            )
            return {"event_id": event_id}
        if head == "events" and method == "POST":
            kw = {k: body[k] for k in ("name", "what_id", "what_type", "data", "at") if k in body}
            return {
                "event_id": webapp.add_event(
                    account, int(body["lead"]), body["source"], self.stamp(), **kw
                )
            }
        if head == "fields" and method == "POST":
            field_id, name = account.add_custom_field(
                body.get("relationship", "lead"), body["label"], body.get("dataType", "text")
            )
            return {"id": field_id, "systemName": name}
        if head == "users":
            return self.users(method, rest, body)
        if head == "lists" and method == "POST":
            leads = [int(i) for i in body.get("leads") or []]
            return {"id": webapp.create_list(account, body["name"], leads, self.stamp())}
        raise ApiError(404, "NOT_FOUND", f"no control resource leadgen/{'/'.join(parts)}")

    # --- pieces ------------------------------------------------------------------------------
    def current_settings(self) -> dict:
        lg = self.leadgen
        return {
            **lg.api.settings,
            "rate_per_second": lg.limits.rate_per_second,
            "daily_limit": lg.limits.daily_limit,
            "used_today": lg.limits.used_today,
            "order_salt": lg.account.meta["order_salt"],
        }

    def settings(self, body: dict) -> None:
        lg = self.leadgen
        known = set(DEFAULT_SETTINGS) | {
            "rate_per_second",
            "daily_limit",
            "used_today",
            "order_salt",
        }
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}")
        if body.get("page_order", "unstable") not in ORDERS:
            raise ValueError(f"page_order: use one of {ORDERS}")
        if body.get("write_error_envelope", "list") not in ENVELOPES:
            raise ValueError(f"write_error_envelope: use one of {ENVELOPES}")
        lg.limits.set(body.get("rate_per_second"), body.get("daily_limit"))
        if "used_today" in body:
            lg.limits.set_used_today(body["used_today"], self.now())
        if "order_salt" in body:
            with lg.account.lock:
                lg.account.set_meta("order_salt", str(body["order_salt"]))
                lg.account.conn.execute("UPDATE lead SET order_key = NULL")  # recomputed below
                rows = lg.account.conn.execute("SELECT id, rev FROM lead").fetchall()
                lg.account.conn.executemany(
                    "UPDATE lead SET order_key = ? WHERE id = ?",
                    [(lg.account.order_key(i, rev), i) for i, rev in rows],
                )
                lg.account.lead_version += 1
        for key in DEFAULT_SETTINGS:
            if key in body:
                lg.api.settings[key] = body[key]

    def clock(self, body: dict) -> dict:
        clock = self.leadgen.clock_source()
        if body.get("real"):
            clock.real()
        if "now" in body:
            clock.set(parse_datetime(body["now"]), frozen=body.get("frozen", True))
        if "advance" in body:
            clock.advance(float(body["advance"]))
        return {"now": self.stamp()}

    def leads(self, method: str, rest: list[str], body: dict):
        account = self.leadgen.account
        if not rest and method == "POST":
            return {"ids": webapp.import_leads(account, body["leads"], self.stamp())}
        lead_id = int(rest[0])
        if method == "GET":
            found = get_lead(Call(account, {"id": lead_id}, self.stamp(), {})).result["lead"]
            found = found.value()
            return {"lead": found[0] if found else None}
        if method == "PATCH":
            changed = edit_as_user(
                account, lead_id, body.get("values") or {}, self.stamp(), body.get("typed", True)
            )
            return {"changed": changed}
        if method == "DELETE":
            if not account.delete_lead(lead_id):
                raise KeyError(f"no lead {lead_id}")
            return None
        raise ApiError(405, "METHOD_NOT_ALLOWED", method)

    def users(self, method: str, rest: list[str], body: dict):
        account = self.leadgen.account
        if not rest and method == "POST":
            user_id = webapp.add_user(
                account,
                body["firstName"],
                body["lastName"],
                body["emailAddress"],
                self.stamp(),
                bool(body.get("isActive", True)),
            )
            return {"id": user_id}
        if rest and method == "PATCH":
            changes = {k: str(int(body[k])) for k in ("isActive", "isReadOnly") if k in body}
            if not account.exists("user_profile", int(rest[0])):
                raise KeyError(f"no user {rest[0]}")
            account.update("user_profile", int(rest[0]), changes)
            return None
        raise ApiError(405, "METHOD_NOT_ALLOWED", method)
