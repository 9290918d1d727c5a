"""Account mode's first sync matches while it reads (engine/account_first_sync.py), and must
send what the usual order would: also when a lead changes in the account during the read (it
comes again in a later window, after its create was planned, or even sent early), and when a
Salesforce Lead shares the e-mail of the Contact a new person is matched to (passed over
silently, as the usual order passes it over)."""

from __future__ import annotations

import datetime
import time

import pytest

from lgcrm_sf.store.sync_state import SyncState

from . import cli_zygote
from .account_world import AccountWorld

BASE = datetime.datetime(2026, 11, 20, 8, 0, 0)
COUNT = 1200  # over an hour: the read takes a few windows
EARLY = "early_job_rows=1,bulk_write_threshold=1"


def _stamp(seconds: int) -> str:
    return (BASE + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def _fill(aw: AccountWorld) -> list[int]:
    leads = [
        {"emailAddress": f"r{n}@read.example", "lastName": f"R{n}", "companyName": "Casa",
         "updateTimestamp": _stamp(3 * n), "createTimestamp": _stamp(0)}
        for n in range(COUNT)
    ]  # fmt: skip
    ids: list[int] = []
    for start in range(0, COUNT, 500):
        ids += aw.lg.lg_create_leads_raw(leads[start : start + 500])
    return ids


def _env(aw: AccountWorld, tuning: str) -> dict:
    return {
        **aw.world.subprocess_env(),
        "LGCRM_SF_LEADGEN_SECRET_KEY": aw.info["leadgen_secret_key"],
        "LGCRM_SF_LEADGEN_CALLS_PER_SECOND": "100000",
        "LGCRM_SF_TUNING": f"chunk=100,{tuning}".rstrip(","),
    }


def _sync_editing_while_held(aw: AccountWorld, env: dict, lead_id: int) -> None:
    """The sync in its own process, its third read of changed leads held (the edited lead's
    window is read by then) while a marketer edits the lead in the account."""
    aw.lg.lg_fault(latency_ms=20_000, method="getLeadsDateRange", after=2, count=1)
    command = cli_zygote.shared().start(env, "sync", "--no-backup-check")
    deadline = time.monotonic() + 60
    while not aw.lg.lg_faults()[0]["fired"]:
        assert command.poll() is None, "the sync ended before its third read"
        assert time.monotonic() < deadline, "the fault never fired"
        time.sleep(0.02)
    assert aw.lg.lg_edit_lead(lead_id, {"lastName": "Changed"})
    aw.lg.lg_clear_faults()
    finished = command.wait()
    assert finished.returncode == 0, finished.stderr[-2000:]


@pytest.mark.parametrize(
    ("tuning", "path"),
    [("", "planned create abandoned"), (EARLY, "create sent early, then updated")],
)
def test_a_lead_changed_in_the_account_while_the_first_sync_reads_reaches_salesforce(
    account_world: AccountWorld, tuning: str, path: str
):
    aw = account_world
    ids = _fill(aw)
    _sync_editing_while_held(aw, _env(aw, tuning), ids[0])
    assert [r["LastName"] for r in aw.sf_find("Lead", "r0@read.example")] == ["Changed"]
    emails = [r["Email"] for r in aw.world.sf.query_all("SELECT Email FROM Lead")["records"]]
    assert len(emails) == len(set(emails)) == COUNT
    person = aw.world.person("r0@read.example")
    state = SyncState(aw.profile.state_path)
    rows = state.db.execute(
        "SELECT op, state FROM journal WHERE person_id = ? ORDER BY id", [person["id"]]
    ).fetchall()
    if path == "planned create abandoned":
        assert rows == [("create", "abandoned"), ("create", "settled")]
    else:
        assert rows == [("create", "settled"), ("update", "settled")]
    assert state.links.mirror_of(person["id"])["last_name"] == {"lg": "Changed", "sf": "Changed"}
    quiet = aw.sync()
    assert quiet["summary"]["Lead"].get("created_in_salesforce", 0) == 0
    assert quiet["summary"]["Lead"].get("updated_in_salesforce", 0) == 0


def test_a_lead_sharing_the_matched_contacts_email_is_passed_over_silently(
    account_world: AccountWorld,
):
    aw = account_world
    aw.world.sf.Contact.create({"LastName": "Costa", "Email": "dup@read.example"})
    aw.world.sf.Lead.create({"LastName": "Costa", "Company": "Casa", "Email": "dup@read.example"})
    aw.create("dup@read.example", firstName="Duda", lastName="Costa")
    result = aw.sync()
    person = aw.world.person("dup@read.example")
    link = SyncState(aw.profile.state_path).links.link_of(person["id"])
    assert link["sf_object"] == "Contact"  # a Contact comes first
    assert not [m for m in result["messages"] if "dup@read.example" in m], result["messages"]
    assert result["summary"]["Lead"].get("skipped", 0) == 0
