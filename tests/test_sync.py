"""sync end to end through the CLI against the emulator: directions, conflicts under each rule,
first-sync matching, deletion and re-creation, merges, conversion, owners, score, rejected
records, dry-run, the lock, the backup gate, the quota reserve, conflicts and status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

FIELDS_MAPPING = """
version: 1
conflict_rule: {rule}
objects:
  lead:
    salesforce: Lead
    fields:
      - {{leadgen: email, salesforce: Email, direction: bidirectional}}
      - {{leadgen: first_name, salesforce: FirstName, direction: bidirectional}}
      - {{leadgen: last_name, salesforce: LastName, direction: bidirectional}}
      - {{leadgen: company, salesforce: Company, direction: bidirectional}}
      - {{leadgen: title, salesforce: Title, direction: bidirectional}}
      - {{leadgen: description, salesforce: Description, direction: push}}
      - {{leadgen: industry, salesforce: Industry, direction: pull}}
  contact:
    salesforce: Contact
    fields:
      - {{leadgen: email, salesforce: Email, direction: bidirectional}}
      - {{leadgen: first_name, salesforce: FirstName, direction: bidirectional}}
      - {{leadgen: last_name, salesforce: LastName, direction: bidirectional}}
      - {{leadgen: title, salesforce: Title, direction: bidirectional}}
lead_score:
  lead: LGCRM_Lead_Score__c
  contact: LGCRM_Lead_Score__c
"""


def test_first_sync_creates_both_ways_and_a_second_run_is_quiet(world):
    world.import_people("""
        email,first_name,last_name,company,title,lead score
        ana@x.example,Ana,Souza,Padaria,CEO,12
        bia@x.example,Bia,,,,
    """)
    world.control.create(
        "Lead",
        {"LastName": "Sales", "Company": "SF Co", "Email": "Carlos@SF.example", "Title": "CTO"},
    )
    world.control.create("Contact", {"LastName": "Contato", "Email": "dora@sf.example"})
    world.control.create("Lead", {"LastName": "NoEmail", "Company": "C"})
    report = world.sync()
    assert report["status"] == "ok"
    assert report["summary"]["Lead"]["created_in_salesforce"] == 2
    assert (
        report["summary"]["Lead"]["created_here"] == 1 and report["summary"]["Lead"]["skipped"] == 1
    )
    assert report["summary"]["Contact"]["created_here"] == 1
    [ana] = world.sf_find(
        "Lead",
        "ana@x.example",
        "Id, FirstName, Company, Title, LGCRM_Lead_Score__c, LGCRM_Profile_URL__c",
    )
    assert (ana["FirstName"], ana["Company"], ana["Title"], ana["LGCRM_Lead_Score__c"]) == (
        "Ana",
        "Padaria",
        "CEO",
        12.0,
    )
    assert ana["LGCRM_Profile_URL__c"].endswith(f"/contacts/{world.person('ana@x.example')['id']}")
    [bia] = world.sf_find("Lead", "bia@x.example")
    assert bia["LastName"] == "[not provided]" and bia["Company"] == "[not provided]"
    carlos = world.person("carlos@sf.example")
    assert carlos["kind"] == "lead" and carlos["title"] == "CTO" and carlos["company"] == "SF Co"
    assert world.person("dora@sf.example")["kind"] == "contact"
    # The next run reads back what the first created, like any change: our values are known
    # as our echo, and Salesforce's own defaults (Lead Status, pull) come here.
    second = world.sync()
    assert second["summary"]["Lead"]["updated_here"] == 2, second["summary"]
    assert world.person("ana@x.example")["lead_status"] == "open"
    assert second["summary"]["Lead"]["updated_in_salesforce"] == 0
    quiet = world.sync()
    # One query per synced object: Lead, Contact, Account, Opportunity, OpportunityContactRole.
    assert quiet["api_calls"] <= 5
    # Nothing to do: every count is 0 (the lead without an e-mail was reported once).
    assert all(v == 0 for s in quiet["summary"].values() for v in s.values()), quiet["summary"]
    shown = world.cli("leads", "show", "ana@x.example", "--json").json()
    assert shown["salesforce"] == {"object": "Lead", "id": ana["Id"]}


def test_each_direction(world):
    world.use_mapping(FIELDS_MAPPING.format(rule="latest_change"))
    world.import_people(
        "email,first_name,last_name,company,title,description,industry\nana@x.example,Ana,Souza,Padaria,CEO,ours,Retail\n"
    )
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example", "Id, Industry, Description")
    assert lead["Industry"] is None  # pull: Salesforce's to set, never sent, not even on create
    # pull: Salesforce's value overwrites ours; push: ours overwrites Salesforce's
    world.control.update(
        "Lead", lead["Id"], {"Industry": "Banking", "Description": "changed in SF", "Title": "VP"}
    )
    world.edit_here("ana@x.example", first_name="Aninha", industry="Energy")
    world.sync()
    person = world.person("ana@x.example")
    [lead] = world.sf_find("Lead", "ana@x.example", "Id, FirstName, Industry, Description, Title")
    assert person["industry"] == "Banking" and lead["Industry"] == "Banking"
    assert lead["Description"] == "ours" and person["description"] == "ours"
    assert person["title"] == "VP" and lead["FirstName"] == "Aninha"  # bidirectional, one side each


@pytest.mark.parametrize(
    "rule, winner",
    [
        ("latest_change", "salesforce"),
        ("prefer_salesforce", "salesforce"),
        ("prefer_leadgen", "leadgen"),
    ],
)
def test_a_real_conflict_under_each_rule(world, rule, winner):
    world.use_mapping(FIELDS_MAPPING.format(rule=rule))
    world.import_people(
        "email,first_name,last_name,company,title\nana@x.example,Ana,Souza,Padaria,CEO\n"
    )
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    world.edit_here("ana@x.example", title="Diretora")  # ours changes first...
    world.control.clock(advance=5)
    world.control.update("Lead", lead["Id"], {"Title": "Presidente"})  # ...then Salesforce's, later
    report = world.sync()
    assert report["summary"]["Lead"]["conflicts"] == 1
    expected = "Presidente" if winner == "salesforce" else "Diretora"
    assert world.person("ana@x.example")["title"] == expected
    assert world.sf_find("Lead", "ana@x.example")[0]["Title"] == expected
    [conflict] = world.cli("conflicts", "--json").json()
    assert (
        conflict["field"],
        conflict["leadgen_value"],
        conflict["salesforce_value"],
        conflict["mirror_value"],
    ) == ("title", "Diretora", "Presidente", "CEO")
    assert conflict["winner"] == winner and conflict["rule"] == rule
    world.control.clock(real=True)


@pytest.mark.parametrize("rule", ["latest_change", "prefer_salesforce", "prefer_leadgen"])
def test_a_one_sided_change_is_no_conflict_under_any_rule(world, rule):
    world.use_mapping(FIELDS_MAPPING.format(rule=rule))
    world.import_people(
        "email,first_name,last_name,company,title\nana@x.example,Ana,Souza,Padaria,CEO\nbia@x.example,Bia,Lima,X,CFO\n"
    )
    world.sync()
    [bia] = world.sf_find("Lead", "bia@x.example")
    world.edit_here("ana@x.example", title="Diretora")
    world.control.update("Lead", bia["Id"], {"Title": "Sócia"})
    report = world.sync()
    assert report["summary"]["Lead"]["conflicts"] == 0
    assert world.sf_find("Lead", "ana@x.example")[0]["Title"] == "Diretora"
    assert world.person("bia@x.example")["title"] == "Sócia"


def test_conflict_resolved_by_hand_takes_the_other_value(world):
    world.use_mapping(FIELDS_MAPPING.format(rule="prefer_salesforce"))
    world.import_people(
        "email,first_name,last_name,company,title\nana@x.example,Ana,Souza,Padaria,CEO\n"
    )
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    world.edit_here("ana@x.example", title="Diretora")
    world.control.update("Lead", lead["Id"], {"Title": "Presidente"})
    world.sync()
    [conflict] = world.cli("conflicts", "--json").json()
    assert world.cli("conflicts", "resolve", conflict["id"], "--take", "leadgen").code == 0
    world.sync()
    assert world.sf_find("Lead", "ana@x.example")[0]["Title"] == "Diretora"
    assert world.person("ana@x.example")["title"] == "Diretora"
    assert world.cli("conflicts", "--json").json() == []
    assert world.cli("conflicts", "--all", "--json").json()[0]["status"] == "resolved"
    assert world.cli("conflicts", "resolve", "999", "--take", "leadgen").code == ExitCode.USAGE


def test_first_sync_matching_contact_before_lead_and_ambiguity(world):
    contact = world.control.create("Contact", {"LastName": "Contato", "Email": "ana@x.example"})
    world.control.create("Lead", {"LastName": "Lead", "Company": "C", "Email": "ANA@x.example"})
    world.control.create("Lead", {"LastName": "Dup1", "Company": "C", "Email": "dup@x.example"})
    world.control.create("Lead", {"LastName": "Dup2", "Company": "C", "Email": "dup@x.example"})
    world.import_people("email,first_name\nana@x.example,Ana\ndup@x.example,Dup\n")
    report = world.sync()
    ana = world.person("ana@x.example")
    assert ana["kind"] == "contact"
    assert (
        world.cli("leads", "show", "ana@x.example", "--json").json()["salesforce"]["id"] == contact
    )
    assert (
        len(world.sf.query("SELECT Id FROM Lead WHERE Email = 'ana@x.example'")["records"]) == 1
    )  # untouched
    assert any("dup@x.example matches 2 Salesforce Leads" in m for m in report["messages"])
    assert world.cli("leads", "show", "dup@x.example", "--json").json()["salesforce"] is None
    assert (
        world.sf.query("SELECT COUNT() FROM Lead WHERE Email = 'dup@x.example'")["totalSize"] == 2
    )
    status = world.cli("status", "--json").json()
    assert status["pending_errors"] >= 1


def test_incremental_matching_asks_salesforce_by_email(world):
    world.sync()
    world.control.create(
        "Lead", {"LastName": "Existing", "Company": "C", "Email": "late@x.example"}
    )
    world.sync()  # pulled and created here
    world.import_people("email,first_name\nnew@x.example,New\nlate@x.example,Late\n")
    report = world.sync()
    assert report["summary"]["Lead"]["created_in_salesforce"] == 1
    assert len(world.sf_find("Lead", "late@x.example")) == 1


def test_deletion_deactivates_and_reimport_recreates(world):
    world.import_people("email,first_name,last_name,company\nana@x.example,Ana,Souza,Padaria\n")
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    world.control.delete("Lead", lead["Id"])
    report = world.sync()
    assert report["summary"]["Lead"]["deactivated"] == 1
    shown = world.cli("leads", "show", "ana@x.example", "--json").json()
    assert shown["active"] is False and "deleted in Salesforce" in shown["deactivation_reason"]
    assert shown["salesforce"] is None
    world.edit_here("ana@x.example", title="still here")  # an edit alone does not bring it back
    assert world.sync()["summary"]["Lead"]["created_in_salesforce"] == 0
    world.import_people("email,first_name\nana@x.example,Ana\n")  # re-import: back
    report = world.sync()
    assert report["summary"]["Lead"]["created_in_salesforce"] == 1
    [again] = world.sf_find("Lead", "ana@x.example")
    assert again["Id"] != lead["Id"]


def test_form_submission_brings_a_deleted_lead_back(world, tmp_path):
    world.import_people("email,first_name,last_name,company\nana@x.example,Ana,Souza,Padaria\n")
    world.sync()
    world.control.delete("Lead", world.sf_find("Lead", "ana@x.example")[0]["Id"])
    world.sync()
    events = tmp_path / "events.csv"
    events.write_text(
        "email,type,occurred_at,form_name\n"
        "ana@x.example,form_submission,2026-11-27T10:00:00Z,Contact us\n"
    )
    assert world.cli("events", "import", events).code == 0
    assert world.sync()["summary"]["Lead"]["created_in_salesforce"] == 1


def test_deleting_here_never_deletes_in_salesforce(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    store = world.leadgen
    with store.db.conn:
        store.deactivate(store.by_email("ana@x.example")["id"], "unsubscribed and removed")
    world.sync()
    assert len(world.sf_find("Lead", "ana@x.example")) == 1


def test_merge_relinks_to_the_surviving_record(world):
    world.import_people("email,first_name,last_name,company\nana@x.example,Ana,Souza,Padaria\n")
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    # A duplicate entered by a sales rep, then merged: the duplicate survives.
    master = world.control.create(
        "Lead",
        {"LastName": "Souza", "Company": "Padaria", "Email": "ana@x.example", "Title": "Sócia"},
    )
    world.control.merge("Lead", master, [lead["Id"]])
    report = world.sync()
    assert report["summary"]["Lead"]["relinked"] == 1
    assert (
        world.cli("leads", "show", "ana@x.example", "--json").json()["salesforce"]["id"] == master
    )
    assert world.person("ana@x.example")["active"]
    assert world.person("ana@x.example")["title"] == "Sócia"  # the survivor's values come over
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1  # nothing re-created
    assert world.leadgen.db.execute("SELECT COUNT(*) FROM lg_people").fetchone()[0] == 1


def test_conversion_moves_the_link_to_the_contact(world):
    world.import_people(
        "email,first_name,last_name,company,title\nana@x.example,Ana,Souza,Padaria,CEO\n"
    )
    world.sync()
    [lead] = world.sf_find("Lead", "ana@x.example")
    result = world.control.convert(lead["Id"])
    report = world.sync()
    assert report["summary"]["Lead"]["relinked"] == 1
    person = world.person("ana@x.example")
    assert person["kind"] == "contact"
    assert world.cli("leads", "show", "ana@x.example", "--json").json()["salesforce"] == {
        "object": "Contact",
        "id": result["contactId"],
    }
    assert (
        world.sf.query("SELECT COUNT() FROM Contact WHERE Email = 'ana@x.example'")["totalSize"]
        == 1
    )
    assert (
        world.leadgen.db.execute(
            "SELECT COUNT(*) FROM lg_people WHERE email = 'ana@x.example'"
        ).fetchone()[0]
        == 1
    )
    world.edit_here("ana@x.example", title="CEO e fundadora")
    world.sync()
    assert world.sf.Contact.get(result["contactId"])["Title"] == "CEO e fundadora"


def _user(world, username: str) -> str:
    profile = world.sf.query("SELECT Id FROM Profile WHERE Name = 'Standard User'")["records"][0]
    return world.control.create(
        "User",
        {
            "Username": username,
            "Email": username,
            "LastName": username.split("@")[0].title(),
            "Alias": username[:5],
            "ProfileId": profile["Id"],
        },
        system=True,
    )


OWNERS = """
owners:
  - user: vendas@acme.example
    salesforce: rep@acme-brasil.example
  - user: admin@acme.example
    salesforce: {integration}
"""


def test_owner_is_a_bidirectional_field_and_unmapped_owners_are_named(world):
    rep = _user(world, "rep@acme-brasil.example")
    other = _user(world, "other@acme-brasil.example")
    # An active assignment rule would hand every lead to `other`: the sync's writes say no.
    world.control.settings(lead_assignment_owner=other)
    for email, name in (
        ("vendas@acme.example", "Vendas"),
        ("admin@acme.example", "Admin"),
        ("estagio@acme.example", "Estagio"),
    ):
        world.cli("users", "add", "--email", email, "--name", name)
    world.use_mapping(
        FIELDS_MAPPING.format(rule="latest_change")
        + OWNERS.format(integration=world.info["user_id"])
    )
    world.import_people(
        "email,first_name,owner\nana@x.example,Ana,vendas@acme.example\nbia@x.example,Bia,\n"
    )
    world.sync()
    [ana] = world.sf_find("Lead", "ana@x.example", "Id, OwnerId")
    [bia] = world.sf_find("Lead", "bia@x.example", "Id, OwnerId")
    assert ana["OwnerId"] == rep  # our mapped owner, not the assignment rule's
    assert bia["OwnerId"] == world.info["user_id"]  # no owner here: the integration user
    assert world.sync()["summary"]["Lead"]["skipped"] == 0  # that is not news either
    # An owner given here later reaches the record the sync created.
    vendas = world.leadgen.user_by_email("vendas@acme.example")["id"]
    world.edit_here("bia@x.example", owner_user_id=vendas)
    world.sync()
    assert world.sf_find("Lead", "bia@x.example", "Id, OwnerId")[0]["OwnerId"] == rep
    # Salesforce's change comes here when it is mapped...
    world.control.update("Lead", ana["Id"], {"OwnerId": world.info["user_id"]})
    world.sync()
    admin = world.leadgen.user_by_email("admin@acme.example")["id"]
    assert world.person("ana@x.example")["owner_user_id"] == admin
    # ...and is named, never written, when it is not; once, not at every run.
    world.control.update("Lead", bia["Id"], {"OwnerId": other})
    report = world.sync()
    assert any(
        f"Salesforce owner {other} is not in the owner mapping" in m for m in report["messages"]
    )
    assert world.person("bia@x.example")["owner_user_id"] == vendas
    assert not any("owner" in m for m in world.sync()["messages"])
    # Our change to an owner Salesforce cannot take is named the same way.
    estagio = world.leadgen.user_by_email("estagio@acme.example")["id"]
    world.edit_here("ana@x.example", owner_user_id=estagio)
    report = world.sync()
    assert any(
        "our owner estagio@acme.example is not in the owner mapping" in m
        for m in report["messages"]
    )
    assert (
        world.sf_find("Lead", "ana@x.example", "Id, OwnerId")[0]["OwnerId"] == world.info["user_id"]
    )
    # The sync's updates never let the org's assignment rules take the owner either.
    world.edit_here("ana@x.example", first_name="Ana Maria")
    world.sync()
    [ana] = world.sf_find("Lead", "ana@x.example", "Id, FirstName, OwnerId")
    assert ana["FirstName"] == "Ana Maria" and ana["OwnerId"] == world.info["user_id"]


def test_assignment_rules_when_the_mapping_asks_for_them(world):
    other = _user(world, "other@acme-brasil.example")
    world.control.settings(lead_assignment_owner=other)
    world.use_mapping(FIELDS_MAPPING.format(rule="latest_change") + "assignment_rules: true\n")
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    assert world.sf_find("Lead", "ana@x.example", "Id, OwnerId")[0]["OwnerId"] == other


def test_score_is_pushed(world):
    world.import_people("email,first_name,lead score\nana@x.example,Ana,10\n")
    world.sync()
    world.edit_here("ana@x.example", lead_score=42.5)
    world.sync()
    assert (
        world.sf_find("Lead", "ana@x.example", "LGCRM_Lead_Score__c")[0]["LGCRM_Lead_Score__c"]
        == 42.5
    )
    [lead] = world.sf_find("Lead", "ana@x.example")
    world.control.update("Lead", lead["Id"], {"LGCRM_Lead_Score__c": 1})
    world.sync()
    assert world.person("ana@x.example")["lead_score"] == 42.5  # never pulled
    world.edit_here("ana@x.example", first_name="Ana Maria")
    world.sync()
    assert (
        world.sf_find("Lead", "ana@x.example", "LGCRM_Lead_Score__c")[0]["LGCRM_Lead_Score__c"]
        == 42.5
    )


def test_a_rejected_record_among_good_ones(world):
    world.control.add_validation_rule(
        "Lead", "No_Test", "Company LIKE '%test%'", "Test companies are not allowed", "Company"
    )
    world.import_people(
        "email,first_name,company\nana@x.example,Ana,Padaria\nbad@x.example,Bad,Test Ltd\n"
        "bia@x.example,Bia,Agro\n"
    )
    report = world.sync(code=ExitCode.RECORD_ERRORS)
    assert (
        report["summary"]["Lead"]["created_in_salesforce"] == 2
        and report["summary"]["Lead"]["errors"] == 1
    )
    assert any("FIELD_CUSTOM_VALIDATION_EXCEPTION" in m for m in report["messages"])
    errors = world.cli("status", "--json").json()
    assert errors["pending_errors"] == 1
    report = world.sync(code=ExitCode.RECORD_ERRORS)  # retried on later runs
    assert report["summary"]["Lead"]["errors"] == 1
    world.control.clear_validation_rules()
    report = world.sync()
    assert report["summary"]["Lead"]["created_in_salesforce"] == 1
    assert world.cli("status", "--json").json()["pending_errors"] == 0
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 3


def test_too_long_is_rejected_or_truncated_by_the_mapping(world):
    long_company = "Empresa " + "x" * 300
    world.import_people(f"email,first_name,company\nana@x.example,Ana,{long_company}\n")
    world.sync()  # the default mapping truncates Company
    assert world.sf_find("Lead", "ana@x.example")[0]["Company"] == long_company[:255]
    assert world.person("ana@x.example")["company"] == long_company  # ours keeps it whole
    world.edit_here("ana@x.example", title="t" * 200)  # Title is 128 long: rejected, reported
    report = world.sync(code=ExitCode.RECORD_ERRORS)
    assert any("STRING_TOO_LONG" in m for m in report["messages"])


def test_dry_run_changes_nothing(world, home):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.control.create("Lead", {"LastName": "Sales", "Company": "SF", "Email": "sf@x.example"})
    before = world.control.usage()["used"]
    report = world.sync("--dry-run")
    # Reads only: one query per synced object (`mapping use` cached the describes).
    assert world.control.usage()["used"] - before == 5
    assert report["status"] == "dry_run" and report["plan_total"] >= 2
    sides = {(p["email"], p["side"], p["field"]) for p in report["plan"]}
    assert ("ana@x.example", "salesforce", "create") in sides and (
        "sf@x.example",
        "leadgen",
        "create",
    ) in sides
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1
    assert world.person("sf@x.example") is None
    assert world.cli("status", "--json").json()["cursors"] == []
    text = world.cli("sync", "--dry-run", "--no-backup-check")
    assert "Dry run:" in text.out and "nothing was written" in text.out


def test_the_lock(world, home):
    from lgcrm_sf.engine.lock import ProfileLock

    with ProfileLock(Profile(home).lock_path, "default"):
        result = world.cli("sync", "--no-backup-check")
        assert (
            result.code == ExitCode.LOCK_HELD
            and "Another sync of profile 'default' is running" in result.err
        )
    world.sync()


def test_first_sync_needs_a_verified_backup(world, tmp_path):
    result = world.cli("sync")
    assert result.code == ExitCode.PREREQS_FAILED and "no verified backup" in result.err
    backup = world.cli("backup", "--out", tmp_path / "b", "--json").json()
    assert world.cli("backup", "verify", backup["path"]).code == 0
    assert world.cli("sync").code == 0
    result = world.cli("sync", "--no-backup-check")
    assert result.code == 0 and "WARNING" in result.err


def test_quota_reserve_stops_cleanly_and_the_next_run_resumes(world):
    world.import_people(
        "email,first_name\n" + "".join(f"p{i}@x.example,P{i}\n" for i in range(450))
    )
    world.control.usage(used=14000, max=15000)
    # 1,000 calls left: four reads, two batches of creates, then fewer than 995 remain.
    report = world.sync("--api-reserve", "995", code=ExitCode.QUOTA_RESERVE)
    assert report["status"] == "quota" and "Stopped" in report["messages"][0]
    created = world.sf.query("SELECT COUNT() FROM Lead")["totalSize"]
    assert 0 < created < 450
    assert world.cli("status", "--json").json()["cursors"] == []
    world.control.usage(used=0)
    world.sync()
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 450
    emails = [r["Email"] for r in world.sf.query_all("SELECT Email FROM Lead")["records"]]
    assert len(emails) == len(set(emails))


def test_only_leads_leaves_contacts_for_later(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.import_people("email,first_name\ncris@x.example,Cris\n", kind="contact")
    world.sync("--only", "leads")
    assert world.sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    world.sync("--only", "contacts")
    assert world.sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 1
    assert world.cli("sync", "--only", "accounts", "--no-backup-check").code == ExitCode.USAGE


def test_transient_faults_and_an_expired_session_are_survived(world):
    world.import_people("email,first_name\nana@x.example,Ana\nbia@x.example,Bia\n")
    world.control.fault(
        path="/composite/sobjects", status=503, error_code="SERVER_UNAVAILABLE", count=2
    )
    world.control.fault(path="/query", drop=True, count=1)
    world.control.fault(
        path="/query", status=401, error_code="INVALID_SESSION_ID", count=1, after=1
    )
    report = world.sync()
    assert report["summary"]["Lead"]["created_in_salesforce"] == 2
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def test_status_and_the_log(world, home):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    status = world.cli("status", "--json").json()
    assert status["connected"] and status["last_runs"][0]["status"] == "ok"
    assert {c["stream"] for c in status["cursors"]} == {
        "salesforce:Lead",
        "salesforce:Contact",
        "salesforce:Account",
        "salesforce:Opportunity",
        "salesforce:OpportunityContactRole",
        "leadgen:lead",
        "leadgen:contact",
        "reconcile:salesforce",
    }
    assert status["api_usage"]["max"] == 15000
    log = Path(status["log_file"])
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert (
        records[-1]["status"] == "ok"
        and records[-1]["summary"]["Lead"]["created_in_salesforce"] == 1
    )
    text = world.cli("status").out
    assert "Last runs" in text and str(log) in text


def test_bulk_paths_for_large_volumes(world, monkeypatch):
    """Past the thresholds, reads go through Bulk API 2.0 queryAll and writes through ingest
    jobs; a rejected row is still reported on its own."""
    monkeypatch.setenv("LGCRM_SF_TUNING", "bulk_write_threshold=10,bulk_read_threshold=5")
    world.control.add_validation_rule(
        "Lead", "No_Test", "Company LIKE '%test%'", "No test companies", "Company"
    )
    for i in range(8):
        world.control.create(
            "Lead", {"LastName": f"SF{i}", "Company": "SF", "Email": f"sf{i}@x.example"}
        )
    rows = (
        "".join(f"p{i}@x.example,P{i},Company {i}\n" for i in range(25))
        + "bad@x.example,Bad,Test Co\n"
    )
    world.import_people("email,first_name,company\n" + rows)
    before = world.control.usage()["used"]
    report = world.sync(code=ExitCode.RECORD_ERRORS)
    assert (
        report["summary"]["Lead"]["created_in_salesforce"] == 25
        and report["summary"]["Lead"]["created_here"] == 8
    )
    assert report["summary"]["Lead"]["errors"] == 1
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 33
    assert report["api_calls"] <= world.control.usage()["used"] - before
    jobs = world.sf.restful("jobs/ingest")["records"]
    assert jobs and jobs[0]["object"] == "Lead"
    for i in range(12):
        world.edit_here(f"p{i}@x.example", title="Bulk update")
    report = world.sync(code=ExitCode.RECORD_ERRORS)  # the bad row is retried, and fails again
    assert report["summary"]["Lead"]["updated_in_salesforce"] == 12
    assert world.sf.query("SELECT COUNT() FROM Lead WHERE Title = 'Bulk update'")["totalSize"] == 12


def test_a_contact_here_matching_only_a_lead_follows_the_lead(world):
    lead = world.control.create(
        "Lead", {"LastName": "Lima", "Company": "C", "Email": "cris@x.example"}
    )
    world.import_people("email,first_name\ncris@x.example,Cris\n", kind="contact")
    world.sync()
    person = world.person("cris@x.example")
    assert person["kind"] == "lead"
    assert world.cli("leads", "show", "cris@x.example", "--json").json()["salesforce"]["id"] == lead
    assert world.sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    world.edit_here("cris@x.example", title="Compradora")
    world.sync()
    assert world.sf.Lead.get(lead)["Title"] == "Compradora"  # it keeps syncing
