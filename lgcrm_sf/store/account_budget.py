"""The account's API calls spent per UTC day. The vendor exposes no usage counter (LEADGEN_API.md
§4: 50,000 calls a day by default, refused with 106 beyond), so the client counts its own calls
here, in the state database, and stops a run cleanly when the day's count reaches the reserve."""

from __future__ import annotations

import sqlite3
import threading

from ..clock import now
from ..errors import AccountDailyLimit
from ..i18n import _

DEFAULT_DAILY_LIMIT = 50_000
DEFAULT_RESERVE_PERCENT = 10.0


class AccountBudget:
    def __init__(
        self,
        conn: sqlite3.Connection,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        reserve: int | None = None,
    ) -> None:
        self.conn = conn
        self.daily_limit = daily_limit
        self.reserve = (
            int(daily_limit * DEFAULT_RESERVE_PERCENT / 100) if reserve is None else reserve
        )

    @staticmethod
    def today() -> str:
        return now().date().isoformat()

    def used_today(self) -> int:
        row = self.conn.execute(
            "SELECT calls FROM account_api_calls WHERE day = ?", [self.today()]
        ).fetchone()
        return row[0] if row else 0

    def spend(self, calls: int = 1) -> None:
        """Count calls about to be sent; refuse (AccountDailyLimit, exit 8) at the reserve."""
        used = self.used_today()
        self.check(used, calls)
        self.record(calls)

    def check(self, used: int, calls: int) -> None:
        """Refused (AccountDailyLimit) when `calls` more than `used` would reach the reserve."""
        if used + calls <= self.daily_limit - self.reserve:
            return
        raise AccountDailyLimit(
            _(
                "Stopped: {used:,} calls to the Lead Gen & CRM account today, the reserve "
                "of {reserve:,} of its {limit:,} daily calls is kept. Work done so far is "
                "saved."
            ).format(used=used, reserve=self.reserve, limit=self.daily_limit),
            _("the next run after midnight UTC resumes; lower the account reserve to use "
              "more of the day's calls."),
        )  # fmt: skip

    def record(self, calls: int) -> None:
        in_transaction = self.conn.in_transaction
        self.conn.execute(
            "INSERT INTO account_api_calls (day, calls) VALUES (?, ?) "
            "ON CONFLICT(day) DO UPDATE SET calls = calls + excluded.calls",
            [self.today(), calls],
        )
        if not in_transaction:
            self.conn.commit()

    def tally(self) -> Tally:
        return Tally(self)


class Tally:
    """The budget as another thread spends it (the database connection is its owner's): calls
    are checked against the day's count as it stood, plus the calls since, and `record`ed into
    the database by the owner's thread."""

    def __init__(self, budget: AccountBudget) -> None:
        self.budget = budget
        self.used = budget.used_today()
        self.unrecorded = 0
        self.closed = False
        self._lock = threading.Lock()

    def spend(self, calls: int = 1) -> None:
        with self._lock:
            if self.closed:
                raise TallyClosed
            self.budget.check(self.used, calls)
            self.used += calls
            self.unrecorded += calls

    def record(self) -> None:
        """Into the database (the owner's thread only)."""
        with self._lock:
            calls, self.unrecorded = self.unrecorded, 0
        if calls:
            self.budget.record(calls)

    def close(self) -> None:
        """No more calls: the other thread's next one stops it."""
        with self._lock:
            self.closed = True


class TallyClosed(Exception):
    """A call tried after its thread's reading was given up."""
