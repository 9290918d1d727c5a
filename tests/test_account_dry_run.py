"""`sync --dry-run` in a profile connected to a Lead Gen & CRM account: the account's changes are
read (reads cost calls, and the run says how many) and the plan shows what a real run would do
on both sides - Salesforce writes, and writes to the account with side `account` - while nothing
is written to the account (its write counters), to the org (every record's SystemModstamp) or
to the profile's state (links, mirror, cursors, our copy: the database compared before and
after). The real run that follows does what the plan said."""

from __future__ import annotations

import sqlite3

from lgcrm_sf.config import Profile

from .account_world import AccountWorld
from .world import default_with_score_and_link

READS = {
    "getLead", "getLeads", "getLeadsDateRange", "getFields", "getUserProfiles",
    "getEventsByType", "getEvents", "getOpportunities", "getOpportunityLeads", "getDealStages",
    "getAccounts", "getCampaigns",
}  # fmt: skip
STATE_TABLES_SKIPPED = {"runs", "cache", "account_api_calls", "sqlite_sequence"}


def state_rows(aw: AccountWorld) -> dict:
    """Every table of the profile's state but the run log, the describe cache and the call
    budget (a dry run records itself and counts the calls it spent)."""
    conn = sqlite3.connect(Profile(aw.world.home).state_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"')))
            for t in tables
            if t not in STATE_TABLES_SKIPPED
        }
    finally:
        conn.close()


def org_rows(aw: AccountWorld) -> dict:
    sf = aw.world.sf
    return {
        sobject: sorted(
            (r["Id"], r["SystemModstamp"])
            for r in sf.query_all(f"SELECT Id, SystemModstamp FROM {sobject}")["records"]
        )
        for sobject in ("Lead", "Contact", "Account", "Opportunity", "Task")
    }


def prepared(aw: AccountWorld) -> dict:
    """A synced world, then changes on both sides a real run would carry."""
    aw.world.use_mapping(
        default_with_score_and_link().replace(
            "stages: {}\n", "stages:\n  Prospecting: Qualificação\n"
        )
    )
    edited = aw.create("edu@x.example", firstName="Edu", lastName="Reis", companyName="Bar")
    aw.create("gone@x.example", firstName="Gil", lastName="Sá", companyName="Loja")
    aw.create("sf-edit@x.example", firstName="Ivo", lastName="Luz", companyName="Café")
    aw.sync()
    aw.lg.lg_edit_lead(edited, {"title": "Gerente"})  # the account -> Salesforce
    aw.create("new@x.example", firstName="Nina", lastName="Paz", companyName="Feira")
    sf = aw.world.sf
    sf.Lead.create({"LastName": "Sol", "Company": "Praia", "Email": "sfonly@x.example"})
    sf.Lead.update(aw.sf_find("Lead", "sf-edit@x.example")[0]["Id"], {"LastName": "Luz Neto"})
    sf.Lead.delete(aw.sf_find("Lead", "gone@x.example")[0]["Id"])
    account = aw.world.control.create("Account", {"Name": "Padaria Seca"})
    aw.world.control.create(
        "Opportunity",
        {"Name": "Plano Seco", "StageName": "Prospecting", "CloseDate": "2026-12-31",
         "AccountId": account},
    )  # fmt: skip
    return {"edited": edited}


def plan_of(result: dict) -> set[tuple]:
    return {(p["email"], p["object"], p["field"], p["to"], p["side"]) for p in result["plan"]}


def test_a_dry_run_plans_both_sides_and_writes_nowhere(account_world: AccountWorld):
    aw = account_world
    prepared(aw)
    state_before, org_before = state_rows(aw), org_rows(aw)
    aw.lg.lg_reset_counters()
    result = aw.sync("--dry-run")
    calls = aw.lg.lg_counters()["by_method"]
    assert result["status"] == "dry_run"
    assert set(calls) <= READS, calls  # only reads reached the account
    assert state_rows(aw) == state_before
    assert org_rows(aw) == org_before
    assert not list(Profile(aw.world.home).dir.glob("dry-run-*"))  # the copy is gone
    plan = plan_of(result)
    # the account's change, planned for Salesforce
    assert ("edu@x.example", "Lead", "title", "Gerente", "salesforce") in plan
    assert any(p[0] == "new@x.example" and p[2] == "create" and p[4] == "salesforce" for p in plan)
    # Salesforce's changes, planned for the account
    assert any(p[1] == "Lead" and p[2] == "create" and p[4] == "account" for p in plan)
    assert ("sf-edit@x.example", "Lead", "last_name", "Luz Neto", "account") in plan
    assert any(
        p[0] == "gone@x.example" and p[2] == "deactivate" and p[4] == "account" for p in plan
    )
    assert (None, "Opportunity", "create", "Plano Seco", "account") in plan
    assert (None, "Account", "create", "Padaria Seca", "account") in plan
    account = result["summary"]["account"]
    assert account["api_calls"] == sum(calls.values()) and account["planned_writes"] >= 5
    assert account["read_created"] == 1 and account["read_updated"] >= 1
    assert any("the Lead Gen & CRM account was read" in m for m in result["messages"])
    # a second dry run plans the same: nothing moved
    again = aw.sync("--dry-run")
    assert plan_of(again) == plan


def test_the_real_run_after_it_does_what_was_planned(account_world: AccountWorld):
    aw = account_world
    ids = prepared(aw)
    aw.sync("--dry-run")
    aw.sync()
    assert aw.sf_find("Lead", "edu@x.example")[0]["Title"] == "Gerente"
    assert len(aw.sf_find("Lead", "new@x.example")) == 1
    assert aw.leads_by_email("sfonly@x.example")[0]["lastName"] == "Sol"
    assert aw.leads_by_email("sf-edit@x.example")[0]["lastName"] == "Luz Neto"
    assert aw.leads_by_email("gone@x.example")[0]["active"] == "0"
    assert [o["opportunityName"] for o in aw.api.get_opportunities()] == ["Plano Seco"]
    assert aw.lead(ids["edited"])["title"] == "Gerente"
    # the status the plan showed going to the account (Salesforce's Open, pulled) went there
    assert aw.lead(ids["edited"])["leadStatus"] == "open"


def test_a_dry_run_plans_a_deletion_in_the_account(account_world: AccountWorld):
    aw = account_world
    prepared(aw)
    aw.sync()
    (opportunity,) = aw.world.sf.query("SELECT Id FROM Opportunity")["records"]
    aw.world.sf.Opportunity.delete(opportunity["Id"])
    before = state_rows(aw)
    aw.lg.lg_reset_counters()
    result = aw.sync("--dry-run")
    assert set(aw.lg.lg_counters()["by_method"]) <= READS
    assert (None, "Opportunity", "delete", "Plano Seco", "account") in plan_of(result)
    assert state_rows(aw) == before
    assert [o["opportunityName"] for o in aw.api.get_opportunities()] == ["Plano Seco"]
