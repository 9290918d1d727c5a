"""How fast the emulator serves what benchmarks of the product will ask of it.

Starts `lgcrm-sf emulator serve` as its own process (so client and server don't share a GIL),
generates N leads, then measures:
- a Bulk API 2.0 query of every lead, pages downloaded over HTTPS as a client would (rows/s, MB/s);
- lookups by Id, by Email and by a narrow SystemModstamp range over REST (ms each), with the SQLite
  plan for each, to show they use an index instead of scanning the table;
- the emulator's peak memory.

Usage: python bench/emulator_bench.py [--rows 1000000] [--page 50000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from lgcrm_sf.emulator.control import ControlClient

sys.path.insert(0, str(Path(__file__).parent))
from measure import emulator_process, oauth_session  # noqa: E402

from lgcrm_sf.emulator.store import Org

FIELDS = (
    "Id, FirstName, LastName, Company, Email, Title, Phone, City, Country, Status, "
    "LeadSource, Industry, OwnerId, IsDeleted, CreatedDate, SystemModstamp"
)


def bulk_query(http, base, soql: str, page: int) -> tuple[int, int, float, int]:
    started = time.perf_counter()
    job = http.post(f"{base}/jobs/query", json={"operation": "query", "query": soql}).json()
    calls = 1
    while True:
        state = http.get(f"{base}/jobs/query/{job['id']}").json()["state"]
        calls += 1
        if state == "JobComplete":
            break
        if state in ("Failed", "Aborted"):
            raise SystemExit(f"job {state}")
        time.sleep(0.05)
    rows = size = 0
    locator = ""
    while True:
        params = {"maxRecords": page, **({"locator": locator} if locator else {})}
        with http.get(f"{base}/jobs/query/{job['id']}/results", params=params, stream=True) as r:
            r.raise_for_status()
            for chunk in r.iter_content(1 << 20):
                size += len(chunk)
            rows += int(r.headers["Sforce-NumberOfRecords"])
            locator = r.headers["Sforce-Locator"]
        calls += 1
        if locator == "null":
            break
    return rows, size, time.perf_counter() - started, calls


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def plans() -> dict[str, str]:
    org = Org()
    out = {}
    for name, soql in {
        "by Id": "SELECT Id FROM Lead WHERE Id = '00Q5g0000000btKEAQ'",
        "by Email": "SELECT Id FROM Lead WHERE Email = 'lead5@example.com.br'",
        "by SystemModstamp range": "SELECT Id FROM Lead "
        "WHERE SystemModstamp > 2026-01-01T00:00:00Z AND SystemModstamp <= 2026-01-01T00:01:00Z "
        "ORDER BY SystemModstamp, Id",
    }.items():
        compiled = org.query(soql, False)
        rows = org.conn.execute("EXPLAIN QUERY PLAN " + compiled.sql, compiled.params).fetchall()
        out[name] = "; ".join(r[-1] for r in rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=50_000)
    args = parser.parse_args()
    with emulator_process() as info:
        control = ControlClient(info)
        started = time.perf_counter()
        control.generate("Lead", args.rows)
        print(f"generated {args.rows:,} leads in {time.perf_counter() - started:.1f} s")
        http, base = oauth_session(info)
        rows, size, seconds, calls = bulk_query(http, base, f"SELECT {FIELDS} FROM Lead", args.page)
        assert rows == args.rows, rows
        print(
            f"bulk 2.0 query: {rows:,} rows, {size / 1e6:.0f} MB in {seconds:.1f} s = "
            f"{rows / seconds:,.0f} rows/s ({size / 1e6 / seconds:.0f} MB/s), {calls} API calls"
        )
        sample = http.get(
            f"{base}/query",
            params={"q": "SELECT Id, Email, SystemModstamp FROM Lead ORDER BY Id DESC LIMIT 1"},
        ).json()["records"][0]
        lookups = {
            "by Id": f"SELECT Id, Email FROM Lead WHERE Id = '{sample['Id']}'",
            "by Email": f"SELECT Id FROM Lead WHERE Email = '{sample['Email']}'",
            "by SystemModstamp range": "SELECT Id FROM Lead WHERE SystemModstamp > "
            "2000-01-01T00:00:00Z AND SystemModstamp < 2000-01-02T00:00:00Z",
        }
        plan = plans()
        for name, soql in lookups.items():
            times = []
            for _ in range(30):
                t = time.perf_counter()
                http.get(f"{base}/query", params={"q": soql}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"lookup {name}: median {statistics.median(times):.1f} ms over 30; plan: "
                f"{plan[name]}"
            )
        print(f"emulator peak memory: {peak_rss_mb(info['pid']):,.0f} MB")


if __name__ == "__main__":
    main()
