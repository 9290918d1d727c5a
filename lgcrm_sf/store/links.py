"""Links (which Salesforce record a person here is paired with) and the mirror (each synced
field's value on both sides as they last agreed), and the Salesforce records the sync left
alone (so a re-read is not reported twice)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..clock import utc_now
from . import mirror_text
from .db import in_chunks, open_database


class Links:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def link_of(self, person_id: int) -> dict | None:
        row = self.conn.execute(
            "SELECT sf_object, sf_id, sf_modstamp FROM links WHERE person_id = ?", [person_id]
        ).fetchone()
        return {"sf_object": row[0], "sf_id": row[1], "sf_modstamp": row[2]} if row else None

    def person_of(self, sf_id: str) -> int | None:
        row = self.conn.execute("SELECT person_id FROM links WHERE sf_id = ?", [sf_id]).fetchone()
        return row[0] if row else None

    def set_link(self, person_id: int, sf_object: str, sf_id: str, modstamp: str | None) -> None:
        self.set_links(sf_object, [(person_id, sf_id)], modstamp)

    def set_links(
        self, sf_object: str, pairs: list[tuple[int, str]], modstamp: str | None = None
    ) -> None:
        """(person id, Salesforce id) pairs linked; a record is linked to one person only: of
        pairs naming the same record, the last one's person takes it (as one pair after another
        would leave it)."""
        last = {sf_id: i for i, (_person, sf_id) in enumerate(pairs)}
        taken = [person for i, (person, sf_id) in enumerate(pairs) if last[sf_id] != i]
        pairs = [pairs[i] for i in sorted(last.values())]
        # The people whose record a later pair took, and another person's link to one of these
        # records (looked up 500 records a query: almost always none, a create's record is
        # new), lose their link.
        owner = {sf_id: person for person, sf_id in pairs}
        stale = [(person,) for person in taken]
        for chunk, marks in in_chunks(list(owner)):
            stale += [
                (person,)
                for person, sf_id in self.conn.execute(
                    f"SELECT person_id, sf_id FROM links WHERE sf_id IN ({marks})", chunk
                )
                if owner[sf_id] != person
            ]
        self.conn.executemany("DELETE FROM links WHERE person_id = ?", stale)
        now = utc_now()
        self.conn.executemany(
            "INSERT INTO links (person_id, sf_object, sf_id, sf_modstamp, linked_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET "
            "sf_object = excluded.sf_object, sf_id = excluded.sf_id, "
            "sf_modstamp = COALESCE(excluded.sf_modstamp, links.sf_modstamp)",
            [(person_id, sf_object, sf_id, modstamp, now) for person_id, sf_id in pairs],
        )

    def linked_ids(self, sf_object: str) -> dict[str, int]:
        """Every Salesforce id of this object linked to a person here: {sf id: person id}."""
        return dict(
            self.conn.execute(
                "SELECT sf_id, person_id FROM links WHERE sf_object = ?", [sf_object]
            ).fetchall()
        )

    def linked_people(self, person_ids: list[int]) -> dict[int, str]:
        """{person id: linked Salesforce id} for those of these people who are linked."""
        out: dict[int, str] = {}
        for chunk, marks in in_chunks(person_ids):
            out.update(
                self.conn.execute(
                    f"SELECT person_id, sf_id FROM links WHERE person_id IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM links").fetchone()[0]

    def touch_link(self, person_id: int, modstamp: str) -> None:
        self.conn.execute(
            "UPDATE links SET sf_modstamp = ? WHERE person_id = ? AND "
            "(sf_modstamp IS NULL OR sf_modstamp < ?)",
            [modstamp, person_id, modstamp],
        )

    def unlink(self, person_id: int) -> None:
        self.conn.execute("DELETE FROM links WHERE person_id = ?", [person_id])
        self.conn.execute("DELETE FROM mirror WHERE person_id = ?", [person_id])

    def forget_mirror(self, person_id: int) -> None:
        self.conn.execute("DELETE FROM mirror WHERE person_id = ?", [person_id])

    def mirror_of(self, person_id: int) -> dict:
        row = self.conn.execute(
            "SELECT fields FROM mirror WHERE person_id = ?", [person_id]
        ).fetchone()
        return mirror_text.loads(row[0]) if row else {}

    def set_mirror(self, person_id: int, sf_object: str, fields: dict) -> None:
        """Merge `fields` ({name: {"lg": v, "sf": v}}) into the person's mirror."""
        self.set_mirrors(sf_object, [(person_id, fields)])

    def set_mirrors(self, sf_object: str, items: list[tuple[int, dict]]) -> None:
        """set_mirror for many people: their mirrors read in one query per 500."""
        ids = [person_id for person_id, _fields in items]
        held: dict[int, tuple[str, dict]] = {}
        for chunk, marks in in_chunks(ids):
            for person_id, held_object, text in self.conn.execute(
                f"SELECT person_id, sf_object, fields FROM mirror WHERE person_id IN ({marks})",
                chunk,
            ):
                held[person_id] = (held_object, mirror_text.loads(text))
        now, writes = utc_now(), []
        for person_id, fields in items:
            held_object, current = held.get(person_id, (None, {}))
            if held_object == sf_object and all(current.get(k) == v for k, v in fields.items()):
                continue  # nothing new: a quiet run leaves the mirror as it was
            current.update(fields)
            held[person_id] = (sf_object, current)
            writes.append((person_id, sf_object, mirror_text.dumps(current), now))
        self.conn.executemany(
            "INSERT INTO mirror (person_id, sf_object, fields, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(person_id) DO UPDATE SET sf_object = excluded.sf_object, "
            "fields = excluded.fields, synced_at = excluded.synced_at",
            writes,
        )

    def set_mirrors_from_journal(self, sf_object: str, journal_ids: list[int]) -> None:
        """The mirrors these journal rows carry, set as set_mirror would: copied as stored, in
        SQLite, for a person without one yet (a create's: nothing decoded or encoded, nothing
        through Python), merged otherwise."""
        now = utc_now()
        for chunk, marks in in_chunks(journal_ids):
            fresh, merged, seen = [], [], set()
            for journal_id, person, held in self.conn.execute(
                "SELECT j.id, j.person_id, m.person_id IS NOT NULL FROM journal j "
                f"LEFT JOIN mirror m ON m.person_id = j.person_id WHERE j.id IN ({marks}) "
                "ORDER BY j.id",
                chunk,
            ).fetchall():
                if held or person in seen:  # a person twice: the second merges into the first
                    merged.append(journal_id)
                else:
                    fresh.append(journal_id)
                    seen.add(person)
            if fresh:
                self.conn.execute(
                    "INSERT INTO mirror (person_id, sf_object, fields, synced_at) "
                    "SELECT j.person_id, ?, COALESCE(b.mirror, '{}'), ? FROM journal j "
                    "JOIN journal_bodies b ON b.journal_id = j.id "
                    f"WHERE j.id IN ({', '.join('?' for _ in fresh)}) ORDER BY j.id",
                    [sf_object, now, *fresh],
                )
            if merged:
                self.set_mirrors(sf_object, self._journal_mirrors(merged))

    def _journal_mirrors(self, journal_ids: list[int]) -> list[tuple[int, dict]]:
        """(person id, mirror) of these journal rows, in their order."""
        rows = self.conn.execute(
            "SELECT j.person_id, b.mirror FROM journal j "
            "JOIN journal_bodies b ON b.journal_id = j.id "
            f"WHERE j.id IN ({', '.join('?' for _ in journal_ids)}) ORDER BY j.id",
            journal_ids,
        )
        return [(person, mirror_text.loads(text)) for person, text in rows]

    def note_skip(self, sf_object: str, sf_id: str, modstamp: str | None, reason: str) -> bool:
        """Remember a Salesforce record the sync left alone; False if this version of it was
        already noted (so a re-read is not reported twice)."""
        row = self.conn.execute(
            "SELECT modstamp FROM skipped_records WHERE sf_id = ?", [sf_id]
        ).fetchone()
        if row is not None and row[0] == modstamp:
            return False
        self.conn.execute(
            "INSERT INTO skipped_records (sf_id, sf_object, modstamp, reason, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(sf_id) DO UPDATE SET modstamp = excluded.modstamp, "
            "reason = excluded.reason, at = excluded.at",
            [sf_id, sf_object, modstamp, reason, utc_now()],
        )
        return True

    def repoint(self, old_sf_id: str, new_sf_id: str) -> int:
        """A linked record purged and created again (a restore gives it a new id, as Salesforce
        gives every record it creates): the link follows it, so the next sync updates that
        record instead of creating a duplicate. Returns how many links moved."""
        return self.conn.execute(
            "UPDATE links SET sf_id = ? WHERE sf_id = ?", [new_sf_id, old_sf_id]
        ).rowcount


def repoint_links(state_path: Path | str, pairs: Iterable[tuple[str, str]]) -> int:
    """(old Salesforce id, new id) pairs of a restore; returns how many links moved. One
    transaction."""
    db = open_database(state_path)
    try:
        with db.conn:
            links = Links(db.conn)
            return sum(links.repoint(old, new) for old, new in pairs)
    finally:
        db.conn.close()
