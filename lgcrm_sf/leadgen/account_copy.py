"""Our copy of the real account (issue 14): the leads, users and events the account holds, kept
in the same lg_* tables the local mode uses, so the sync's engine works on them unchanged.

Each person linked to an account lead keeps `account_values`, the values the account had when
we last read or wrote them. A refresh applies only what changed in the account since then (a
field the sync changed here and has not pushed yet is kept); a trigger sets `account_dirty`
when anything else changes a synced column, and the push sends the difference between the
person and `account_values`. A person without an account lead id is one the account does not
have yet (created from Salesforce, or from the local mode before connecting)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

from ..store.db import in_chunks
from .fields import CUSTOM_PREFIX, PERSON_FIELDS
from .timestamps import now_iso

SYNCED = [n for n in PERSON_FIELDS if n != "email"] + ["owner_user_id"]


def person_values(person: dict) -> dict:
    """A person's values in our names (custom fields as custom.<systemName>), e-mail apart."""
    values = {name: person.get(name) for name in SYNCED}
    values["unsubscribed"] = bool(values["unsubscribed"])
    for name, value in (person.get("custom") or {}).items():
        values[CUSTOM_PREFIX + name] = value
    return values


def _may_be(person: dict, lead: dict) -> bool:
    """Whether applying `lead` may change `person` (found by account id, then e-mail)."""
    return person["account_lead_id"] == lead["account_id"] or person["email"] == lead["email"]


class AccountCopy:
    """LeadGenStore's account side (it provides `db`, `get`, `by_email`, `create_person`)."""

    db: object

    # --- people ------------------------------------------------------------------------------
    def by_account_id(self, lead_id: int) -> dict | None:
        row = self.db.execute(
            "SELECT id FROM lg_people WHERE account_lead_id = ?", [lead_id]
        ).fetchone()
        return self.get(row[0]) if row else None

    def dealt_with_of_leads(self, lead_ids: list[int]) -> list[int]:
        """The people these account leads are that this run has dealt with already (its
        `processed` scratch table, engine/account_first_sync.py), by id."""
        out: list[int] = []
        for chunk, marks in in_chunks(lead_ids):
            out += [
                r[0]
                for r in self.db.execute(
                    "SELECT p.id FROM lg_people p JOIN temp.processed d ON d.person_id = p.id "
                    f"WHERE p.account_lead_id IN ({marks})",
                    chunk,
                )
            ]
        return out

    def account_state(self, person_id: int) -> tuple[int | None, dict, str | None]:
        row = self.db.execute(
            "SELECT account_lead_id, account_values, account_stamp FROM lg_people WHERE id = ?",
            [person_id],
        ).fetchone()
        return row[0], json.loads(row[1] or "{}"), row[2]

    def apply_account_leads(
        self, leads: list[dict], copy_time: str, created: list[dict] | None = None
    ) -> list[str]:
        """A page of leads (apply_account_lead each), their people looked up in two queries.
        A lead whose id, e-mail or person this page already touched is looked up afresh, so
        the page gives what one lead after the other would (an e-mail that moved between two
        leads of the page, a lead read twice). `created`, when given, gets the people the page
        created active, as `get` would read them once the page is in (one a later lead of the
        page changed again is left out)."""
        found = self._people_of(leads)
        touched: set = set()
        outcomes, new = [], []
        for lead in leads:
            keys = {("id", lead["account_id"]), ("email", lead["email"])}
            person, outcome = found.get(("id", lead["account_id"])), "updated"
            if person is None and lead["email"]:
                person, outcome = found.get(("email", lead["email"])), "adopted"
            if keys & touched or (person is not None and ("person", person["id"]) in touched):
                self._create_new(new, copy_time, created)  # the lookup sees the page so far
                if created:  # a person it may change is no longer as created: not handed over
                    created[:] = [p for p in created if not _may_be(p, lead)]
                outcomes.append(self.apply_account_lead(lead, copy_time))
            elif person is None and lead["active"]:
                new.append(lead)  # created with the others: one statement
                outcomes.append("created")
            else:
                if person is None:
                    self._create_new(new, copy_time, created)  # ids in the page's order
                outcomes.append(self._apply(lead, person, outcome, copy_time))
            touched |= keys | ({("person", person["id"])} if person else set())
        self._create_new(new, copy_time, created)
        return outcomes

    def _create_new(self, leads: list[dict], copy_time: str, created: list | None) -> None:
        """Active leads new to the copy, as `_apply` creates one, in one statement per run of
        leads with the same columns (a page's leads almost always share theirs), in the
        leads' order; `leads` is emptied. With `created`, the new people are added to it as
        read back, without reading them: a new row's id is one more than the largest (SQLite
        gives that to a table without AUTOINCREMENT), checked after the insert."""
        runs: list[tuple[tuple, list[dict]]] = []
        parts = []  # (custom, change times) of each record, as dicts
        for lead in leads:
            record, custom, changed = self.person_parts(
                lead["email"], lead["kind"], lead["values"], copy_time
            )
            parts.append((custom, changed))
            known = {**lead["values"], "email": lead["email"], "active": lead["active"]}
            record.update(
                account_lead_id=lead["account_id"],
                account_values=json.dumps(known),
                account_stamp=lead["updated_at"],
                account_dirty=0,
            )
            if runs and runs[-1][0] == tuple(record):
                runs[-1][1].append(record)
            else:
                runs.append((tuple(record), [record]))
        leads.clear()
        if not runs:
            return
        first = self._largest_person_id() + 1
        for columns, records in runs:
            self.db.conn.executemany(
                f"INSERT INTO lg_people ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [tuple(r.values()) for r in records],
            )
        if created is None:
            return
        records = [r for _, rs in runs for r in rs]
        if self._largest_person_id() != first + len(records) - 1:  # never seen; read them
            ids = [r["account_lead_id"] for r in records]
            created += [self.by_account_id(i) for i in ids]
            return
        created += [self._as_read(r, first + n, *parts[n]) for n, r in enumerate(records)]

    def _largest_person_id(self) -> int:
        return self.db.conn.execute("SELECT MAX(id) FROM lg_people").fetchone()[0] or 0

    def _as_read(self, record: dict, person_id: int, custom: dict, changed: dict) -> dict:
        """A row just inserted, as `get` reads it back (`_row`): every column (its default
        where the record has none), the values as SQLite's column types store them."""
        row = {**self._column_defaults(), **record, "id": person_id}
        if row["lead_score"] is not None:
            row["lead_score"] = float(row["lead_score"])  # a REAL column
        row.update(
            custom=custom,
            field_changed_at=changed,
            active=bool(row["active"]),
            unsubscribed=bool(row["unsubscribed"]),
        )
        return row

    def _column_defaults(self) -> dict:
        if getattr(self, "_defaults", None) is None:
            defaults = {}
            for _cid, name, _type, _notnull, default, _pk in self.db.conn.execute(
                "PRAGMA table_info(lg_people)"
            ):
                defaults[name] = None if default is None else ast.literal_eval(default)
            self._defaults = defaults
        return self._defaults

    def _people_of(self, leads: list[dict]) -> dict[tuple, dict]:
        """{("id", account lead id) | ("email", e-mail): person row} for a page of leads."""
        out: dict[tuple, dict] = {}
        ids = [lead["account_id"] for lead in leads]
        emails = [lead["email"] for lead in leads if lead["email"]]
        for column, keys in (("account_lead_id", ids), ("email", emails)):
            for chunk, marks in in_chunks(keys):
                for row in self.db.query(
                    f"SELECT * FROM lg_people WHERE {column} IN ({marks})", chunk
                ):
                    person = self._row(row)
                    if column == "email":
                        out[("email", person["email"])] = person
                    else:
                        out[("id", person["account_lead_id"])] = person
        return out

    def apply_account_lead(self, lead: dict, copy_time: str) -> str:
        """One lead as the account has it (names.decode_lead, owner as our user id) into the
        copy: created, adopted (a person of ours with its e-mail), updated or unchanged."""
        person = self.by_account_id(lead["account_id"])
        outcome = "updated"
        if person is None and lead["email"]:
            person = self.by_email(lead["email"])
            outcome = "adopted"
        return self._apply(lead, person, outcome, copy_time)

    def _apply(self, lead: dict, person: dict | None, outcome: str, copy_time: str) -> str:
        if person is None:
            person_id = self.create_person(lead["email"], lead["kind"], lead["values"], copy_time)
            self._align(person_id, lead, dirty=False)
            if not lead["active"]:
                self.deactivate(person_id, "inactive in the Lead Gen & CRM account", copy_time)
            return "created"
        lead_id, stamp = person["account_lead_id"], person["account_stamp"]
        known = json.loads(person["account_values"] or "{}")
        same = {**lead["values"], "email": lead["email"], "active": lead["active"]} == known
        if lead_id == lead["account_id"] and stamp == lead["updated_at"] and same:
            return "unchanged"  # a re-read (cursors overlap by a second); seconds can repeat
        if outcome == "adopted":  # the account's values win where it has one; ours fill
            changed = {k: v for k, v in lead["values"].items() if v not in (None, "")}
            dirty = True  # the push sends what only we had
        else:  # only what changed in the account: a change of ours not yet pushed is kept
            changed = {k: v for k, v in lead["values"].items() if known.get(k, object()) != v}
            dirty = bool(person["account_dirty"])
        ours = person_values(person)
        changed = {k: v for k, v in changed.items() if ours.get(k) != v}
        if changed:
            self._write_fields(person, changed, lead["updated_at"] or copy_time, copy_time)
        if lead["kind"] != person["kind"] and "lead_status" in changed:
            self.set_kind(person["id"], lead["kind"], copy_time)
        if lead["active"] and not person["active"]:
            self.reactivate(person["id"], copy_time)
        self._align(person["id"], lead, dirty=dirty)
        return outcome if changed or outcome == "adopted" else "unchanged"

    def _write_fields(self, person: dict, values: dict, field_time: str, copy_time: str) -> None:
        """Fields changed in the account: each remembers the account's change time (the merge's
        latest_change compares it with Salesforce's), updated_at says when the copy changed
        (the engine reads the people changed since its last run by it)."""
        custom = dict(person["custom"])
        updates, times = {}, dict(person["field_changed_at"])
        for name, value in values.items():
            if name.startswith(CUSTOM_PREFIX):
                custom[name[len(CUSTOM_PREFIX) :]] = value
            else:
                updates[name] = int(value) if name == "unsubscribed" else value
            times[name] = field_time
        updates.update(custom=json.dumps(custom), field_changed_at=json.dumps(times))
        updates["updated_at"] = copy_time
        self.db.conn.execute(
            f"UPDATE lg_people SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
            [*updates.values(), person["id"]],
        )

    def _align(self, person_id: int, lead: dict, dirty: bool) -> None:
        known = {**lead["values"], "email": lead["email"], "active": lead["active"]}
        self.set_account_state(person_id, lead["account_id"], known, lead["updated_at"], dirty)

    def set_account_state(
        self, person_id: int, lead_id: int | None, known: dict, stamp: str | None, dirty: bool
    ) -> None:
        self.db.conn.execute(
            "UPDATE lg_people SET account_lead_id = ?, account_values = ?, account_stamp = ?, "
            "account_dirty = ? WHERE id = ?",
            [lead_id, json.dumps(known), stamp, int(dirty), person_id],
        )

    def mark_pushed(self, person_id: int, known: dict) -> None:
        """What the account has now that a write succeeded: nothing left to push."""
        self.db.conn.execute(
            "UPDATE lg_people SET account_values = ?, account_dirty = 0 WHERE id = ?",
            [json.dumps(known), person_id],
        )

    def unlink_account(self, person_id: int, reason: str, at: str | None = None) -> None:
        """The account deleted this lead: the person leaves the sync (deactivated, its account
        id forgotten, never re-created in the account by the push)."""
        at = at or now_iso()
        self.db.conn.execute(
            "UPDATE lg_people SET account_lead_id = NULL, account_dirty = 0, active = 0, "
            "deactivation_reason = ?, deactivated_at = ?, updated_at = ? WHERE id = ?",
            [reason, at, at, person_id],
        )

    def deactivate_from_account(self, person_id: int, reason: str, at: str) -> None:
        """Inactive in the account (found by the reconcile): deactivated here, already so
        there."""
        self.deactivate(person_id, reason, at)
        _lead, known, _stamp = self.account_state(person_id)
        self.db.conn.execute(
            "UPDATE lg_people SET account_values = ?, account_dirty = 0 WHERE id = ?",
            [json.dumps({**known, "active": False}), person_id],
        )

    def people_to_create(self, size: int) -> Iterator[list[dict]]:
        """Active people the account does not have yet, in chunks."""
        return self._people_where("account_lead_id IS NULL AND active = 1", size)

    def people_to_update(self, size: int) -> Iterator[list[dict]]:
        """Linked people the sync changed here since the account last had their values."""
        return self._people_where("account_dirty = 1 AND account_lead_id IS NOT NULL", size)

    def _people_where(self, condition: str, size: int) -> Iterator[list[dict]]:
        last = 0
        while rows := self.db.execute(
            f"SELECT id FROM lg_people WHERE {condition} AND id > ? ORDER BY id LIMIT ?",
            [last, size],
        ).fetchall():
            last = rows[-1][0]
            yield self.get_many([r[0] for r in rows])

    def linked_account_ids(self, size: int) -> Iterator[dict[int, int]]:
        """{account lead id: person id} of every person linked to the account, in chunks."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, account_lead_id FROM lg_people WHERE account_lead_id IS NOT NULL "
                "AND id > ? ORDER BY id LIMIT ?",
                [last, size],
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield {r[1]: r[0] for r in rows}

    # --- users -------------------------------------------------------------------------------
    def apply_account_user(self, user: dict) -> int:
        """A user of the account (names.decode_user) into lg_users, by account id or e-mail."""
        row = self.db.execute(
            "SELECT id FROM lg_users WHERE account_user_id = ? OR email = ? "
            "ORDER BY account_user_id IS NULL LIMIT 1",
            [user["account_user_id"], user["email"]],
        ).fetchone()
        if row:
            self.db.conn.execute(
                "UPDATE lg_users SET name = ?, email = ?, active = ?, account_user_id = ? "
                "WHERE id = ?",
                [user["name"], user["email"], int(user["active"]), user["account_user_id"], row[0]],
            )
            return row[0]
        cur = self.db.conn.execute(
            "INSERT INTO lg_users (name, email, active, created_at, account_user_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [user["name"], user["email"], int(user["active"]), now_iso(), user["account_user_id"]],
        )
        return cur.lastrowid

    def account_user_ids(self) -> dict[int, int]:
        """{our user id: the account's user id}."""
        rows = self.db.execute(
            "SELECT id, account_user_id FROM lg_users WHERE account_user_id IS NOT NULL"
        )
        return {r[0]: r[1] for r in rows}
