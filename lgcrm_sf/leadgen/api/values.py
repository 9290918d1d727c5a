"""Values as the account sends them, turned into ours (LEADGEN_API.md §6, §7.5): every value
is a string in reads (`"1"`/`"0"`, `"88038560770"`, `"2016-11-09 17:18:22"` in UTC for v1.2),
and values typed in the web app come back HTML-encoded, `<` sometimes twice."""

from __future__ import annotations

import datetime
import html
import re

from ...clock import iso

API_TIME = "%Y-%m-%d %H:%M:%S"


def text(value) -> str | None:
    """A string field: HTML entities decoded. The web app stores `<` as `&amp;lt;` in standard
    fields (double-encoded), so a `&lt;` left after one decoding is a `<` too. A value written
    through the API comes back as written and is decoded harmlessly unless it held an entity."""
    if value is None:
        return None
    if type(value) is str and "&" not in value:
        return value  # nothing to decode (most values: every lead read goes through here)
    once = html.unescape(str(value))
    return once.replace("&lt;", "<") if "&lt;" in once else once


def flag(value) -> bool | None:
    """`"1"`/`"0"` (or 1/0, true/false); None for null or `""`."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def number(value) -> int | float | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raw = str(value).strip()
    try:
        return int(raw)
    except ValueError:
        return float(raw)


def ident(value) -> int | None:
    """An id: int64 in a string (`"0"` and `""` mean none)."""
    if value in (None, "", "0", 0):
        return None
    return int(value)


def api_time_to_iso(value) -> str | None:
    """`Y-m-d H:i:s` (UTC for v1.2) as our spelling; a bare date gets midnight."""
    if value in (None, "", "0000-00-00 00:00:00"):
        return None
    raw = str(value).strip()
    if _USUAL.fullmatch(raw):
        # The usual shape, its ranges checked by the C parser (strptime was a sync's hottest
        # call); anything else goes through strptime as before.
        try:
            datetime.datetime.fromisoformat(raw)
            return f"{raw[:10]}T{raw[11:]}.000Z"
        except ValueError:
            pass
    return _strict(raw)


_USUAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def _strict(raw: str) -> str:
    fmt = API_TIME if " " in raw else "%Y-%m-%d"
    return iso(datetime.datetime.strptime(raw, fmt).replace(tzinfo=datetime.UTC))


def iso_to_api_time(value: str | datetime.datetime) -> str:
    from ...clock import parse

    moment = parse(value) if isinstance(value, str) else value
    return moment.astimezone(datetime.UTC).strftime(API_TIME)


def api_date(value) -> str | None:
    """A date (closeDate is written `2016-11-26`, read back `2016-11-26 00:00:00`)."""
    if value in (None, ""):
        return None
    return str(value).strip()[:10]


def success(value) -> bool:
    """`success` may be a boolean or the string "false" (§2)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1")


def call_error(value) -> dict | None:
    """The API-level error of an answer, or None. `error` is null on reads and [] on writes
    (§2); a write may also list there copies of its failed objects' errors, which belong to
    the objects (read from `result`), not to the call."""
    if isinstance(value, dict) and "code" in value:
        return value
    return None
