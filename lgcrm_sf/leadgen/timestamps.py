"""The time stamps Lead Gen & CRM records carry here: the one clock's UTC, milliseconds and "Z"."""

from __future__ import annotations

from ..clock import utc_now


def now_iso() -> str:
    return utc_now()
