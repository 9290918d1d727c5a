"""Account-mode sync benchmark (issue 14): a first sync of N leads from the Lead Gen & CRM
account (emulated, at the vendor's 10 calls a second) into an empty org, the read-back sync,
then a no-change sync. For each: wall time, the account's calls (counted by the emulated
account) against the floor its 10 calls/s limit sets, Salesforce calls (counted by the org) and
the sync process's peak memory.

Goals: first sync within 1.3x of the floor, Salesforce calls <= 20, a no-change sync in <= 3
account calls (the daily reconcile apart) and <= 1 Salesforce call per object, memory flat from
10,000 to 100,000 leads.

Usage: python bench/account_sync_bench.py [--leads 100000] [--spread-seconds 86400]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import connected_env, emulator_process, run_cli  # noqa: E402

from lgcrm_sf.emulator.control import ControlClient  # noqa: E402
from lgcrm_sf.engine.salesforce_changes import OVERLAP  # noqa: E402

RATE = 10  # the vendor's calls a second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--spread-seconds", type=int, default=86_400)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lgcrm-sf-account-bench-"))
    with emulator_process("empty") as info:
        control = ControlClient(info)
        control.lg_reset("empty")
        control.lg_generate(args.leads, spread_seconds=args.spread_seconds)
        env = connected_env(info, work / "home")
        env["LGCRM_SF_LEADGEN_SECRET_KEY"] = info["leadgen_secret_key"]
        code, _, err, _, _ = run_cli(
            ["leadgen", "connect", "--account-id", info["leadgen_account_id"],
             "--url", info["leadgen_url"], "--ca-bundle", info["ca_bundle"], "--yes"],
            env,
        )  # fmt: skip
        assert code == 0, err
        print(f"account: {args.leads:,} leads over {args.spread_seconds:,} s; org: empty")
        floor_calls = math.ceil(args.leads / 500)
        print(
            f"floor: {floor_calls} reads of 500 leads at {RATE} calls/s: {floor_calls / RATE:.1f} s"
        )

        def measured(label: str, *extra: str) -> dict:
            control.lg_reset_counters()
            before = control.usage()["used"]
            code, out, err, seconds, peak = run_cli(
                ["sync", "--json", "--no-backup-check", *extra], env
            )
            assert code in (0, 1), err[-3000:]
            report = json.loads(out)
            counters = control.lg_counters()
            calls = counters["total"]
            sf_calls = control.usage()["used"] - before
            methods = ", ".join(f"{k} {v}" for k, v in sorted(counters["by_method"].items()))
            print(
                f"{label}: {seconds:.1f} s; account calls {calls} ({methods}; max "
                f"{counters['max_per_second']}/s, refused {counters['rejected_rate']}), floor of "
                f"these calls {calls / RATE:.1f} s; Salesforce calls {sf_calls}; peak memory "
                f"{peak:.0f} MB"
            )
            return report

        measured("first sync")
        measured("read-back sync")
        # The read-back sync's writes to the account (statuses Salesforce set) come back once.
        # Cron runs come minutes apart: each sync re-reads the last OVERLAP of Salesforce's
        # changes before its cursor (late commits), so a run less than that after the first
        # sync's creates reads them once more. The clock moves on, as between two cron runs.
        control.clock(advance=OVERLAP.total_seconds() + 60)
        print(f"(the clock moved {OVERLAP.total_seconds() / 60 + 1:.0f} minutes on)")
        measured("echo sync (the read-back sync's writes to the account read back once)")
        measured("no-change sync")


if __name__ == "__main__":
    main()
