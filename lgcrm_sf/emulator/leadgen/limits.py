"""Call limits and counters (LEADGEN_API.md §4): 10 calls a second and 50,000 a day by default,
refused inside an HTTP 200 body with codes 107 and 106 (no 429, no rate-limit headers).

Seconds and days are those of the emulator's clock (clock.py, shared with the Salesforce org),
so a test moves time instead of sleeping. A frozen clock freezes the window too: after N calls in
a frozen second every call gets 107 until the clock moves, or the rate is raised. Every call that
passed authentication counts in its second, accepted or not; only accepted calls spend the daily
budget. The counters let a test assert "no second saw more than N calls" without timing.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

DEFAULT_RATE = 10
DEFAULT_DAILY = 50_000


class Limits:
    def __init__(self, rate: int | None = None, daily: int | None = None) -> None:
        self.initial = (rate or DEFAULT_RATE, daily or DEFAULT_DAILY)
        self._lock = threading.Lock()
        self.rate_per_second, self.daily_limit = self.initial
        self.reset_counters()

    def restore(self) -> None:
        """Back to the limits the server started with (what a reset does), counters zeroed."""
        with self._lock:
            self.rate_per_second, self.daily_limit = self.initial
        self.reset_counters()

    def reset_counters(self) -> None:
        with self._lock:
            self.total = 0
            self.by_method: Counter = Counter()
            self.rejected_rate = 0
            self.rejected_daily = 0
            self.unauthorized = 0
            self.max_per_second = 0
            self._second: int | None = None
            self._in_second = 0
            self._day: str | None = None
            self.used_today = 0

    def admit(self, method: str, now: datetime) -> int | None:
        """Count one authenticated call; return 106/107 when it must be refused."""
        second, day = int(now.timestamp()), now.date().isoformat()
        with self._lock:
            self.total += 1
            self.by_method[method or "(no method)"] += 1
            if second != self._second:
                self._second, self._in_second = second, 0
            self._in_second += 1
            self.max_per_second = max(self.max_per_second, self._in_second)
            if day != self._day:
                self._day, self.used_today = day, 0
            if self.used_today >= self.daily_limit:
                self.rejected_daily += 1
                return 106
            if self._in_second > self.rate_per_second:
                self.rejected_rate += 1
                return 107
            self.used_today += 1
            return None

    def count_unauthorized(self) -> None:
        with self._lock:
            self.unauthorized += 1

    def set(self, rate_per_second: int | None = None, daily_limit: int | None = None) -> None:
        with self._lock:
            if rate_per_second is not None:
                if int(rate_per_second) < 1:
                    raise ValueError("rate_per_second must be at least 1")
                self.rate_per_second = int(rate_per_second)
            if daily_limit is not None:
                self.daily_limit = int(daily_limit)

    def set_used_today(self, used: int, now: datetime) -> None:
        with self._lock:
            self._day, self.used_today = now.date().isoformat(), int(used)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "by_method": dict(self.by_method),
                "max_per_second": self.max_per_second,
                "rejected_rate": self.rejected_rate,
                "rejected_daily": self.rejected_daily,
                "unauthorized": self.unauthorized,
                "used_today": self.used_today,
                "rate_per_second": self.rate_per_second,
                "daily_limit": self.daily_limit,
            }
