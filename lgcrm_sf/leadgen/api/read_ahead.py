"""Reading ahead: a long read's pages fetched in a thread while the caller works on the ones it
has. The account's calls a second set the pace of a long read (a first read of 100,000 leads is
200 calls: 20 s at best); what the caller does with a page (writing it to the copy, matching
it) then happens while the next pages are on their way, not between them.

The thread only calls the account (one call at a time, through the client's call window) and
runs the caller's pure per-page work given with the pages. The daily budget lives in the state
database, whose connection is the caller's: the thread spends from a tally of it that the
caller's thread records as pages come in. A failure in the thread is raised in the caller's,
at the page where it happened; leaving the read early (an error, Ctrl+C) stops the thread at
its next call."""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Callable, Iterator

from ...store.account_budget import TallyClosed

DEPTH = 8  # pages held ahead of the caller (a page of 500 leads is well under a MB)
JOIN_SECONDS = 2.0
# Calls are written to the budget's table every so many pages (each write is a commit, a sync
# to disk): a crash forgets at most that many calls of the day's count.
RECORD_EVERY = 10
_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead:
    """`with ReadAhead(client, pages_of) as ahead: for page in ahead: ...`, where
    `pages_of(client)` gives the pages, run in the thread with the thread's own client: a
    shallow copy of `client` (the same connection and call window) spending from the tally, so
    `client` itself keeps its budget, even for a thread that outlives the read."""

    def __init__(self, client, pages_of: Callable[..., Iterator], depth: int = DEPTH) -> None:
        self.client = client
        self.reader = copy.copy(client)
        self._tally = client.budget.tally() if hasattr(client.budget, "tally") else None
        if self._tally is not None:
            self.reader.budget = self._tally
        self._counts = (client.calls, client.retried)
        self.pages = pages_of(self.reader)
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="account-read-ahead", daemon=True)

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __iter__(self) -> Iterator:
        pages = 0
        while True:
            item = self._queue.get()
            pages += 1
            if pages % RECORD_EVERY == 0:
                self._record()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._tally is not None:
            self._tally.close()
        while True:  # room for a put in progress: it sees _stop next and gives up
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        # A call still in flight (the caller left early) ends by itself: the thread is a
        # daemon, and its next call stops on the closed tally.
        self._thread.join(timeout=JOIN_SECONDS)
        self.client.calls += self.reader.calls - self._counts[0]  # by_method is shared
        self.client.retried += self.reader.retried - self._counts[1]
        self._record()

    def _record(self) -> None:
        if self._tally is not None:
            self._tally.record()

    def _run(self) -> None:
        try:
            for page in self.pages:
                if not self._put(page):
                    return
        except TallyClosed:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self._put(_Failed(exc))
            return
        self._put(_END)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False
