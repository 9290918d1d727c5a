"""`lgcrm-sf restore --mode copy`: a verified backup copied into a second, empty org, every
reference remapped to the records created there; owners by username; refusals before any
write; a killed copy that resumes without creating anything twice. Two emulators: the
session's (the source) and this module's own (its org id, usernames and record ids differ by
construction). `--mode update` is in test_restore_update.py."""

from __future__ import annotations

import pytest

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, login, password_env
from .restore_helpers import (
    assert_copied,
    backup,
    build_source,
    connect_target,
    kill_while_held,
    log_lines,
    subprocess_env,
)
from .world import wait_until_served

HOLD_MS = 20_000  # never waited out: the test releases the held request after the kill


@pytest.fixture
def source(org, control, cli, keyring_file):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    return org, build_source(control, org)


@pytest.fixture
def copy_args(source, target, cli):
    """A verified backup of the source, a connected target profile, and the restore's args."""
    connect_target(cli, target[0])
    path = backup(cli)
    return [
        "restore", path, "--mode", "copy", "--target-profile", "target",
        "--default-owner", target[0]["admin_username"], "--yes",
    ]  # fmt: skip


def count(info: dict, sobject: str) -> int:
    return login(info).query(f"SELECT COUNT() FROM {sobject}")["totalSize"]


def test_copy_remaps_every_reference_to_the_records_it_created(
    source, target, copy_args, cli, home
):
    info, ids = source
    target_info, _ = target
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    report = result.json()
    new_of = assert_copied(info, target_info)
    assert not set(new_of) & set(new_of.values())  # no restored id equals its source id
    assert report["order"].index("Account") < report["order"].index("Contact")
    assert report["order"].index("Contact") < report["order"].index("Opportunity")
    assert report["order"][-2:] == ["OpportunityContactRole", "Task"]
    assert report["second_pass_fields"] == {"Account": ["ParentId"]}
    account = report["objects"]["Account"]
    assert account["done"]["created"] == len(ids["Account"]) + 1  # + the converted lead's
    assert account["done"]["updated"] == len(ids["Account"]) - 1  # ParentId, second pass
    lead = report["objects"]["Lead"]
    assert lead["create"] == 3 and list(lead["skip"].values()) == [1]  # the converted lead
    assert "converted" in next(iter(lead["skip"]))
    # Audit and system fields are said once per object, not per record.
    skipped = report["fields_skipped"]["Contact"]
    assert skipped["CreatedDate"].startswith("audit field")
    assert skipped["Name"] == "formula" and skipped["SystemModstamp"] == "read-only"
    # Owners: no source username exists in the target, so every record has the default owner.
    admin = login(target_info).query(
        f"SELECT Id FROM User WHERE Username = '{target_info['admin_username']}'"
    )["records"][0]["Id"]
    owners = login(target_info).query_all("SELECT OwnerId FROM Account")["records"]
    assert {o["OwnerId"] for o in owners} == {admin}
    assert all(o["how"].startswith("default owner") for o in report["owners"])
    [line] = [e for e in log_lines(home, "target") if e["command"] == "restore"]
    assert (line["status"], line["exit_code"], line["mode"]) == ("ok", 0, "copy")
    # Run again: everything is in the id map, nothing is created twice.
    again = cli(*copy_args, "--json")
    assert again.code == 0, again
    assert sum(o["done"].get("created", 0) for o in again.json()["objects"].values()) == 0
    assert count(target_info, "Account") == len(ids["Account"]) + 1


def test_copy_through_bulk_api_gives_the_same_result(source, target, copy_args, cli, monkeypatch):
    monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", "bulk_threshold=1,bulk_job_rows=3")
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    assert {o["api"] for o in result.json()["objects"].values()} == {"bulk"}
    assert_copied(source[0], target[0])


def test_owners_are_found_with_a_sandbox_suffix_added(
    org, control, cli, keyring_file, second_emulator
):
    """The target is the source's sandbox: `integration@acme.example` there is
    `integration@acme.example.uat`."""
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    build_source(control, org, accounts=2)
    target_control = ControlClient(second_emulator.info)
    target_info = target_control.reset("empty", username=org["username"] + ".uat")
    connect_target(cli, target_info)
    path = backup(cli)
    result = cli(
        "restore", path, "--mode", "copy", "--target-profile", "target", "--yes", "--json",
        "--default-owner", target_info["admin_username"],
    )  # fmt: skip
    assert result.code == 0, result
    owners = {o["source"]: o for o in result.json()["owners"]}
    assert owners[org["username"]]["target"] == org["username"] + ".uat"
    assert owners[org["username"]]["how"] == "sandbox suffix added"
    sf = login(target_info)
    mine = sf.query_all(
        "SELECT Name FROM Account WHERE Owner.Username = '" + org["username"] + ".uat'"
    )["records"]
    assert sorted(r["Name"] for r in mine) == ["Acme Filial 1"]  # owned by the integration user


def test_unmatched_owners_stop_the_copy_without_a_default_owner(source, target, copy_args, cli):
    args = [a for a in copy_args if a not in ("--default-owner", target[0]["admin_username"])]
    result = cli(*args)
    assert result.code == ExitCode.USAGE, result
    assert "--default-owner" in result.err and source[0]["admin_username"] in result.err
    assert count(target[0], "Account") == 0


def test_a_copy_into_an_org_holding_records_stops_unless_allowed(source, target, copy_args, cli):
    target_info, target_control = target
    target_control.create("Account", {"Name": "Already here"})
    result = cli(*copy_args)
    assert result.code == ExitCode.USAGE, result
    assert "already holds records of Account (1)" in result.err and "--allow-nonempty" in result.err
    assert count(target_info, "Contact") == 0
    assert cli(*copy_args, "--allow-nonempty").code == 0
    assert count(target_info, "Account") == len(source[1]["Account"]) + 2


def test_dry_run_says_what_it_would_do_and_writes_nothing(source, target, copy_args, cli, home):
    result = cli(*copy_args, "--dry-run", "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["dry_run"] and report["progress_file"] is None
    assert report["objects"]["Account"]["create"] == len(source[1]["Account"]) + 1
    assert report["objects"]["Account"]["second_pass"] == len(source[1]["Account"]) - 1
    assert report["objects"]["Task"]["create"] == len(source[1]["Task"])
    assert count(target[0], "Account") == 0
    assert not (home / "profiles" / "target" / "restores").exists()
    text = cli(*copy_args, "--dry-run")
    assert text.code == 0 and "skipped: converted lead" in text.out
    assert "audit field: needs Set Audit Fields upon Record Creation" in text.out


def test_the_source_id_field_keeps_where_each_record_came_from(source, target, copy_args, cli):
    target_info, target_control = target
    for sobject in ("Account", "Contact"):
        target_control.add_custom_field(
            sobject, name="LGCRM_Source_Id__c", type="string", length=18, externalId=True,
            unique=True, caseSensitive=True,
        )  # fmt: skip
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    assert result.json()["source_id_fields"] == {
        "Account": "LGCRM_Source_Id__c",
        "Contact": "LGCRM_Source_Id__c",
    }
    new_of = assert_copied(source[0], target_info)
    rows = login(target_info).query_all("SELECT Id, LGCRM_Source_Id__c FROM Contact")["records"]
    assert {r["Id"]: r["LGCRM_Source_Id__c"] for r in rows} == {
        new: old for old, new in new_of.items() if new.startswith("003")
    }


def test_refusals_before_anything_is_written(source, target, copy_args, cli, tmp_path):
    path = copy_args[1]
    assert cli("restore", path, "--mode", "merge").code == ExitCode.USAGE
    assert cli(*copy_args, "--objects", "User").code == ExitCode.USAGE
    assert cli(*copy_args, "--objects", "Case").code == ExitCode.USAGE
    assert cli(*copy_args, "--fields", "Nope__c").code == ExitCode.USAGE
    missing = cli("restore", path, "--mode", "copy", "--target-profile", "nope", "--yes")
    assert missing.code == ExitCode.USAGE and "nope" in missing.err
    # Not a word typed, no --yes: nothing happens (stdin is not a terminal here).
    unconfirmed = cli(*[a for a in copy_args if a != "--yes"])
    assert unconfirmed.code == ExitCode.CONFIG and "Confirm" in unconfirmed.err
    # A backup that does not verify is refused.
    csv_file = next(p for p in (tmp_path / "home" / "backups").rglob("Account.csv"))
    csv_file.write_text(csv_file.read_text().replace("Recife", "Olinda"))
    damaged = cli(*copy_args)
    assert damaged.code == ExitCode.VERIFY_FAILED and "does not verify" in damaged.err
    assert count(target[0], "Account") == 0


def test_a_restore_waits_for_no_sync(source, target, copy_args, cli, home):
    from lgcrm_sf.config import Profile
    from lgcrm_sf.engine.lock import ProfileLock

    with ProfileLock(Profile(home, "target").lock_path, "target"):
        result = cli(*copy_args)
    assert result.code == ExitCode.LOCK_HELD, result
    assert count(target[0], "Account") == 0


@pytest.mark.parametrize(
    "where, tuning, fault",
    [
        # A batch of creates whose answer never comes: looked up by the values it sent.
        ("collections create", "", {"path": "/composite/sobjects$", "method": "POST", "after": 1}),
        # A Bulk job closed on the server after the kill: its results map the rows.
        (
            "bulk close",
            "bulk_threshold=1",
            {"path": r"/jobs/ingest/[^/]+$", "method": "PATCH", "after": 1},
        ),
        # An upload the server took after the kill, the job never closed: aborted, sent again.
        ("bulk upload", "bulk_threshold=1", {"path": "/batches$", "method": "PUT", "after": 1}),
        # The same, where the object keeps the source id: looked up by it.
        (
            "collections create, source id field",
            "",
            {"path": "/composite/sobjects$", "method": "POST", "after": 1},
        ),
        # Results being read when the process died.
        (
            "bulk results",
            "bulk_threshold=1",
            {"path": "/successfulResults$", "method": "GET", "after": 1},
        ),
    ],
)
def test_a_killed_copy_resumes_without_duplicates(
    source, target, copy_args, cli, home, monkeypatch, where, tuning, fault
):
    target_info, target_control = target
    if "source id" in where:
        target_control.add_custom_field(
            "Contact", name="LGCRM_Source_Id__c", type="string", length=18, externalId=True
        )
    env = subprocess_env(home, target_info)
    if tuning:
        env["LGCRM_SF_RESTORE_TUNING"] = tuning
        monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", tuning)
    target_control.fault(status=0, latency_ms=HOLD_MS, count=1, **fault)
    process = kill_while_held(target_control, copy_args, env)
    assert process.returncode == -9, where
    target_control.clear_faults()  # releases the held request
    wait_until_served(target_control)  # which completes on the server
    assert count(target_info, "Account") > 0  # killed midway: some of the copy is there
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    assert result.json()["settled_from_an_earlier_run"] >= (0 if where == "bulk results" else 1)
    assert_copied(source[0], target_info)
    statuses = [e["status"] for e in log_lines(home, "target") if e["command"] == "restore"]
    assert statuses == ["interrupted", "ok"]


def test_update_is_refused_across_orgs(source, target, copy_args, cli, home):
    """--mode update writes a backup back into its own org only: another org's ids are not
    this one's."""
    path = copy_args[1]
    result = cli("restore", path, "--mode", "update", "--target-profile", "target", "--yes")
    assert result.code == ExitCode.USAGE, result
    assert f"this backup is of org {source[0]['org_id']}" in result.err
    assert "--mode copy" in result.err
    assert count(target[0], "Account") == 0
    [line] = [e for e in log_lines(home, "target") if e["command"] == "restore"]
    assert line["exit_code"] == ExitCode.USAGE
