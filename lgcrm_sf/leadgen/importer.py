"""The import tool: people from CSV (marketing events: event_import.py).

Streams the file: rows are applied in batches, each batch one transaction (import_run.py), so
memory stays bounded whatever the file's size. A bad row is reported by line number and reason
and skipped; the good rows go in. Importing a deactivated lead re-activates it, as the help
article says (a lead deleted in Salesforce comes back only through a form fill or a re-import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..i18n import N_, _
from .columns import header_columns
from .columns import load_column_map as load_column_map  # the CLI imports it from here
from .csv_records import CsvFile
from .event_import import import_events as import_events  # the CLI imports it from here
from .fields import normalise_email
from .import_run import Rejects, apply_in_batches, check_encoding, require_file
from .store import LeadGenStore
from .timestamps import now_iso

TRUE = {"true", "yes", "y", "1", "sim", "s", "x"}
FALSE = {"false", "no", "n", "0", "nao", "não", ""}

MESSAGES = {
    "empty": N_("{file} is empty: it needs a header row and at least one row."),
    "empty_fix": N_(
        "give a CSV file with a header row (Email, First Name...) and one row a person."
    ),
    "no_email_column": N_(
        "{file} has no e-mail column (looked for Email, E-mail, email_address, emailAddress...)."
    ),
    "no_email_column_fix": N_("name the column Email, or map it with --columns."),
}


@dataclass
class ImportReport(Rejects):
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


def import_people(
    store: LeadGenStore,
    path: Path,
    kind: str = "lead",
    column_map: dict | None = None,
    encoding: str = "utf-8",
) -> ImportReport:
    path = Path(path)
    report = ImportReport(path.name)
    require_file(path)
    with CsvFile(path, encoding, check_characters=check_encoding(path, encoding)) as source:
        rows = _PeopleRows(store, source.header, kind, report)
        rows.columns = header_columns(source.header, column_map or {}, report.warnings)
        report.columns = {source.header[i]: target for i, target in rows.columns.items()}
        if "email" not in rows.columns.values():
            raise DataError(
                _(_(MESSAGES["no_email_column"])).format(file=path.name),
                _(_(MESSAGES["no_email_column_fix"])),
            )
        db = store.db.conn
        # The e-mails seen so far in this file: a second row for one person is reported.
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (email TEXT PRIMARY KEY, line INTEGER)"
        )
        db.execute("DELETE FROM import_seen")
        # A record that could not be read arrives as the reason why (a str), reported as is.
        lines = (
            (line, row if isinstance(row, str) else (line, row)) for line, row in source.rows()
        )
        apply_in_batches(db, lines, rows.apply, report)
    if report.rows == 0:
        raise DataError(_(MESSAGES["empty"]).format(file=path.name), _(MESSAGES["empty_fix"]))
    return report


class _PeopleRows:
    """One file's rows to people: each row's values read, checked, and created or applied."""

    def __init__(self, store: LeadGenStore, header: list[str], kind: str, report) -> None:
        self.store, self.header, self.kind, self.report = store, header, kind, report
        self.columns: dict[int, str] = {}
        self.users = {u["email"]: u["id"] for u in store.users()}

    def apply(self, item: tuple[int, list[str]]) -> str | None:
        """Import one row; the reason it is bad, or None."""
        line, row = item
        values = self._values(row)
        if isinstance(values, str):
            return values
        raw_email = values.pop("email", None)
        try:
            email = normalise_email(raw_email)
        except ValueError:
            return _("not an e-mail address: {value!r}").format(value=raw_email)
        if email is None:
            return _("no e-mail (people are matched by e-mail)")
        conn = self.store.db.conn
        seen = conn.execute("SELECT line FROM import_seen WHERE email = ?", [email]).fetchone()
        if seen:
            return _("same e-mail as line {line} ({email}): skipped").format(
                line=seen[0], email=email
            )
        conn.execute("INSERT INTO import_seen VALUES (?, ?)", [email, line])
        reason = self._owner(values)
        if reason:
            return reason
        self._save(email, {k: v for k, v in values.items() if v is not None})
        return None

    def _values(self, row: list[str]) -> dict | str:
        """Field -> value of a row (a full name split when there is no first or last name),
        or why the row is bad."""
        if len(row) != len(self.header):
            return _("has {count} fields, the header has {header}").format(
                count=len(row), header=len(self.header)
            )
        try:
            values = {target: _value(target, row[index]) for index, target in self.columns.items()}
        except ValueError as exc:
            said = exc.args[0] if exc.args else ""
            return said if isinstance(said, str) else str(exc)  # a Message keeps its English
        full = values.pop("full_name", None)
        if full and not values.get("first_name") and not values.get("last_name"):
            first, _space, last = full.rpartition(" ")
            values["first_name"], values["last_name"] = (first or None), last
        return values

    def _owner(self, values: dict) -> str | None:
        """The owner column names a user here by e-mail: its id, or why it can't be used."""
        owner = values.pop("owner", None)
        if not owner:
            return None
        owner_id = self.users.get(owner.strip().lower())
        if owner_id is None:
            return _(
                "owner {owner} is not a Lead Gen & CRM user (add it with `lgcrm-sf users add`)"
            ).format(owner=repr(owner))
        values["owner_user_id"] = owner_id
        return None

    def _save(self, email: str, values: dict) -> None:
        """Create the person, or change it: an empty cell changes nothing."""
        store, report = self.store, self.report
        person = store.by_email(email)
        at = now_iso()
        if person is None:
            store.create_person(email, self.kind, values, at)
            report.created += 1
            return
        changed = store.set_fields(person["id"], values, at)
        if self.kind == "contact" and person["kind"] == "lead":
            store.set_kind(person["id"], "contact", at)
            changed.append("kind")
        if store.reactivate(person["id"], at):
            report.reactivated += 1
            changed.append("active")
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _value(target: str, raw: str) -> object:
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
            raise ValueError(
                _("lead_score {value} is not a number").format(value=repr(text))
            ) from None
    if target == "unsubscribed":
        lowered = text.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ValueError(_("unsubscribed {value} is not yes/no").format(value=repr(text)))
    return text or None
