"""/limits counters that move as Bulk jobs run, and limits/recordCount."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from .conftest import http_session
from .test_emulator_bulk1 import Bulk1, N


@pytest.fixture
def rest(org, sf):
    session = http_session(org)
    session.headers["Authorization"] = f"Bearer {sf.session_id}"
    base = f"{org['instance_url']}/services/data/v62.0"
    return lambda method, path, **kw: session.request(method, base + path, **kw)


def remaining(sf, name):
    return sf.limits()[name]["Remaining"]


def wait_state(rest, path, done):
    deadline = time.monotonic() + 30
    while (state := rest("GET", path).json()["state"]) not in done:
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    return state


def test_record_counts_of_live_records(org, sf, rest, control):
    ids = [control.create("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(3)]
    control.delete("Lead", ids[0])  # the recycle bin is not counted
    counts = rest("GET", "/limits/recordCount?sObjects=Lead,Account,NoSuchThing__c").json()
    assert counts == {"sObjects": [{"count": 2, "name": "Lead"}, {"count": 0, "name": "Account"}]}
    everything = {
        c["name"]: c["count"] for c in rest("GET", "/limits/recordCount").json()["sObjects"]
    }
    assert everything["Lead"] == 2 and everything["User"] >= 2 and "Organization" in everything


def test_bulk_v2_query_jobs_and_result_storage_are_spent(org, sf, rest, control):
    control.generate("Lead", 6000)
    jobs, storage = (
        remaining(sf, "DailyBulkV2QueryJobs"),
        remaining(sf, "DailyBulkV2QueryFileStorageMB"),
    )
    job = rest(
        "POST",
        "/jobs/query",
        json={
            "operation": "query",
            "query": "SELECT Id, Name, Email, Company, Description FROM Lead",
        },
    ).json()
    wait_state(rest, f"/jobs/query/{job['id']}", ("JobComplete", "Failed"))
    assert remaining(sf, "DailyBulkV2QueryJobs") == jobs - 1
    assert remaining(sf, "DailyBulkV2QueryFileStorageMB") < storage  # about 1 MB of results


def test_batches_are_spent_by_bulk_1_batches_and_bulk_2_ingest_jobs(org, sf, rest):
    before = remaining(sf, "DailyBulkApiBatches")
    bulk = Bulk1(org, sf)
    job_id = bulk.create("insert", "Account").findtext(f"{N}id")
    batch_id = ET.fromstring(bulk.add(job_id, "Name\nUm\nDois\n").content).findtext(f"{N}id")
    bulk.wait(job_id, batch_id)
    assert remaining(sf, "DailyBulkApiBatches") == before - 1
    job = rest("POST", "/jobs/ingest", json={"operation": "insert", "object": "Account"}).json()
    rest(
        "PUT",
        f"/jobs/ingest/{job['id']}/batches",
        data=b"Name\nTres\n",
        headers={"Content-Type": "text/csv"},
    )
    rest("PATCH", f"/jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    wait_state(rest, f"/jobs/ingest/{job['id']}", ("JobComplete", "Failed"))
    assert remaining(sf, "DailyBulkApiBatches") == before - 2


def test_spent_allocations_refuse_new_work(org, sf, rest, control):
    control.settings(bulk_batches_used=15000, bulk_v2_query_jobs_used=10000)
    limits = sf.limits()
    assert limits["DailyBulkApiBatches"] == {"Max": 15000, "Remaining": 0}
    assert limits["DailyBulkV2QueryJobs"] == {"Max": 10000, "Remaining": 0}
    refused = rest(
        "POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Lead"}
    )
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    bulk = Bulk1(org, sf)
    job_id = bulk.create("insert", "Account").findtext(f"{N}id")
    over = bulk.call("POST", f"/job/{job_id}/batch", "Name\nX\n", content_type="text/csv")
    assert (
        over.status_code == 400 and b"<exceptionCode>ExceededQuota</exceptionCode>" in over.content
    )
