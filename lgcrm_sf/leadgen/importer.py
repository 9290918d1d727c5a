"""The import tool: people from CSV, marketing events from CSV or JSON (an array of objects,
or JSON lines).

Streams the file: rows are applied in batches, each batch one transaction, so memory stays
bounded whatever the file's size. A bad row is reported by line number and reason and skipped;
the good rows go in. Importing a deactivated lead re-activates it, as the help article says
(a lead deleted in Salesforce comes back only through a form fill or a re-import)."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import DataError, UsageError
from .cells import CharacterScreen
from .csv_records import CsvFile
from .fields import CUSTOM_NAME, PERSON_FIELDS, normalise_email
from .json_records import open_json_records
from .store import EVENT_KINDS, LeadGenStore, now_iso

BATCH_ROWS = 1000
MAX_REPORTED = 1000  # bad rows listed one by one; beyond this only counted

# Header spellings recognised without a column map, compared with case, spaces and
# punctuation removed. English, the vendor's own (emailAddress, firstName) and Portuguese.
ALIASES = {
    "email": ["email", "emailaddress", "mail", "correioeletronico", "enderecodeemail"],
    "first_name": ["firstname", "first", "givenname", "forename", "nome", "primeironome"],
    "last_name": ["lastname", "last", "surname", "familyname", "sobrenome", "ultimonome"],
    "full_name": ["name", "fullname", "nomecompleto", "contactname"],
    "company": ["company", "companyname", "organization", "organisation", "accountname", "empresa"],
    "title": ["title", "jobtitle", "position", "cargo", "funcao"],
    "phone": ["phone", "phonenumber", "telephone", "workphone", "officephonenumber", "telefone"],
    "mobile_phone": ["mobile", "mobilephone", "mobilephonenumber", "cellphone", "cell", "celular"],
    "street": ["street", "address", "streetaddress", "address1", "endereco", "rua"],
    "city": ["city", "town", "cidade", "municipio"],
    "state": ["state", "province", "region", "estado", "uf"],
    "postal_code": ["zip", "zipcode", "postalcode", "postcode", "cep"],
    "country": ["country", "pais"],
    "website": ["website", "web", "url", "site"],
    "industry": ["industry", "setor", "segmento", "ramo"],
    "description": ["description", "notes", "note", "descricao", "observacoes", "obs"],
    "lead_status": ["leadstatus", "status"],
    "lead_score": ["leadscore", "score", "pontuacao"],
    "unsubscribed": ["unsubscribed", "optout", "emailoptout", "isunsubscribed", "descadastrado"],
    "owner": ["owner", "owneremail", "owneruser", "responsavel"],
}
_BY_SPELLING = {spelling: name for name, spellings in ALIASES.items() for spelling in spellings}
TRUE = {"true", "yes", "y", "1", "sim", "s", "x"}
FALSE = {"false", "no", "n", "0", "nao", "não", ""}

MESSAGES = {
    "encoding": "{file} line {line} is not valid {encoding} (byte 0x{byte:02x}); it looks like "
    "Latin-1/Windows-1252.",
    "encoding_fix": "re-save it as UTF-8, or pass --encoding cp1252.",
    "empty": "{file} is empty: it needs a header row and at least one row.",
    "empty_fix": "give a CSV file with a header row (Email, First Name...) and one row a person.",
    "no_email_column": "{file} has no e-mail column (looked for Email, E-mail, email_address, "
    "emailAddress...).",
    "no_email_column_fix": "name the column Email, or map it with --columns.",
    "bad_columns_file": "--columns {file}: not a YAML mapping of 'CSV header: field' ({detail}).",
    "bad_columns_file_fix": "write one 'CSV header: field' line each, in UTF-8.",
    "bad_column_target": "--columns {file}: {header!r} maps to {target!r}, which is not a Lead Gen "
    "& CRM field.",
    "bad_column_target_fix": "use one of {fields}, custom.<name>, or ignore.",
    "not_found": "{file} does not exist.",
}


def spelling(header: str) -> str:
    text = header.strip().lower()
    for a, b in (
        ("ã", "a"),
        ("á", "a"),
        ("â", "a"),
        ("é", "e"),
        ("ê", "e"),
        ("í", "i"),
        ("ó", "o"),
        ("ô", "o"),
        ("õ", "o"),
        ("ú", "u"),
        ("ç", "c"),
    ):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", text)


class _Rejects:
    bad: int
    bad_rows: list

    def reject(self, line: int, reason: str) -> None:
        self.bad += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append({"line": line, "reason": reason})

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportReport(_Rejects):
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    bad: int = 0
    bad_rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def _apply_in_batches(db, rows, apply, report) -> None:
    """Apply `apply(item)` to each (line, item) pair; an item that is already a reason (a row
    that could not even be read) is reported as is. Python's sqlite3 opens a transaction at the
    first write: each batch of rows is committed whole, and a failure rolls back only the batch
    under way, so memory and the damage of an interruption both stay bounded."""
    db.commit()
    try:
        for count, (line, item) in enumerate(rows, 1):
            report.rows += 1
            reason = item if isinstance(item, str) else apply(item)
            if reason:
                report.reject(line, reason)
            if count % BATCH_ROWS == 0:
                db.commit()
        db.commit()
    except BaseException:
        db.rollback()
        raise


def check_encoding(path: Path, encoding: str) -> bool:
    """Decode the whole file before importing anything, so a wrongly encoded file changes
    nothing and the error names the first bad line. Returns whether the file may hold a
    character that no cell may (cells.CharacterScreen): if not, rows skip that check."""
    decoder = codecs.getincrementaldecoder(encoding)()
    screen = CharacterScreen(encoding)
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            screen.feed(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, exc.start)
                raise DataError(
                    MESSAGES["encoding"].format(
                        file=path.name, line=line, encoding=encoding, byte=chunk[exc.start]
                    ),
                    MESSAGES["encoding_fix"],
                ) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DataError(
                MESSAGES["encoding"].format(file=path.name, line=line, encoding=encoding, byte=0),
                MESSAGES["encoding_fix"],
            ) from None
    return screen.found


def _csv_file(path: Path, encoding: str) -> CsvFile:
    if not path.is_file():
        raise UsageError(
            MESSAGES["not_found"].format(file=path), "give the path of an existing file."
        )
    return CsvFile(path, encoding, check_characters=check_encoding(path, encoding))


def load_column_map(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DataError(
            MESSAGES["bad_columns_file"].format(file=path, detail=type(exc).__name__),
            MESSAGES["bad_columns_file_fix"],
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise DataError(
            MESSAGES["bad_columns_file"].format(file=path, detail="not a mapping of strings"),
            MESSAGES["bad_columns_file_fix"],
        )
    valid = set(PERSON_FIELDS) | {"owner", "full_name", "ignore"}
    for header, target in data.items():
        if target not in valid and not CUSTOM_NAME.match(target):
            raise DataError(
                MESSAGES["bad_column_target"].format(file=path, header=header, target=target),
                MESSAGES["bad_column_target_fix"].format(fields=", ".join(sorted(valid))),
            )
    return {spelling(k): v for k, v in data.items()}


def _columns(header: list[str], column_map: dict[str, str], report: ImportReport) -> dict[int, str]:
    columns = {}
    taken = {}
    for index, name in enumerate(header):
        key = spelling(name)
        target = column_map.get(key) or _BY_SPELLING.get(key)
        if target is None:
            report.warnings.append(
                f"column {index + 1} {name!r} is not a Lead Gen & CRM field: ignored "
                "(map it with --columns, e.g. to custom.<name>)"
            )
            continue
        if target == "ignore":
            continue
        if target in taken:
            report.warnings.append(
                f"column {index + 1} {name!r} is also {target} (column {taken[target] + 1}): ignored"
            )
            continue
        taken[target] = index
        columns[index] = target
        report.columns[name] = target
    return columns


def _value(target: str, raw: str, store: LeadGenStore) -> object:
    text = raw.strip()
    if target == "lead_score":
        if not text:
            return None
        try:
            return (
                float(text.replace(",", "."))
                if text.count(",") == 1 and "." not in text
                else float(text)
            )
        except ValueError:
            raise ValueError(f"lead_score {text!r} is not a number") from None
    if target == "unsubscribed":
        lowered = text.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ValueError(f"unsubscribed {text!r} is not yes/no")
    return text or None


def import_people(
    store: LeadGenStore,
    path: Path,
    kind: str = "lead",
    column_map: dict | None = None,
    encoding: str = "utf-8",
) -> ImportReport:
    path = Path(path)
    report = ImportReport(path.name)
    with _csv_file(path, encoding) as source:
        header = source.header
        columns = _columns(header, column_map or {}, report)
        if "email" not in columns.values():
            raise DataError(
                MESSAGES["no_email_column"].format(file=path.name), MESSAGES["no_email_column_fix"]
            )
        db = store.db.conn
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (email TEXT PRIMARY KEY, line INTEGER)"
        )
        db.execute("DELETE FROM import_seen")
        users = {u["email"]: u["id"] for u in store.users()}
        # A record that could not be read arrives as the reason why (a str), reported as is.
        rows = ((line, row if isinstance(row, str) else (line, row)) for line, row in source.rows())
        _apply_in_batches(
            db,
            rows,
            lambda item: _import_row(store, item[1], header, columns, kind, users, item[0], report),
            report,
        )
    if report.rows == 0:
        raise DataError(MESSAGES["empty"].format(file=path.name), MESSAGES["empty_fix"])
    return report


def _import_row(store, row, header, columns, kind, users, line, report) -> str | None:
    if len(row) != len(header):
        return f"has {len(row)} fields, the header has {len(header)}"
    values: dict = {}
    try:
        for index, target in columns.items():
            values[target] = _value(target, row[index], store)
    except ValueError as exc:
        return str(exc)
    raw_email = values.pop("email", None)
    try:
        email = normalise_email(raw_email)
    except ValueError:
        return f"not an e-mail address: {raw_email!r}"
    if email is None:
        return "no e-mail (people are matched by e-mail)"
    seen = store.db.conn.execute("SELECT line FROM import_seen WHERE email = ?", [email]).fetchone()
    if seen:
        return f"same e-mail as line {seen[0]} ({email}): skipped"
    store.db.conn.execute("INSERT INTO import_seen VALUES (?, ?)", [email, line])
    full = values.pop("full_name", None)
    if full and not values.get("first_name") and not values.get("last_name"):
        first, _, last = full.rpartition(" ")
        values["first_name"], values["last_name"] = (first or None), last
    owner = values.pop("owner", None)
    if owner:
        owner_id = users.get(owner.strip().lower())
        if owner_id is None:
            return (
                f"owner {owner!r} is not a Lead Gen & CRM user (add it with `lgcrm-sf users add`)"
            )
        values["owner_user_id"] = owner_id
    values = {k: v for k, v in values.items() if v is not None}  # an empty cell changes nothing
    person = store.by_email(email)
    at = now_iso()
    if person is None:
        store.create_person(email, kind, values, at)
        report.created += 1
        return None
    changed = store.set_fields(person["id"], values, at)
    if kind == "contact" and person["kind"] == "lead":
        store.set_kind(person["id"], "contact", at)
        changed.append("kind")
    if store.reactivate(person["id"], at):
        report.reactivated += 1
        changed.append("active")
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return None


# --- events ---------------------------------------------------------------------------------
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
class EventReport(_Rejects):
    file: str
    rows: int = 0
    recorded: int = 0
    duplicates: int = 0
    leads_created: int = 0
    reactivated: int = 0
    bad: int = 0
    bad_rows: list[dict] = field(default_factory=list)


def _looks_like_event(data: dict) -> bool:
    """Whether an object has any key an event is read from (a lone object without one, say
    {"events": [...]}, is not an events file)."""
    return any(spelling(str(key)) in _EVENT_KEYS for key in data)


def _event_rows(path: Path, encoding: str):
    """(line, (label, dict)) pairs from a CSV or JSON events file, or (line, reason) for a
    record that could not be read; the label names an array element ('element [3]')."""
    if not path.is_file():
        raise UsageError(
            MESSAGES["not_found"].format(file=path), "give the path of an existing file."
        )
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
                yield line, f"has {len(row)} fields, the header has {len(header)}"
            else:
                yield line, ("", dict(zip(header, row, strict=True)))


def _parse_time(text: str) -> str:
    value = text.strip().replace(" ", "T", 1)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    when = datetime.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def import_events(store: LeadGenStore, path: Path, encoding: str = "utf-8") -> EventReport:
    path = Path(path)
    report = EventReport(path.name)

    def apply(item: tuple[str, dict]) -> str | None:
        label, data = item
        reason = _import_event(store, data, report)
        return f"{label}: {reason}" if reason and label else reason

    _apply_in_batches(store.db.conn, _event_rows(path, encoding), apply, report)
    if report.rows == 0:
        raise DataError(f"{path.name} holds no events.", "give a file with one event a row.")
    return report


def _import_event(store: LeadGenStore, data: dict, report: EventReport) -> str | None:
    fields = {spelling(str(k)): ("" if v is None else str(v)) for k, v in data.items()}
    kind = EVENT_TYPES.get(
        spelling(fields.get("type") or fields.get("kind") or fields.get("event") or "")
    )
    if kind is None:
        return f"unknown event type {fields.get('type') or fields.get('kind') or ''!r}: use one of {', '.join(EVENT_KINDS)}"
    try:
        email = normalise_email(fields.get("email") or fields.get("emailaddress"))
    except ValueError:
        return f"not an e-mail address: {fields.get('email')!r}"
    if email is None:
        return "no e-mail"
    when = next((fields[k] for k in _TIME_KEYS if fields.get(k)), None)
    if not when:
        return "no time (occurred_at)"
    try:
        occurred = _parse_time(when)
    except ValueError:
        return f"time {when!r} is not an ISO 8601 date and time"
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
            return f"no lead or contact with e-mail {email} (only a form submission creates one)"
        values = {
            k: fields[s]
            for k, s in (
                ("first_name", "firstname"),
                ("last_name", "lastname"),
                ("company", "company"),
            )
            if fields.get(s)
        }
        person_id = store.create_person(email, "lead", values, occurred)
        report.leads_created += 1
    else:
        person_id = person["id"]
    if not store.add_event(event_id, person_id, kind, occurred, details):
        report.duplicates += 1
        return None
    report.recorded += 1
    if kind == "form_submission" and person is not None and store.reactivate(person_id):
        report.reactivated += 1  # a form fill brings a deactivated lead back (the help article)
    return None
