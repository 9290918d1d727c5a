"""`lgcrm-sf migrate sales`: the account's own accounts, opportunities (deal stages through the
mapping's stages:) and opportunity-lead links into Salesforce, with owners through the owner
mapping; a rerun changes nothing; a change at the source is written unless Salesforce changed
the record since; the first sync links the migrated records instead of copying them back."""

from __future__ import annotations

import csv
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.store.sync_state import SyncState

from .conftest import connect_args, login, password_env
from .sales_helpers import (
    PEOPLE,
    custom_fields,
    local_counts,
    mapping_text,
    salesforce_sales,
    seed_people_in_salesforce,
    seed_sales,
    shape,
)


class SalesWorld:
    def __init__(self, info, cli, home, control, tmp_path, ids, people):
        self.info, self.cli, self.home, self.control = info, cli, home, control
        self.tmp, self.ids, self.people = tmp_path, ids, people
        self.sf = login(info)

    def migrate(self, *args, code: int = 0) -> dict:
        result = self.cli("migrate", "sales", "--json", *args, env={"LGCRM_SF_DEBUG": "1"})
        assert result.code == code, result
        return result.json() if result.out.strip() else {}

    def use_mapping(self, text: str) -> None:
        path = self.tmp / "mapping.yaml"
        path.write_text(text)
        assert self.cli("mapping", "use", path).code == 0

    @property
    def state(self) -> SyncState:
        return SyncState(Profile(self.home).state_path)


def make_world(control, cli, home, tmp_path, external_ids: bool) -> SalesWorld:
    info = control.reset("empty", custom_fields=custom_fields(external_ids))
    people = seed_people_in_salesforce(control)
    assert cli(*connect_args(info), env=password_env(info)).code == 0
    world = SalesWorld(info, cli, home, control, tmp_path, {}, people)
    world.ids = seed_sales(Profile(home).state_path)
    world.use_mapping(mapping_text(info["admin_username"]))
    return world


@pytest.fixture
def sales_world(control, cli, home, keyring_file, tmp_path) -> SalesWorld:
    return make_world(control, cli, home, tmp_path, external_ids=False)


def admin_id(world: SalesWorld) -> str:
    username = world.info["admin_username"]
    return world.sf.query(f"SELECT Id FROM User WHERE Username = '{username}'")["records"][0]["Id"]


def test_dry_run_plans_every_object_and_writes_nothing(sales_world):
    report = sales_world.migrate("--dry-run")
    plan = report["plan"]
    assert plan["Account"]["counts"] == {"create": 2}
    assert plan["Opportunity"]["counts"] == {"create": 4}
    roles = plan["OpportunityContactRole"]
    assert roles["counts"] == {"create": 1, "unresolved": 2}
    reasons = " ".join(u["reason"] for u in roles["unresolved"])
    assert "--convert-leads" in reasons and "Lead" in reasons
    notes = " ".join(plan["Account"]["notes"]) + " ".join(plan["Opportunity"]["notes"])
    assert "bob@mkt.example" in notes and "not in the owner mapping" in notes
    assert salesforce_sales(sales_world.sf)["Account"] == []
    assert sales_world.state.migrated.count() == 0
    assert report["results_file"] is None


def test_migrates_accounts_opportunities_links_and_owners(sales_world):
    world = sales_world
    report = world.migrate("--yes")
    assert report["ok"] and report["failed"] == 0
    assert report["done"]["Account"] == {"created": 2}
    assert report["done"]["Opportunity"] == {"created": 4}
    assert report["done"]["OpportunityContactRole"] == {"created": 1, "unresolved": 2}
    data = salesforce_sales(world.sf)
    accounts = {a["Name"]: a for a in data["Account"]}
    assert accounts["Acme Brasil"]["Industry"] == "Technology"
    assert accounts["Acme Brasil"]["OwnerId"] == admin_id(world)  # ana -> the mapped user
    assert accounts["Beta Ltda"]["OwnerId"] == world.info["user_id"]  # bob: not mapped
    opportunities = {o["Name"]: o for o in data["Opportunity"]}
    licences = opportunities["Acme - licenças"]
    assert (licences["StageName"], licences["Amount"], licences["CloseDate"]) == (
        "Qualification",
        1000.0,
        "2026-12-31",
    )
    assert licences["AccountId"] == accounts["Acme Brasil"]["Id"]
    assert (licences["IsClosed"], licences["IsWon"]) == (False, False)
    won, lost = opportunities["Acme - serviços"], opportunities["Beta - piloto"]
    assert (won["StageName"], won["IsClosed"], won["IsWon"]) == ("Closed Won", True, True)
    assert (lost["StageName"], lost["IsClosed"], lost["IsWon"]) == ("Closed Lost", True, False)
    assert opportunities["Sem conta"]["AccountId"] is None
    assert lost["OwnerId"] == world.info["user_id"]
    [role] = data["OpportunityContactRole"]
    assert role["ContactId"] == world.people["carla@cliente.example"]
    assert role["OpportunityId"] == licences["Id"]
    # Every record's result, and the id map it left.
    rows = list(csv.DictReader(open(report["results_file"], encoding="utf-8")))
    assert Path(report["results_file"]).name == "results.csv"
    assert Path(report["results_file"]).parent.parent == Profile(world.home).dir / "migrations"
    created = {(r["object"], r["salesforce_id"]) for r in rows if r["action"] == "created"}
    assert ("Account", accounts["Acme Brasil"]["Id"]) in created and len(created) == 7
    unresolved = [r for r in rows if r["action"] == "unresolved"]
    assert {r["object"] for r in unresolved} == {"OpportunityContactRole"}
    assert all(r["error"] for r in unresolved)
    assert world.state.migrated.count() == 7
    line = json.loads((Profile(world.home).log_path).read_text().splitlines()[-1])
    assert (line["command"], line["status"], line["exit_code"]) == ("migrate-sales", "ok", 0)


def test_a_rerun_changes_nothing(sales_world):
    world = sales_world
    world.migrate("--yes")
    before = shape(world.sf)
    again = world.migrate("--yes")
    assert again["done"]["Account"] == {"unchanged": 2}
    assert again["done"]["Opportunity"] == {"unchanged": 4}
    assert again["done"]["OpportunityContactRole"] == {"unchanged": 1, "unresolved": 2}
    assert shape(world.sf) == before


def test_a_stage_not_mapped_stops_before_any_write(sales_world):
    world = sales_world
    stages = {"Qualificação": "Qualification", "Ganho": "Closed Won", "Perdido": "Closed Lost"}
    world.use_mapping(mapping_text(world.info["admin_username"], stages))
    result = world.cli("migrate", "sales", "--yes")
    assert result.code == 3, result
    assert "Proposta enviada" in result.err and "stages:" in result.err
    assert salesforce_sales(world.sf)["Account"] == []
    assert world.state.migrated.count() == 0
    # A stage mapped to a value the org does not have: `mapping use` refuses it, and a file
    # edited in place after that stops the migration too.
    wrong = mapping_text(world.info["admin_username"], stages | {"Proposta enviada": "Proposal"})
    path = world.tmp / "wrong.yaml"
    path.write_text(wrong)
    refused = world.cli("mapping", "use", path)
    assert refused.code == 3 and "Proposal/Price Quote" in refused.err
    (world.tmp / "mapping.yaml").write_text(wrong)
    result = world.cli("migrate", "sales", "--yes")
    assert result.code == 3 and "Proposal/Price Quote" in result.err, result
    assert salesforce_sales(world.sf)["Account"] == []


def test_convert_leads_names_the_converted_contact(sales_world):
    world = sales_world
    world.migrate("--yes")
    report = world.migrate("--yes", "--convert-leads")
    assert report["done"]["Lead"] == {"converted": 2}
    assert report["done"]["OpportunityContactRole"] == {"unchanged": 1, "created": 2}
    lead = world.sf.Lead.get(world.people["lucas@cliente.example"])
    assert lead["IsConverted"] and lead["Status"] == "Closed - Converted"
    contact = world.sf.Contact.get(lead["ConvertedContactId"])
    acme = world.sf.query("SELECT Id FROM Account WHERE Name = 'Acme Brasil'")["records"][0]
    assert contact["AccountId"] == acme["Id"]  # into its opportunity's account
    assert world.sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2  # no new account
    assert world.sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 4
    roles = {r[1] for r in shape(world.sf)["OpportunityContactRole"]}
    assert roles == set(PEOPLE)
    assert world.migrate("--yes", "--convert-leads")["done"]["OpportunityContactRole"] == {
        "unchanged": 3
    }


def test_a_change_at_the_source_is_written_unless_salesforce_changed_it(sales_world):
    world = sales_world
    world.migrate("--yes")
    opportunities = {o["Name"]: o for o in salesforce_sales(world.sf)["Opportunity"]}
    # Someone edits "Beta - piloto" in Salesforce; both are edited at the source.
    world.control.update("Opportunity", opportunities["Beta - piloto"]["Id"], {"Amount": 350})
    db = world.state.db
    with db.conn:
        db.execute(
            "UPDATE lg_opportunities SET amount = amount * 2, updated_at = '2030-01-01T00:00:00Z' "
            "WHERE name IN ('Acme - licenças', 'Beta - piloto')"
        )
    report = world.migrate("--yes")
    assert report["done"]["Opportunity"] == {"updated": 1, "conflict": 1, "unchanged": 2}
    [conflict] = report["plan"]["Opportunity"]["unresolved"]
    assert conflict["action"] == "conflict" and "Amount" in conflict["reason"]
    after = {o["Name"]: o for o in salesforce_sales(world.sf)["Opportunity"]}
    assert after["Acme - licenças"]["Amount"] == 2000.0
    assert after["Beta - piloto"]["Amount"] == 350.0  # Salesforce's edit stands
    assert world.migrate("--yes")["done"]["Opportunity"] == {"conflict": 1, "unchanged": 3}


def test_the_first_sync_links_the_migrated_records_and_creates_nothing(sales_world):
    world = sales_world
    world.migrate("--yes")
    before_sf, before_here = shape(world.sf), local_counts(world.home)
    result = world.cli("sync", "--json", "--no-backup-check")
    assert result.code == 0, result
    assert shape(world.sf) == before_sf
    counts = salesforce_sales(world.sf)
    assert len(counts["Account"]) == 2 and len(counts["Opportunity"]) == 4
    assert local_counts(world.home) == before_here  # nothing copied back as new
    db = world.state.db
    migrated = dict(
        db.execute("SELECT name, salesforce_id FROM lg_opportunities ORDER BY name").fetchall()
    )
    ids = {o["Name"]: o["Id"] for o in counts["Opportunity"]}
    assert migrated == ids  # each local opportunity is now the copy of the one it became
    stage = db.execute("SELECT stage FROM lg_opportunities WHERE name = 'Acme - serviços'")
    assert stage.fetchone()[0] == "Closed Won"  # the copy holds Salesforce's stage
    # The people were matched, not created; a second sync changes nothing either.
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2
    assert world.cli("sync", "--json", "--no-backup-check").code == 0
    assert local_counts(world.home) == before_here and shape(world.sf) == before_sf


def test_with_our_external_id_creates_are_upserts(control, cli, home, keyring_file, tmp_path):
    world = make_world(control, cli, home, tmp_path, external_ids=True)
    report = world.migrate("--yes")
    assert report["done"]["Account"] == {"created": 2}
    rows = world.sf.query_all("SELECT Name, LGCRM_Id__c FROM Account")["records"]
    store_id = world.state.meta.get("leadgen_store_id")
    keys = {r["Name"]: r["LGCRM_Id__c"] for r in rows}
    assert keys["Acme Brasil"] == f"local-{store_id}:{world.ids['Acme Brasil']}"
    assert world.migrate("--yes")["done"]["Opportunity"] == {"unchanged": 4}


def test_objects_one_at_a_time_and_a_bad_name(sales_world):
    world = sales_world
    assert world.cli("migrate", "sales", "--objects", "accounts,deals").code == 2
    report = world.migrate("--yes", "--objects", "opportunities")
    assert report["done"]["Opportunity"] == {"created": 1, "unresolved": 3}  # no accounts yet
    report = world.migrate("--yes", "--objects", "accounts,opportunities")
    assert report["done"]["Opportunity"] == {"created": 3, "unchanged": 1}
    assert len(shape(world.sf)["Opportunity"]) == 4


def test_the_dry_run_shows_the_plan_per_object_with_reasons(sales_world):
    result = sales_world.cli("migrate", "sales", "--dry-run")
    assert result.code == 0, result
    out = " ".join(result.out.split())
    assert "plan" in out and "Account" in out and "OpportunityContactRole" in out
    assert "--convert-leads" in out and "is not in Salesforce yet" not in out
    assert "bob@mkt.example" in out
    assert salesforce_sales(sales_world.sf)["Account"] == []


def typed(world: SalesWorld, answer: str) -> subprocess.CompletedProcess:
    """`migrate sales` in a terminal (a pseudo-terminal), answering the confirmation."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]), "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "migrate", "sales"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    os.write(controller, (answer + "\n").encode())
    out, err = process.communicate(timeout=120)
    os.close(terminal)
    os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_the_confirmation_word_is_typed_in_either_language(sales_world):
    unconfirmed = sales_world.cli("migrate", "sales")  # not a terminal, no --yes
    assert unconfirmed.code == 3 and "Confirm" in unconfirmed.err
    declined = typed(sales_world, "sim")
    assert declined.returncode == 3 and "Nothing was written" in declined.stderr
    assert salesforce_sales(sales_world.sf)["Account"] == []
    accepted = typed(sales_world, "CONFIRMAR")
    assert accepted.returncode == 0, accepted.stderr
    assert len(salesforce_sales(sales_world.sf)["Account"]) == 2


def test_no_migration_while_a_sync_runs(sales_world):
    from lgcrm_sf.engine.lock import ProfileLock

    profile = Profile(sales_world.home)
    with ProfileLock(profile.lock_path, profile.name):
        result = sales_world.cli("migrate", "sales", "--yes")
    assert result.code == 7, result
    assert salesforce_sales(sales_world.sf)["Account"] == []
