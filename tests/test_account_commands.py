"""Account mode beyond the lead sync: opportunities and accounts one way into the account with
the mapping's stages:, `leads import` through the API (a re-import re-activates), the offline
store's commands refused naming where to go, and the external id of the account's people."""

from __future__ import annotations

import textwrap

from lgcrm_sf.engine.matching import account_hash
from lgcrm_sf.errors import ExitCode

from .account_world import AccountWorld
from .world import default_with_score_and_link


def test_opportunities_and_their_accounts_arrive_in_the_account(account_world: AccountWorld):
    aw = account_world
    aw.world.use_mapping(
        default_with_score_and_link().replace(
            "stages: {}\n", "stages:\n  Prospecting: Qualificação\n"
        )
    )
    lead_id = aw.create("cris@x.example", firstName="Cris", lastName="Lima", leadStatus="contact")
    aw.sync()
    contact = aw.sf_find("Contact", "cris@x.example")[0]["Id"]
    control = aw.world.control
    account = control.create("Account", {"Name": "Padaria Pão Quente"})
    opportunity = control.create(
        "Opportunity",
        {"Name": "Plano Anual", "StageName": "Prospecting", "CloseDate": "2026-12-31",
         "Amount": 12000, "AccountId": account},
    )  # fmt: skip
    control.create("OpportunityContactRole", {"OpportunityId": opportunity, "ContactId": contact})
    aw.sync()
    opps = aw.api.get_opportunities()
    assert [(o["opportunityName"], o["closeDate"][:10], o["primaryLeadID"]) for o in opps] == [
        ("Plano Anual", "2026-12-31", str(lead_id))
    ]
    stages = {s["id"]: s["dealStageName"] for s in aw.api.get_deal_stages()}
    assert stages[opps[0]["dealStageID"]] == "Qualificação"
    accounts = aw.api.get_accounts()
    assert [a["accountName"] for a in accounts] == ["Padaria Pão Quente"]
    assert opps[0]["accountID"] == accounts[0]["id"]
    links = aw.api.get_opportunity_leads({"opportunityID": opps[0]["id"]})
    assert [x["leadID"] for x in links] == [str(lead_id)]
    control.update("Opportunity", opportunity, {"Name": "Plano Anual 2027"})
    aw.sync()
    aw.sync()
    assert [o["opportunityName"] for o in aw.api.get_opportunities()] == ["Plano Anual 2027"]


def test_leads_import_goes_into_the_account_and_reactivates(account_world: AccountWorld):
    aw = account_world
    lead_id = aw.create("duda@x.example", firstName="Duda")
    aw.api.update_leads([{"id": str(lead_id), "active": "0"}])
    path = aw.world.tmp / "people.csv"
    path.write_text(
        textwrap.dedent("""\
            email,first_name,last_name,company
            duda@x.example,Duda,Reis,Loja
            edu@x.example,Edu,Lopes,Bar
            not-an-email,X,Y,Z
        """)
    )
    result = aw.world.cli("leads", "import", path, "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result  # the bad row is reported
    report = result.json()
    assert (report["created"], report["updated"], report["bad"]) == (1, 1, 1)
    assert aw.lead(lead_id)["active"] == "1" and aw.lead(lead_id)["lastName"] == "Reis"
    assert [x["firstName"] for x in aw.leads_by_email("edu@x.example")] == ["Edu"]


def test_offline_only_commands_are_refused_naming_where_to_go(account_world: AccountWorld):
    cli = account_world.world.cli
    for args in (
        ("users", "add", "--email", "x@x.example", "--name", "X"),
        ("accounts", "add", "--name", "Acme"),
        ("opportunities", "add", "--name", "Deal"),
    ):
        result = cli(*args)
        assert result.code == ExitCode.CONFIG, result
        assert "Lead Gen & CRM account" in result.err
    events = account_world.world.tmp / "events.csv"
    events.write_text("id,email,type,occurred_at\n1,a@x.example,form_submission,2026-01-01\n")
    result = cli("events", "import", events)
    assert result.code == ExitCode.CONFIG and "forms, e-mails" in result.err


def test_the_external_id_of_an_account_person_names_the_account_and_fits_text40(
    account_world: AccountWorld,
):
    aw = account_world
    lead_id = aw.create("gabi@x.example", firstName="Gabi", lastName="Luz", companyName="Bar")
    aw.sync()
    value = aw.sf_find("Lead", "gabi@x.example", "Id, LGCRM_Id__c")[0]["LGCRM_Id__c"]
    assert value == f"acct-{account_hash(aw.info['leadgen_account_id'])}:{lead_id}"
    assert len(f"acct-{account_hash('x')}:{2**63 - 1}") <= 40
