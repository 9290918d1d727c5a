"""What marketers do in the Lead Gen & CRM web app, for the control surface: leads fill forms,
receive e-mail campaigns (and open them, click links), visit pages; users are added; leads are
imported, edited, deleted. Each action writes what the vendor would record, events included.

Choices [inf]: a form fill creates the lead when the e-mail is unknown, re-activates an inactive
one (the help article: a deactivated lead comes back by filling a form) and writes the fields
given, as submitted (not HTML-encoded); no leadCreation event is recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..seed import COMPANIES, FIRST, LAST, _ascii
from . import events
from .leads import apply_changes, insert_lead, lead_values
from .schema import LEAD_FIELDS, TIMESTAMP_FORMAT
from .store import Account


def fill_form(
    account: Account,
    email: str,
    fields: dict,
    now: str,
    form_name: str = "Fale conosco",
    url: str = "https://www.acme-brasil.example/contato",
) -> dict:
    with account.atomic():
        values = lead_values(account, {**fields, "emailAddress": email})
        row = account.lead_by_email(email)
        created = reactivated = False
        if row is None:
            lead_id, created = insert_lead(account, values, now), True
        else:
            lead_id = row["id"]
            reactivated = row["active"] != "1"
            values.pop("emailAddress")  # the e-mail as first stored stays
            apply_changes(account, row, {**values, "active": "1"}, now)
        form_id = account.allocate("form")[0]
        submitted = {"emailAddress": email, **fields}
        event_id = events.record(
            account,
            lead_id,
            "formSubmit",
            f"Form submission: {form_name}",
            now,
            what_id=form_id,
            what_type="form",
            data=events.quoted_data({**submitted, "formURL": url}),
        )
    return {
        "lead_id": lead_id,
        "event_id": event_id,
        "created": created,
        "reactivated": reactivated,
    }


def send_campaign(
    account: Account,
    lead_ids: list[int],
    now: str,
    subject: str = "Novidades de junho",
    opened: list[int] = (),
    clicks: list[dict] = (),
) -> dict:
    """emailSent for every lead, emailOpened for `opened`, one emailClick per entry of `clicks`
    ({"lead": id, "url": link}; the same link may be clicked again)."""
    with account.atomic():
        for lead_id in {*lead_ids, *opened, *(c["lead"] for c in clicks)}:
            if not account.exists("lead", int(lead_id)):
                raise KeyError(f"no lead {lead_id}")
        job = account.allocate("email_job")[0]
        made = {"emailSent": [], "emailOpened": [], "emailClick": []}
        for lead_id in lead_ids:
            made["emailSent"].append(
                events.record(
                    account,
                    lead_id,
                    "emailSent",
                    f"Email sent: {subject}",
                    now,
                    job,
                    "emailJob",
                    {"isDelivered": "1", "isOpened": "1" if lead_id in opened else "0"},
                )
            )
        for lead_id in opened:
            made["emailOpened"].append(
                events.record(
                    account,
                    lead_id,
                    "emailOpened",
                    f"Email opened: {subject}",
                    now,
                    job,
                    "emailJob",
                )
            )
        for click in clicks:
            made["emailClick"].append(
                events.record(
                    account,
                    click["lead"],
                    "emailClick",
                    f"Email link clicked: {subject}",
                    now,
                    job,
                    "emailJob",
                    {"url": click["url"], "referrer": None},
                )
            )
    return {"email_job_id": job, "events": made}


def page_visit(
    account: Account, lead_id: int, url: str, now: str, referrer: str | None = None
) -> int:
    if not account.exists("lead", lead_id):
        raise KeyError(f"no lead {lead_id}")
    data = {"url": url, "referrer": referrer}
    return events.record(account, lead_id, "pageVisit", f"Page visit: {url}", now, None, None, data)


def add_event(account: Account, lead_id: int, source: str, now: str, **kw) -> int:
    if not account.exists("lead", lead_id):
        raise KeyError(f"no lead {lead_id}")
    name = kw.pop("name", None) or source
    return events.record(account, lead_id, source, name, kw.pop("at", None) or now, **kw)


def add_user(
    account: Account,
    first: str,
    last: str,
    email: str,
    now: str,
    active: bool = True,
    read_only: bool = False,
    timezone: str = "America/Sao_Paulo",
) -> int:
    if account.rows('SELECT 1 FROM user_profile WHERE "emailAddress" = ? COLLATE NOCASE', (email,)):
        raise ValueError(f"a user with e-mail {email} already exists")
    return account.insert(
        "user_profile",
        {
            "firstName": first,
            "lastName": last,
            "displayName": f"{first} {last}",
            "emailAddress": email,
            "isActive": "1" if active else "0",
            "isReadOnly": "1" if read_only else "0",
            "timezone": timezone,
            "createTimestamp": now,
        },
    )


def create_list(account: Account, name: str, lead_ids: list[int], now: str, description="") -> int:
    with account.atomic():
        list_id = account.insert(
            "active_list",
            {"name": name, "description": description, "isActive": "1", "createTimestamp": now},
        )
        for lead_id in lead_ids:
            if not account.exists("lead", int(lead_id)):
                raise KeyError(f"no lead {lead_id}")
            account.insert(
                "list_member",
                {"listID": str(list_id), "leadID": str(lead_id), "createTimestamp": now},
            )
    return list_id


def import_leads(account: Account, leads: list[dict], now: str) -> list[int]:
    """Leads as the import tool brings them: values as given (not encoded); createTimestamp,
    updateTimestamp and active may be set, so tests can build any date range."""
    ids = []
    with account.atomic():
        for lead in leads:
            lead = dict(lead)
            created = lead.pop("createTimestamp", None) or now
            updated = lead.pop("updateTimestamp", None) or created
            values = lead_values(account, lead)
            if not values.get("emailAddress"):
                raise ValueError("emailAddress is required")
            if account.lead_by_email(values["emailAddress"]) is not None:
                raise ValueError(f"a lead with e-mail {values['emailAddress']} already exists")
            lead_id = insert_lead(account, values, created)
            if updated != created:
                account.update("lead", lead_id, {"updateTimestamp": updated})
            ids.append(lead_id)
    return ids


def generate(
    account: Account,
    count: int,
    now: datetime,
    spread_seconds: int = 0,
    active: bool = True,
) -> dict:
    """`count` leads straight into SQLite (benchmarks: 100,000 in a few seconds). Timestamps are
    `now`, or spread evenly over the `spread_seconds` before it. Names and companies cycle
    through the demo's lists, so a run repeats exactly."""
    ids = account.allocate("lead", count)
    base = now - timedelta(seconds=spread_seconds)
    names = [(f, _ascii(f)) for f in FIRST]
    lasts = [(n, _ascii(n)) for n in LAST]
    cities = ["São Paulo", "Recife", "Curitiba", "Salvador"]
    flag = "1" if active else "0"
    stamps: dict[int, str] = {}
    rows = []
    for n, lead_id in enumerate(ids):
        (first, first_ascii), (last, last_ascii) = names[n % 20], lasts[(n // 20) % 10]
        offset = spread_seconds * n // max(count, 1)
        stamp = stamps.get(offset)
        if stamp is None:
            stamp = stamps[offset] = (base + timedelta(seconds=offset)).strftime(TIMESTAMP_FORMAT)
        rows.append(
            (
                lead_id,
                first,
                last,
                f"{first_ascii}.{last_ascii}.{lead_id}@bench.example.com",
                COMPANIES[n % 10],
                cities[n % 4],
                flag,
                stamp,
                stamp,
                account.order_key(lead_id, 0),
            )
        )
    defaults = {
        f.name: f.default for f in LEAD_FIELDS if f.default is not None and f.name != "active"
    }
    with account.atomic():
        account.conn.executemany(
            'INSERT INTO lead (id, "firstName", "lastName", "emailAddress", "companyName", "city", '
            '"active", "createTimestamp", "updateTimestamp", order_key, rev) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            rows,
        )
        # The defaults of a created lead (leadStatus, leadScore, ...), set in one statement:
        # this batch's ids are the only ones between its first and last (ids only grow).
        sets = ", ".join(f'"{k}" = ?' for k in defaults)
        account.conn.execute(
            f"UPDATE lead SET {sets} WHERE id BETWEEN ? AND ?",
            (*defaults.values(), ids[0], ids[-1]) if ids else (*defaults.values(), 0, -1),
        )
        account.lead_version += 1
    return {
        "created": count,
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
    }
