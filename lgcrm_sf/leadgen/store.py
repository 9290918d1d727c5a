"""The Lead Gen & CRM account as this tool keeps it, in the profile's SQLite database.

This is the marketing tool's side of the sync (a client of the vendor's remote API can later
stand behind the same methods). People are leads or contacts keyed by normalised e-mail; each
field remembers when it last changed here, which the three-way merge needs. A person is never
deleted by the sync: a lead deleted in Salesforce is deactivated, and comes back only through a
form fill or a re-import (the help article)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from ..errors import ConfigError, DataError
from ..i18n import N_, _
from ..store.db import in_chunks, open_database
from .account_copy import AccountCopy
from .account_sales_state import SalesCopyState
from .fields import CUSTOM_PREFIX, PERSON_FIELDS, normalise_email
from .sales import SalesCopies
from .sales_deletions import SalesDeletions
from .timestamps import now_iso as now_iso  # the engine imports it from here

MESSAGES = {
    "no_person": N_("No lead or contact with e-mail {email}."),
    "user_exists": N_("A user with e-mail {email} already exists."),
    "unknown_field": N_("Unknown Lead Gen & CRM field {name!r}."),
}

# Of the clicks of one link in one e-mail by one person, the first (occurred first, then id).
_FIRST_CLICK = (
    "NOT (e.kind = 'email_click' AND EXISTS (SELECT 1 FROM lg_events f WHERE "
    "f.person_id = e.person_id AND f.kind = 'email_click' "
    "AND json_extract(f.details, '$.email_name') IS json_extract(e.details, '$.email_name') "
    "AND json_extract(f.details, '$.url') IS json_extract(e.details, '$.url') "
    "AND (f.occurred_at < e.occurred_at OR (f.occurred_at = e.occurred_at AND f.id < e.id))))"
)
EVENT_KINDS = ("form_submission", "email_sent", "email_open", "email_click", "page_visit")


class LeadGenStore(SalesCopies, AccountCopy, SalesCopyState, SalesDeletions):
    """People (leads and contacts), users and marketing events; accounts and opportunities
    come from SalesCopies."""

    def __init__(
        self, path: Path | str | sqlite_utils.Database, sales_read_only: bool = False
    ) -> None:
        # A Database given is shared: the sync writes both sides in one transaction.
        self.db = path if isinstance(path, sqlite_utils.Database) else open_database(path)
        self.sales_read_only = sales_read_only

    # --- users -------------------------------------------------------------------------
    def add_user(self, name: str, email: str, active: bool = True) -> int:
        try:
            address = normalise_email(email)
        except ValueError:
            raise DataError(_("{email!r} is not an e-mail address.").format(email=email)) from None
        if self.db.execute("SELECT 1 FROM lg_users WHERE email = ?", [address]).fetchone():
            raise DataError(_(MESSAGES["user_exists"]).format(email=address))
        with self.db.conn:
            cur = self.db.conn.execute(
                "INSERT INTO lg_users (name, email, active, created_at) VALUES (?, ?, ?, ?)",
                [name, address, int(active), now_iso()],
            )
        return cur.lastrowid

    def users(self) -> list[dict]:
        return list(self.db.query("SELECT id, name, email, active FROM lg_users ORDER BY id"))

    def user_by_email(self, email: str) -> dict | None:
        rows = list(
            self.db.query("SELECT * FROM lg_users WHERE email = ?", [email.strip().lower()])
        )
        return rows[0] if rows else None

    # --- people -------------------------------------------------------------------------
    def _row(self, row: dict | None) -> dict | None:
        if row is None:
            return None
        row = dict(row)
        row["custom"] = json.loads(row["custom"])
        row["field_changed_at"] = json.loads(row["field_changed_at"])
        row["active"] = bool(row["active"])
        row["unsubscribed"] = bool(row["unsubscribed"])
        return row

    def get(self, person_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM lg_people WHERE id = ?", [person_id]))
        return self._row(rows[0] if rows else None)

    def by_email(self, email: str) -> dict | None:
        rows = list(
            self.db.query("SELECT * FROM lg_people WHERE email = ?", [email.strip().lower()])
        )
        return self._row(rows[0] if rows else None)

    def people(
        self,
        kind: str | None = None,
        active: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict]:
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if active is not None:
            where.append("active = ?")
            params.append(int(active))
        sql = (
            "SELECT * FROM lg_people"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [self._row(r) for r in self.db.query(sql, params)]

    def count_people(self, kind: str | None = None, active: bool | None = None) -> int:
        where, params = ["1 = 1"], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if active is not None:
            where.append("active = ?")
            params.append(int(active))
        return self.db.execute(
            f"SELECT COUNT(*) FROM lg_people WHERE {' AND '.join(where)}", params
        ).fetchone()[0]

    def get_many(self, person_ids: list[int]) -> list[dict]:
        """These people (those that exist), by id."""
        out = []
        for chunk, marks in in_chunks(person_ids):
            out += [
                self._row(r)
                for r in self.db.query(
                    f"SELECT * FROM lg_people WHERE id IN ({marks}) ORDER BY id", chunk
                )
            ]
        return out

    def changed_since(
        self, kind: str, since: str | None, until: str, size: int, not_dealt_with: bool = False
    ) -> Iterator[list]:
        """Ids of the people of a kind changed after `since` (all when None) up to `until`,
        in lists of `size`; with `not_dealt_with`, those this run has not dealt with yet (its
        `processed` scratch table: a first sync deals with almost every person while it
        reads)."""
        sql = "SELECT id FROM lg_people WHERE kind = ? AND updated_at <= ?"
        params: list = [kind, until]
        if since:
            sql += " AND updated_at > ?"
            params.append(since)
        if not_dealt_with:
            sql += " AND id NOT IN (SELECT person_id FROM temp.processed)"
        cursor = self.db.execute(sql + " ORDER BY id", params)
        while rows := cursor.fetchmany(size):
            yield [r[0] for r in rows]

    def active_among(self, person_ids: list[int]) -> list[int]:
        """Which of these people are active, by id (no row decoded)."""
        out = []
        for chunk, marks in in_chunks(person_ids):
            out += [
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM lg_people WHERE active = 1 AND id IN ({marks}) ORDER BY id",
                    chunk,
                )
            ]
        return out

    def of_kind(self, person_ids: list[int], kind: str) -> list[int]:
        return [p["id"] for p in self.get_many(person_ids) if p["kind"] == kind]

    def events_for_sync(
        self, kinds: dict[str, str | None], backfill: str | None, after: tuple | None, limit: int
    ) -> list[dict]:
        """Events of active people, oldest first after `after` (occurred_at, id): of these kinds,
        each recorded since its time (all when None), or occurred since `backfill`; of a link
        clicked several times in one e-mail, only the first click."""
        clauses, params = [], []
        for kind, since in sorted(kinds.items()):
            if backfill:
                clauses.append("(e.kind = ? AND e.occurred_at >= ?)")
                params += [kind, backfill]
            elif since:
                clauses.append("(e.kind = ? AND e.recorded_at >= ?)")
                params += [kind, since]
            else:
                clauses.append("e.kind = ?")
                params.append(kind)
        position = ""
        if after:
            position = "AND (e.occurred_at > ? OR (e.occurred_at = ? AND e.id > ?))"
            params += [after[0], after[0], after[1]]
        sql = (
            "SELECT e.id, e.person_id, e.kind, e.occurred_at, e.details FROM lg_events e "
            "JOIN lg_people p ON p.id = e.person_id AND p.active = 1 "
            f"WHERE ({' OR '.join(clauses)}) AND {_FIRST_CLICK} {position} "
            "ORDER BY e.occurred_at, e.id LIMIT ?"
        )
        names = ("id", "person_id", "kind", "occurred_at", "details")
        rows = [dict(zip(names, r, strict=True)) for r in self.db.execute(sql, [*params, limit])]
        for row in rows:
            row["details"] = json.loads(row["details"])
        return rows

    def create_person(self, email: str, kind: str, values: dict, at: str | None = None) -> int:
        record = self.person_record(email, kind, values, at or now_iso())
        marks = ", ".join("?" for _ in record)
        cur = self.db.conn.execute(
            f"INSERT INTO lg_people ({', '.join(record)}) VALUES ({marks})", list(record.values())
        )
        return cur.lastrowid

    def person_record(self, email: str, kind: str, values: dict, at: str) -> dict:
        """A new person's row: each field it has changed at `at`."""
        return self.person_parts(email, kind, values, at)[0]

    def person_parts(self, email: str, kind: str, values: dict, at: str) -> tuple[dict, dict, dict]:
        """A new person's row, and its custom fields and change times as dicts."""
        columns, custom = self._split(values)
        changed = {name: at for name in [*columns, *(CUSTOM_PREFIX + k for k in custom)]}
        record = {
            "kind": kind,
            "email": email,
            **columns,
            "custom": json.dumps(custom),
            "created_at": at,
            "updated_at": at,
            "field_changed_at": json.dumps(changed),
        }
        return record, custom, changed

    def _split(self, values: dict) -> tuple[dict, dict]:
        columns, custom = {}, {}
        for name, value in values.items():
            if name.startswith(CUSTOM_PREFIX):
                custom[name[len(CUSTOM_PREFIX) :]] = value
            elif name in PERSON_FIELDS or name == "owner_user_id":
                columns[name] = (
                    int(value) if name == "unsubscribed" and value is not None else value
                )
            else:
                raise ConfigError(_(MESSAGES["unknown_field"]).format(name=name))
        return columns, custom

    def set_fields(self, person_id: int, values: dict, at: str | None = None) -> list[str]:
        """Change fields of a person; returns the names that really changed. Only those get a
        new per-field change time, and updated_at moves only if something changed."""
        person = self.get(person_id)
        at = at or now_iso()
        changed, custom = [], dict(person["custom"])
        updates = {}
        for name, value in values.items():
            if name.startswith(CUSTOM_PREFIX):
                key = name[len(CUSTOM_PREFIX) :]
                if custom.get(key) != value:
                    custom[key] = value
                    changed.append(name)
            else:
                self._split({name: value})
                current = person.get(name)
                if name == "unsubscribed":
                    value = bool(value)
                if current != value:
                    updates[name] = int(value) if name == "unsubscribed" else value
                    changed.append(name)
        if not changed:
            return []
        times = dict(person["field_changed_at"])
        for name in changed:
            times[name] = at
        updates.update(custom=json.dumps(custom), field_changed_at=json.dumps(times), updated_at=at)
        self.db.conn.execute(
            f"UPDATE lg_people SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
            [*updates.values(), person_id],
        )
        return changed

    def set_kind(self, person_id: int, kind: str, at: str | None = None) -> None:
        self.db.conn.execute(
            "UPDATE lg_people SET kind = ?, updated_at = ? WHERE id = ?",
            [kind, at or now_iso(), person_id],
        )

    def deactivate(self, person_id: int, reason: str, at: str | None = None) -> None:
        at = at or now_iso()
        self.db.conn.execute(
            "UPDATE lg_people SET active = 0, deactivation_reason = ?, deactivated_at = ?, "
            "updated_at = ? WHERE id = ?",
            [reason, at, at, person_id],
        )

    def reactivate(self, person_id: int, at: str | None = None) -> bool:
        person = self.get(person_id)
        if person["active"]:
            return False
        self.db.conn.execute(
            "UPDATE lg_people SET active = 1, deactivation_reason = NULL, deactivated_at = NULL, "
            "updated_at = ? WHERE id = ?",
            [at or now_iso(), person_id],
        )
        return True

    # --- events ---------------------------------------------------------------------------
    def add_event(
        self, event_id: str, person_id: int, kind: str, occurred_at: str, details: dict
    ) -> bool:
        """Record a marketing event; False if this id was already recorded (imports are
        idempotent)."""
        if kind not in EVENT_KINDS:
            raise DataError(
                _("unknown event type {kind!r}: use one of {names}").format(
                    kind=kind, names=", ".join(EVENT_KINDS)
                )
            )
        cur = self.db.conn.execute(
            "INSERT OR IGNORE INTO lg_events "
            "(id, person_id, kind, occurred_at, details, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [event_id, person_id, kind, occurred_at, json.dumps(details), now_iso()],
        )
        return cur.rowcount == 1

    def events_of(self, person_id: int) -> list[dict]:
        rows = self.db.query(
            "SELECT id, kind, occurred_at, details FROM lg_events WHERE person_id = ? "
            "ORDER BY occurred_at, id",
            [person_id],
        )
        return [{**r, "details": json.loads(r["details"])} for r in rows]
