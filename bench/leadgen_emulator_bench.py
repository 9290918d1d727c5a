"""How fast the Lead Gen & CRM emulator serves what the product's benchmarks ask of it.

Starts `lgcrm-sf emulator serve` as its own process with a rate limit high enough not to
interfere, generates N leads through the control surface, then reads them all with
getLeadsDateRange pages of 500 over HTTPS, in both page orders, and prints the time per call
(median and 95th percentile) and the emulator's call counters.

Usage: python bench/leadgen_emulator_bench.py [--leads 100000] [--page 500]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import requests

from lgcrm_sf.emulator.control import ControlClient


def read_all(session, info, page: int) -> tuple[int, list[float]]:
    params = {"accountID": info["leadgen_account_id"], "secretKey": info["leadgen_secret_key"]}
    seen, offset, times = set(), 0, []
    while True:
        body = {
            "method": "getLeadsDateRange",
            "params": {
                "startDate": "2000-01-01 00:00:00",
                "endDate": "2100-01-01 00:00:00",
                "timestamp": "update",
                "limit": page,
                "offset": offset,
            },
            "id": str(offset),
        }
        started = time.perf_counter()
        leads = session.post(info["leadgen_url"], params=params, json=body).json()["result"]["lead"]
        times.append(time.perf_counter() - started)
        seen.update(x["id"] for x in leads)
        if len(leads) < page:
            return len(seen), times
        offset += page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "emulator", "serve", "--leadgen-rate", "100000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(server.stdout.readline())
        control = ControlClient(info)
        started = time.perf_counter()
        control.lg_generate(args.leads, spread_seconds=86_400)
        print(f"generate {args.leads} leads: {time.perf_counter() - started:.1f} s")
        session = requests.Session()
        session.trust_env = False
        session.verify = info["ca_bundle"]
        for order in ("unstable", "stable"):
            control.lg_settings(page_order=order)
            started = time.perf_counter()
            count, times = read_all(session, info, args.page)
            total = time.perf_counter() - started
            ms = sorted(t * 1000 for t in times)
            print(
                f"{order:8} read {count} leads in {len(times)} calls, {total:.1f} s: "
                f"median {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms, "
                f"first {times[0] * 1000:.0f} ms (orders the range once per data version)"
            )
        counters = control.lg_counters()
        print(f"counters: total {counters['total']}, max per second {counters['max_per_second']}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
