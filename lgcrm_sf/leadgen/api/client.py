"""The account's API client: one call with its limits (the call window, the daily budget and its
reserve), bounded retries with backoff for the limits that clear with time (107, 209) and for
transient failures, and the plain reads and batched writes the sync and `migrate sales` use.

A read is retried after any transient failure. A write is retried only when it cannot have been
acted on (refused before it ran: 107/209, 503, connection never made); a lost answer raises
AccountOutcomeUnknown and the caller settles the write by looking records up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from ...salesforce.retry import RetryPolicy
from . import values
from .errors import (
    AccountOutcomeUnknown,
    AccountRateLimited,
    AccountUnavailable,
    ObjectErrors,
    ObjectResult,
    family,
)
from .names import API_NAMES, META_FIELDS
from .throttle import CallWindow
from .transport import DEFAULT_URL, Transport

PAGE = 500  # objects a call (§4)
SMALL_BATCH = 250  # createLeads with many custom fields (§4)
MANY_CUSTOM = 20
RATE_PAUSE = 1.0  # seconds: the account counts calls per second of its clock
WRITE_KEYS = {"create": "creates", "update": "updates", "delete": "deletes"}


class NoBudget:
    """A budget that counts nothing (connect's one check, tests of the client alone)."""

    def spend(self, calls: int = 1) -> None:
        pass


class LeadGenClient:
    def __init__(
        self,
        account_id: str,
        secret_key: str,
        url: str = DEFAULT_URL,
        ca_bundle: str | None = None,
        per_second: int = 10,
        budget=None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = Transport(url, account_id, secret_key, ca_bundle)
        self.window = CallWindow(per_second, sleep=sleep)
        self.budget = budget or NoBudget()
        self.policy = policy or RetryPolicy.from_environment()
        self._sleep = sleep
        self.calls = 0  # answered or not, every call sent
        self.by_method: dict[str, int] = {}
        self.retried = 0

    # --- one call ----------------------------------------------------------------------------
    def call(self, method: str, params: dict, write: bool = False) -> dict:
        """The result of one API call (the envelope's `result`)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, params)
            except (AccountRateLimited, AccountUnavailable) as exc:
                if write and getattr(exc, "sent", False):
                    raise AccountOutcomeUnknown(exc.message, exc.fix) from None
                if getattr(exc, "tls", False) or attempt >= self.policy.attempts:
                    raise
                self.retried += 1
                self._sleep(self._pause(exc, attempt))

    def _pause(self, exc: Exception, attempt: int) -> float:
        """Backoff; a per-second limit (107) clears only when the account's second turns."""
        delay = self.policy.delay(attempt)
        return max(delay, RATE_PAUSE) if isinstance(exc, AccountRateLimited) else delay

    def _once(self, method: str, params: dict) -> dict:
        self.budget.spend(1)
        self.window.wait_turn()
        self.calls += 1
        self.by_method[method] = self.by_method.get(method, 0) + 1
        try:
            envelope = self.transport.post(method, params)
        finally:
            self.window.finished()
        error = values.call_error(envelope.get("error"))
        if error is not None:
            code = int(error.get("code") or 999)
            raise family(code, str(error.get("message") or ""), error.get("data"))
        result = envelope.get("result")
        return result if isinstance(result, dict) else {}

    # --- reads ---------------------------------------------------------------------------------
    def pages(self, method: str, key: str, where: dict | None = None, **extra) -> Iterator[list]:
        """Every page of a read by limit/offset, until a short page (or hasMore false). The
        vendor guarantees no order (§4): callers dedupe by id."""
        offset = 0
        while True:
            params = {"where": where or {}, "limit": PAGE, "offset": offset, **extra}
            result = self.call(method, params)
            rows = result.get(key) or []
            yield rows
            more = result.get("hasMore")
            if len(rows) < PAGE or more is False:
                return
            offset += len(rows)

    def read_all(self, method: str, key: str, where: dict | None = None, **extra) -> list[dict]:
        """A whole read, deduplicated by id (no order guarantee across pages)."""
        seen: dict = {}
        for rows in self.pages(method, key, where, **extra):
            for row in rows:
                seen.setdefault(str(row.get("id")), row)
        return list(seen.values())

    def get_lead(self, lead_id: int) -> dict | None:
        found = self.call("getLead", {"id": str(lead_id)}).get("lead") or []
        return found[0] if found else None

    def get_leads_by_id(self, ids: list[int]) -> list[dict]:
        """The leads with these ids, inactive ones too (a lookup by id finds them, §5); an id
        missing from the answer is a deleted lead."""
        out = []
        for start in range(0, len(ids), PAGE):
            chunk = [str(i) for i in ids[start : start + PAGE]]
            out += self.call("getLeads", {"where": {"id": chunk}, "limit": PAGE}).get("lead") or []
        return out

    def get_leads_by_email(self, email: str) -> list[dict]:
        where = {"emailAddress": email}
        return self.call("getLeads", {"where": where, "limit": PAGE}).get("lead") or []

    def leads_in_range(self, start: str, end: str, offset: int = 0, kind: str = "update") -> list:
        """One page of getLeadsDateRange ([start, end] inclusive, `Y-m-d H:i:s` UTC)."""
        params = {"startDate": start, "endDate": end, "timestamp": kind}
        params.update(limit=PAGE, offset=offset)
        return self.call("getLeadsDateRange", params).get("lead") or []

    def get_user_profiles(self) -> list[dict]:
        return self.read_all("getUserProfiles", "userProfile")

    def get_fields(self, where: dict | None = None) -> list[dict]:
        return self.read_all("getFields", "field", where)

    def get_accounts(self, where: dict | None = None) -> list[dict]:
        return self.read_all("getAccounts", "account", where)

    def get_opportunities(self, where: dict | None = None) -> list[dict]:
        return self.read_all("getOpportunities", "opportunity", where)

    def get_deal_stages(self, where: dict | None = None) -> list[dict]:
        return self.read_all("getDealStages", "dealStage", where)

    def get_opportunity_leads(self, where: dict | None = None) -> list[dict]:
        # The result key differs from the method's name (§7.7).
        return self.read_all("getOpportunityLeads", "getWhereopportunityLeads", where)

    def get_campaigns(self, where: dict | None = None) -> list[dict]:
        return self.read_all("getCampaigns", "campaign", where)

    def events_since(self, created_after: str, sources: list[str]) -> Iterator[list]:
        """Pages of getEventsByType from a createTimestamp (inclusive), of these sources."""
        extra = {"eventSource": ",".join(sources)}
        where = {"createTimestamp": created_after}
        return self.pages("getEventsByType", "event", where, **extra)

    # --- writes --------------------------------------------------------------------------------
    def write(self, method: str, objects: list[dict], batch: int | None = None) -> list:
        """A bulk write in batches; one ObjectResult an object, in input order (§2)."""
        key = next(v for k, v in WRITE_KEYS.items() if method.startswith(k))
        size = batch or _batch_size(objects)
        results: list[ObjectResult] = []
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            answer = self.call(method, {"objects": chunk}, write=True).get(key) or []
            results += [_object_result(a) for a in answer]
            results += [ObjectResult(False, code=999, message="no answer")] * (
                len(chunk) - len(answer)
            )
        return results

    def write_all(self, method: str, objects: list[dict]) -> list[ObjectResult]:
        """A bulk write that must succeed for every object (ObjectErrors otherwise)."""
        results = self.write(method, objects)
        if not all(r.success for r in results):
            raise ObjectErrors(results)
        return results

    def create_leads(self, objects: list[dict]) -> list[ObjectResult]:
        return self.write("createLeads", objects)

    def update_leads(self, objects: list[dict]) -> list[ObjectResult]:
        """updateLeadsV2: 404 for an unknown id where updateLeads says success (§7.1)."""
        return self.write("updateLeadsV2", objects)


def _batch_size(objects: list[dict]) -> int:
    """250 when a lead carries many custom fields (the vendor's advice, §4), else 500."""
    standard = set(API_NAMES) | set(META_FIELDS)
    custom = max((sum(1 for k in o if k not in standard) for o in objects), default=0)
    return SMALL_BATCH if custom > MANY_CUSTOM else PAGE


def _object_result(answer) -> ObjectResult:
    if not isinstance(answer, dict):
        return ObjectResult(False, code=999, message="malformed object result")
    error = answer.get("error")
    ok = values.success(answer.get("success")) and not (isinstance(error, dict) and error)
    code = message = data = None
    if isinstance(error, dict) and error:
        code, message, data = int(error.get("code") or 999), error.get("message"), error.get("data")
    return ObjectResult(ok, values.ident(answer.get("id")), code, message, data)
