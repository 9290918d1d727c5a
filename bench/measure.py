"""Run `lgcrm-sf ARGS` in its own process and measure it: wall time and peak memory.

Peak memory is the child's VmHWM read at its exit: getrusage's ru_maxrss is kept across
fork+exec on Linux, so it would report the parent's size for a small child."""

from __future__ import annotations

import re
import subprocess
import sys
import time

WRAPPER = (
    "import re, sys\n"
    "from lgcrm_sf.cli import run\n"
    "code = run(sys.argv[1:])\n"
    "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "sys.stderr.write(f'\\nVmHWM_KB={peak}\\n')\n"
    "sys.exit(code)\n"
)


def run_cli(args: list[str], env: dict) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    match = re.search(r"VmHWM_KB=(\d+)", result.stderr)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    return result.returncode, result.stdout, result.stderr, seconds, peak
