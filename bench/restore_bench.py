"""Restore benchmark: `lgcrm-sf restore --mode copy` of N rows (Accounts, Contacts and
Opportunities, each contact and opportunity pointing at an account) into an empty org, as a
user runs it.

Two emulators, each its own process: the source (rows generated, then linked to accounts
through a Bulk update) and the target. Prints the restore's rows/s, API calls and peak memory,
for a small copy (a tenth of the rows) and the full one, to show memory does not grow with rows;
next to the ceiling: the target emulator's raw Bulk API 2.0 ingest rate, measured in the same
run by uploading the backup's own CSV rows (the columns a create may send, references left
out) straight into the emptied target.

Usage: python bench/restore_bench.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import connected_env, emulator_process, oauth_session, run_cli  # noqa: E402

from lgcrm_sf.emulator.control import ControlClient  # noqa: E402

OBJECTS = ("Account", "Contact", "Opportunity")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lgcrm-sf-restore-bench-"))
    with emulator_process() as source, emulator_process() as target:
        env = connected_env(source, work / "home")
        small = grow_source(source, args.rows // 10)
        small_backup = take_backup(env, work / "backups")
        full = grow_source(source, args.rows - args.rows // 10) + small
        full_backup = take_backup(env, work / "backups")
        control = ControlClient(target)
        runs = {}
        for label, backup, rows in (("small", small_backup, small), ("full", full_backup, full)):
            # A reset is a new org (its own id, users and passwords): connect to it again.
            fresh = {**target, **control.reset("empty")}
            target_env = connect_target(env, fresh)
            runs[label] = measure_restore(target_env, control, backup, fresh, rows)
        fresh = {**target, **control.reset("empty")}
        ceiling_rows, ceiling_seconds = raw_ingest(fresh, full_backup)
    report(runs, ceiling_rows / ceiling_seconds, ceiling_rows, ceiling_seconds)


def connect_target(env: dict, info: dict) -> dict:
    target_env = {
        **env,
        "LGCRM_SF_PASSWORD": info["password"],
        "LGCRM_SF_SECURITY_TOKEN": info["security_token"],
    }
    code, _, err, _, _ = run_cli(
        ["connect", "--profile", "target", "--username", info["username"], "--login-url",
         info["login_url"], "--ca-bundle", info["ca_bundle"], "--yes"],
        target_env,
    )  # fmt: skip
    if code:
        raise SystemExit(f"connect failed: {err}")
    return target_env


def grow_source(info: dict, rows: int) -> int:
    """Add rows/3 of each object; link the new contacts and opportunities to accounts."""
    control = ControlClient(info)
    per = rows // 3
    for name in OBJECTS:
        control.generate(name, per)
    http, base = oauth_session(info)
    accounts = bulk_ids(http, base, "SELECT Id FROM Account")
    for name in ("Contact", "Opportunity"):
        unlinked = bulk_ids(http, base, f"SELECT Id FROM {name} WHERE AccountId = null")
        lines = [["Id", "AccountId"]] + [
            [record_id, accounts[i % len(accounts)]] for i, record_id in enumerate(unlinked)
        ]
        ingest(http, base, name, "update", lines)
    return per * 3


def bulk_ids(http, base: str, soql: str) -> list[str]:
    job = http.post(f"{base}/jobs/query", json={"operation": "query", "query": soql}).json()
    while http.get(f"{base}/jobs/query/{job['id']}").json()["state"] != "JobComplete":
        time.sleep(0.05)
    ids, locator = [], ""
    while True:
        params = {"maxRecords": 200_000, **({"locator": locator} if locator else {})}
        response = http.get(f"{base}/jobs/query/{job['id']}/results", params=params)
        ids += [row["Id"] for row in csv.DictReader(io.StringIO(response.text))]
        locator = response.headers["Sforce-Locator"]
        if locator == "null":
            return ids


def ingest(http, base: str, sobject: str, operation: str, lines: list[list[str]]) -> float:
    """One Bulk API 2.0 ingest job, from create to JobComplete; seconds taken."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    started = time.perf_counter()
    spec = {"object": sobject, "operation": operation, "contentType": "CSV", "lineEnding": "LF"}
    job = http.post(f"{base}/jobs/ingest", json=spec).json()
    http.put(
        f"{base}/jobs/ingest/{job['id']}/batches",
        data=buffer.getvalue().encode("utf-8"),
        headers={"Content-Type": "text/csv"},
    ).raise_for_status()
    http.patch(f"{base}/jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    while True:
        info = http.get(f"{base}/jobs/ingest/{job['id']}").json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            break
        time.sleep(0.05)
    if info["state"] != "JobComplete" or info.get("numberRecordsFailed"):
        raise SystemExit(f"raw ingest of {sobject}: {info}")
    return time.perf_counter() - started


def take_backup(env: dict, out: Path) -> str:
    code, stdout, stderr, _, _ = run_cli(
        ["backup", "--out", str(out), "--objects", ",".join(OBJECTS) + ",User", "--json"], env
    )
    if code:
        raise SystemExit(f"backup failed: {stderr}")
    return json.loads(stdout)["path"]


def measure_restore(env: dict, control, backup: str, target: dict, rows: int) -> dict:
    before = control.usage()["used"]
    code, stdout, stderr, seconds, peak = run_cli(
        ["restore", backup, "--mode", "copy", "--target-profile", "target", "--yes", "--json",
         "--default-owner", target["admin_username"]],
        env,
    )  # fmt: skip
    if code:
        raise SystemExit(f"restore failed ({code}): {stdout[-2000:]} {stderr[-2000:]}")
    result = json.loads(stdout)
    created = sum(o["done"].get("created", 0) for o in result["objects"].values())
    if created != rows:
        raise SystemExit(f"restore created {created} of {rows} rows")
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_mb": peak,
        "api_calls": control.usage()["used"] - before,
        "apis": {name: o["api"] for name, o in result["objects"].items()},
    }


def raw_ingest(target: dict, backup: str) -> tuple[int, float]:
    """The ceiling: the backup's rows uploaded as they are (the columns a create may send,
    references and owners left out: they would need the id map the restore builds)."""
    http, base = oauth_session(target)
    rows, seconds = 0, 0.0
    for name in OBJECTS:
        describe = http.get(f"{base}/sobjects/{name}/describe").json()["fields"]
        keep = {f["name"] for f in describe if f["createable"] and f["type"] != "reference"}
        with open(Path(backup) / f"{name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            columns = [i for i, column in enumerate(header) if column in keep]
            lines = [[header[i] for i in columns]] + [[row[i] for i in columns] for row in reader]
        seconds += ingest(http, base, name, "insert", lines)
        rows += len(lines) - 1
    return rows, seconds


def report(runs: dict, ceiling: float, ceiling_rows: int, ceiling_seconds: float) -> None:
    for label, run in runs.items():
        print(
            f"restore --mode copy, {label}: {run['rows']:,} rows in {run['seconds']:.1f} s = "
            f"{run['rows'] / run['seconds']:,.0f} rows/s (whole command: login, verify, plan, "
            f"writes); {run['api_calls']} API calls; peak memory {run['peak_mb']:.0f} MB; "
            f"APIs {run['apis']}"
        )
    print(
        f"ceiling, raw Bulk 2.0 ingest of the same rows into the same emulator: "
        f"{ceiling_rows:,} rows in {ceiling_seconds:.1f} s = {ceiling:,.0f} rows/s"
    )
    full = runs["full"]
    print(f"restore rate / ceiling: {full['rows'] / full['seconds'] / ceiling:.0%}")
    print(
        f"peak memory, {runs['small']['rows']:,} -> {full['rows']:,} rows: "
        f"{runs['small']['peak_mb']:.0f} MB -> {full['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
