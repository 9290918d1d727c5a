"""`lgcrm-sf emulator serve` as a separate process: the JSON line, serving, stopping, --data."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from .conftest import login


def start(*args):
    process = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "emulator", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    return process, json.loads(line)


def stop(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert process.stdout.read() == ""  # exactly one line was printed


def test_serve_prints_one_json_line_and_serves_until_sigterm():
    process, info = start("--seed", "demo")
    try:
        for key in (
            "login_url",
            "instance_url",
            "ca_bundle",
            "username",
            "password",
            "security_token",
            "consumer_key",
            "consumer_secret",
        ):
            assert info[key]
        sf = login(info)
        assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 24
    finally:
        stop(process)


def test_data_file_keeps_the_org_across_restarts(tmp_path):
    data = str(tmp_path / "org.sqlite")
    process, info = start("--data", data)
    try:
        lead_id = login(info).Lead.create({"LastName": "Persisted", "Company": "C"})["id"]
    finally:
        stop(process)
    process, again = start("--data", data)
    try:
        assert again["password"] == info["password"]
        sf = login(again)
        assert sf.Lead.get(lead_id)["LastName"] == "Persisted"
        new_id = sf.Lead.create({"LastName": "Second", "Company": "C"})["id"]
        assert new_id != lead_id
    finally:
        stop(process)
