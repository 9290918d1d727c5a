"""Kill -9 the sync at many points (after each Salesforce call in turn) and show that a rerun
converges to the state an uninterrupted run reaches, with no duplicate on either side.

The emulator holds the k-th API request (a fault with `after` and latency); while it is held
the test kills the sync process, then releases it (clears the faults). The server still
processes the request, as Salesforce would when a client dies mid-call: the worst case for a
create. Every `lgcrm-sf` command runs as its own process, forked from one that has imported the
program once (tests/cli_zygote.py): the matrix runs a hundred commands."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, LEAD_CUSTOM_FIELDS
from lgcrm_sf.leadgen.store import LeadGenStore

from . import cli_zygote
from .conftest import connect_args, login
from .world import default_with_score_and_link, kill_sync_while_held, wait_until_served

# Longer than any kill takes on a loaded machine; a case releases the request at once after
# the kill (clearing the faults ends the hold), so it never waits this out.
HOLD_MS = 20_000


def people_csv(path: Path) -> Path:
    rows = ["email,first_name,last_name,company,title,lead score"]
    rows += [
        f"lead{i}@crash.example,Lead{i},Souza,Empresa {i},Title {i % 7},{i % 50}"
        for i in range(430)
    ]
    rows += ["shared@crash.example,Shared,Person,Here Co,Here,5"]
    path.write_text("\n".join(rows) + "\n")
    return path


def setup_world(control, tmp_path: Path, name: str) -> tuple[dict, dict]:
    info = control.reset(
        "empty", custom_fields={"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
    )
    for i in range(12):
        control.create(
            "Lead",
            {
                "LastName": f"SF{i}",
                "Company": "SF Co",
                "Email": f"sf{i}@crash.example",
                "Title": "From SF",
            },
        )
    control.create(
        "Lead",
        {"LastName": "Person", "Company": "SF Co", "Email": "SHARED@crash.example", "Title": "SF"},
    )
    for i in range(5):
        control.create("Contact", {"LastName": f"Contato{i}", "Email": f"contact{i}@crash.example"})
    env = cli_env(info, tmp_path / name)
    cli(env, *connect_args(info))
    mapping = tmp_path / f"{name}-mapping.yaml"
    mapping.write_text(default_with_score_and_link())
    cli(env, "mapping", "use", str(mapping))
    cli(env, "leads", "import", str(people_csv(tmp_path / f"{name}.csv")))
    return info, env


def cli_env(info: dict, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGCRM_SF_")}
    env.update(
        LGCRM_SF_HOME=str(home),
        LGCRM_SF_PASSWORD=info["password"],
        LGCRM_SF_SECURITY_TOKEN=info["security_token"],
        PYTHONPATH=str(Path(__file__).parents[1]),
        LGCRM_SF_RETRY_BASE_SECONDS="0.01",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


@dataclass
class Prepared:
    """The world before the first sync, made once: the org kept as an emulator snapshot, the
    profile's home as a directory. Each case gets a copy of both."""

    home: Path
    snapshot: str = "crash-world"

    def copy(self, control, target: Path) -> tuple[dict, dict]:
        info = control.restore(self.snapshot)
        shutil.copytree(self.home, target)
        return info, cli_env(info, target)


@pytest.fixture(scope="module")
def prepared(emulator, tmp_path_factory) -> Prepared:
    from lgcrm_sf.emulator.control import ControlClient

    control = ControlClient(emulator.info)
    tmp = tmp_path_factory.mktemp("prepared")
    _, env = setup_world(control, tmp, "world")
    control.snapshot(Prepared.snapshot)
    return Prepared(Path(env["LGCRM_SF_HOME"]))


def cli(env: dict, *args, check: bool = True) -> subprocess.CompletedProcess:
    result = cli_zygote.shared().run(env, *args)
    if check:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


def snapshot(info: dict, home: Path) -> dict:
    sf = login(info)
    state = {}
    for sobject, fields in (
        (
            "Lead",
            "Email, FirstName, LastName, Company, Title, LGCRM_Lead_Score__c, LGCRM_Profile_URL__c",
        ),
        ("Contact", "Email, FirstName, LastName, Title"),
    ):
        rows = sf.query_all(f"SELECT {fields} FROM {sobject}")["records"]
        emails = [r["Email"].lower() for r in rows]
        assert len(emails) == len(set(emails)), f"duplicate {sobject} in Salesforce"
        state[sobject] = sorted(
            tuple(
                str(r[f.strip()]) for f in fields.split(",") if f.strip() != "LGCRM_Profile_URL__c"
            )
            for r in rows
        )
        if sobject == "Lead":
            store = LeadGenStore(Profile(home).state_path)
            for row in rows:  # the lead link points at the right person
                person = store.by_email(row["Email"])
                assert row["LGCRM_Profile_URL__c"].endswith(f"/contacts/{person['id']}")
    store = LeadGenStore(Profile(home).state_path)
    people = store.people()
    assert len({p["email"] for p in people}) == len(people)
    state["here"] = sorted(
        (p["email"], p["kind"], p["first_name"], p["last_name"], p["title"], p["active"])
        for p in people
    )
    unlinked = store.db.execute(
        "SELECT COUNT(*) FROM lg_people WHERE id NOT IN (SELECT person_id FROM links)"
    ).fetchone()[0]
    state["unlinked"] = unlinked
    return state


@pytest.fixture(scope="module")
def reference(emulator, prepared, tmp_path_factory):
    from lgcrm_sf.emulator.control import ControlClient

    control = ControlClient(emulator.info)
    info, env = prepared.copy(control, tmp_path_factory.mktemp("reference") / "home")
    before = control.usage()["used"]
    cli(env, "sync", "--no-backup-check")
    calls = control.usage()["used"] - before
    cli(env, "sync", "--no-backup-check")
    return snapshot(info, Path(env["LGCRM_SF_HOME"])), calls


def test_the_reference_run_is_complete(reference):
    state, calls = reference
    assert state["unlinked"] == 0
    assert len(state["Lead"]) == 431 + 12 and len(state["Contact"]) == 5
    assert calls >= 6


@pytest.mark.parametrize("kill_at", range(1, 12))
def test_killed_after_each_call_and_rerun_converges(
    reference, prepared, control, tmp_path, kill_at
):
    expected, calls = reference
    if kill_at > calls:
        pytest.skip(f"the run makes only {calls} calls")
    info, env = prepared.copy(control, tmp_path / "home")
    control.fault(path="^/services/data/", status=0, latency_ms=HOLD_MS, after=kill_at - 1, count=1)
    process = kill_sync_while_held(control, env)
    assert process.returncode == -signal.SIGKILL  # killed mid-run, not finished
    control.clear_faults()  # releases the held request
    wait_until_served(control)  # which finishes on the server, as on Salesforce
    runs = (
        LeadGenStore(Profile(env["LGCRM_SF_HOME"]).state_path)
        .db.execute("SELECT status FROM runs")
        .fetchall()
    )
    assert runs == [("running",)]
    cli(env, "sync", "--no-backup-check")
    cli(env, "sync", "--no-backup-check")
    assert snapshot(info, Path(env["LGCRM_SF_HOME"])) == expected
    statuses = (
        LeadGenStore(Profile(env["LGCRM_SF_HOME"]).state_path)
        .db.execute("SELECT status FROM runs")
        .fetchall()
    )
    assert statuses == [("interrupted",), ("ok",), ("ok",)]


def test_an_edit_made_while_our_killed_update_was_in_flight_is_not_lost(world, home):
    """Our update reaches Salesforce after a user's edit of another field, and the run dies
    before settling: we are now the record's last modifier, yet the user's edit must come over."""
    world.import_people("email,first_name,phone\nana@x.example,Ana,+55 11 1111-1111\n")
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    world.edit_here("ana@x.example", title="Diretora")
    world.control.fault(
        path="/composite/sobjects", method="PATCH", status=0, latency_ms=HOLD_MS, count=1
    )
    kill_sync_while_held(
        world.control,
        world.subprocess_env(),
        # a rep edits another field, meanwhile
        lambda: world.control.update("Lead", lead["Id"], {"Phone": "+55 11 2222-2222"}),
    )
    world.control.clear_faults()  # releases the held request
    wait_until_served(world.control)
    record = world.sf.Lead.get(lead["Id"])
    assert record["Title"] == "Diretora" and record["LastModifiedById"] == world.info["user_id"]
    world.sync()
    assert world.person("ana@x.example")["phone"] == "+55 11 2222-2222"
    assert world.sf.Lead.get(lead["Id"])["Phone"] == "+55 11 2222-2222"
