"""Reading the leads changed since a moment without trusting offset paging (LEADGEN_API.md §4:
no guaranteed order, so offsets skip or repeat rows while leads change). getLeadsDateRange is
sliced by updateTimestamp into windows that each fit in one page of 500:

- the tail [since, far future] first: a quiet account answers that in one short page;
- a full tail is a sample of the changed leads (the vendor's order is no order), whose spread of
  timestamps sizes the first windows; later windows adapt to what came back, aiming at 450 a
  window, and stop short of a second the sample shows to hold about a page; a full window's
  page is a fresh sample that sizes the next try (a burst of writes is reached in a call or
  two, not by halving a day down to it);
- a one-second window that is still full (one createLeads call stamps 500 leads in the same
  second; a sync's updateLeadsV2 calls, 5,000) is read by offset until two passes agree on its
  ids, the window's own read being the first pass's first page.

Leads may come twice (a lead changed during the walk moves to a later window): the caller's copy
is keyed by lead id, so a repeat is an idempotent upsert. Inactive leads are left out of date
ranges (§7.6): reconciliation by id finds them."""

from __future__ import annotations

import bisect
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
        # About how much of the read is done (0 to 1; None until a full page sampled it): the
        # share of the first full page's timestamps before the window being read.
        self.share_read: float | None = None
        self._overall: list[int] | None = None

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
            # A second full tail: the first page did not span the read (a vendor answering in
            # some order after all), so how much is done is no longer known.
            self._overall = None if self.windows > 1 else stamps
            self.share_read = None
            yield from self._walk(t, hi, stamps)
            t = hi + 1

    def _walk(self, t: int, hi: int, sample: list[int]) -> Iterator[list[dict]]:
        """Windows covering [t, hi], each read whole. The latest full page is a sample of the
        leads ahead (the vendor's order is no order): a window takes about TARGET leads' worth
        of its points, at the number of leads a point stood for in the windows read since."""
        width = sample[0] - 1 - t if t < sample[0] else hi - t
        seen = [0, 0]  # leads read, sample points they covered: leads a point stands for
        while t <= hi:
            end = min(t + width, _sample_end(sample, t, seen), hi)
            rows = self.client.leads_in_range(to_stamp(t), to_stamp(end))
            self.windows += 1
            if len(rows) >= PAGE:
                if end == t:
                    yield self._dense_second(t, rows)
                    t, width = t + 1, 0
                    continue
                # A full page is a fresh sample of its window: the next try is sized by it
                # rather than halved down to a burst of writes one call at a time.
                self.split += 1
                sample = sorted(to_seconds(r["updateTimestamp"]) for r in rows)
                width, seen = end - t, [0, 0]
                continue
            if self._overall:
                self.share_read = bisect.bisect_right(self._overall, end) / len(self._overall)
            yield rows
            seen[0] += len(rows)
            seen[1] += bisect.bisect_right(sample, end) - bisect.bisect_left(sample, t)
            span = end - t + 1
            t = end + 1
            growth = MAX_GROWTH if not rows else min(MAX_GROWTH, TARGET / len(rows))
            width = max(0, int(span * growth) - 1)

    def _dense_second(self, second: int, first_page: list[dict]) -> list[dict]:
        """A one-second window holding 500 or more leads: read by offset until two passes
        agree on the ids. The window's own read is the first pass's first page."""
        self.dense_seconds += 1
        stamp = to_stamp(second)
        previous: set | None = None
        for _ in range(MAX_PASSES):
            rows: dict = {}
            offset, page = 0, first_page
            while True:
                if page is None:
                    page = self.client.leads_in_range(stamp, stamp, offset=offset)
                for row in page:
                    rows[str(row["id"])] = row
                if len(page) < PAGE:
                    break
                offset, page = offset + len(page), None
            first_page = None
            if previous is not None and set(rows) == previous:
                return list(rows.values())
            previous = set(rows)
        return list(rows.values())


def _sample_end(sample: list[int], t: int, seen: list[int]) -> int:
    """Where the sample says a window from t must end. Fresh from a full page (how many leads
    a point stands for unknown): after two of its points (each is 1/500 of a full window: two
    are under 400 leads up to 100,000). Once windows were read whole since: before the first
    second the sample shows to hold about a page by itself (a burst of writes), else nowhere
    (the walk's growth sizes windows by the leads it read)."""
    later = bisect.bisect_left(sample, t)
    if not seen[1]:
        return max(t, sample[later + 2] - 1) if later + 2 < len(sample) else to_seconds(FAR_END)
    per_point = max(seen[0], 1) / seen[1]
    at = later
    while at < len(sample):
        second = sample[at]
        upto = bisect.bisect_right(sample, second, at)
        if (upto - at) * per_point >= TARGET:
            return max(t, second - 1)
        at = upto
    return to_seconds(FAR_END)
