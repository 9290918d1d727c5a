"""The sync's rules that keep both sides honest (issue 10): a matched pair is merged in the run
that links it and the next run is a true no-op; values compare by their field's own equality;
pull fields are Salesforce's to set (never sent, its defaults come here); every Salesforce change
is read whoever made it, the integration user included."""

from __future__ import annotations

import sqlite3

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.engine.values import equal


def table(home, name: str) -> list[tuple]:
    conn = sqlite3.connect(Profile(home).state_path)
    try:
        return conn.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()
    finally:
        conn.close()


def modstamps(world, sobject: str = "Lead") -> dict:
    rows = world.sf.query_all(f"SELECT Id, SystemModstamp FROM {sobject}")["records"]
    return {r["Id"]: r["SystemModstamp"] for r in rows}


def test_a_matched_pair_is_merged_in_the_run_that_links_it(world):
    lead = world.control.create(
        "Lead",
        {"LastName": "Souza", "Company": "SF Co", "Email": "ana@x.example", "Title": "CFO"},
    )
    world.import_people("email,first_name,lead score,description\nana@x.example,Ana,10,ours\n")
    report = world.sync()
    assert report["summary"]["Lead"]["linked"] == 1
    [record] = world.sf_find(
        "Lead",
        "ana@x.example",
        "Id, FirstName, Description, LGCRM_Lead_Score__c, LGCRM_Profile_URL__c",
    )
    person = world.person("ana@x.example")
    assert record["Id"] == lead
    assert (record["FirstName"], record["Description"], record["LGCRM_Lead_Score__c"]) == (
        "Ana",
        "ours",
        10.0,
    )
    assert record["LGCRM_Profile_URL__c"].endswith(f"/contacts/{person['id']}")
    assert person["title"] == "CFO" and person["company"] == "SF Co"  # pulled in the same run


def test_the_run_after_a_first_sync_that_matched_is_a_true_no_op(world, home):
    for i in range(3):
        world.control.create(
            "Lead", {"LastName": f"L{i}", "Company": "C", "Email": f"p{i}@x.example", "Title": "T"}
        )
        world.control.create("Contact", {"LastName": f"C{i}", "Email": f"c{i}@x.example"})
    world.import_people(
        "email,first_name,lead score\n" + "".join(f"p{i}@x.example,P{i},{i}\n" for i in range(3))
    )
    world.import_people(
        "email,first_name\n" + "".join(f"c{i}@x.example,C{i}\n" for i in range(3)), kind="contact"
    )
    first = world.sync()
    assert first["summary"]["Lead"]["linked"] == 3 and first["summary"]["Contact"]["linked"] == 3
    before = {
        "leads": modstamps(world),
        "contacts": modstamps(world, "Contact"),
        "people": world.leadgen.db.execute("SELECT id, updated_at FROM lg_people").fetchall(),
        "mirror": table(home, "mirror"),
    }
    quiet = world.sync()
    assert all(v == 0 for s in quiet["summary"].values() for v in s.values()), quiet["summary"]
    assert quiet["messages"] == []
    after = {
        "leads": modstamps(world),
        "contacts": modstamps(world, "Contact"),
        "people": world.leadgen.db.execute("SELECT id, updated_at FROM lg_people").fetchall(),
        "mirror": table(home, "mirror"),
    }
    assert after == before
    assert world.cli("conflicts", "--json").json() == []


def test_emails_differing_only_in_case_are_no_conflict(world):
    world.control.create("Lead", {"LastName": "Souza", "Company": "C", "Email": "ANA@X.Example"})
    world.import_people("email,first_name\nana@x.example,Ana\n")
    report = world.sync()
    assert report["summary"]["Lead"]["linked"] == 1
    assert report["summary"]["Lead"]["conflicts"] == 0
    assert world.sync()["summary"]["Lead"]["conflicts"] == 0
    assert world.cli("conflicts", "--all", "--json").json() == []


@pytest.mark.parametrize(
    "a, b, kind, expected",
    [
        ("Ana@X.example", "ana@x.example", "email", True),
        ("Ana@X.example", "ana@y.example", "email", False),
        ("10", 10.0, "double", True),
        (10, 10.5, "currency", False),
        ("12", 12, "number", True),
        ("2026-11-27T10:00:00.000+0000", "2026-11-27T10:00:00Z", "datetime", True),
        ("2026-11-27T10:00:00.000+0000", "2026-11-27T07:00:00-03:00", "datetime", True),
        ("2026-11-27T10:00:00.000+0000", "2026-11-27T10:00:01Z", "datetime", False),
        ("2026-11-27", "2026-11-27T00:00:00Z", "date", True),
        ("a;b;c", "c;a;b", "multipicklist", True),
        ("a;b", "a;b;c", "multipicklist", False),
        ("true", True, "boolean", True),
        (None, "", "string", True),
        ("Ana", "ana", "string", False),
        (None, "x", "string", False),
    ],
)
def test_each_type_has_its_own_equality(a, b, kind, expected):
    assert equal(a, b, kind) is expected
    assert equal(b, a, kind) is expected


def test_a_pull_field_is_never_sent_and_salesforce_defaults_come_here(world):
    # Lead Status is pull and a restricted picklist: a value Salesforce would refuse is ours
    # alone; Salesforce's default is what we end with.
    world.import_people("email,first_name,lead status,industry\nana@x.example,Ana,Novo,Retail\n")
    first = world.sync()
    assert first["summary"]["Lead"]["created_in_salesforce"] == 1
    assert first["summary"]["Lead"]["errors"] == 0
    [lead] = world.sf_find("Lead", "ana@x.example", "Id, Status, Industry")
    assert lead["Status"] == "Open - Not Contacted" and lead["Industry"] is None
    second = world.sync()  # reads back what the first created, with the org's default
    assert second["summary"]["Lead"]["updated_here"] == 1
    assert second["summary"]["Lead"]["updated_in_salesforce"] == 0
    person = world.person("ana@x.example")
    assert person["lead_status"] == "open" and person["industry"] is None
    assert all(v == 0 for v in world.sync()["summary"]["Lead"].values())


def test_changes_made_as_the_integration_user_are_read(world):
    """Data Loader, a script or an automation running as the integration user: not our echo."""
    world.import_people("email,first_name,last_name,company\nana@x.example,Ana,Souza,P\n")
    world.import_people("email,first_name,last_name,company\nbia@x.example,Bia,Lima,P\n")
    world.sync()
    [ana] = world.sf_find("Lead", "ana@x.example")
    [bia] = world.sf_find("Lead", "bia@x.example")
    world.sf.Lead.update(ana["Id"], {"Title": "Diretora"})  # world.sf is the integration user
    world.sf.Lead.delete(bia["Id"])
    report = world.sync()
    assert world.person("ana@x.example")["title"] == "Diretora"
    assert report["summary"]["Lead"]["deactivated"] == 1
    assert world.person("bia@x.example")["active"] is False


def test_the_salesforce_cursor_follows_the_orgs_clock_not_the_newest_row(world):
    """Our own writes are the newest rows: a window pinned to them would read them again at
    every quiet run. The cursor moves to when the org answered the change query."""
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    world.sync()
    newest = max(
        r["SystemModstamp"]
        for r in world.sf.query_all("SELECT SystemModstamp FROM Lead")["records"]
    )
    world.control.clock(advance=600)  # cron, ten minutes later
    world.sync()
    cursor = {c["stream"]: c["value"] for c in world.cli("status", "--json").json()["cursors"]}
    assert cursor["salesforce:Lead"] > newest.replace("+0000", "Z")
    assert cursor["salesforce:Lead"][:16] == world.control.clock()[:16]
    world.control.clock(real=True)
