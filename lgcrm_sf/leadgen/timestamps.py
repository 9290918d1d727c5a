"""The time stamps Lead Gen & CRM records carry here: UTC, milliseconds, and "Z"."""

from __future__ import annotations

import datetime


def now_iso() -> str:
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
