"""Bounded exponential backoff for transient Salesforce failures: 5xx answers, dropped
connections and timeouts, UNABLE_TO_LOCK_ROW, and REQUEST_LIMIT_EXCEEDED (Salesforce's
concurrent-request and rate limits clear with time)."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import ConnectionFailure, LgcrmError, OutcomeUnknown, SalesforceApiError
from ..i18n import _

TRANSIENT_CODES = {
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
    "UNKNOWN_EXCEPTION",
    "QUERY_TIMEOUT",
    "TXN_SECURITY_NO_ACCESS_TEMP",
}

T = TypeVar("T")


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_seconds: float = 0.5
    max_seconds: float = 30.0

    @classmethod
    def from_environment(cls) -> RetryPolicy:
        # LGCRM_SF_RETRY_BASE_SECONDS shortens the waits (tests, troubleshooting).
        base = os.environ.get("LGCRM_SF_RETRY_BASE_SECONDS")
        return cls(base_seconds=float(base)) if base else cls()

    def delay(self, attempt: int) -> float:
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, ConnectionFailure):
        return not exc.tls
    if isinstance(exc, SalesforceApiError):
        return exc.code in TRANSIENT_CODES or (exc.status is not None and exc.status >= 500)
    return False


def may_have_acted(exc: Exception) -> bool:
    """Could Salesforce have processed a request that failed this way? A connection never made
    (refused, DNS, TLS handshake, connect timeout) or a refusal it answered (4xx, 503 Service
    Unavailable) means no; a lost, cut or late answer, or a 500, means maybe."""
    if isinstance(exc, ConnectionFailure):
        return exc.sent
    if isinstance(exc, SalesforceApiError):
        return exc.status is not None and exc.status >= 500 and exc.status != 503
    return False


def with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy,
    on_retry: Callable[[Exception, float], None] | None = None,
    idempotent: bool = True,
) -> T:
    """Run fn with bounded backoff on transient failures. A call that is not idempotent (a
    create) is retried only when the failure proves nothing happened: otherwise OutcomeUnknown,
    for the caller to look up what the server did before anything is sent again."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if not idempotent and may_have_acted(exc):
                raise OutcomeUnknown(
                    _(
                        "{value} (the request may have been carried out before its answer was lost)"
                    ).format(value=exc.message if isinstance(exc, LgcrmError) else exc)
                ) from exc
            if attempt == policy.attempts or not is_transient(exc):
                raise
            wait = policy.delay(attempt)
            if on_retry:
                on_retry(exc, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


def poll_delays(expected_rows: int | None, eager: bool = False):
    """How long to wait between Bulk job status checks. Every check is an API call: for the
    sync, which runs every few minutes, a big job is first checked after a wait sized to it
    (Salesforce processes roughly tens of thousands of rows a second), then less and less often,
    at most every 10 s. An `eager` caller (a one-off backup, where a few calls more are nothing
    beside the rows) checks from 0.2 s on, growing slowly, to start downloading sooner."""
    if eager:
        delay, growth, cap = 0.2, 1.3, 5.0
    else:
        delay, growth, cap = min(5.0, max(0.05, (expected_rows or 0) / 20_000)), 1.5, 10.0
    while True:
        yield delay
        delay = min(delay * growth, cap)
