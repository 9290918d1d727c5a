"""Writing records in batches: sObject Collections, 200 a call with allOrNone=false (a rejected
record never blocks the others). A create is an upsert on our external-id field when the org has
one (sending it twice then updates, never duplicates, so it is retried like an update); without
it a create is not idempotent, and a lost answer raises OutcomeUnknown for the caller to look
the records up. The REST API runs the org's active assignment rules on every Lead write unless
told not to, which would silently replace the owner the sync sets: only a create may ask for
them (the mapping's `assignment_rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, deferred
from .client import SalesforceClient

# A row-level answer that clears in a moment: the caller may send that record again.
TRANSIENT_RECORD_CODES = {"UNABLE_TO_LOCK_ROW"}


@dataclass
class WriteResult:
    key: str  # the caller's key for the record (a journal id, an event id)
    success: bool
    sf_id: str | None = None
    code: str | None = None
    message: str | None = None
    fields: list | None = None


def write_collection(
    client: SalesforceClient,
    sobject: str,
    op: str,
    items: list[tuple[str, dict]],
    assignment_rules: bool = False,
    external_id: str | None = None,
) -> list[WriteResult]:
    records = [{"attributes": {"type": sobject}, **payload} for _, payload in items]
    body = {"allOrNone": False, "records": records}
    assign = "TRUE" if assignment_rules and op == "create" else "FALSE"
    if op == "create" and external_id:
        path, method, idempotent = f"composite/sobjects/{sobject}/{external_id}", "PATCH", True
    elif op == "create":
        path, method, idempotent = "composite/sobjects", "POST", False
    else:
        path, method, idempotent = "composite/sobjects", "PATCH", True
    answers = client.call(
        lambda sf: sf.restful(
            path, method=method, json=body, headers={"Sforce-Auto-Assign": assign}
        ),
        deferred(
            N_("a batch of {sobject} creates")
            if op == "create"
            else N_("a batch of {sobject} updates"),
            sobject=sobject,
        ),
        idempotent=idempotent,
    )
    return [
        _result(key, payload, answer) for (key, payload), answer in zip(items, answers, strict=True)
    ]


def _result(key: str, payload: dict, answer: dict) -> WriteResult:
    if answer.get("success"):
        return WriteResult(key, True, answer.get("id") or payload.get("Id"))
    error = (answer.get("errors") or [{}])[0]
    return WriteResult(
        key,
        False,
        payload.get("Id"),
        error.get("statusCode"),
        error.get("message"),
        error.get("fields"),
    )
