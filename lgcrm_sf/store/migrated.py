"""The id map of `lgcrm-sf migrate sales`: every source record (an account, an opportunity, an
opportunity-lead link of the Lead Gen & CRM account) with the Salesforce record it became and
the values last sent. A create is journaled ('sent', no Salesforce id yet) before it goes out
and settled ('done') with Salesforce's answer in one transaction, so a run killed in between
leaves a row the next run looks up before sending anything again. The first sync reads the map
to link the migrated records instead of copying them back as new ones."""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Iterable

from ..clock import utc_now

LOCAL = "local"  # the source of the local store (the profile's own Lead Gen & CRM data)


class MigratedState(enum.StrEnum):
    SENT = "sent"  # a create on its way: Salesforce may or may not have it
    DONE = "done"  # Salesforce has it (sf_id), with the values in `sent`
    FAILED = "failed"  # Salesforce refused the last write (sf_id kept if the record exists)


COLUMNS = ("source_id", "sf_id", "state", "sent", "source_stamp", "since", "error")


class MigratedRecords:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def of_object(self, sobject: str, source: str) -> dict[str, dict]:
        """{source id: its row} of every record of this object and source."""
        cur = self.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM migrated_records WHERE sf_object = ? AND source = ?",
            [sobject, source],
        )
        out = {}
        for values in cur:
            row = dict(zip(COLUMNS, values, strict=True))
            row["sent"] = json.loads(row["sent"]) if row["sent"] else {}
            out[row["source_id"]] = row
        return out

    def sf_ids(self, sobject: str) -> set[str]:
        """Every Salesforce id this object's records became (any source)."""
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT sf_id FROM migrated_records WHERE sf_object = ? AND sf_id IS NOT NULL",
                [sobject],
            )
        }

    def sf_id_of(self, sobject: str, source: str, source_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT sf_id FROM migrated_records WHERE sf_object = ? AND source = ? "
            "AND source_id = ?",
            [sobject, source, source_id],
        ).fetchone()
        return row[0] if row else None

    def journal_creates(
        self, sobject: str, source: str, rows: Iterable[tuple], since: str, run_id
    ) -> None:
        """(source id, values, source stamp) of a batch about to be created: 'sent', no
        Salesforce id yet."""
        now = utc_now()
        self.conn.executemany(
            "INSERT INTO migrated_records (sf_object, source, source_id, sf_id, state, sent, "
            "source_stamp, since, run_id, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (sf_object, source, source_id) DO UPDATE SET sf_id = NULL, "
            "state = excluded.state, sent = excluded.sent, source_stamp = excluded.source_stamp, "
            "since = excluded.since, run_id = excluded.run_id, error = NULL, "
            "updated_at = excluded.updated_at",
            [
                (sobject, source, sid, MigratedState.SENT, json.dumps(v), stamp, since, run_id, now)
                for sid, v, stamp in rows
            ],
        )

    def settle(
        self, sobject: str, source: str, source_id: str, sf_id: str, sent: dict, stamp
    ) -> None:
        """Salesforce has the record with these values (a create, an update or one found)."""
        self.conn.execute(
            "INSERT INTO migrated_records (sf_object, source, source_id, sf_id, state, sent, "
            "source_stamp, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (sf_object, source, source_id) DO UPDATE SET sf_id = excluded.sf_id, "
            "state = excluded.state, sent = excluded.sent, source_stamp = excluded.source_stamp, "
            "error = NULL, updated_at = excluded.updated_at",
            [
                sobject,
                source,
                source_id,
                sf_id,
                MigratedState.DONE,
                json.dumps(sent),
                stamp,
                utc_now(),
            ],
        )

    def fail(self, sobject: str, source: str, source_id: str, error: str) -> None:
        """Salesforce refused the write: a create is tried again next run, an update too."""
        self.conn.execute(
            "INSERT INTO migrated_records (sf_object, source, source_id, state, error, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sf_object, source, source_id) "
            "DO UPDATE SET state = excluded.state, error = excluded.error, "
            "updated_at = excluded.updated_at",
            [sobject, source, source_id, MigratedState.FAILED, error, utc_now()],
        )

    def forget_unsent(self, sobject: str, source: str, source_ids: Iterable[str]) -> None:
        """Journaled creates Salesforce never made: as if never journaled."""
        self.conn.executemany(
            "DELETE FROM migrated_records WHERE sf_object = ? AND source = ? AND source_id = ? "
            "AND sf_id IS NULL",
            [(sobject, source, sid) for sid in source_ids],
        )

    def local_of(self, sobject: str, sf_id: str) -> int | None:
        """The local record (an lg_accounts, lg_opportunities or lg_opportunity_contacts id)
        a Salesforce record was migrated from, if it was."""
        row = self.conn.execute(
            "SELECT source_id FROM migrated_records WHERE sf_object = ? AND source = ? "
            "AND sf_id = ?",
            [sobject, LOCAL, sf_id],
        ).fetchone()
        return int(row[0]) if row else None

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM migrated_records").fetchone()[0]
