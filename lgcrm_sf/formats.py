"""Dates, numbers and time zones for people, in the chosen language's CLDR formats (Babel):
`28/11/2026 14:05` and `64.000,00` in pt_BR, `11/28/26, 2:05 PM` and `64,000.00` in English,
shown in the profile's time zone (`--tz`/LGCRM_SF_TZ, else the profile's `timezone`, else
UTC). Never for machines: --json, log.jsonl and the state keep UTC ISO stamps and plain numbers
(clock.py). Zone names are IANA's, through `zoneinfo` (the `tzdata` package where the machine
has no zone files)."""

from __future__ import annotations

import datetime
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates, numbers

from . import clock, i18n
from .errors import UsageError
from .i18n import _

_override: str | None = None  # --tz or LGCRM_SF_TZ for this run
_profile_zone: str | None = None  # the profile's `timezone` setting, once the profile is known


def zone_of(name: str, where: str = "--tz") -> ZoneInfo:
    """An IANA zone (America/Sao_Paulo, UTC...), or a usage error naming where it came from."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            _("{where} {name!r} is not a time zone.").format(where=where, name=name),
            _("give an IANA name such as America/Sao_Paulo or UTC."),
        ) from None


def use_zone(override: str | None) -> None:
    """The zone this run shows times in, when given (--tz, else LGCRM_SF_TZ)."""
    global _override, _profile_zone
    _profile_zone = None
    where = "--tz" if override else "LGCRM_SF_TZ"
    chosen = override or os.environ.get("LGCRM_SF_TZ") or None
    if chosen:
        zone_of(chosen, where)
    _override = chosen


def use_profile_zone(name: str | None) -> None:
    global _profile_zone
    _profile_zone = name


def current_zone() -> ZoneInfo:
    name = _override or _profile_zone or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a stored setting gone bad: times still show, in UTC


def _locale() -> str:
    return i18n.current_language()


def moment(value: str | datetime.datetime | None) -> str:
    """A stored instant (UTC ISO) as people read it here: `28/11/2026 14:05`."""
    if not value:
        return ""
    when = clock.parse(value) if isinstance(value, str) else value
    return dates.format_datetime(when, "short", tzinfo=current_zone(), locale=_locale())


def day(value: str | datetime.date | None) -> str:
    """A date (YYYY-MM-DD) as people read it: `28/11/2026`."""
    if not value:
        return ""
    when = datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return dates.format_date(when, "short", locale=_locale())


def number(value: int | float | None, decimals: int | None = None) -> str:
    """`64.000` (pt_BR) / `64,000` (en); with `decimals`, that many: `1,5` / `1.5`."""
    if value is None:
        return ""
    if decimals is None:
        return numbers.format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=_locale())


def amount(value: int | float | None) -> str:
    """Money without a currency (the record's own currency is not ours to guess): `64.000,00`."""
    return number(value, 2)
