"""Each org is its own: a random org id and record ids, usernames of its own (or the ones `serve`
was given), kept with its data file; a record id never repeats within an org, even after the
emulator is killed."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

import pytest

from lgcrm_sf.emulator.ids import to18
from lgcrm_sf.emulator.server import Emulator

from .conftest import login
from .soap_partner import Partner

DEFAULT_USERNAME = re.compile(r"integration@acme-brasil-[0-9a-f]{6}\.example")


def valid_id(record_id: str, prefix: str) -> bool:
    """An 18-character id: its key prefix, and the case-safe suffix of its first 15."""
    return (
        len(record_id) == 18 and record_id.startswith(prefix) and to18(record_id[:15]) == record_id
    )


def lead_ids(info: dict, count: int) -> list[str]:
    sf = login(info)
    records = [{"LastName": f"L{i}", "Company": "C"} for i in range(count)]
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"records": [{"attributes": {"type": "Lead"}, **r} for r in records]},
    )
    assert all(r["success"] for r in created)
    return [r["id"] for r in created]


def test_two_emulators_share_no_org_id_username_or_record_id(org):
    with Emulator() as other:
        mine, theirs = org, other.info
        assert valid_id(mine["org_id"], "00D") and valid_id(theirs["org_id"], "00D")
        assert mine["org_id"] != theirs["org_id"]
        assert DEFAULT_USERNAME.fullmatch(mine["username"])
        assert DEFAULT_USERNAME.fullmatch(theirs["username"])
        assert mine["username"] != theirs["username"]
        assert mine["admin_username"] != theirs["admin_username"]
        ours, others = lead_ids(mine, 200), lead_ids(theirs, 200)
        assert all(valid_id(i, "00Q") for i in ours + others)
        assert not set(ours) & set(others)
        # Each org's login says which org and user it is.
        assert Partner(theirs).login_result["userInfo"]["organizationId"] == theirs["org_id"]


def test_a_reset_is_a_new_org(control, org):
    again = control.reset("empty")
    assert again["org_id"] != org["org_id"] and again["username"] != org["username"]
    assert again["org_name"] == org["org_name"] == "Acme Brasil Ltda"


def test_record_ids_never_repeat_within_an_org(org, control):
    control.generate("Lead", 3000)
    sf = login(org)
    created = lead_ids(org, 200)
    ids = [r["Id"] for r in sf.query_all("SELECT Id FROM Lead")["records"]]
    assert len(ids) == len(set(ids)) == 3200 and set(created) <= set(ids)
    assert all(valid_id(i, "00Q") for i in ids)
    # Ids differ in case only as Salesforce's would: the 18-character forms stay distinct.
    assert len({i.lower() for i in ids}) == len(ids)


def test_the_admin_is_found_by_the_info_not_a_fixed_username(org):
    sf = login(org)
    [admin] = sf.query(
        f"SELECT Profile.Name, Username FROM User WHERE Username = '{org['admin_username']}'"
    )["records"]
    assert admin["Profile"]["Name"] == "System Administrator"
    assert org["admin_username"].split("@")[1] == org["username"].split("@")[1]


def test_a_data_file_keeps_its_org_and_continues_its_ids(tmp_path):
    data = str(tmp_path / "org.sqlite")
    with Emulator(data=data) as first:
        info = first.info
        before = set(lead_ids(info, 50))
        position = first.org.ids.position
    with Emulator(data=data) as second:
        again = second.info
        for key in ("org_id", "org_name", "username", "admin_username", "password"):
            assert again[key] == info[key], key
        assert second.org.ids.position == position  # the sequence goes on where it stopped
        after = set(lead_ids(again, 50))
        assert not before & after
    with Emulator(data=str(tmp_path / "another.sqlite")) as third:
        assert third.info["username"] != info["username"]
        assert third.info["org_id"] != info["org_id"]


def serve(*args) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "emulator", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, json.loads(process.stdout.readline())


def test_a_killed_emulator_never_hands_out_an_id_twice(tmp_path):
    data = str(tmp_path / "org.sqlite")
    process, info = serve("--data", data)
    try:
        before = set(lead_ids(info, 200))
    finally:
        process.kill()  # no chance to save anything
        process.wait(timeout=20)
    process, again = serve("--data", data)
    try:
        assert again["org_id"] == info["org_id"] and again["username"] == info["username"]
        after = set(lead_ids(again, 200))  # each insert would fail on a reused id
        assert not before & after
        assert login(again).query("SELECT COUNT() FROM Lead")["totalSize"] == 400
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_serve_takes_the_username_and_org_name(tmp_path):
    data = str(tmp_path / "org.sqlite")
    process, info = serve(
        "--data", data, "--username", "sync@beta.example", "--org-name", "Beta Comércio Ltda"
    )
    try:
        assert info["username"] == "sync@beta.example"
        assert info["org_name"] == "Beta Comércio Ltda"
        assert re.fullmatch(
            r"admin@beta-comercio-ltda-[0-9a-f]{6}\.example", info["admin_username"]
        )
        user_info = Partner(info).login_result["userInfo"]
        assert (user_info["userName"], user_info["organizationName"]) == (
            "sync@beta.example",
            "Beta Comércio Ltda",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    process, again = serve("--data", data)  # the data file keeps them
    try:
        assert (again["username"], again["org_name"]) == (info["username"], info["org_name"])
        assert login(again).query("SELECT Name FROM Organization")["records"][0]["Name"] == (
            "Beta Comércio Ltda"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


@pytest.mark.parametrize("seed", ["empty", "demo"])
def test_every_username_of_an_org_is_its_own(control, seed):
    info = control.reset(seed)
    sf = login(info)
    domain = info["username"].split("@")[1]
    people = sf.query("SELECT Username FROM User WHERE UserType = 'Standard'")["records"]
    assert people and all(p["Username"].endswith("@" + domain) for p in people)
