"""Fault injection for tests and the demo (control surface, not Salesforce's): by path pattern,
an HTTP status and errorCode, a count or a probability, added latency (cut short when the
faults are cleared), or a dropped connection."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
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


class FaultList:
    """The faults of one service, in the order added, and how a request picks one: shared by
    the Salesforce side (here) and the Lead Gen & CRM side (leadgen/faults.py), which differ
    only in what a fault matches and which effects it may have."""

    def __init__(self) -> None:
        self._faults: list = []
        self._lock = threading.Lock()
        self._random = random.Random(0)
        # Set when the faults are cleared: a request a fault's latency holds goes on at once (a
        # test that killed the client releases it instead of waiting the latency out).
        self._release = threading.Event()

    @staticmethod
    def _check_keys(fault_class, spec: dict) -> None:
        """A control request names only a fault's settings (its counters are not settings)."""
        unknown = set(spec) - (set(fault_class.__dataclass_fields__) - {"seen", "fired"})
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")

    def _append(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._release.set()
            self._release = threading.Event()

    def hold(self, fault) -> None:
        """The fault's latency: until it has passed or the faults are cleared."""
        with self._lock:
            release = self._release
        release.wait(fault.latency_ms / 1000)

    def _pick(self, matches: Callable) -> object | None:
        """The first fault that `matches` and is due: past its `after`, under its `count`, and
        drawn with its `probability`."""
        with self._lock:
            for fault in self._faults:
                if not matches(fault):
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


class Faults(FaultList):
    def add(self, spec: dict) -> Fault:
        self._check_keys(Fault, spec)
        re.compile(spec["path"])
        return self._append(Fault(**spec))

    def pick(self, method: str, path: str) -> Fault | None:
        return self._pick(lambda fault: fault.matches(method, path))
