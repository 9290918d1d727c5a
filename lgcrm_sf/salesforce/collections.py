"""sObject Collections writes: up to 200 records a call, each accepted or refused on its own
(allOrNone false), results in the order sent.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm

A create is not idempotent: when its answer is lost the client raises OutcomeUnknown rather
than send it again, and the caller looks the records up first (write safety, issue 10)."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, deferred
from .client import SalesforceClient

MAX_RECORDS = 200


@dataclass
class RecordResult:
    success: bool
    id: str | None = None
    code: str | None = None
    message: str | None = None
    fields: list | None = None


def create(client: SalesforceClient, sobject: str, records: list[dict]) -> list[RecordResult]:
    return _write(client, sobject, "POST", records, idempotent=False)


def update(client: SalesforceClient, sobject: str, records: list[dict]) -> list[RecordResult]:
    """Each record carries its Id; writing the same values twice is harmless."""
    return _write(client, sobject, "PATCH", records, idempotent=True)


def _write(client, sobject: str, method: str, records: list[dict], idempotent: bool):
    if len(records) > MAX_RECORDS:
        raise ValueError(f"sObject Collections take {MAX_RECORDS} records a call")
    body = {
        "allOrNone": False,
        "records": [{"attributes": {"type": sobject}, **record} for record in records],
    }
    # No assignment rules: a restore puts back the owner the backup names.
    answers = client.call(
        lambda sf: sf.restful(
            "composite/sobjects",
            method=method,
            json=body,
            headers={"Sforce-Auto-Assign": "FALSE"},
        ),
        deferred(
            N_("a batch of {sobject} creates")
            if method == "POST"
            else N_("a batch of {sobject} updates"),
            sobject=sobject,
        ),
        idempotent=idempotent,
    )
    results = []
    for record, answer in zip(records, answers, strict=True):
        if answer.get("success"):
            results.append(RecordResult(True, answer.get("id") or record.get("Id")))
            continue
        error = (answer.get("errors") or [{}])[0]
        results.append(
            RecordResult(
                False,
                record.get("Id"),
                error.get("statusCode"),
                error.get("message"),
                error.get("fields"),
            )
        )
    return results
