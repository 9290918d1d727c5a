"""A record purged from Salesforce (hard delete, or the recycle bin's own purge) is seen: by a
write that answers NOT_FOUND, or by the reconcile pass that looks up every linked id
(`sync --reconcile`, and once a day by itself). Its person is deactivated like any deletion."""

from __future__ import annotations

import sqlite3

from lgcrm_sf.config import Profile


def two_synced_leads(world) -> tuple[str, str]:
    world.import_people(
        "email,first_name,last_name,company\nana@p.example,Ana,S,P\nbia@p.example,Bia,L,P\n"
    )
    world.sync()
    world.sync()  # settle Salesforce's defaults
    return (
        world.sf_find("Lead", "ana@p.example")[0]["Id"],
        world.sf_find("Lead", "bia@p.example")[0]["Id"],
    )


def test_a_write_to_a_purged_record_deactivates_its_person(world):
    ana, _ = two_synced_leads(world)
    world.control.hard_delete(ana)
    world.edit_here("ana@p.example", title="Diretora")  # the sync will write to it
    report = world.sync()  # exit 0: a purge is a deletion, not a record error
    assert report["summary"]["Lead"]["deactivated"] == 1
    assert report["summary"]["Lead"]["errors"] == 0
    person = world.person("ana@p.example")
    assert person["active"] is False and "no longer in Salesforce" in person["deactivation_reason"]
    assert world.cli("status", "--json").json()["pending_errors"] == 0
    assert world.sync()["summary"]["Lead"]["deactivated"] == 0


def test_reconcile_finds_a_purge_nobody_writes_to(world):
    ana, bia = two_synced_leads(world)
    world.control.hard_delete(bia)
    assert world.sync()["summary"]["Lead"]["deactivated"] == 0  # nothing else can see it
    report = world.sync("--reconcile")
    assert report["summary"]["Lead"]["deactivated"] == 1
    assert world.person("bia@p.example")["active"] is False
    assert world.person("ana@p.example")["active"] is True


def test_reconcile_runs_by_itself_once_a_day(world, home):
    _, bia = two_synced_leads(world)
    world.control.hard_delete(bia)
    assert world.sync()["summary"]["Lead"]["deactivated"] == 0
    conn = sqlite3.connect(Profile(home).state_path)
    with conn:  # the last check was 25 hours ago
        conn.execute(
            "UPDATE cursors SET value = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 hours') "
            "WHERE stream = 'reconcile:salesforce'"
        )
    conn.close()
    assert world.sync()["summary"]["Lead"]["deactivated"] == 1


def test_reconcile_in_chunks_and_by_a_full_scan(world, monkeypatch):
    """Below the threshold ids are looked up in chunks; above it, every Id is read once."""
    world.import_people(
        "email,first_name,last_name,company\n"
        + "".join(f"p{i}@p.example,P{i},S,C\n" for i in range(12))
    )
    world.sync()
    gone = [world.sf_find("Lead", f"p{i}@p.example")[0]["Id"] for i in (3, 7)]
    for sf_id in gone:
        world.control.hard_delete(sf_id)
    monkeypatch.setenv("LGCRM_SF_TUNING", "reconcile_scan_above=5")
    report = world.sync("--reconcile")
    assert report["summary"]["Lead"]["deactivated"] == 2
    assert {p["email"] for p in world.leadgen.people(active=False)} == {
        "p3@p.example",
        "p7@p.example",
    }


def test_a_purged_opportunity_copy_goes_too(world):
    account = world.control.create("Account", {"Name": "Acme"})
    opp = world.control.create(
        "Opportunity",
        {
            "Name": "Big",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-01",
            "AccountId": account,
        },
    )
    world.sync()
    assert [o["name"] for o in world.leadgen.opportunities()] == ["Big"]
    world.control.hard_delete(opp)
    world.sync("--reconcile")
    assert world.leadgen.opportunities() == []
