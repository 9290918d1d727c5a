"""`restore --mode copy` through Bulk API 2.0 with several jobs per object: the next job is
prepared and uploaded while the one before is processed (two in flight), each job's rows mapped
from its results in one transaction. Killed with two jobs in flight, the copy resumes without
a duplicate; rows a job refuses are reported and the rest mapped; the fast fingerprint a job
keys its rows by is the one the progress file always held."""

from __future__ import annotations

import random

import pytest

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.emulator.server import Emulator
from lgcrm_sf.errors import ExitCode
from lgcrm_sf.migrate.owners import OwnerResolver, UserDirectory
from lgcrm_sf.migrate.remap import Remap, create_problem, insert_values, missing_required
from lgcrm_sf.migrate.target import ObjectSpec
from lgcrm_sf.migrate.values import fingerprinter, sent_fingerprint

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

HOLD_MS = 1500
# Jobs of 1, 2, then 4 rows (the first ones smaller): the source's 6 accounts go in 3 jobs.
SMALL_JOBS = "bulk_threshold=1,bulk_job_rows=4"


@pytest.fixture(scope="module")
def second_emulator():
    with Emulator() as server:
        yield server


@pytest.fixture
def target(second_emulator):
    control = ControlClient(second_emulator.info)
    control.clear_faults()
    control.clear_validation_rules()
    return control.reset("empty"), control


@pytest.fixture
def copy_args(org, control, cli, keyring_file, target):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    build_source(control, org)
    connect_target(cli, target[0])
    return [
        "restore", backup(cli), "--mode", "copy", "--target-profile", "target",
        "--default-owner", target[0]["admin_username"], "--yes",
    ]  # fmt: skip


def insert_jobs(info: dict, sobject: str) -> list[dict]:
    jobs = login(info).restful("jobs/ingest")["records"]
    return [j for j in jobs if j["object"] == sobject and j["operation"] == "insert"]


def test_small_jobs_in_flight_give_the_same_copy(org, copy_args, cli, monkeypatch, target):
    monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", SMALL_JOBS)
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    assert result.json()["objects"]["Account"]["api"] == "bulk"
    assert len(insert_jobs(target[0], "Account")) == 3
    assert_copied(org, target[0])
    again = cli(*copy_args, "--json")
    assert sum(o["done"].get("created", 0) for o in again.json()["objects"].values()) == 0


@pytest.mark.parametrize(
    "where, fault",
    [
        # The first job's results being read: the second job is already uploaded and closed.
        ("results of the first job", {"path": "/successfulResults$", "method": "GET"}),
        # The second job's upload: the first is closed, being processed, never settled.
        ("upload of the second job", {"path": "/batches$", "method": "PUT", "after": 1}),
    ],
)
def test_a_copy_killed_with_two_jobs_in_flight_resumes_without_duplicates(
    org, copy_args, cli, home, monkeypatch, target, where, fault
):
    info, control = target
    env = {**subprocess_env(home, info), "LGCRM_SF_RESTORE_TUNING": SMALL_JOBS}
    monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", SMALL_JOBS)
    control.fault(status=0, latency_ms=HOLD_MS, count=1, **fault)
    process = kill_while_held(control, copy_args, env)
    assert process.returncode == -9, where
    wait_until_served(control)
    control.clear_faults()
    jobs = insert_jobs(info, "Account")
    assert len(jobs) == 2, jobs  # killed with two jobs begun, neither settled
    if where.startswith("results"):
        assert all(j["state"] != "Open" for j in jobs), jobs  # both closed: in flight at once
    result = cli(*copy_args, "--json")
    assert result.code == 0, result
    assert result.json()["settled_from_an_earlier_run"] == 2
    assert_copied(org, info)
    statuses = [e["status"] for e in log_lines(home, "target") if e["command"] == "restore"]
    assert statuses == ["interrupted", "ok"]


def test_rows_a_job_refuses_are_reported_and_the_others_mapped(
    org, copy_args, cli, monkeypatch, target
):
    info, control = target
    monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", SMALL_JOBS)
    control.add_validation_rule(
        "Contact", "No_Souza_1", "LastName LIKE 'Souza 1-%'", "Souza 1 is refused", "LastName"
    )
    result = cli(*copy_args, "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    contacts = login(org).query("SELECT COUNT() FROM Contact")["totalSize"]
    assert report["objects"]["Contact"]["done"] == {"created": contacts - 2, "failed": 2}
    [failure] = [f for f in report["failures"] if f["object"] == "Contact"]
    assert (failure["code"], failure["message"], failure["records"]) == (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Souza 1 is refused",
        2,
    )
    names_soql = "SELECT LastName FROM Contact"
    copied = login(info).query_all(names_soql)["records"]
    names = {r["LastName"] for r in copied}
    assert len(copied) == len(names) == contacts - 2
    assert not any(n.startswith("Souza 1-") for n in names)
    control.clear_validation_rules()
    again = cli(*copy_args, "--json")  # the refused rows go again; nothing else twice
    assert again.code == 0, again
    done = again.json()["objects"]["Contact"]["done"]
    assert (done["created"], done.get("failed", 0)) == (2, 0)
    # (what pointed at a refused contact was created without it: its reference stays empty)
    source_names = sorted(r["LastName"] for r in login(org).query_all(names_soql)["records"])
    assert sorted(r["LastName"] for r in login(info).query_all(names_soql)["records"]) == (
        source_names
    )


# --- the key of a row without a source-id field ----------------------------------------------
TYPES = {
    "Name": "string",
    "Amount": "currency",
    "Probability": "percent",
    "NumberOfEmployees": "int",
    "IsWon": "boolean",
    "CloseDate": "date",
    "LastActivity__c": "datetime",
    "Photo__c": "base64",
}
SPELLINGS = [
    "", " ", "0", "-0", "007", "1500", "1500.0", "1500.50", "-3.0", "0.0", "-0.0", "1e3",
    " 12 ", "12.", "true", "False", "1", "abc", " Ünï ", "2024-05-01T12:00:00.000Z",
    "2024-05-01T12:00:00Z", "2024-13-01T12:00:00.000Z", "2024-05-01T09:00:00-03:00",
]  # fmt: skip


def test_the_fast_fingerprint_is_the_fingerprint_progress_files_hold():
    """A progress file left by any version settles with this one: the digest never changes."""
    sent = {"Name": " Deal ", "Amount": "1500.0", "IsWon": "false", "CloseDate": "2024-05-01"}
    assert sent_fingerprint(sent, TYPES) == "026ab049a9b2b0ffb22cb0221fab5b21"
    rng = random.Random(15)
    for _ in range(3000):
        fields = rng.sample(sorted(TYPES), 5)
        values = {f: rng.choice(SPELLINGS) for f in fields}
        cells = [values[f] for f in fields]
        expected = sent_fingerprint(values, TYPES)
        assert fingerprinter(fields, TYPES)(values) == expected, values
        at = {f: i for i, f in enumerate(fields)}
        assert fingerprinter(fields, TYPES, at)(cells) == expected, values


# --- a plan's check of a row, without the values it would send --------------------------------
def test_a_plan_finds_the_problems_and_notes_the_writes_would():
    task = ObjectSpec(
        "Task",
        None,
        insert_fields=["Subject", "WhoId", "WhatId", "OwnerId", "Priority"],
        references={"WhoId": ("Contact",), "WhatId": ("Account",), "OwnerId": ("User",)},
        user_fields={"OwnerId"},
        required=["Priority", "WhoId", "OwnerId"],
    )
    users = UserDirectory.of([("005A", "ana@acme.com", True)])
    owners = OwnerResolver({"005S1": "ana@acme.com", "005S2": "nobody@acme.com"}, users, None)
    rng = random.Random(7)
    for deferred in ((), ("WhatId",), ("WhoId",)):
        planned, written = (Remap({"003OLD": "003NEW"}, False, owners) for _ in range(2))
        for _ in range(300):
            row = {
                "Subject": rng.choice(["", "Call"]),
                "WhoId": rng.choice(["", "003OLD", "003GONE"]),
                "WhatId": rng.choice(["", "001GONE"]),
                "OwnerId": rng.choice(["", "005S1", "005S2"]),
                **({"Priority": rng.choice(["", "High"])} if rng.random() < 0.8 else {}),
            }
            expected = missing_required(insert_values(row, task, written, deferred), task)
            assert create_problem(row, task, planned, deferred) == expected, (row, deferred)
        assert planned.notes == written.notes and planned.notes
