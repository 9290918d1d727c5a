"""Run `lgcrm-sf ARGS` in its own process and measure it: wall time and peak memory.

Peak memory is the child's VmHWM read at its exit: getrusage's ru_maxrss is kept across
fork+exec on Linux, so it would report the parent's size for a small child."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

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


@contextlib.contextmanager
def emulator_process(seed: str = "empty"):
    """`lgcrm-sf emulator serve` in its own process (so client and server don't share a GIL);
    yields the JSON line it prints."""
    server = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "emulator", "serve", "--seed", seed],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(server.stdout.readline())
        info["pid"] = server.pid  # for reading its memory from /proc
        yield info
    finally:
        server.terminate()
        server.wait(timeout=30)


def connected_env(info: dict, home: Path) -> dict:
    """A profile in `home` connected to the emulator, secrets in the environment (no keyring)."""
    env = {
        **os.environ,
        "LGCRM_SF_HOME": str(home),
        "LGCRM_SF_PASSWORD": info["password"],
        "LGCRM_SF_SECURITY_TOKEN": info["security_token"],
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    code, _, err, _, _ = run_cli(
        [
            "connect",
            "--username",
            info["username"],
            "--login-url",
            info["login_url"],
            "--ca-bundle",
            info["ca_bundle"],
            "--yes",
        ],
        env,
    )
    if code != 0:
        raise SystemExit(f"connect failed: {err}")
    return env


def oauth_session(info: dict):
    """(requests session with a bearer token, REST base URL) for raw calls to the emulator."""
    import requests

    http = requests.Session()
    http.trust_env = False
    http.verify = info["ca_bundle"]
    response = http.post(
        f"{info['login_url']}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": info["consumer_key"],
            "client_secret": info["consumer_secret"],
            "username": info["username"],
            "password": info["password"] + info["security_token"],
        },
    )
    response.raise_for_status()
    http.headers["Authorization"] = "Bearer " + response.json()["access_token"]
    return http, f"{info['instance_url']}/services/data/v59.0"
