"""Sync benchmark: a first sync of N leads (created in Salesforce), then a no-change sync, then
a sync after 1% of the records changed (half on each side). Between the first and the no-change
sync, one run reads the first sync's records back (every change is read, whoever made it). For
each: wall time, records/s, API calls (counted by the org) and the sync process's peak memory.

Goals: first sync of 100,000 leads in at most 20 API calls; a no-change sync in at most one call
per synced object; memory that does not grow with the number of records (compare --leads 10000).

Usage: python bench/sync_bench.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import connected_env, emulator_process, oauth_session, run_cli  # noqa: E402

from lgcrm_sf.emulator.control import ControlClient  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lgcrm-sf-sync-bench-"))
    with emulator_process("demo") as info:
        control = ControlClient(info)
        env = connected_env(info, work / "home")
        csv_path = work / "leads.csv"
        with open(csv_path, "w") as handle:
            handle.write("email,first_name,last_name,company,title,lead score\n")
            for i in range(args.leads):
                handle.write(
                    f"lead{i}@bench.example,Nome{i},Sobrenome,"
                    f"Empresa {i % 997},Cargo {i % 13},{i % 100}\n"
                )
        code, _, err, seconds, _ = run_cli(["leads", "import", str(csv_path)], env)
        assert code == 0, err
        print(f"imported {args.leads:,} leads in {seconds:.1f} s")

        def measured_sync(label: str) -> dict:
            control.clock(advance=600)  # runs come from cron, ten minutes apart
            before = control.usage()["used"]
            code, out, err, seconds, peak = run_cli(["sync", "--json", "--no-backup-check"], env)
            assert code == 0, err
            report = json.loads(out)
            calls = control.usage()["used"] - before
            moved = sum(
                v for s in report["summary"].values() for k, v in s.items() if k not in ("skipped",)
            )
            rate = f"{moved / seconds:,.0f} records/s" if moved else "-"
            print(
                f"{label}: {seconds:.1f} s, {moved:,} records changed ({rate}), {calls} API calls, "
                f"peak memory {peak:.0f} MB"
            )
            return report

        measured_sync(f"first sync ({args.leads:,} leads to create in Salesforce)")
        # Every change is read whoever made it: the first sync's creates come back once, as
        # echoes (nothing to write) and with Salesforce's defaults for pull fields.
        measured_sync("read-back sync (the first sync's records read back once)")
        measured_sync(
            "no-change sync (Lead, Contact, Account, Opportunity, OpportunityContactRole)"
        )
        changes = max(2, args.leads // 100)
        edit = work / "edits.csv"
        with open(edit, "w") as handle:
            handle.write("email,title\n")
            for i in range(0, changes // 2):
                handle.write(f"lead{i * 7}@bench.example,Novo cargo {i}\n")
        run_cli(["leads", "import", str(edit)], env)
        rows = control.call("GET", "info")
        sf_ids = _lead_ids(info, changes - changes // 2)
        for n, sf_id in enumerate(sf_ids):
            control.update("Lead", sf_id, {"Title": f"Changed in Salesforce {n}"})
        measured_sync(f"1% change sync ({changes // 2} changed here, {len(sf_ids)} in Salesforce)")
        del rows


def _lead_ids(info: dict, count: int) -> list[str]:
    http, base = oauth_session(info)
    q = f"SELECT Id FROM Lead WHERE Email LIKE 'lead%@bench.example' ORDER BY Id DESC LIMIT {count}"
    return [r["Id"] for r in http.get(f"{base}/query", params={"q": q}).json()["records"]]


if __name__ == "__main__":
    main()
