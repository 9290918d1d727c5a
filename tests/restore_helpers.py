"""A source org with every kind of reference a restore remaps, a second org (its own emulator,
so its org id and ids differ by construction), and helpers to back up, restore and compare."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.emulator.server import Emulator

from .conftest import connect_args, login, password_env

OBJECTS = "Account,Contact,Opportunity,OpportunityContactRole,Task,Lead,User"


@pytest.fixture(scope="session")
def second_emulator():
    """A second emulator, for the org a restore copies into (test_restore*.py): its org id,
    usernames and record ids differ from the session's by construction."""
    with Emulator() as server:
        yield server


@pytest.fixture
def target(second_emulator) -> tuple[dict, ControlClient]:
    """The second emulator's org, empty and without faults; its info and control client."""
    control = ControlClient(second_emulator.info)
    control.clear_faults()
    info = control.reset("empty")
    return info, control


def build_source(control: ControlClient, info: dict, accounts: int = 4) -> dict:
    """Accounts (one the parent of the others), contacts, opportunities, contact roles, tasks on
    both kinds of what/who, leads (one converted). Owners: the admin, and the integration user
    for some. Returns {kind: [ids]}."""
    me = info["username"]
    ids: dict[str, list[str]] = {k: [] for k in ("Account", "Contact", "Opportunity", "OCR")}
    ids.update(Task=[], Lead=[])
    parent = control.create("Account", {"Name": "Acme Holding", "Industry": "Finance"})
    ids["Account"].append(parent)
    for i in range(accounts):
        account = control.create(
            "Account",
            {"Name": f"Acme Filial {i}", "ParentId": parent, "BillingCity": "Recife"},
            **({"as": me} if i % 2 else {}),
        )
        ids["Account"].append(account)
        for j in range(2):
            contact = control.create(
                "Contact",
                {
                    "LastName": f"Souza {i}-{j}",
                    "FirstName": "Ana",
                    "Email": f"ana{i}{j}@acme.example",
                    "AccountId": account,
                    "Title": "Gerente",
                },
            )
            ids["Contact"].append(contact)
        opportunity = control.create(
            "Opportunity",
            {
                "Name": f"Deal {i}",
                "AccountId": account,
                "StageName": "Prospecting",
                "CloseDate": "2027-01-31",
                "Amount": 1500.5 + i,
            },
        )
        ids["Opportunity"].append(opportunity)
        ids["OCR"].append(
            control.create(
                "OpportunityContactRole",
                {
                    "OpportunityId": opportunity,
                    "ContactId": ids["Contact"][-1],
                    "Role": "Evaluator",
                },
            )
        )
        ids["Task"].append(
            control.create(
                "Task",
                {"Subject": f"Call {i}", "WhoId": ids["Contact"][-2], "WhatId": opportunity},
            )
        )
    for i in range(3):
        ids["Lead"].append(
            control.create(
                "Lead",
                {"LastName": f"Lima {i}", "Company": f"Lima {i} ME", "Email": f"lima{i}@x.example"},
            )
        )
    ids["Task"].append(control.create("Task", {"Subject": "Lead call", "WhoId": ids["Lead"][0]}))
    ids["Task"].append(control.create("Task", {"Subject": "Account note", "WhatId": parent}))
    converted = control.create("Lead", {"LastName": "Convertida", "Company": "Conv SA"})
    control.convert(converted, create_opportunity=False)
    ids["Lead"].append(converted)
    return ids


def connect_target(cli, info: dict, name: str = "target") -> None:
    result = cli(*connect_args(info, "--profile", name), env=password_env(info))
    assert result.code == 0, result


def backup(cli, *extra, profile: str = "default") -> str:
    result = cli("backup", "--objects", OBJECTS, "--json", "--profile", profile, *extra)
    assert result.code == 0, result
    path = result.json()["path"]
    assert cli("backup", "verify", path, "--profile", profile).code == 0
    return path


def records(info: dict, sobject: str, fields: str) -> list[dict]:
    sf = login(info)
    rows = sf.query_all(f"SELECT Id, {fields} FROM {sobject}")["records"]
    return [{k: v for k, v in r.items() if k != "attributes"} for r in rows]


def subprocess_env(home: Path, info: dict) -> dict:
    return {
        **os.environ,
        "LGCRM_SF_HOME": str(home),
        "PYTHONPATH": str(Path(__file__).parents[1]),
        "LGCRM_SF_PASSWORD": info["password"],
        "LGCRM_SF_SECURITY_TOKEN": info["security_token"],
    }


def log_lines(home: Path, profile: str) -> list[dict]:
    path = home / "profiles" / profile / "log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# Each copied object, its natural key (unique in build_source) and its reference fields.
COPIED = {
    "Account": (("Name",), ("ParentId",)),
    "Contact": (("LastName", "Email"), ("AccountId",)),
    "Opportunity": (("Name",), ("AccountId",)),
    "OpportunityContactRole": (
        ("Role", "OpportunityId", "ContactId"),
        ("OpportunityId", "ContactId"),
    ),
    "Task": (("Subject",), ("WhoId", "WhatId")),
    "Lead": (("LastName",), ()),
}


def assert_copied(source: dict, target: dict) -> dict[str, str]:
    """Every source record has one copy in the target (none twice), with a new id, and every
    reference of the copy points at the copy of what the source pointed at. Returns the id map
    found (source id -> target id)."""
    new_of: dict[str, str] = {}
    pending = []
    for sobject, (key, refs) in COPIED.items():
        fields = ", ".join(dict.fromkeys(key + refs))
        where = " WHERE IsConverted = false" if sobject == "Lead" else ""
        src = login(source).query_all(f"SELECT Id, {fields} FROM {sobject}{where}")["records"]
        dst = login(target).query_all(f"SELECT Id, {fields} FROM {sobject}")["records"]
        assert len(dst) == len(src), (sobject, len(src), len(dst))
        pending.append((sobject, key, refs, src, dst))
    for sobject, key, _, src, dst in pending:  # parents first: keys may hold references
        copies = {tuple(r[k] for k in key): r for r in dst}
        assert len(copies) == len(dst), f"{sobject}: two copies of one record"
        for row in src:
            copy = copies[tuple(new_of.get(row[k], row[k]) for k in key)]
            assert copy["Id"] != row["Id"]
            new_of[row["Id"]] = copy["Id"]
    for sobject, _, refs, src, dst in pending:
        copies = {r["Id"]: r for r in dst}
        for row in src:
            copy = copies[new_of[row["Id"]]]
            for ref in refs:
                expected = new_of[row[ref]] if row[ref] else None
                assert copy[ref] == expected, (sobject, ref, row, copy)
    return new_of


def kill_while_held(control, args: list, env: dict, timeout: float = 60):
    """Run `lgcrm-sf ARGS` in its own process and SIGKILL it while the emulator holds the
    request a fault (with latency) caught: a condition, not a fixed sleep."""
    import signal

    from .world import kill_when_held

    process = kill_when_held(
        lambda: control.call("GET", "faults")[0]["fired"] > 0, env, args, timeout=timeout
    )
    if process.returncode != -signal.SIGKILL:
        raise AssertionError(f"finished before the fault: {process.stderr!r}")
    return process
