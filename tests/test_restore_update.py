"""`lgcrm-sf restore --mode update`: a bad sync undone in the org the backup was taken from. The
values it overwrote come back (and fields it filled are emptied again), records deleted since
come back (undeleted, with what their delete took along; created again when the recycle bin no
longer has them, the sync's link following the new id), records created since are left alone;
`backup diff` of before and after shows nothing else touched."""

from __future__ import annotations

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.store.sync_state import SyncState

from .restore_helpers import backup, build_source

# What any write changes on a record (the audit trail), besides the values written.
SYSTEM = {"LastModifiedDate", "LastModifiedById", "SystemModstamp"}


@pytest.fixture
def bad_sync(world, cli):
    """An org, synced once and backed up; then a bad sync (titles and descriptions from the
    marketing side overwrite Salesforce's), deletions, and a lead created since."""
    ids = build_source(world.control, world.info)
    world.sync()
    before = backup(cli)
    sf = world.sf
    emails = ["ana00@acme.example", "ana11@acme.example", "lima0@x.example", "lima1@x.example"]
    for email in emails:
        world.edit_here(email, title="Estagiário", description="importado por engano")
    world.sync()
    assert {
        r["Title"]
        for r in sf.query_all("SELECT Title FROM Lead WHERE Email LIKE 'lima%'")["records"]
        if r["Title"]
    } == {"Estagiário"}
    world.control.delete("Account", ids["Account"][2])  # its contacts, deals, roles and tasks
    world.control.delete("Lead", ids["Lead"][1])  # in the recycle bin
    world.control.delete("Lead", ids["Lead"][2])
    world.control.hard_delete(ids["Lead"][2])  # purged: only the backup has it now
    new = world.control.create("Lead", {"LastName": "Nova", "Company": "Depois SA"})
    return ids, before, emails, new


@pytest.mark.parametrize("api", ["rest", "bulk"])
def test_update_undoes_a_bad_sync(world, cli, home, bad_sync, monkeypatch, api):
    ids, before, emails, new = bad_sync
    if api == "bulk":
        monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", "bulk_threshold=1")
    purged = ids["Lead"][2]
    person = SyncState(Profile(home).state_path).links.person_of(purged)
    assert person is not None  # linked by the first sync, and no sync has run since the purge
    result = cli("restore", before, "--mode", "update", "--yes", "--json")
    assert result.code == 0, result
    report = result.json()
    lead, contact = report["objects"]["Lead"], report["objects"]["Contact"]
    assert (lead["update"], lead["undelete"], lead["create"]) == (2, 1, 1)
    assert lead["fields"] == {"Title": 2, "Description": 2}
    assert lead["skip"]["created since the backup (left alone)"] == 1
    assert contact["fields"] == {"Title": 2, "Description": 2}
    assert report["objects"]["Account"]["undelete"] == 1
    assert contact["undelete"] == 2  # came back with their account
    assert contact["done"]["undeleted"] == 2 and contact["done"]["failed"] == 0
    assert {o["api"] for o in report["objects"].values() if o["update"]} == {api}
    sf = world.sf
    rows = sf.query_all("SELECT Id, Email, Title, Description FROM Lead WHERE Email LIKE 'lima%'")
    by_email = {r["Email"]: r for r in rows["records"]}
    assert {e: (r["Title"], r["Description"]) for e, r in by_email.items()} == {
        e: (None, None) for e in ("lima0@x.example", "lima1@x.example", "lima2@x.example")
    }
    assert by_email["lima1@x.example"]["Id"] == ids["Lead"][1]  # undeleted: the same record
    recreated = by_email["lima2@x.example"]["Id"]
    assert recreated != purged  # created again: a new id ...
    assert SyncState(Profile(home).state_path).links.person_of(recreated) == person  # ... linked
    assert report["links_repointed"] == 1
    contacts = sf.query_all("SELECT Id, Title FROM Contact WHERE Email LIKE 'ana%'")["records"]
    assert {c["Title"] for c in contacts} == {"Gerente"}
    assert sf.Lead.get(new)["LastName"] == "Nova"  # created since the backup: left alone

    after = backup(cli)
    diff = cli("backup", "diff", before, after, "--json", "--records", "20")
    assert diff.code == 0, diff
    objects = diff.json()["objects"]
    for name, change in objects.items():
        logins = {"LastLoginDate"} if name == "User" else set()  # we logged in since
        assert set(change["fields"]) <= SYSTEM | logins, (name, change["fields"])
        if name != "Lead":
            assert (change["added"], change["deleted"]) == (0, 0), name
    assert (objects["Lead"]["added"], objects["Lead"]["deleted"]) == (2, 1)
    moved = {e["id"]: e["change"] for e in objects["Lead"]["examples"] if e["change"] != "changed"}
    assert moved == {recreated: "added", new: "added", purged: "deleted"}

    # The next sync takes the restored values to the marketing side; Salesforce keeps them.
    world.sync()
    assert world.person("lima0@x.example")["title"] is None
    assert sf.Lead.get(ids["Lead"][0])["Title"] is None


def test_update_writes_back_only_the_fields_asked(world, cli, bad_sync):
    ids, before, emails, new = bad_sync
    world.control.update("Lead", ids["Lead"][0], {"Phone": "+55 81 3333-3333"})
    result = cli("restore", before, "--mode", "update", "--fields", "Title", "--yes", "--json")
    assert result.code == 0, result
    assert result.json()["objects"]["Lead"]["fields"] == {"Title": 2}
    lead = world.sf.Lead.get(ids["Lead"][0])
    assert (lead["Title"], lead["Description"]) == (None, "importado por engano")
    assert lead["Phone"] == "+55 81 3333-3333"


def test_update_dry_run_writes_nothing(world, cli, bad_sync):
    ids, before, emails, new = bad_sync
    result = cli("restore", before, "--mode", "update", "--dry-run")
    assert result.code == 0, result
    assert "Title" in result.out and "created since the backup" in result.out
    assert world.sf.Lead.get(ids["Lead"][0])["Title"] == "Estagiário"
    assert (
        world.sf.query("SELECT COUNT() FROM Lead WHERE Email = 'lima2@x.example'")["totalSize"] == 0
    )
