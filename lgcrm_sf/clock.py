"""The one clock: UTC, one ISO spelling (2026-11-27T08:00:00.000Z), read through here so tests
can freeze it (freezegun patches datetime.now) and no module stamps times its own way."""

from __future__ import annotations

import datetime


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    """The one spelling: milliseconds, Z."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return iso(now())


def parse(text: str) -> datetime.datetime:
    """Our spelling, Salesforce's (+0000) or ISO with an offset; naive means UTC."""
    value = text.strip().replace(" ", "T", 1)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def age(stamp: str) -> datetime.timedelta:
    return now() - parse(stamp)
