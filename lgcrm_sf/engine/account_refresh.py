"""Account mode, first phase: our copy of the account brought up to date through the API, so the
engine's phases run against it unchanged (issue 14 §3). Users from getUserProfiles (daily, or
when none is known), leads changed since the cursor by getLeadsDateRange windows
(leadgen/api/windows.py), engagements by getEventsByType from the createTimestamp cursor, and
once a day (or with --reconcile) every linked id looked up with getLeads by id: an id missing
is a lead deleted in the account, unlinked and reported, never deleted in Salesforce.

Killed at any point, a rerun reads the same changes again: applying an account lead to the copy
is idempotent (by account id, then e-mail), events are kept by id. Cursors hold the account's
own timestamps (`Y-m-d H:i:s`, UTC) and are re-read inclusively, so a change made in the same
second as the last one seen is not missed."""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable

from ..clock import parse
from ..i18n import _
from ..leadgen.api import names, values
from ..leadgen.api.read_ahead import ReadAhead
from ..leadgen.api.windows import ChangedLeads, to_seconds, to_stamp
from .context import Sync
from .report import ACCOUNT

OnPage = Callable[[list[dict], list[int], float | None], None]
DAILY = datetime.timedelta(days=1)
CURSOR_LEADS, CURSOR_EVENTS = "account:leads", "account:events"
CURSOR_RECONCILE = "reconcile:account"
# The account's event sources and our kinds (the engagement switches name ours).
EVENT_KINDS = {
    "formSubmit": "form_submission",
    "emailSent": "email_sent",
    "emailOpened": "email_open",
    "emailClick": "email_click",
    "pageVisit": "page_visit",
}
DELETED = "deleted in the Lead Gen & CRM account (lead {lead})"
INACTIVE = "inactive in the Lead Gen & CRM account"


def refresh_copy(sync: Sync, on_page: OnPage | None = None) -> None:
    """`on_page` is told, once each batch of leads is in the copy, the people it created (active
    ones, as read from it), the account ids of its leads, and about how much of the read is done
    (0 to 1, or None when not known)."""
    daily = reconcile_due(sync)
    first_read = sync.state.cursors.get(CURSOR_LEADS) is None
    sync.progress("reading the Lead Gen & CRM account")
    if daily or not sync.leadgen.account_user_ids():
        refresh_users(sync)
    refresh_leads(sync, on_page)
    if "engagements" in sync.options.only:
        refresh_events(sync)
    if daily and not first_read:
        reconcile(sync)
    elif first_read:  # every lead was just read: nothing linked before that could be gone
        with sync.state.conn:
            sync.state.cursors.set(CURSOR_RECONCILE, sync.signpost)
    with sync.state.conn:
        sync.state.meta.set("account_refreshed_at", sync.signpost)


def reconcile_due(sync: Sync) -> bool:
    last = sync.state.cursors.get(CURSOR_RECONCILE)
    return sync.options.reconcile or last is None or parse(sync.signpost) - parse(last) >= DAILY


def refresh_users(sync: Sync) -> None:
    users = [names.decode_user(u) for u in sync.account.get_user_profiles()]
    with sync.state.conn:
        for user in users:
            if user["email"]:
                sync.leadgen.apply_account_user(user)


def refresh_leads(sync: Sync, on_page: OnPage | None = None) -> None:
    """The leads changed since the cursor, read ahead (leadgen/api/read_ahead.py) and put into
    the copy in transactions of about a chunk of leads (each commit syncs to disk)."""
    owners = {acct: ours for ours, acct in sync.leadgen.account_user_ids().items()}
    cursor = sync.state.cursors.get(CURSOR_LEADS)
    windows: ChangedLeads | None = None

    def pages_of(client):  # the reading thread's own client
        nonlocal windows
        windows = ChangedLeads(client)
        return (_decoded(page, owners) for page in windows.since(cursor))

    newest, leads = None, []
    with ReadAhead(sync.account, pages_of) as ahead:
        for page, page_newest in ahead:
            newest = max(newest or "", page_newest)
            leads += page
            if len(leads) >= sync.tuning.chunk:
                _apply_leads(sync, leads, on_page, windows.share_read)
                leads = []
    _apply_leads(sync, leads, on_page, 1.0)
    if newest:
        with sync.state.conn:
            sync.state.cursors.set(CURSOR_LEADS, _next_start(sync, newest))


def _decoded(page: list[dict], owners: dict) -> tuple[list[dict], str]:
    """A page of API leads as our people (those with an e-mail; the owner as our user id),
    and the newest update time it holds (the account's own text)."""
    leads, newest = [], ""
    for raw in page:
        lead = names.decode_lead(raw, names.custom_names(raw))
        if not lead["email"]:
            continue
        newest = max(newest, raw.get("updateTimestamp") or "")
        owner = lead["values"].get("owner_user_id")
        lead["values"]["owner_user_id"] = owners.get(owner) if owner else None
        leads.append(lead)
    return leads, newest


def _apply_leads(sync: Sync, leads: list[dict], on_page, share_read: float | None) -> None:
    if not leads:
        return
    created = [] if on_page is not None else None
    with sync.state.conn:
        for outcome in sync.leadgen.apply_account_leads(leads, sync.signpost, created):
            sync.report.count(ACCOUNT, f"read_{outcome}")
    if on_page is not None:
        on_page(created, [lead["account_id"] for lead in leads], share_read)


def _next_start(sync: Sync, newest: str) -> str:
    """Where the next read starts: the newest second seen, again (a change later in that same
    second must not be missed), unless the account's own clock (its Date header) is already
    two seconds past it: then that second is complete and reading it again (maybe thousands of
    leads one createLeads or updateLeads stamped in it) would be waste."""
    second = to_seconds(newest)
    server = sync.account.transport.server_time
    return to_stamp(second + 1) if server is not None and server >= second + 2 else newest


def refresh_events(sync: Sync) -> None:
    since = sync.state.cursors.get(CURSOR_EVENTS) or "2000-01-01 00:00:00"
    newest = None
    for page in sync.account.events_since(since, list(EVENT_KINDS)):
        with sync.state.conn:
            for event in page:
                person = sync.leadgen.by_account_id(int(event["leadID"]))
                kind = EVENT_KINDS.get(event.get("eventSource"))
                newest = max(newest or "", event.get("createTimestamp") or "")
                if person is None or kind is None:
                    continue
                occurred = values.api_time_to_iso(event["createTimestamp"])
                if sync.leadgen.add_event(
                    f"acct-{event['id']}", person["id"], kind, occurred, event_details(event)
                ):
                    sync.report.count(ACCOUNT, "events_read")
    if newest:
        with sync.state.conn:
            sync.state.cursors.set(CURSOR_EVENTS, newest)


def event_details(event: dict) -> dict:
    """What the engagement Tasks show: the form, the e-mail's subject (and its send, so the
    first click of a link is told per e-mail), the URL."""
    data = event.get("eventData")
    if isinstance(data, str):
        try:
            data = ast.literal_eval(data)  # formSubmit's single-quoted JSON-like string (§5)
        except (ValueError, SyntaxError):
            data = {"raw": data}
    data = data if isinstance(data, dict) else {}
    name = values.text(event.get("eventName")) or ""
    title = name.split(": ", 1)[1] if ": " in name else name
    details = {"url": values.text(data.get("url") or data.get("formURL")) or None}
    source = event.get("eventSource")
    if source == "formSubmit":
        details["form_name"] = title
    elif source and source.startswith("email"):
        details["email_name"] = f"{title} ({event.get('whatID')})" if event.get("whatID") else title
    else:
        details["title"] = title
    return {k: v for k, v in details.items() if v is not None}


def reconcile(sync: Sync) -> None:
    """Every linked account id looked up (a lookup by id finds inactive leads too)."""
    sync.progress("checking every linked lead in the account")
    for chunk in sync.leadgen.linked_account_ids(500):
        found = {int(r["id"]): r for r in sync.account.get_leads_by_id(list(chunk))}
        with sync.state.conn:
            for lead_id, person_id in chunk.items():
                lead = found.get(lead_id)
                if lead is None:
                    account_deleted(sync, person_id, lead_id)
                elif values.flag(lead.get("active")) is False:
                    person = sync.leadgen.get(person_id)
                    if person["active"]:
                        sync.leadgen.deactivate_from_account(person_id, INACTIVE, sync.signpost)
                        sync.report.count(ACCOUNT, "deactivated_in_account")
    with sync.state.conn:
        sync.state.cursors.set(CURSOR_RECONCILE, sync.signpost)


def account_deleted(sync: Sync, person_id: int, lead_id: int) -> None:
    """Unlinked and reported; the Salesforce record is left alone."""
    person = sync.leadgen.get(person_id)
    reason = DELETED.format(lead=lead_id)
    sync.leadgen.unlink_account(person_id, reason, sync.signpost)
    sync.state.links.unlink(person_id)
    sync.report.count(ACCOUNT, "unlinked_deleted_in_account")
    sync.report.say(
        _("{email}: {reason}; unlinked, its Salesforce record is left as it is.").format(
            email=person["email"], reason=reason
        )
    )
