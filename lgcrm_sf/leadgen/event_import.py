"""The import tool's events: marketing events (form fills, e-mail sends, opens, clicks, page
visits) from CSV, or JSON (an array of objects, or JSON lines), recorded once each on the person
they name. A form fill creates a lead that does not exist yet, and brings a deactivated one back
(the help article: a lead deleted in Salesforce comes back through a form fill or a re-import)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..i18n import _
from .columns import spelling
from .csv_records import CsvFile
from .fields import normalise_email
from .import_run import Rejects, apply_in_batches, check_encoding, require_file
from .json_records import labelled, open_json_records
from .local_times import LocalTimes
from .store import EVENT_KINDS, LeadGenStore

EVENT_TYPES = {
    "formsubmission": "form_submission",
    "form": "form_submission",
    "formfill": "form_submission",
    "formsubmit": "form_submission",
    "emailsent": "email_sent",
    "sent": "email_sent",
    "send": "email_sent",
    "emailopen": "email_open",
    "open": "email_open",
    "opened": "email_open",
    "emailopened": "email_open",
    "emailclick": "email_click",
    "click": "email_click",
    "clicked": "email_click",
    "linkclick": "email_click",
    "pagevisit": "page_visit",
    "visit": "page_visit",
    "pageview": "page_visit",
}
DETAIL_KEYS = {
    "form_name": ["formname", "form"],
    "page_url": ["pageurl", "page"],
    "email_name": ["emailname", "email_subject", "emailsubject", "campaign", "subject"],
    "url": ["url", "link", "linkurl", "href"],
    "title": ["title", "pagetitle"],
}
_DETAILS = {s: k for k, spellings in DETAIL_KEYS.items() for s in [spelling(x) for x in spellings]}
_TIME_KEYS = {"occurredat", "time", "timestamp", "date", "datetime", "at", "when"}
_EVENT_KEYS = {"type", "kind", "event", "email", "emailaddress"} | _TIME_KEYS


@dataclass
class EventReport(Rejects):
    file: str
    rows: int = 0
    recorded: int = 0
    duplicates: int = 0
    leads_created: int = 0
    reactivated: int = 0
    bad: int = 0
    bad_rows: list[dict] = field(default_factory=list)
    time_zone: str = "UTC"  # where a time without an offset was read (the profile's zone)


def _looks_like_event(data: dict) -> bool:
    """Whether an object has any key an event is read from (a lone object without one, say
    {"events": [...]}, is not an events file)."""
    return any(spelling(str(key)) in _EVENT_KEYS for key in data)


def _event_rows(path: Path, encoding: str):
    """(line, (index, dict)) pairs from a CSV or JSON events file, or (line, reason) for a
    record that could not be read; the index is a JSON array element's (None elsewhere)."""
    require_file(path)
    check_characters = check_encoding(path, encoding)
    records = open_json_records(path, encoding, _looks_like_event)
    if records is not None:
        with records:
            yield from records
        return
    with CsvFile(path, encoding, check_characters) as source:
        header = source.header
        for line, row in source.rows():
            if isinstance(row, str):
                yield line, row
            elif len(row) != len(header):
                yield (
                    line,
                    _("has {count} fields, the header has {header}").format(
                        count=len(row), header=len(header)
                    ),
                )
            else:
                yield line, (None, dict(zip(header, row, strict=True)))


def import_events(
    store: LeadGenStore, path: Path, encoding: str = "utf-8", times: LocalTimes | None = None
) -> EventReport:
    """`times`: how the profile reads a time (its language's date form, its zone)."""
    path = Path(path)
    times = times or LocalTimes()
    report = EventReport(path.name, time_zone=times.zone)

    def apply(item: tuple[int | None, dict]) -> str | None:
        index, data = item
        reason = _import_event(store, data, report, times)
        return labelled(index, reason) if reason else reason

    apply_in_batches(store.db.conn, _event_rows(path, encoding), apply, report)
    if report.rows == 0:
        raise DataError(
            _("{file} holds no events.").format(file=path.name),
            _("give a file with one event a row."),
        )
    return report


def _import_event(
    store: LeadGenStore, data: dict, report: EventReport, times: LocalTimes
) -> str | None:
    fields = {spelling(str(k)): ("" if v is None else str(v)) for k, v in data.items()}
    kind = EVENT_TYPES.get(
        spelling(fields.get("type") or fields.get("kind") or fields.get("event") or "")
    )
    if kind is None:
        named = fields.get("type") or fields.get("kind") or ""
        return _("unknown event type {kind!r}: use one of {kinds}").format(
            kind=named, kinds=", ".join(EVENT_KINDS)
        )
    try:
        email = normalise_email(fields.get("email") or fields.get("emailaddress"))
    except ValueError:
        return _("not an e-mail address: {value!r}").format(value=fields.get("email"))
    if email is None:
        return _("no e-mail")
    when = next((fields[k] for k in _TIME_KEYS if fields.get(k)), None)
    if not when:
        return _("no time (occurred_at)")
    try:
        occurred = times.parse(when)
    except ValueError:
        return _("time {value!r} is not a date and time (ISO 8601, or {example})").format(
            value=when, example=times.example
        )
    details = {key: fields[s] for s, key in _DETAILS.items() if fields.get(s)}
    event_id = (
        fields.get("id")
        or fields.get("eventid")
        or hashlib.sha256(
            json.dumps([email, kind, occurred, sorted(details.items())]).encode()
        ).hexdigest()[:24]
    )
    person = store.by_email(email)
    if person is None:
        if kind != "form_submission":
            return _(
                "no lead or contact with e-mail {email} (only a form submission creates one)"
            ).format(email=email)
        person_id = _new_lead(store, email, fields, occurred, report)
    else:
        person_id = person["id"]
    if not store.add_event(event_id, person_id, kind, occurred, details):
        report.duplicates += 1
        return None
    report.recorded += 1
    if kind == "form_submission" and person is not None and store.reactivate(person_id):
        report.reactivated += 1  # a form fill brings a deactivated lead back (the help article)
    return None


def _new_lead(store: LeadGenStore, email: str, fields: dict, occurred: str, report) -> int:
    """A form fill from someone new makes them a lead, named as the form named them."""
    names = (("first_name", "firstname"), ("last_name", "lastname"), ("company", "company"))
    values = {k: fields[s] for k, s in names if fields.get(s)}
    report.leads_created += 1
    return store.create_person(email, "lead", values, occurred)
