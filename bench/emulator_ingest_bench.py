"""How fast the emulator processes Bulk API 2.0 ingest jobs (what a first sync of many leads
waits for).

Starts `lgcrm-sf emulator serve` as its own process, resets it to an empty org with our Lead
fields (LGCRM_Id__c: External ID, Unique), then runs, each over N leads of a CSV like the one a
sync uploads:
- insert;
- upsert by LGCRM_Id__c of new leads (every row creates);
- upsert by LGCRM_Id__c of the same leads again, one field changed (every row updates);
- update by Id of the inserted leads.
Each is timed from the upload's UploadComplete to JobComplete (polled every 100 ms, as a
client polls) and must report no failed row.

Usage: python bench/emulator_ingest_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import emulator_process, oauth_session  # noqa: E402

from lgcrm_sf.emulator.control import ControlClient  # noqa: E402
from lgcrm_sf.emulator.seed import LEAD_CUSTOM_FIELDS  # noqa: E402

HEADER = [
    "FirstName", "LastName", "Company", "Email", "Title", "Phone", "City", "Country",
    "LeadSource", "Industry", "Status", "LGCRM_Lead_Score__c", "LGCRM_Profile_URL__c",
    "LGCRM_Id__c",
]  # fmt: skip


def leads_csv(count: int, key: str, title: str, ids: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", *HEADER] if ids else HEADER)
    for i in range(count):
        row = [
            f"Ana {i}", "Souza", f"Empresa {i} Ltda", f"lead{i}@example.com.br", title,
            f"+55 11 5555-{i:04d}", "São Paulo", "Brazil", "Web", "Technology",
            "Open - Not Contacted", str(i % 100), f"https://app.example.com/lead/{i}",
            f"{key}-{i}",
        ]  # fmt: skip
        writer.writerow([ids[i], *row] if ids else row)
    return out.getvalue().encode("utf-8")


def run_job(http, base: str, spec: dict, data: bytes) -> tuple[float, dict]:
    """(seconds from UploadComplete to JobComplete, the finished job's info)."""
    job = http.post(f"{base}/jobs/ingest", json={"object": "Lead", **spec}).json()
    url = f"{base}/jobs/ingest/{job['id']}"
    http.put(f"{url}/batches", data=data, headers={"Content-Type": "text/csv"}).raise_for_status()
    started = time.perf_counter()
    http.patch(url, json={"state": "UploadComplete"}).raise_for_status()
    while True:
        info = http.get(url).json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if info["state"] != "JobComplete" or info["numberRecordsFailed"]:
        failed = http.get(f"{url}/failedResults").text[:2000]
        raise SystemExit(f"{spec['operation']}: {info['state']}, failed rows:\n{failed}")
    return seconds, info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    n = args.rows
    with emulator_process() as first:
        info = ControlClient(first).reset("empty", custom_fields={"Lead": LEAD_CUSTOM_FIELDS})
        http, base = oauth_session(info)
        upsert = {"operation": "upsert", "externalIdFieldName": "LGCRM_Id__c"}

        def report(label: str, spec: dict, data: bytes) -> dict:
            seconds, job = run_job(http, base, spec, data)
            assert job["numberRecordsProcessed"] == n, job
            print(f"{label}: {n:,} rows in {seconds:.2f} s = {n / seconds:,.0f} rows/s")
            return job

        job = report("insert", {"operation": "insert"}, leads_csv(n, "ins", "Gerente"))
        results = http.get(f"{base}/jobs/ingest/{job['id']}/successfulResults").text
        ids = [row["sf__Id"] for row in csv.DictReader(io.StringIO(results))]
        report("upsert (creates)", upsert, leads_csv(n, "ups", "Gerente"))
        report("upsert (updates)", upsert, leads_csv(n, "ups", "Diretora"))
        report("update by Id", {"operation": "update"}, leads_csv(n, "ins", "Diretora", ids))


if __name__ == "__main__":
    main()
