"""Opportunities pulled one way, and marketing engagements pushed as Salesforce Tasks exactly
once, through the CLI against the emulator."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lgcrm_sf.errors import ExitCode

from .test_sync import FIELDS_MAPPING
from .world import World, kill_sync_while_held, wait_until_served

EVENTS_HEADER = "id,email,type,occurred_at,form_name,page_url,email_name,url,title\n"


def events(world: World, rows: str) -> dict:
    path = world.tmp / f"events-{abs(hash(rows))}.csv"
    path.write_text(EVENTS_HEADER + textwrap.dedent(rows).lstrip("\n"))
    return world.cli("events", "import", path, "--json").json()


def tasks(world: World, email: str | None = None) -> list[dict]:
    rows = world.sf.query_all(
        "SELECT Id, Subject, WhoId, Status, ActivityDate, Description FROM Task ORDER BY Subject"
    )["records"]
    if email:
        who = {
            r["Id"]
            for r in world.sf.query(f"SELECT Id FROM Lead WHERE Email = '{email}'")["records"]
        }
        who |= {
            r["Id"]
            for r in world.sf.query(f"SELECT Id FROM Contact WHERE Email = '{email}'")["records"]
        }
        rows = [r for r in rows if r["WhoId"] in who]
    return rows


def engagements_mapping(**switches) -> str:
    lines = ["engagements:"] + [f"  {k}: {str(v).lower()}" for k, v in switches.items()]
    return FIELDS_MAPPING.format(rule="latest_change") + "\n".join(lines) + "\n"


ALL_OFF = dict.fromkeys(
    ("form_submissions", "email_sends", "email_opens", "email_clicks", "page_visits"), False
)


def test_opportunities_and_contact_roles_are_pulled(world):
    world.import_people("email,first_name,last_name\ncris@x.example,Cris,Lima\n", kind="contact")
    world.sync()
    contact = world.sf_find("Contact", "cris@x.example")[0]["Id"]
    account = world.control.create("Account", {"Name": "Padaria Pão Quente"})
    opportunity = world.control.create(
        "Opportunity",
        {
            "Name": "Plano Anual",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            "Amount": 12000,
            "AccountId": account,
        },
    )
    role = world.control.create(
        "OpportunityContactRole",
        {"OpportunityId": opportunity, "ContactId": contact, "Role": "Decision Maker"},
    )
    report = world.sync()
    assert report["summary"]["Opportunity"]["created_here"] == 1
    assert report["summary"]["OpportunityContactRole"]["created_here"] == 1
    shown = world.cli("leads", "show", "cris@x.example", "--json").json()
    assert [(o["name"], o["stage"], o["amount"], o["role"]) for o in shown["opportunities"]] == [
        ("Plano Anual", "Prospecting", 12000.0, "Decision Maker")
    ]
    assert "Plano Anual" in world.cli("leads", "show", "cris@x.example").out
    opportunities = world.cli("opportunities", "list", "--json").json()
    assert opportunities[0]["account_name"] == "Padaria Pão Quente"
    world.control.update(
        "Opportunity", opportunity, {"StageName": "Closed Won", "Name": "Plano Anual 2027"}
    )
    report = world.sync()
    assert report["summary"]["Opportunity"]["updated_here"] == 1
    assert (
        world.cli("leads", "show", "cris@x.example", "--json").json()["opportunities"][0]["name"]
        == "Plano Anual 2027"
    )
    world.control.delete("OpportunityContactRole", role)
    world.sync()
    assert world.cli("leads", "show", "cris@x.example", "--json").json()["opportunities"] == []
    world.control.delete("Opportunity", opportunity)
    report = world.sync()
    assert report["summary"]["Opportunity"]["deactivated"] == 1
    assert world.cli("opportunities", "list", "--json").json() == []
    result = world.cli("opportunities", "add", "--name", "Local deal")
    assert result.code == ExitCode.CONFIG  # read-only while connected


def test_opportunity_owner_maps_to_our_user(world):
    world.cli("users", "add", "--email", "admin@acme.example", "--name", "Admin")
    world.use_mapping(
        FIELDS_MAPPING.format(rule="latest_change")
        + textwrap.dedent(f"""
        owners:
          - user: admin@acme.example
            salesforce: {world.info["user_id"]}
    """)
    )
    world.control.create(
        "Opportunity",
        {
            "Name": "Deal",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            "OwnerId": world.info["user_id"],
        },
    )
    world.sync()
    [opportunity] = world.cli("opportunities", "list", "--json").json()
    assert opportunity["owner_user_id"] == world.leadgen.user_by_email("admin@acme.example")["id"]


ALL_EVENTS = """
    e1,ana@x.example,form_submission,2026-11-20T10:00:00Z,Contact us,https://acme.example/contact,,,
    e2,ana@x.example,email_sent,2026-11-20T11:00:00Z,,,Newsletter Nov,,
    e3,ana@x.example,email_open,2026-11-20T11:05:00Z,,,Newsletter Nov,,
    e4,ana@x.example,email_click,2026-11-20T11:06:00Z,,,Newsletter Nov,https://acme.example/promo,
    e5,ana@x.example,page_visit,2026-11-20T11:07:00Z,,,,https://acme.example/pricing,Pricing
"""
SUBJECT = {
    "form_submissions": "Form submitted: Contact us",
    "email_sends": "Marketing e-mail sent: Newsletter Nov",
    "email_opens": "Marketing e-mail opened: Newsletter Nov",
    "email_clicks": "Link clicked in Newsletter Nov: https://acme.example/promo",
    "page_visits": "Page visited: Pricing",
}


@pytest.mark.parametrize("switch", list(SUBJECT))
def test_each_engagement_type_on_and_off(world, switch):
    world.use_mapping(engagements_mapping(**{**ALL_OFF, switch: True}))
    world.import_people("email,first_name\nana@x.example,Ana\n")
    events(world, ALL_EVENTS)
    report = world.sync()
    assert report["summary"]["Task"]["created_in_salesforce"] == 1
    [task] = tasks(world)
    assert task["Subject"] == SUBJECT[switch] and task["Status"] == "Completed"
    assert task["ActivityDate"] == "2026-11-20"
    assert task["WhoId"] == world.sf_find("Lead", "ana@x.example")[0]["Id"]
    assert "Lead Gen & CRM event: e" in task["Description"]
    assert world.sync()["summary"]["Task"]["created_in_salesforce"] == 0  # never twice


def test_all_types_on_by_default_mapping_except_opens_and_visits(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    events(world, ALL_EVENTS)
    world.sync()
    assert sorted(t["Subject"] for t in tasks(world)) == sorted(
        [SUBJECT["form_submissions"], SUBJECT["email_sends"], SUBJECT["email_clicks"]]
    )


def test_only_the_first_click_of_a_link_in_an_email(world):
    world.use_mapping(engagements_mapping(**{**ALL_OFF, "email_clicks": True}))
    world.import_people("email,first_name\nana@x.example,Ana\n")
    events(
        world,
        """
        c1,ana@x.example,email_click,2026-11-20T11:06:00Z,,,Newsletter Nov,https://acme.example/promo,
        c2,ana@x.example,email_click,2026-11-20T11:09:00Z,,,Newsletter Nov,https://acme.example/promo,
        c3,ana@x.example,email_click,2026-11-20T11:10:00Z,,,Newsletter Nov,https://acme.example/other,
        c4,ana@x.example,email_click,2026-11-21T09:00:00Z,,,Newsletter Dec,https://acme.example/promo,
    """,
    )
    world.sync()
    subjects = sorted(t["Subject"] for t in tasks(world))
    assert subjects == [
        "Link clicked in Newsletter Dec: https://acme.example/promo",
        "Link clicked in Newsletter Nov: https://acme.example/other",
        "Link clicked in Newsletter Nov: https://acme.example/promo",
    ]
    assert "c1" in next(
        t["Description"]
        for t in tasks(world)
        if t["Subject"].endswith("Nov: https://acme.example/promo")
    )


def test_events_wait_until_the_person_is_linked(world):
    world.control.add_validation_rule(
        "Lead", "No_Test", "Company LIKE '%test%'", "No test companies", "Company"
    )
    world.import_people("email,first_name,company\nana@x.example,Ana,Test Co\n")
    events(world, "f1,ana@x.example,form_submission,2026-11-20T10:00:00Z,Contact us,,,,\n")
    world.sync(code=ExitCode.RECORD_ERRORS)
    assert tasks(world) == []
    world.control.clear_validation_rules()
    report = world.sync()
    assert report["summary"]["Task"]["created_in_salesforce"] == 1
    assert tasks(world, "ana@x.example")[0]["Subject"] == "Form submitted: Contact us"


def test_a_type_switched_on_later_sends_only_new_events_unless_backfilled(world):
    world.use_mapping(engagements_mapping(**ALL_OFF))
    world.import_people("email,first_name\nana@x.example,Ana\n")
    events(
        world,
        "v1,ana@x.example,page_visit,2026-11-20T10:00:00Z,,,,https://acme.example/a,Old page\n",
    )
    world.sync()
    world.use_mapping(engagements_mapping(**{**ALL_OFF, "page_visits": True}))
    world.sync()
    assert tasks(world) == []  # recorded before the switch: not sent
    events(
        world,
        "v2,ana@x.example,page_visit,2026-11-27T10:00:00Z,,,,https://acme.example/b,New page\n",
    )
    world.sync()
    assert [t["Subject"] for t in tasks(world)] == ["Page visited: New page"]
    report = world.sync("--backfill-engagements", "2026-11-01")
    assert report["summary"]["Task"]["created_in_salesforce"] == 1
    assert sorted(t["Subject"] for t in tasks(world)) == [
        "Page visited: New page",
        "Page visited: Old page",
    ]
    assert (
        world.cli("sync", "--backfill-engagements", "someday", "--no-backup-check").code
        == ExitCode.USAGE
    )


def test_engagements_are_batched(world):
    world.use_mapping(engagements_mapping(**{**ALL_OFF, "email_sends": True}))
    world.import_people(
        "email,first_name\n" + "".join(f"p{i}@x.example,P{i}\n" for i in range(150))
    )
    world.sync()
    events(
        world,
        "".join(
            f"s{i}-{j},p{i}@x.example,email_sent,2026-11-20T10:00:0{j}Z,,,News {j},,\n"
            for i in range(150)
            for j in range(3)
        ),
    )
    before = world.control.usage()["used"]
    report = world.sync()
    assert report["summary"]["Task"]["created_in_salesforce"] == 450
    assert world.control.usage()["used"] - before <= 5 + 3  # queries, then 3 batches of 200 Tasks
    assert world.sf.query("SELECT COUNT() FROM Task")["totalSize"] == 450


def test_exactly_once_across_a_killed_and_restarted_run(world, home):
    world.use_mapping(engagements_mapping(**{**ALL_OFF, "email_sends": True}))
    world.import_people("email,first_name\n" + "".join(f"p{i}@x.example,P{i}\n" for i in range(50)))
    assert world.cli("sync", "--no-backup-check").code == 0
    events(
        world,
        "".join(
            f"s{i},p{i}@x.example,email_sent,2026-11-20T10:00:00Z,,,News,,\n" for i in range(50)
        ),
    )
    # The Task batch is held on the server, the sync is killed meanwhile; the server then
    # creates the Tasks all the same.
    world.control.fault(path="/composite/sobjects", status=0, latency_ms=1500, count=1)
    kill_sync_while_held(world.control, world.subprocess_env())
    world.control.clear_faults()  # releases the held request
    wait_until_served(world.control)  # which completes on the server
    assert world.sf.query("SELECT COUNT() FROM Task")["totalSize"] == 50  # created, never settled
    report = world.sync()
    assert report["summary"]["Task"]["created_in_salesforce"] == 0
    assert world.sf.query("SELECT COUNT() FROM Task")["totalSize"] == 50
    world.sync()
    descriptions = [t["Description"] for t in tasks(world)]
    assert len(descriptions) == len(set(descriptions)) == 50
    sent = world.leadgen.db.execute(
        "SELECT state, COUNT(*) FROM engagements_sent GROUP BY state"
    ).fetchall()
    assert sent == [("settled", 50)]
    log = json.loads(
        Path(world.cli("status", "--json").json()["log_file"]).read_text().splitlines()[-1]
    )
    assert log["status"] == "ok"


def test_an_event_recorded_between_switching_on_and_the_next_run_is_sent(world):
    """Switched on is when `mapping use` ran, not the first run that read the new mapping."""
    world.use_mapping(engagements_mapping(**ALL_OFF))
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    world.use_mapping(engagements_mapping(**{**ALL_OFF, "page_visits": True}))
    events(
        world,
        "v3,ana@x.example,page_visit,2026-11-27T11:00:00Z,,,,https://acme.example/c,Pricing\n",
    )
    world.sync()
    assert [t["Subject"] for t in tasks(world)] == ["Page visited: Pricing"]


def test_a_mapping_edited_in_place_switches_on_when_the_file_changed(world):
    world.use_mapping(engagements_mapping(**ALL_OFF))
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    path = world.tmp / "mapping.yaml"  # the profile's file, edited without `mapping use`
    path.write_text(engagements_mapping(**{**ALL_OFF, "email_sends": True}))
    events(
        world,
        "s1,ana@x.example,email_sent,2026-11-27T11:00:00Z,,,Black Friday,,\n",
    )
    world.sync()
    assert [t["Subject"] for t in tasks(world)] == ["Marketing e-mail sent: Black Friday"]
