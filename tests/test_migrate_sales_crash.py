"""Kill -9 `migrate sales` at every request it makes to the org (in turn), rerun it, and show
that it converges to what an uninterrupted run leaves: no account, opportunity, contact role
or conversion twice; then the first sync creates nothing new on either side.

The emulator holds the k-th request (a fault with `after` and latency); while it is held the
test kills the process, then releases the request (clears the faults). The server still
carries the request out, as Salesforce would when a client dies mid-call: the worst case for a
create. Commands run as their own processes, forked from one that has imported the program
once (tests/cli_zygote.py). The org here has no external-id
field on Account or Opportunity, so every lost create is found by the journal-then-lookup path."""

from __future__ import annotations

import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.store.sync_state import SyncState

from . import cli_zygote
from .conftest import connect_args, login
from .sales_helpers import (
    custom_fields,
    local_counts,
    mapping_text,
    seed_people_in_salesforce,
    seed_sales,
    shape,
)
from .test_sync_crash import cli_env  # the same child environment as the sync's matrix
from .world import kill_when_held, wait_until_served

HOLD_MS = 20_000  # never waited out: a case releases the held request after the kill
MIGRATE = ("migrate", "sales", "--yes", "--convert-leads")


def cli(env: dict, *args) -> subprocess.CompletedProcess:
    result = cli_zygote.shared().run(env, *args)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


@dataclass
class Prepared:
    """The org and the profile before the migration, made once; each case gets a copy."""

    home: Path
    snapshot: str = "sales-crash-world"

    def copy(self, control, target: Path) -> tuple[dict, dict]:
        info = control.restore(self.snapshot)
        shutil.copytree(self.home, target)
        return info, cli_env(info, target)


def prepare(emulator, tmp_path_factory, external_ids: bool, name: str) -> Prepared:
    from lgcrm_sf.emulator.control import ControlClient

    control = ControlClient(emulator.info)
    info = control.reset("empty", custom_fields=custom_fields(external_ids))
    seed_people_in_salesforce(control)
    home = tmp_path_factory.mktemp(name) / "home"
    env = cli_env(info, home)
    cli(env, *connect_args(info))
    seed_sales(Profile(home).state_path)
    mapping = home.parent / "mapping.yaml"
    mapping.write_text(mapping_text(info["admin_username"]))
    cli(env, "mapping", "use", str(mapping))
    control.snapshot(name)
    return Prepared(home, name)


@pytest.fixture(scope="module")
def prepared(emulator, tmp_path_factory) -> Prepared:
    return prepare(emulator, tmp_path_factory, False, "sales-crash-world")


@pytest.fixture(scope="module")
def prepared_upsert(emulator, tmp_path_factory) -> Prepared:
    """The same, with our external-id field on Account and Opportunity: creates are upserts."""
    return prepare(emulator, tmp_path_factory, True, "sales-crash-upsert-world")


def migrated(home: Path) -> int:
    return SyncState(Profile(home).state_path).migrated.count()


@pytest.fixture(scope="module")
def reference(emulator, prepared, tmp_path_factory):
    from lgcrm_sf.emulator.control import ControlClient

    control = ControlClient(emulator.info)
    info, env = prepared.copy(control, tmp_path_factory.mktemp("sales-reference") / "home")
    cli(env, *MIGRATE)
    home = Path(env["LGCRM_SF_HOME"])
    return shape(login(info)), migrated(home), local_counts(home)


def test_the_reference_run_is_complete(reference):
    state, mapped, _ = reference
    assert len(state["Account"]) == 2 and len(state["Opportunity"]) == 4
    assert len(state["OpportunityContactRole"]) == 3  # one contact, two converted leads
    assert mapped == 2 + 4 + 3


def kill_while_held(control, env: dict, args) -> bool:
    """Run the command in its own process and SIGKILL it while the emulator holds the request
    the fault caught; False when the command ended before making that request."""

    def fired() -> bool:
        return control.call("GET", "faults")[0]["fired"] > 0

    return kill_when_held(fired, env, args).returncode == -signal.SIGKILL


@pytest.mark.parametrize("kill_at", range(1, 19))
def test_killed_at_each_request_then_rerun_converges(
    reference, prepared, control, tmp_path, kill_at
):
    expected, mapped, counts = reference
    info, env = prepared.copy(control, tmp_path / "home")
    home = Path(env["LGCRM_SF_HOME"])
    control.fault(path="^/services/", status=0, latency_ms=HOLD_MS, after=kill_at - 1, count=1)
    try:
        if not kill_while_held(control, env, MIGRATE):
            pytest.skip(f"the run makes fewer than {kill_at} requests")
    finally:
        control.clear_faults()  # releases the held request
    wait_until_served(control)  # which finishes on the server
    cli(env, *MIGRATE)
    sf = login(info)
    assert shape(sf) == expected
    assert migrated(home) == mapped
    again = cli(env, *MIGRATE, "--json")
    assert '"created"' not in again.stdout and '"converted"' not in again.stdout
    # The first sync links what was migrated: nothing new on either side.
    cli(env, "sync", "--no-backup-check")
    assert shape(sf) == expected
    assert local_counts(home) == counts
    assert sf.query("SELECT COUNT() FROM Lead WHERE IsConverted = false")["totalSize"] == 0


@pytest.mark.parametrize("sobject", ["Account", "Opportunity"])
def test_killed_during_an_upsert_then_rerun_converges(prepared_upsert, control, tmp_path, sobject):
    info, env = prepared_upsert.copy(control, tmp_path / "home")
    home = Path(env["LGCRM_SF_HOME"])
    path = f"/composite/sobjects/{sobject}/LGCRM_Id__c"
    control.fault(path=path, method="PATCH", status=0, latency_ms=HOLD_MS, count=1)
    try:
        assert kill_while_held(control, env, MIGRATE)
    finally:
        control.clear_faults()
    wait_until_served(control)
    cli(env, *MIGRATE)
    state = shape(login(info))  # fails on a duplicate
    assert [len(state[k]) for k in ("Account", "Opportunity", "OpportunityContactRole")] == [
        2,
        4,
        3,
    ]
    assert migrated(home) == 9
    keys = login(info).query_all(f"SELECT LGCRM_Id__c FROM {sobject}")["records"]
    assert all(k["LGCRM_Id__c"] for k in keys)
