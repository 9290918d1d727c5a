"""The org's daily allocations beyond API requests, spent as Bulk jobs run, and the /limits
and /limits/recordCount resources that report them.

- DailyBulkApiBatches: every Bulk API 1.0 batch processed, and every Bulk API 2.0 ingest job's
  internal batches (one per 10,000 records); shared by both APIs, 15,000 a day.
- DailyBulkV2QueryJobs: Bulk API 2.0 query jobs created, 10,000 a day.
- DailyBulkV2QueryFileStorageMB: the size of Bulk API 2.0 query results, 1 TB a day.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_common_limits.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
"""

from __future__ import annotations

from .errors import ApiError
from .store import Org

MAXIMA = {
    "bulk_batches": 15000,
    "bulk_v2_query_jobs": 10000,
    "bulk_v2_query_storage_mb": 1048576,
}
INGEST_BATCH_RECORDS = 10000


def used(org: Org, counter: str) -> float:
    return org.settings.get(f"{counter}_used", 0)


def remaining(org: Org, counter: str) -> int:
    maximum = org.settings.get(f"{counter}_max", MAXIMA[counter])
    return max(0, int(maximum - used(org, counter)))


def spend(org: Org, counter: str, amount: float = 1) -> None:
    with org.lock:
        org.settings[f"{counter}_used"] = used(org, counter) + amount


def check(org: Org, counter: str, code: str, message: str) -> None:
    """Refuse new work once an allocation is spent, as Salesforce does."""
    if remaining(org, counter) <= 0:
        raise ApiError(400, code, message)


def ingest_batches(records: int) -> int:
    """Bulk API 2.0 cuts an ingest job into batches of 10,000 records (an empty job: none)."""
    return -(-records // INGEST_BATCH_RECORDS)


def limits(org: Org) -> dict:
    s = org.settings

    def entry(counter: str) -> dict:
        return {
            "Max": s.get(f"{counter}_max", MAXIMA[counter]),
            "Remaining": remaining(org, counter),
        }

    return {
        "DailyApiRequests": {
            "Max": s["api_max"],
            "Remaining": max(0, s["api_max"] - s["api_used"]),
        },
        "DailyBulkApiBatches": entry("bulk_batches"),
        "DailyBulkV2QueryFileStorageMB": entry("bulk_v2_query_storage_mb"),
        "DailyBulkV2QueryJobs": entry("bulk_v2_query_jobs"),
        "DataStorageMB": {"Max": 1024, "Remaining": 1000},
        "FileStorageMB": {"Max": 2048, "Remaining": 2048},
        "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
    }


def record_counts(org: Org, names: str | None) -> dict:
    """GET limits/recordCount[?sObjects=A,B]: live records per object, recycle bin excluded.
    Unknown names are left out, as Salesforce leaves out objects it has no count for."""
    if names:
        wanted = []
        for name in (n.strip() for n in names.split(",")):
            try:
                obj = org.sobject(name) if name else None
            except ApiError:
                obj = None
            if obj is not None and obj not in wanted:
                wanted.append(obj)
    else:
        wanted = list(org.schema.values())
    out = []
    with org.lock:
        for obj in wanted:
            count = org.conn.execute(
                f'SELECT COUNT(*) FROM "{obj.name}" WHERE "IsDeleted" = 0'
            ).fetchone()[0]
            out.append({"count": count, "name": obj.name})
    return {"sObjects": out}
