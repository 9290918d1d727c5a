"""The journal of creates sent to the account that have no natural key (accounts and
opportunities; leads settle by e-mail). A create is recorded `pending` before it is sent and
removed once its answer is recorded, in one transaction; a pending row found by a later run is
a create whose answer was lost (kill -9, a cut connection): the run looks up what it may have
made (its `lookup`: name, primary lead, close date) before sending it again."""

from __future__ import annotations

import json
import sqlite3

from ..clock import utc_now


class AccountOutbox:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def pending(self, run_id: int, op: str, items: list[tuple[int, dict]]) -> None:
        """Record creates about to be sent (commits: it must hold if the process dies)."""
        with self.conn:
            self.conn.executemany(
                "INSERT INTO account_outbox (run_id, op, local_id, lookup, state, created_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                [
                    (run_id, op, local_id, json.dumps(lookup), utc_now())
                    for local_id, lookup in items
                ],
            )

    def settled(self, op: str, local_ids: list[int]) -> None:
        """The answer is recorded (call inside the transaction that records it)."""
        self.conn.executemany(
            "DELETE FROM account_outbox WHERE op = ? AND local_id = ?",
            [(op, i) for i in local_ids],
        )

    def leftovers(self, op: str) -> list[dict]:
        rows = self.conn.execute(
            "SELECT id, local_id, lookup FROM account_outbox WHERE op = ? AND state = 'pending' "
            "ORDER BY id",
            [op],
        ).fetchall()
        return [{"id": r[0], "local_id": r[1], "lookup": json.loads(r[2])} for r in rows]
