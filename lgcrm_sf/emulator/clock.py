"""The server clock. Tests and the demo set it through the control surface."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def set(self, when: datetime, frozen: bool = True) -> None:
        with self._lock:
            if frozen:
                self._frozen = when
            else:
                self._frozen = None
                self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def real(self) -> None:
        with self._lock:
            self._frozen, self._offset = None, timedelta(0)

    def today(self) -> date:
        return self.now().date()


def sf_datetime(when: datetime) -> str:
    """Salesforce's REST datetime form, always UTC: 2024-05-01T12:00:00.000+0000."""
    when = when.astimezone(UTC)
    if when.year >= 1000:  # the same text, faster (a Bulk job stamps every row)
        return when.isoformat(timespec="milliseconds")[:23] + "+0000"
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """Parse the datetime forms Salesforce accepts in JSON and CSV (Z, +hh:mm, +hhmm, no zone)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
