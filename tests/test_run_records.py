"""Every run is recorded: one line in log.jsonl per sync or backup, with the exit code the
process really returned (failed runs too); a run killed by a signal is marked interrupted
(exit_code null) at the next start; `status` lists the record errors; `sync --json` is one line
and, with --json, nothing goes to stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

from .world import kill_sync_while_held, wait_until_served


def log_lines(home) -> list[dict]:
    path = Profile(home).log_path
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_each_sync_and_backup_appends_one_line_with_its_real_exit_code(world, home, tmp_path):
    world.control.add_validation_rule(
        "Lead", "NoTest", "Company LIKE '%test%'", "No test companies", "Company"
    )
    world.import_people("email,first_name,company\nbad@r.example,Bad,Test Co\n")
    result = world.cli("sync", "--json", "--no-backup-check")
    assert result.code == ExitCode.RECORD_ERRORS
    assert len(result.out.strip().splitlines()) == 1 and result.err == ""  # one compact line
    [line] = log_lines(home)
    assert (line["command"], line["status"], line["exit_code"]) == ("sync", "record_errors", 1)
    runs = world.cli("status", "--json").json()["last_runs"]
    assert runs[0]["exit_code"] == 1 and runs[0]["command"] == "sync"
    # A run that fails (the org unreachable) is recorded too.
    world.control.fault(path="^/services/data/", status=503, count=None)
    failed = world.cli("sync", "--no-backup-check", "--json")
    world.control.clear_faults()
    assert failed.code == ExitCode.SALESFORCE and failed.err == ""
    error = json.loads(failed.out)
    assert error["ok"] is False and error["exit_code"] == ExitCode.SALESFORCE
    assert log_lines(home)[-1]["exit_code"] == ExitCode.SALESFORCE
    assert log_lines(home)[-1]["status"] == "failed"
    made = world.cli("backup", "--objects", "Lead", "--out", tmp_path / "b", "--json")
    assert made.code == 0
    assert (log_lines(home)[-1]["command"], log_lines(home)[-1]["exit_code"]) == ("backup", 0)
    # A usage error is not a run.
    count = len(log_lines(home))
    assert world.cli("sync", "--api-reserve", "150%").code == ExitCode.USAGE
    assert len(log_lines(home)) == count


def test_status_lists_the_record_errors(world):
    world.control.add_validation_rule(
        "Lead", "NoTest", "Company LIKE '%test%'", "No test companies", "Company"
    )
    world.import_people("email,first_name,company\nbad@r.example,Bad,Test Co\n")
    world.sync(code=ExitCode.RECORD_ERRORS)
    world.sync(code=ExitCode.RECORD_ERRORS)
    [error] = world.cli("status", "--json").json()["record_errors"]
    assert error["object"] == "Lead" and error["email"] == "bad@r.example"
    assert error["field"] == "Company" and "No test companies" in error["message"]
    assert error["attempts"] == 2 and error["first_seen"] <= error["last_seen"]
    text = world.cli("status").out
    assert "Record errors" in text and "bad@r.example" in text


def test_a_killed_run_is_marked_interrupted_at_the_next_start(world, home):
    world.import_people("email,first_name\nana@r.example,Ana\n")
    world.sync()
    # The change query is held on the server while the sync is killed.
    world.control.fault(path="/query", latency_ms=1200, count=1)
    kill_sync_while_held(world.control, world.subprocess_env())
    world.control.clear_faults()  # releases the held request
    wait_until_served(world.control)  # which completes on the server
    world.sync()
    lines = log_lines(home)
    interrupted = [line for line in lines if line["status"] == "interrupted"]
    assert len(interrupted) == 1 and interrupted[0]["exit_code"] is None
    statuses = [r["status"] for r in world.cli("status", "--json").json()["last_runs"]]
    assert statuses[:3] == ["ok", "interrupted", "ok"]
    assert Path(world.cli("status", "--json").json()["log_file"]).exists()


def test_a_refused_login_and_a_crash_are_recorded_with_their_codes(world, home):
    """Exit 4 (Salesforce refused the login) and exit 70 (what nobody foresaw) each leave their
    line, like every other run: cron's history has no holes."""
    env = {**world.subprocess_env(), "LGCRM_SF_PASSWORD": "not-the-password"}
    env.pop("LGCRM_SF_DEBUG", None)
    refused = subprocess.run(
        [sys.executable, "-m", "lgcrm_sf.cli", "sync", "--no-backup-check", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == ExitCode.AUTH, refused.stdout + refused.stderr
    last = log_lines(home)[-1]
    assert (last["command"], last["status"], last["exit_code"]) == ("sync", "failed", 4)
    # A state database that is not one: the run is recorded all the same, exit 70 or 3.
    state = Profile(home).state_path
    saved = state.read_bytes()
    state.write_bytes(b"\x00" * 4096)
    try:
        broken = subprocess.run(
            [sys.executable, "-m", "lgcrm_sf.cli", "sync", "--no-backup-check", "--json"],
            env=world.subprocess_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        state.write_bytes(saved)
    assert broken.returncode in (ExitCode.CONFIG, ExitCode.INTERNAL), broken.stdout
    last = log_lines(home)[-1]
    assert (last["command"], last["exit_code"]) == ("sync", broken.returncode)
