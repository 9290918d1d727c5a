"""Bulk API 2.0 ingest jobs, step by step, for a caller that journals each step (restore): open
a job, upload its CSV once, close it, wait, and stream its results.

Write safety (issue 10): data is never uploaded twice to a job. An upload whose answer is lost
is settled by aborting that job (an open job processes nothing) and starting another; a close
whose answer is lost by reading the job's state. A job the caller journaled before a crash is
found again by its id: its results say exactly which rows were created.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/ingest_jobs.htm
"""

from __future__ import annotations

import tempfile
import time

from simple_salesforce.util import exception_handler

from ..errors import OutcomeUnknown, SalesforceApiError
from ..i18n import N_, deferred
from .client import SalesforceClient
from .retry import poll_delays

TERMINAL = ("JobComplete", "Failed", "Aborted")
SPOOL_BYTES = 8 * 1024 * 1024


def open_job(
    client: SalesforceClient,
    sobject: str,
    operation: str,
    integration_user_id: str | None,
    external_id: str | None = None,
) -> str:
    """A new open job (insert, update, upsert on `external_id`...) taking CSV with LF line
    endings."""
    spec = {"object": sobject, "operation": operation, "contentType": "CSV", "lineEnding": "LF"}
    if external_id:
        spec["externalIdFieldName"] = external_id

    def create():
        return client.call(
            lambda sf: sf.restful("jobs/ingest", method="POST", json=spec),
            deferred(N_("a Bulk ingest job")),
            idempotent=False,
        )["id"]

    try:
        return create()
    except OutcomeUnknown:
        # A job may have been made: it is open and empty, so it can only be aborted.
        abort_open_jobs(client, sobject, integration_user_id)
        return create()


def abort_open_jobs(
    client: SalesforceClient, sobject: str, integration_user_id: str | None
) -> None:
    """Abort our open (never closed) ingest jobs on this object."""
    jobs = client.call(lambda sf: sf.restful("jobs/ingest"), deferred(N_("listing Bulk jobs")))
    for job in jobs.get("records", []):
        mine = (
            integration_user_id is None
            or (job.get("createdById") or "")[:15] == integration_user_id[:15]
        )
        if job.get("object") == sobject and job.get("state") == "Open" and mine:
            abort(client, job["id"])


def abort(client: SalesforceClient, job_id: str) -> None:
    try:
        client.call(
            lambda sf: sf.restful(
                f"jobs/ingest/{job_id}", method="PATCH", json={"state": "Aborted"}
            ),
            deferred(N_("aborting a Bulk job")),
        )
    except SalesforceApiError:
        pass  # already aborted, failed or complete: nothing to stop


def upload(client: SalesforceClient, job_id: str, data) -> bool:
    """Upload the job's CSV (a binary file object). True once Salesforce has it; False when
    that is unknown: the job is then aborted, so it processes nothing."""

    def put(sf):
        data.seek(0)
        response = sf.session.put(
            f"{sf.base_url}jobs/ingest/{job_id}/batches",
            data=data,
            headers={**sf.headers, "Content-Type": "text/csv"},
        )
        if response.status_code >= 300:
            exception_handler(response, "Bulk upload")

    try:
        client.call(put, deferred(N_("the Bulk ingest upload")), idempotent=False)
        return True
    except OutcomeUnknown:
        abort(client, job_id)
        return False


def close(client: SalesforceClient, job_id: str) -> None:
    """UploadComplete: Salesforce starts processing."""
    path = f"jobs/ingest/{job_id}"

    def send():
        client.call(
            lambda sf: sf.restful(path, method="PATCH", json={"state": "UploadComplete"}),
            deferred(N_("closing the Bulk ingest job")),
            idempotent=False,
        )

    try:
        send()
    except OutcomeUnknown:
        if job_info(client, job_id)["state"] == "Open":  # the close did not happen
            send()


def job_info(client: SalesforceClient, job_id: str) -> dict:
    return client.call(
        lambda sf: sf.restful(f"jobs/ingest/{job_id}"), deferred(N_("a Bulk job status"))
    )


def wait(client: SalesforceClient, job_id: str, expected_rows: int | None = None) -> dict:
    """Poll until the job is JobComplete, Failed or Aborted; its info (a failed job may still
    have processed rows: its results say which)."""
    for delay in poll_delays(expected_rows, eager=True):
        info = job_info(client, job_id)
        if info["state"] in TERMINAL:
            return info
        time.sleep(delay)
    raise AssertionError("unreachable")


def results(client: SalesforceClient, job_id: str, kind: str):
    """`successfulResults` or `failedResults` of a finished job, spooled (memory-bounded) and
    rewound: a binary file of CSV whose first columns are sf__Id and sf__Created or
    sf__Error, then the columns uploaded. Their order is not the upload's."""

    def fetch(sf):
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # a retry starts afresh
        with sf.session.get(
            f"{sf.base_url}jobs/ingest/{job_id}/{kind}", headers=sf.headers, stream=True
        ) as response:
            if response.status_code >= 300:
                response.content  # noqa: B018 - read the error body for the exception
                exception_handler(response, "Bulk ingest results")
            for chunk in response.iter_content(1 << 20):
                spool.write(chunk)
        spool.seek(0)
        return spool

    return client.call(fetch, deferred(N_("the {kind} of a Bulk job"), kind=kind))
