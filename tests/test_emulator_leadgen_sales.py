"""Sales and set-up objects on the emulated Lead Gen & CRM API: deal stages, opportunities and
their lead links, accounts, campaigns, users, fields and lists (LEADGEN_API.md §5, §6, §7.7)."""

from __future__ import annotations

import pytest


@pytest.fixture
def stage(lg) -> str:
    return lg.result("getDealStages", {"where": {}})["dealStage"][0]["id"]


def create_one(lg, method, obj) -> int:
    (created,) = lg.result(method, {"objects": [obj]})["creates"]
    assert created["success"] is True, created
    return created["id"]


def test_deal_stages_are_seeded_as_a_pipeline(lg):
    stages = lg.result("getDealStages", {"where": {}})["dealStage"]
    assert len(stages) == 6
    assert set(stages[0]) == {
        "id",
        "dealStageName",
        "description",
        "defaultProbability",
        "weight",
        "isEditable",
    }
    assert [s["defaultProbability"] for s in stages] == ["10", "25", "50", "75", "100", "0"]
    one = lg.result("getDealStages", {"where": {"id": stages[2]["id"]}})["dealStage"]
    assert [s["dealStageName"] for s in one] == [stages[2]["dealStageName"]]


def test_opportunity_round_trip(lg, stage):
    opportunity_id = create_one(
        lg,
        "createOpportunities",
        {
            "opportunityName": "Plano anual",
            "dealStageID": stage,
            "closeDate": "2016-11-26",
            "amount": 1500,
        },
    )
    assert isinstance(opportunity_id, int)
    (opp,) = lg.result("getOpportunities", {"where": {"id": opportunity_id}})["opportunity"]
    assert opp["closeDate"] == "2016-11-26 00:00:00"
    assert opp["amount"] == "1500.00" and opp["isWon"] == "0" and opp["isClosed"] == "0"
    assert opp["dealStageID"] == stage and opp["id"] == str(opportunity_id)
    assert lg.result("getOpportunity", {"id": opportunity_id})["opportunity"] == [opp]
    by_stage = lg.result("getOpportunities", {"where": {"dealStageID": stage}})["opportunity"]
    assert [o["id"] for o in by_stage] == [str(opportunity_id)]
    updated = lg.result(
        "updateOpportunities", {"objects": [{"id": opportunity_id, "isWon": 1, "isClosed": "1"}]}
    )
    assert updated["updates"] == [{"success": True, "error": None}]
    again = lg.call("updateOpportunities", {"objects": [{"id": opportunity_id, "isWon": "1"}]})
    assert again["result"]["updates"][0]["error"]["code"] == 302


def test_opportunity_checks(lg, stage):
    data = lg.call(
        "createOpportunities",
        {
            "objects": [
                {"opportunityName": "Sem data", "dealStageID": stage},
                {"opportunityName": "Etapa", "dealStageID": 1, "closeDate": "2026-01-01"},
                {"opportunityName": "Data", "dealStageID": stage, "closeDate": "amanhã"},
            ]
        },
    )
    errors = [c["error"] for c in data["result"]["creates"]]
    assert [e["code"] for e in errors] == [206, 212, 205]
    assert errors[0]["data"]["params"][0]["param"] == "closeDate"
    gone = lg.call("updateOpportunities", {"objects": [{"id": 1, "opportunityName": "X"}]})
    assert gone["result"]["updates"][0]["error"]["code"] == 302


def test_opportunity_leads(lg, stage):
    (lead_id,) = lg.create_leads({"emailAddress": "a@x.example"})
    opp = create_one(
        lg,
        "createOpportunities",
        {"opportunityName": "O", "dealStageID": stage, "closeDate": "2026-02-01"},
    )
    link = create_one(lg, "createOpportunityLeads", {"opportunityID": opp, "leadID": lead_id})
    result = lg.result("getOpportunityLeads", {"where": {"opportunityID": opp}})
    assert list(result) == ["getWhereopportunityLeads"]  # not what the docs say (§7.7)
    assert result["getWhereopportunityLeads"] == [
        {"id": str(link), "opportunityID": str(opp), "leadID": str(lead_id)}
    ]
    data = lg.call(
        "createOpportunityLeads",
        {
            "objects": [
                {"opportunityID": opp, "leadID": lead_id},
                {"opportunityID": opp, "leadID": 1},
                {"opportunityID": 1, "leadID": lead_id},
            ]
        },
    )
    assert [c["error"]["code"] for c in data["result"]["creates"]] == [301, 214, 212]
    lg.result("deleteOpportunities", {"objects": [{"id": opp}]})
    assert lg.result("getOpportunityLeads", {"where": {"leadID": lead_id}}) == {
        "getWhereopportunityLeads": []
    }


def test_delete_opportunity_lead_link(lg, stage):
    (lead_id,) = lg.create_leads({"emailAddress": "a@x.example"})
    opp = create_one(
        lg,
        "createOpportunities",
        {"opportunityName": "O", "dealStageID": stage, "closeDate": "2026-02-01"},
    )
    link = create_one(lg, "createOpportunityLeads", {"opportunityID": opp, "leadID": lead_id})
    assert lg.result("deleteOpportunityLeads", {"objects": [{"id": link}]})["deletes"] == [
        {"success": True, "error": None}
    ]
    again = lg.call("deleteOpportunityLeads", {"objects": [{"id": link}]})
    assert again["result"]["deletes"][0]["error"]["code"] == 302


def test_opportunities_date_range(lg, lg_control, stage):
    lg_control.clock(now="2026-02-01T10:00:00Z")
    opp = create_one(
        lg,
        "createOpportunities",
        {"opportunityName": "O", "dealStageID": stage, "closeDate": "2026-02-01"},
    )
    found = lg.result(
        "getOpportunitiesDateRange",
        {
            "startDate": "2026-02-01 10:00:00",
            "endDate": "2026-02-01 10:00:00",
            "timestamp": "create",
        },
    )["opportunity"]
    assert [o["id"] for o in found] == [str(opp)]


def test_accounts(lg):
    owner = lg.result("getUserProfiles", {"where": {}})["userProfile"][0]["id"]
    account_id = create_one(
        lg, "createAccounts", {"accountName": "Padaria Pão Quente", "ownerID": owner}
    )
    (account,) = lg.result("getAccounts", {"where": {"ownerID": owner}})["account"]
    assert account["accountName"] == "Padaria Pão Quente" and account["id"] == str(account_id)
    assert lg.result("getAccount", {"id": account_id})["account"] == [account]
    missing = lg.call("createAccounts", {"objects": [{"industry": "Food"}]})
    assert missing["result"]["creates"][0]["error"]["code"] == 206
    lg.result("updateAccounts", {"objects": [{"id": account_id, "industry": "Food"}]})
    assert lg.result("getAccount", {"id": account_id})["account"][0]["industry"] == "Food"
    (lead_id,) = lg.create_leads({"emailAddress": "a@x.example", "accountID": account_id})
    assert lg.lead(lead_id)["accountID"] == str(account_id)


def test_campaigns_and_users(lg, lg_control):
    lg_control.lg_reset("demo")
    campaigns = lg.result("getCampaigns", {"where": {}})["campaign"]
    assert campaigns[0]["campaignName"] == "Webinar Inbound 2026"
    user_id = lg_control.lg_add_user("Gil", "Souza", "gil.souza@acme-brasil.example")
    found = lg.result(
        "getUserProfiles", {"where": {"emailAddress": "GIL.SOUZA@acme-brasil.example"}}
    )
    assert found["userProfile"][0]["id"] == str(user_id)
    assert found["userProfile"][0]["displayName"] == "Gil Souza"
    lg_control.lg_set_user(user_id, isActive=0)
    inactive = lg.result("getUserProfiles", {"where": {"isActive": "0"}})["userProfile"]
    assert [u["id"] for u in inactive] == [str(user_id)]


def test_fields_standard_and_custom(lg):
    fields = lg.result("getFields", {"where": {}})["field"]
    names = {f["systemName"] for f in fields if f["relationship"] == "lead"}
    assert {"emailAddress", "leadStatus", "crmID"} <= names
    assert not {"accountID", "active"} & names  # as the vendor lists them
    created = lg.result(
        "createFields",
        {
            "objects": [
                {"relationship": "lead", "label": "API Big Text Area", "dataType": "textarea"}
            ]
        },
    )["creates"][0]
    (field,) = lg.result("getFields", {"where": {"id": created["id"]}})["field"]
    assert field["systemName"].startswith("api_big_text_area_")
    assert field["isCustom"] == "1" and field["dataType"] == "textarea"
    assert field["dataLength"] == "10000"
    (lead_id,) = lg.create_leads({"emailAddress": "a@x.example", field["systemName"]: "long"})
    assert lg.lead(lead_id)[field["systemName"]] == "long"
    standard = next(f for f in fields if f["systemName"] == "firstName")
    refused = lg.call("deleteFields", {"objects": [{"id": standard["id"]}]})
    assert refused["result"]["deletes"][0]["error"]["code"] == 211
    lg.result("deleteFields", {"objects": [{"id": created["id"]}]})
    assert field["systemName"] not in lg.lead(lead_id)


def test_lists_and_members_with_has_more(lg, lg_control):
    ids = lg.create_leads(*({"emailAddress": f"l{i}@x.example"} for i in range(3)))
    lg.result("updateLeads", {"objects": [{"id": ids[2], "active": 0}]})
    list_id = lg_control.lg_create_list("Newsletter", ids)
    (active_list,) = lg.result("getActiveLists", {"where": {}})["activeList"]
    assert active_list["id"] == str(list_id) and active_list["memberCount"] == "2"
    data = lg.call("getListMembers", {"where": {"id": list_id}, "limit": 1})
    assert data["error"] == []  # list-member calls answer [] like writes (§2)
    assert data["hasMore"] is True and data["result"]["hasMore"] is True
    assert data["result"]["getWherelistMemberGets"][0]["leadID"] == str(ids[0])
    last = lg.call("getListMembers", {"where": {"id": list_id}, "limit": 1, "offset": 1})
    assert last["hasMore"] is False and len(last["result"]["getWherelistMemberGets"]) == 1
    assert lg.call("getListMembers", {"where": {}})["error"]["code"] == 206
