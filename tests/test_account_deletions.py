"""Account mode: an opportunity deleted in Salesforce is deleted in the account with its
opportunity-lead links, and a Salesforce Account deleted there is deleted in the account
(deleteOpportunities / deleteOpportunityLeads / deleteAccounts, LEADGEN_API.md §5): the
account's copies are mirrors of Salesforce's. A sync killed -9 at any of those calls, or whose
answer is lost, converges on the next run with nothing left behind and nothing sent twice."""

from __future__ import annotations

import signal

import pytest

from .account_world import AccountWorld
from .test_account_sync_crash import kill_while_account_call_held
from .test_sync_crash import cli, cli_env
from .world import default_with_score_and_link, wait_until_served

DELETES = ("getOpportunityLeads", "deleteOpportunityLeads", "deleteOpportunities", "deleteAccounts")


def with_a_sale(aw: AccountWorld, name: str = "Plano Anual") -> dict:
    """A contact with an opportunity (and its account) in Salesforce, synced into the account."""
    aw.world.use_mapping(
        default_with_score_and_link().replace(
            "stages: {}\n", "stages:\n  Prospecting: Qualificação\n"
        )
    )
    email = f"{name.split()[-1].lower()}@x.example"
    lead = aw.create(email, firstName="Cris", lastName="Lima", leadStatus="contact")
    aw.sync()
    contact = aw.sf_find("Contact", email)[0]["Id"]
    control = aw.world.control
    account = control.create("Account", {"Name": f"Conta {name}"})
    opportunity = control.create(
        "Opportunity",
        {"Name": name, "StageName": "Prospecting", "CloseDate": "2026-12-31",
         "AccountId": account},
    )  # fmt: skip
    control.create("OpportunityContactRole", {"OpportunityId": opportunity, "ContactId": contact})
    aw.sync()
    (remote,) = aw.api.get_opportunities()
    assert [x["leadID"] for x in aw.api.get_opportunity_leads()] == [str(lead)]
    assert [a["accountName"] for a in aw.api.get_accounts()] == [f"Conta {name}"]
    return {"account": account, "opportunity": opportunity, "remote": remote["id"]}


def delete_calls(aw: AccountWorld) -> dict:
    by_method = aw.lg.lg_counters()["by_method"]
    return {m: by_method[m] for m in DELETES if by_method.get(m)}


def test_an_opportunity_deleted_in_salesforce_is_deleted_in_the_account_with_its_links(
    account_world: AccountWorld,
):
    aw = account_world
    sale = with_a_sale(aw)
    aw.world.sf.Opportunity.delete(sale["opportunity"])
    aw.lg.lg_reset_counters()
    result = aw.sync()
    # the links were deleted by the sync itself, not left to the account's cascade
    assert delete_calls(aw) == {
        "getOpportunityLeads": 1, "deleteOpportunityLeads": 1, "deleteOpportunities": 1,
    }  # fmt: skip
    assert aw.api.get_opportunities() == []
    assert aw.api.get_opportunity_leads() == []
    counts = result["summary"]["account"]
    assert counts["opportunities_deleted"] == 1 and counts["opportunity_leads_deleted"] == 1
    assert [a["accountName"] for a in aw.api.get_accounts()] == ["Conta Plano Anual"]
    aw.lg.lg_reset_counters()
    aw.sync()
    assert delete_calls(aw) == {}  # nothing owed any more


def test_an_account_deleted_in_salesforce_is_deleted_in_the_account(account_world: AccountWorld):
    aw = account_world
    sale = with_a_sale(aw)
    aw.world.sf.Opportunity.delete(sale["opportunity"])
    aw.world.sf.Account.delete(sale["account"])
    result = aw.sync()
    assert aw.api.get_accounts() == [] and aw.api.get_opportunities() == []
    assert result["summary"]["account"]["accounts_deleted"] == 1
    aw.lg.lg_reset_counters()
    aw.sync()
    assert delete_calls(aw) == {}


def test_a_lost_delete_answer_is_sent_again_and_settles(account_world: AccountWorld):
    aw = account_world
    sale = with_a_sale(aw)
    aw.world.sf.Opportunity.delete(sale["opportunity"])
    # the account deletes it, then the answer breaks off: the run cannot know
    aw.lg.lg_fault(method="deleteOpportunities", cut_after_bytes=0, count=None)
    lost = aw.sync()
    assert "deleteOpportunities answer was lost" in " ".join(lost["messages"])
    aw.lg.lg_clear_faults()
    assert aw.api.get_opportunities() == []  # it did happen
    aw.lg.lg_reset_counters()
    again = aw.sync()  # sent again: "No table rows affected" is an answer
    assert again["summary"]["account"]["opportunities_deleted"] == 1
    assert delete_calls(aw)["deleteOpportunities"] == 1
    aw.lg.lg_reset_counters()
    aw.sync()
    assert delete_calls(aw) == {}


@pytest.mark.parametrize("method", DELETES)
def test_killed_at_a_deletion_call_the_rerun_converges(account_world: AccountWorld, method):
    aw = account_world
    sale = with_a_sale(aw)
    aw.world.sf.Opportunity.delete(sale["opportunity"])
    aw.world.sf.Account.delete(sale["account"])
    env = cli_env(aw.world.info, aw.world.home)
    env.update(
        LGCRM_SF_LEADGEN_SECRET_KEY=aw.info["leadgen_secret_key"],
        LGCRM_SF_LEADGEN_CALLS_PER_SECOND="100000",
    )
    aw.lg.lg_fault(method=method, latency_ms=1200, count=1)
    process = kill_while_account_call_held(aw.lg, env)
    assert process.returncode == -signal.SIGKILL
    assert aw.lg.lg_faults()[0]["fired"] == 1  # killed while that very call was held
    wait_until_served(aw.lg)  # the held call still runs on the server
    aw.lg.lg_clear_faults()
    cli(env, "sync", "--no-backup-check")
    assert aw.api.get_opportunities() == [] and aw.api.get_opportunity_leads() == []
    assert aw.api.get_accounts() == []
    aw.lg.lg_reset_counters()
    cli(env, "sync", "--no-backup-check")
    assert delete_calls(aw) == {}
