"""Fault injection for the Lead Gen & CRM side (control surface, not the vendor's API), built
like the Salesforce side's (emulator/faults.py): each fault matches calls by API method (a
regular expression matched against the whole method name; any method when omitted), lets
`after` matching calls through, then fires `count` times (None: until cleared) with
`probability`. Effects:

- code: an API error inside an HTTP 200 body (e.g. 107, 999), without running the call;
- unavailable: HTTP 503 with the text body "Service temporarily unavailable" (the vendor's
  bursts, LEADGEN_API.md §7.6; its exact shape is not documented, this is a plain reading);
- status + body: any other HTTP answer;
- drop: the connection closes without an answer, the call not run;
- cut_after_bytes: the call runs, then its answer breaks off after N bytes (0: nothing of the
  body arrives) - "the server acted, then the response was lost";
- latency_ms: a delay before anything else (alone, or with another effect), cut short when
  the faults are cleared.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

UNAVAILABLE_BODY = "Service temporarily unavailable"


@dataclass
class Fault:
    method: str | None = None
    code: int | None = None
    message: str | None = None
    unavailable: bool = False
    status: int | None = None
    body: str | None = None
    drop: bool = False
    cut_after_bytes: int | None = None
    latency_ms: int = 0
    count: int | None = 1
    probability: float = 1.0
    after: int = 0
    seen: int = field(default=0)
    fired: int = field(default=0)

    def matches(self, method: str) -> bool:
        return self.method is None or re.fullmatch(self.method, method) is not None


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
        if spec.get("method") is not None:
            re.compile(spec["method"])
        fault = Fault(**spec)
        effects = [
            fault.code is not None,
            fault.unavailable,
            fault.status is not None,
            fault.drop,
            fault.cut_after_bytes is not None,
        ]
        if sum(effects) > 1 or (sum(effects) == 0 and not fault.latency_ms):
            raise ValueError(
                "give one of code, unavailable, status, drop, cut_after_bytes (or latency_ms)"
            )
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

    def pick(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method):
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
