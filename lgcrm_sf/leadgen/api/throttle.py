"""At most N calls in any second, as the account counts them (LEADGEN_API.md §4: 10 calls a
second, refused with 107 beyond). A sliding window over the times our calls *finished*: the
account counts a call when it arrives, which is after we sent it and before its answer came
back, so waiting until the N-th last answer is a full second old guarantees that no second of
the account's clock sees more than N of our calls, whatever the network's delays (one caller,
one call at a time). A token bucket refilled at N/s could let 2N through one wall-clock second."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable


class CallWindow:
    def __init__(
        self,
        per_second: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self._clock, self._sleep = clock, sleep
        self._finished: collections.deque[float] = collections.deque(maxlen=per_second)
        self.waited = 0.0  # seconds spent waiting, for benchmarks

    def wait_turn(self) -> None:
        """Block until one more call may start."""
        if len(self._finished) < self.per_second:
            return
        ready_at = self._finished[0] + 1.0 + 0.002  # a hair over: clocks have a resolution
        delay = ready_at - self._clock()
        if delay > 0:
            self.waited += delay
            self._sleep(delay)

    def finished(self) -> None:
        self._finished.append(self._clock())
