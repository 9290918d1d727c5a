"""Reading the leads changed since a moment without trusting offset paging (LEADGEN_API.md §4:
no guaranteed order, so offsets skip or repeat rows while leads change). getLeadsDateRange is
sliced by updateTimestamp into windows that each fit in one page of 500:

- the tail [since, far future] first: a quiet account answers that in one short page;
- a full tail is a sample of the changed leads (the vendor's order is no order), whose spread of
  timestamps sizes the first windows; later windows adapt to what came back, aiming at 450 a
  window; a full window is halved and read again;
- a one-second window that is still full (one createLeads call stamps 500 leads in the same
  second) is read by offset until two passes agree on its ids.

Leads may come twice (a lead changed during the walk moves to a later window): the caller's copy
is keyed by lead id, so a repeat is an idempotent upsert. Inactive leads are left out of date
ranges (§7.6): reconciliation by id finds them."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator

from .client import PAGE, LeadGenClient

FAR_END = "2999-12-31 23:59:59"
EPOCH = "2000-01-01 00:00:00"
TARGET = 450  # leads a window aims at: room under 500 for the spread of real traffic
MAX_GROWTH = 8
MAX_PASSES = 6


def to_seconds(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S"))


def to_stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


class ChangedLeads:
    def __init__(self, client: LeadGenClient) -> None:
        self.client = client
        self.windows = 0  # windows read (for tests and benchmarks)
        self.split = 0  # full windows halved
        self.dense_seconds = 0  # one-second windows read by offset

    def since(self, start: str | None) -> Iterator[list[dict]]:
        """Pages of leads updated at or after `start` (inclusive; all when None)."""
        t = to_seconds(start or EPOCH)
        while True:
            tail = self.client.leads_in_range(to_stamp(t), FAR_END)
            self.windows += 1
            if len(tail) < PAGE:
                yield tail
                return
            stamps = sorted(to_seconds(r["updateTimestamp"]) for r in tail)
            hi = stamps[-1]
            yield from self._walk(t, hi, stamps)
            t = hi + 1

    def _walk(self, t: int, hi: int, sample: list[int]) -> Iterator[list[dict]]:
        """Windows covering [t, hi], each read whole."""
        if t < sample[0]:  # what lies before the sample's earliest lead is a small share
            width = sample[0] - 1 - t
        else:
            width = _sample_width(sample, t)
        while t <= hi:
            end = min(t + width, hi)
            rows = self.client.leads_in_range(to_stamp(t), to_stamp(end))
            self.windows += 1
            if len(rows) >= PAGE:
                if end == t:
                    yield self._dense_second(t)
                    t, width = t + 1, 0
                    continue
                self.split += 1
                width = (end - t) // 2
                continue
            yield rows
            span = end - t + 1
            t = end + 1
            growth = MAX_GROWTH if not rows else min(MAX_GROWTH, TARGET / len(rows))
            width = max(0, int(span * growth) - 1)

    def _dense_second(self, second: int) -> list[dict]:
        """A one-second window holding 500 or more leads: read by offset until two passes
        agree on the ids."""
        self.dense_seconds += 1
        stamp = to_stamp(second)
        previous: set | None = None
        for _ in range(MAX_PASSES):
            rows: dict = {}
            offset = 0
            while True:
                page = self.client.leads_in_range(stamp, stamp, offset=offset)
                for row in page:
                    rows[str(row["id"])] = row
                if len(page) < PAGE:
                    break
                offset += len(page)
            if previous is not None and set(rows) == previous:
                return list(rows.values())
            previous = set(rows)
        return list(rows.values())


def _sample_width(sample: list[int], t: int) -> int:
    """A first window holding about two of the sample's leads beyond t: each sampled lead
    stands for (changed leads / 500) leads, so two of them are under 400 up to 100,000
    changed leads; the walk adapts from there."""
    later = [s for s in sample if s >= t]
    if len(later) < 3:
        return 0
    return max(0, later[2] - t)
