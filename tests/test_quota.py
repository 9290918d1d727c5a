"""A spent daily quota stops `sync` and `backup` at once with exit 8 (no retries: waiting
won't bring calls back); the concurrent long-running request limit stays a transient retry."""

from __future__ import annotations

from lgcrm_sf.errors import ExitCode


def requests_seen(control) -> int:
    return sum(f["seen"] for f in control.call("GET", "faults"))


def count_requests(control) -> None:
    # A fault that never fires counts every data request the emulator receives.
    control.fault(path="^/services/data/", count=0)


def test_a_spent_quota_stops_sync_at_once_with_exit_8(world):
    world.import_people("email,first_name\nana@q.example,Ana\n")
    world.control.usage(used=15000, max=15000)
    count_requests(world.control)
    report = world.sync(code=ExitCode.QUOTA_RESERVE)
    assert report["status"] == "quota"
    assert "REQUEST_LIMIT_EXCEEDED" in report["messages"][0]
    assert requests_seen(world.control) == 1  # refused once, not retried
    world.control.clear_faults()
    world.control.usage(used=0)
    assert world.sync()["summary"]["Lead"]["created_in_salesforce"] == 1


def test_a_spent_quota_stops_backup_at_once_with_exit_8(world, tmp_path):
    world.control.create("Lead", {"LastName": "L", "Company": "C", "Email": "l@q.example"})
    world.control.usage(used=14990, max=15000)  # enough to start, not to finish
    result = world.cli("backup", "--out", tmp_path / "backups")
    assert result.code == ExitCode.QUOTA_RESERVE, result
    assert "REQUEST_LIMIT_EXCEEDED" in result.err and "Traceback" not in result.err
    [made] = list((tmp_path / "backups").iterdir())
    # Named like any backup (org id, start time), not after the last object it could not take.
    assert made.name.startswith(world.info["org_id"] + "-") and made.name.endswith("-incomplete")


def test_the_concurrent_request_limit_is_retried(world):
    world.import_people("email,first_name\nana@q.example,Ana\n")
    world.control.fault(
        path="/query",
        status=403,
        error_code="REQUEST_LIMIT_EXCEEDED",
        message="ConcurrentPerOrgLongTxn Limit exceeded.",
        count=2,
    )
    report = world.sync()
    assert report["summary"]["Lead"]["created_in_salesforce"] == 1
