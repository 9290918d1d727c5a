"""Fault injection for tests and the demo (control surface, not Salesforce's): by path pattern,
an HTTP status and errorCode, a count or a probability, added latency (cut short when the
faults are cleared), or a dropped connection."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    path: str  # a regular expression searched in the request path
    method: str | None = None
    status: int = 503
    error_code: str = "SERVER_UNAVAILABLE"
    message: str = "Injected fault"
    count: int | None = 1  # None: until cleared
    probability: float = 1.0
    latency_ms: int = 0
    drop: bool = False  # close the connection without a response
    cut_after_bytes: int | None = None  # send the real response, but break off after N bytes
    after: int = 0  # let this many matching requests through first
    seen: int = field(default=0)
    fired: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(0)
        # Set when the faults are cleared: a request a fault's latency holds goes on at once (a
        # test that killed the client releases it instead of waiting the latency out).
        self._release = threading.Event()

    def add(self, spec: dict) -> Fault:
        allowed = set(Fault.__dataclass_fields__) - {"seen", "fired"}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        re.compile(spec["path"])
        fault = Fault(**spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._release.set()
            self._release = threading.Event()

    def hold(self, fault: Fault) -> None:
        """The fault's latency: until it has passed or the faults are cleared."""
        with self._lock:
            release = self._release
        release.wait(fault.latency_ms / 1000)

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                if self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                return fault
        return None

    def summary(self) -> list[dict]:
        with self._lock:
            return [dict(f.__dict__) for f in self._faults]
