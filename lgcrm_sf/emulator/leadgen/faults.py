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

import re
from dataclasses import dataclass, field

from ..faults import FaultList

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


class Faults(FaultList):
    def add(self, spec: dict) -> Fault:
        self._check_keys(Fault, spec)
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
        return self._append(fault)

    def pick(self, method: str) -> Fault | None:
        return self._pick(lambda fault: fault.matches(method))
