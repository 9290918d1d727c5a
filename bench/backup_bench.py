"""Backup benchmark: N rows over several objects, through `lgcrm-sf backup` as a user runs it.

Prints rows/s, API calls and peak memory of the backup process, next to the ceiling: the
emulator's raw Bulk API 2.0 download rate for the same queries, measured in the same run (pages
fetched and thrown away). Runs a small backup too, to show memory does not grow with rows.

Usage: python bench/backup_bench.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from emulator_bench import bulk_query  # noqa: E402
from measure import connected_env, emulator_process, oauth_session, run_cli  # noqa: E402

from lgcrm_sf.emulator.control import ControlClient  # noqa: E402

SHARES = {"Lead": 0.5, "Contact": 0.3, "Account": 0.2}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lgcrm-sf-bench-"))
    with emulator_process() as info:
        control = ControlClient(info)
        env = connected_env(info, work / "home")
        objects = ",".join(SHARES)

        small, _, small_peak = run_backup_measured(env, work / "small", objects)
        for name, share in SHARES.items():
            control.generate(name, int(args.rows * share))
        usage_before = control.usage()["used"]
        summary, seconds, peak_mb = run_backup_measured(env, work / "full", objects)
        api_calls = control.usage()["used"] - usage_before
        rows = summary["rows"]

        http, base = oauth_session(info)
        ceiling_rows, ceiling_bytes, ceiling_seconds = 0, 0, 0.0
        for obj in summary["objects"]:
            r, b, s, _ = bulk_query(http, base, obj["query"], 100_000)
            ceiling_rows += r
            ceiling_bytes += b
            ceiling_seconds += s
        ceiling = ceiling_rows / ceiling_seconds
        print(
            "objects: "
            + ", ".join(f"{o['name']} {o['rows']:,} ({o['api']})" for o in summary["objects"])
        )
        print(
            f"backup: {rows:,} rows, {summary['bytes'] / 1e6:.0f} MB in {seconds:.1f} s = "
            f"{rows / seconds:,.0f} rows/s "
            f"(whole command, including login and describe)"
        )
        print(f"API calls used by the backup: {api_calls} (counted by the org)")
        print(
            f"peak memory of the backup process: {peak_mb:.0f} MB "
            f"(small backup of {small['rows']:,} rows: {small_peak:.0f} MB)"
        )
        print(
            f"ceiling, raw Bulk 2.0 download of the same queries: {ceiling_rows:,} rows in "
            f"{ceiling_seconds:.1f} s = {ceiling:,.0f} rows/s"
        )
        print(f"backup rate / ceiling: {rows / seconds / ceiling:.0%}")
        verify = subprocess.run(
            [sys.executable, "-m", "lgcrm_sf.cli", "backup", "verify", summary["path"]],
            env=env,
            capture_output=True,
            text=True,
        )
        print(f"verify: exit {verify.returncode}")


def run_backup_measured(env: dict, out: Path, objects: str) -> tuple[dict, float, float]:
    code, stdout, stderr, seconds, peak_mb = run_cli(
        ["backup", "--out", str(out), "--objects", objects, "--json"], env
    )
    if code != 0:
        raise SystemExit(f"backup failed: {stderr}")
    return json.loads(stdout), seconds, peak_mb


if __name__ == "__main__":
    main()
