"""Times read from an input file: ISO 8601 always, and the date forms of the profile's language
(`25/11/2026 09:00` in pt_BR, `11/25/2026 09:00` in English: day or month first as the language's
CLDR short date pattern says). A time without an offset is read in the profile's time zone, so
the same file means the same instant on every machine (never the machine's own zone)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates

from .. import clock, i18n

_TIMES = ("%H:%M:%S", "%H:%M", "")


@dataclass(frozen=True)
class LocalTimes:
    zone: str = "UTC"
    language: str = i18n.SOURCE

    @classmethod
    def of(cls, language: str | None, zone: str | None) -> LocalTimes:
        return cls(zone or "UTC", i18n.normalize(language) or i18n.SOURCE)

    @property
    def day_first(self) -> bool:
        pattern = dates.get_date_format("short", locale=self.language).pattern
        return pattern.lower().index("d") < pattern.lower().index("m")

    @property
    def example(self) -> str:
        """The local form, as the error for a time it cannot read shows it."""
        return "25/11/2026 09:00" if self.day_first else "11/25/2026 09:00"

    def tzinfo(self) -> datetime.tzinfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            return datetime.UTC

    def parse(self, text: str) -> str:
        """The instant `text` names, as the one stored spelling (UTC); ValueError if none."""
        value = text.strip()
        try:
            when = datetime.datetime.fromisoformat(
                value.replace(" ", "T", 1).replace("Z", "+00:00")
            )
        except ValueError:
            when = self._local_form(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tzinfo())
        return clock.iso(when)

    def _local_form(self, value: str) -> datetime.datetime:
        day = "%d/%m/%Y" if self.day_first else "%m/%d/%Y"
        for time in _TIMES:
            try:
                return datetime.datetime.strptime(value, f"{day} {time}".strip())
            except ValueError:
                continue
        raise ValueError(value)
