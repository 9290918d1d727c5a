"""One record with large binary content, written through the sObject resource as a multipart
request: its fields as JSON in the part `entity_<object>` (`entity_content` for ContentVersion),
each file as raw bytes in a part named after its base64 field. JSON would carry the bytes as
base64 text, a third larger and capped at 37.5 MB; multipart takes files up to 500 MB (2 GB for
ContentVersion)
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_insert_update_blob.htm).

Answers come back as sObject Collections' do (collections.RecordResult): a record Salesforce
refuses is a failed result, not an exception."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from simple_salesforce.util import exception_handler

from ..i18n import N_, deferred
from .client import SalesforceClient
from .collections import RecordResult

REFUSED = 400  # the record was refused: the body lists why


def create_one(
    client: SalesforceClient, sobject: str, record: dict, files: dict[str, Path]
) -> RecordResult:
    """Create one record; not sent twice when its answer is lost (OutcomeUnknown instead)."""
    return client.call(
        lambda sf: _send(sf, "POST", f"sobjects/{sobject}/", sobject, record, files),
        deferred(N_("a {sobject} create with its file"), sobject=sobject),
        idempotent=False,
    )


def update_one(
    client: SalesforceClient, sobject: str, record_id: str, record: dict, files: dict[str, Path]
) -> RecordResult:
    """Update one record (writing the same bytes twice is harmless)."""
    return client.call(
        lambda sf: _send(sf, "PATCH", f"sobjects/{sobject}/{record_id}", sobject, record, files),
        deferred(N_("a {sobject} update with its file"), sobject=sobject),
    ) or RecordResult(True, record_id)


def _send(sf, method: str, path: str, sobject: str, record: dict, files: dict[str, Path]):
    entity = "entity_content" if sobject == "ContentVersion" else f"entity_{sobject.lower()}"
    headers = {k: v for k, v in sf.headers.items() if k.lower() != "content-type"}
    headers["Sforce-Auto-Assign"] = "FALSE"  # a restore puts back the owner the backup names
    with ExitStack() as stack:  # opened for each attempt: a retry sends the files from byte 0
        parts = {entity: (None, json.dumps(record), "application/json")}
        for name, file in files.items():
            handle = stack.enter_context(open(file, "rb"))  # noqa: SIM115 - closed by the stack
            parts[name] = (file.name, handle, "application/octet-stream")
        response = sf.session.request(method, f"{sf.base_url}{path}", headers=headers, files=parts)
    if response.status_code == REFUSED:
        errors = _errors(response)
        if errors is not None:
            error = errors[0] if errors else {}
            return RecordResult(
                False,
                record.get("Id"),
                error.get("errorCode"),
                error.get("message"),
                error.get("fields"),
            )
    if response.status_code >= 300:
        exception_handler(response, f"sobjects/{sobject}")
    if response.status_code == 204:
        return None
    return RecordResult(True, response.json().get("id"))


def _errors(response) -> list | None:
    """The record's errors, when the answer is Salesforce's list of them."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, list) else None
