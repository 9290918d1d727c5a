"""Bulk API 2.0 pieces shared by backup and sync: waiting for a job, and fetching one page of a
query job's results as a stream of bytes.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
"""

from __future__ import annotations

import time
from collections.abc import Callable

from simple_salesforce.util import exception_handler

from ..errors import SalesforceApiError
from ..i18n import N_, deferred
from .client import SalesforceClient
from .retry import poll_delays

CHUNK_BYTES = 1024 * 1024
# Also logged and written to a backup's manifest: English there, translated when shown.
MESSAGE = N_("Bulk API 2.0 job {job} {state}: {detail}")
STATES = {"Failed": N_("failed"), "Aborted": N_("aborted")}


def wait_for_job(
    client: SalesforceClient, path: str, expected_rows: int | None = None, eager: bool = False
) -> dict:
    """Poll `jobs/query/ID` or `jobs/ingest/ID` until it completes; a failed or aborted job is
    a SalesforceApiError naming Salesforce's reason."""
    for delay in poll_delays(expected_rows, eager):  # every status check is an API call
        info = job_status(client, path)
        if info is not None:
            return info
        time.sleep(delay)
    raise AssertionError("unreachable")


def job_status(client: SalesforceClient, path: str) -> dict | None:
    """One status check: the job's info once it is complete, None while it runs; a failed or
    aborted job is a SalesforceApiError naming Salesforce's reason."""
    info = client.call(lambda sf: sf.restful(path), deferred(N_("a Bulk job status")))
    if info["state"] == "JobComplete":
        return info
    if info["state"] in ("Failed", "Aborted"):
        detail = info.get("errorMessage") or deferred(N_("no reason given"))
        raise SalesforceApiError(
            deferred(MESSAGE, job=info["id"], state=deferred(STATES[info["state"]]), detail=detail),
            "JOB_" + info["state"].upper(),
        )
    return None


def fetch_results_page(
    sf, job_id: str, locator: str | None, max_records: int, write: Callable[[bytes], object]
) -> tuple[str | None, int]:
    """GET one results page, handing its bytes to `write` as they arrive. Returns the next
    locator (None on the last page) and the page's row count. Call it inside client.call: a
    failure part-way raises, and the caller decides what to undo before the retry."""
    params = {"maxRecords": max_records, **({"locator": locator} if locator else {})}
    with sf.session.get(
        f"{sf.base_url}jobs/query/{job_id}/results",
        params=params,
        stream=True,
        headers={**sf.headers, "Accept": "text/csv"},
    ) as response:
        if response.status_code >= 300:
            response.content  # noqa: B018 - read the error body for the exception
            exception_handler(response, "Bulk results")
        for chunk in response.iter_content(CHUNK_BYTES):
            write(chunk)
        next_locator = response.headers.get("Sforce-Locator")
        count = int(response.headers["Sforce-NumberOfRecords"])
    return (None if next_locator in (None, "", "null") else next_locator), count
