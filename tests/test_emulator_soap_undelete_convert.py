"""The SOAP partner API's undelete() and convertLead() (the REST API has neither), called with
hand-written envelopes over HTTPS, and the recycle bin they work on."""

from __future__ import annotations

import pytest

from .conftest import login
from .soap_partner import Partner, SoapFault


@pytest.fixture
def partner(org):
    return Partner(org)


def converted_status(sf) -> str:
    """As a client finds it: the LeadStatus marked IsConverted."""
    records = sf.query("SELECT ApiName FROM LeadStatus WHERE IsConverted = true")["records"]
    assert len(records) == 1
    return records[0]["ApiName"]


def is_deleted(sf, sobject: str, record_id: str) -> bool:
    rows = sf.query_all(f"SELECT IsDeleted FROM {sobject} WHERE Id = '{record_id}'", True)
    return rows["records"][0]["IsDeleted"]


# --- login stays as it was -------------------------------------------------------------------
def test_login_answers_and_faults_as_before(org, partner):
    result = partner.login_result
    assert result["serverUrl"] == (
        f"{org['instance_url']}/services/Soap/u/59.0/{org['org_id'][:15]}"
    )
    assert result["userId"] == org["user_id"] and result["passwordExpired"] == "false"
    assert result["userInfo"]["userName"] == org["username"]
    with pytest.raises(SoapFault) as caught:
        partner.login(org["username"], "wrong")
    fault = caught.value
    assert (fault.status, fault.code, fault.fault_type) == (500, "INVALID_LOGIN", "sf:LoginFault")


def test_a_data_call_needs_a_live_session(org, partner):
    sf = login(org)
    lead = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    sf.Lead.delete(lead)
    for token in ("", "00Dbogus!session"):
        with pytest.raises(SoapFault) as caught:
            partner.call(f"<urn:undelete><urn:ids>{lead}</urn:ids></urn:undelete>", "", token)
        assert (caught.value.status, caught.value.code) == (500, "INVALID_SESSION_ID")
        assert caught.value.fault_type == "sf:UnexpectedErrorFault"
    assert is_deleted(sf, "Lead", lead)
    with pytest.raises(SoapFault) as caught:
        partner.call("<urn:emptyRecycleBin/>")
    assert caught.value.code == "INVALID_OPERATION"


def test_each_call_counts_against_the_api_quota(org, partner, control):
    before = control.usage()["used"]
    partner.undelete(["00Q000000000000"])
    assert control.usage()["used"] == before + 1
    assert partner.limit_info == {
        "current": str(before + 1),
        "limit": str(control.usage()["max"]),
        "type": "API REQUESTS",
    }
    control.usage(used=control.usage()["max"])
    with pytest.raises(SoapFault) as caught:
        partner.undelete(["00Q000000000000"])
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED"


# --- undelete --------------------------------------------------------------------------------
def test_undelete_brings_back_a_deleted_lead(org, partner):
    sf = login(org)
    lead = sf.Lead.create({"LastName": "Back", "Company": "C"})["id"]
    sf.Lead.delete(lead)
    [result] = partner.undelete([lead[:15]])  # a 15-character id is accepted
    assert result == {"id": lead, "success": True, "errors": []}
    assert sf.Lead.get(lead)["IsDeleted"] is False


def test_undelete_restores_what_the_delete_cascaded_to_and_only_that(org, partner):
    sf = login(org)
    account = sf.Account.create({"Name": "Padaria"})["id"]
    kept = sf.Contact.create({"LastName": "Kept", "AccountId": account})["id"]
    gone_before = sf.Contact.create({"LastName": "Earlier", "AccountId": account})["id"]
    opportunity = sf.Opportunity.create(
        {"Name": "O", "AccountId": account, "StageName": "Prospecting", "CloseDate": "2026-12-01"}
    )["id"]
    role = sf.OpportunityContactRole.create({"OpportunityId": opportunity, "ContactId": kept})["id"]
    sf.Contact.delete(gone_before)  # its own delete: its own recycle-bin entry
    sf.Account.delete(account)
    for sobject, record in (("Contact", kept), ("Opportunity", opportunity)):
        assert is_deleted(sf, sobject, record)  # deleted with the account
    [child] = partner.undelete([kept])  # not in the bin by itself: its account's entry is
    assert child["success"] is False and child["id"] is None
    assert child["errors"] == [
        {
            "statusCode": "UNDELETE_FAILED",
            "message": "Entity is not in the recycle bin",
            "fields": [],
        }
    ]
    [result] = partner.undelete([account])
    assert result["success"] and result["id"] == account
    for sobject, record in (
        ("Account", account),
        ("Contact", kept),
        ("Opportunity", opportunity),
        ("OpportunityContactRole", role),
    ):
        assert not is_deleted(sf, sobject, record), sobject
    assert is_deleted(sf, "Contact", gone_before)  # deleted on its own: still in the bin
    assert partner.undelete([gone_before])[0]["success"]


def test_undelete_refusals_per_id_in_request_order(org, partner, control):
    sf = login(org)
    live = sf.Lead.create({"LastName": "Live", "Company": "C"})["id"]
    deleted = sf.Lead.create({"LastName": "Deleted", "Company": "C"})["id"]
    purged = sf.Lead.create({"LastName": "Purged", "Company": "C"})["id"]
    sf.Lead.delete(deleted)
    sf.Lead.delete(purged)
    control.hard_delete(purged)
    results = partner.undelete([live, "not-an-id", deleted, purged])
    assert [r["success"] for r in results] == [False, False, True, False]
    codes = [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]
    assert codes == ["UNDELETE_FAILED", "MALFORMED_ID", None, "UNDELETE_FAILED"]
    assert results[0]["errors"][0]["message"] == "Entity is not in the recycle bin"
    assert results[2]["id"] == deleted and not is_deleted(sf, "Lead", deleted)


def test_all_or_none_undelete_rolls_back_every_id(org, partner):
    sf = login(org)
    live = sf.Lead.create({"LastName": "Live", "Company": "C"})["id"]
    deleted = sf.Lead.create({"LastName": "Deleted", "Company": "C"})["id"]
    sf.Lead.delete(deleted)
    results = partner.undelete([deleted, live], all_or_none=True)
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "UNDELETE_FAILED"
    assert is_deleted(sf, "Lead", deleted)


def test_a_merged_away_record_comes_back_without_its_master(org, partner, control):
    sf = login(org)
    master = sf.Lead.create({"LastName": "Master", "Company": "C"})["id"]
    duplicate = sf.Lead.create({"LastName": "Dup", "Company": "C"})["id"]
    control.merge("Lead", master, [duplicate])
    assert partner.undelete([duplicate])[0]["success"]
    lead = sf.Lead.get(duplicate)
    assert lead["IsDeleted"] is False and lead["MasterRecordId"] is None


# --- convertLead -----------------------------------------------------------------------------
def new_lead(sf, **values) -> str:
    return sf.Lead.create(
        {
            "FirstName": "Ana",
            "LastName": "Souza",
            "Company": "Padaria Pão Quente",
            "Email": "ana@padaria.example",
            "Title": "Sócia",
            "City": "Recife",
            "LeadSource": "Web",
            **values,
        }
    )["id"]


def test_convert_lead_makes_account_contact_and_opportunity(org, partner, control):
    sf = login(org)
    status = converted_status(sf)
    lead = new_lead(sf)
    task = sf.Task.create({"Subject": "Call", "WhoId": lead})["id"]
    today = control.clock()[:10]
    [result] = partner.convert_lead([{"leadId": lead, "convertedStatus": status}])
    assert result["success"] and result["errors"] == [] and result["leadId"] == lead
    converted = sf.Lead.get(lead)
    assert converted["IsConverted"] is True and converted["Status"] == status
    assert converted["ConvertedDate"] == today
    assert (
        converted["ConvertedAccountId"],
        converted["ConvertedContactId"],
        converted["ConvertedOpportunityId"],
    ) == (result["accountId"], result["contactId"], result["opportunityId"])
    account = sf.Account.get(result["accountId"])
    assert account["Name"] == "Padaria Pão Quente" and account["BillingCity"] == "Recife"
    contact = sf.Contact.get(result["contactId"])
    assert (contact["Email"], contact["Title"], contact["AccountId"]) == (
        "ana@padaria.example",
        "Sócia",
        result["accountId"],
    )
    opportunity = sf.Opportunity.get(result["opportunityId"])
    assert opportunity["Name"] == "Padaria Pão Quente"  # the company name, by default
    assert opportunity["AccountId"] == result["accountId"]
    [role] = sf.query(
        f"SELECT ContactId, IsPrimary FROM OpportunityContactRole "
        f"WHERE OpportunityId = '{result['opportunityId']}'"
    )["records"]
    assert role["ContactId"] == result["contactId"] and role["IsPrimary"] is True
    assert sf.Task.get(task)["WhoId"] == result["contactId"]
    with pytest.raises(Exception) as caught:
        sf.Lead.update(lead, {"Title": "x"})
    assert caught.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_convert_into_an_existing_account_and_contact(org, partner):
    sf = login(org)
    status = converted_status(sf)
    account = sf.Account.create({"Name": "Conta Antiga", "Website": "https://antiga.example"})["id"]
    contact = sf.Contact.create(
        {"LastName": "Souza", "AccountId": account, "Title": "CEO", "LeadSource": "Other"}
    )["id"]
    lead = new_lead(sf, Website="https://lead.example", Phone="+55 81 5555-0000")
    [result] = partner.convert_lead(
        [
            {
                "leadId": lead,
                "convertedStatus": status,
                "accountId": account,
                "contactId": contact,
                "doNotCreateOpportunity": True,
                "overwriteLeadSource": True,
            }
        ]
    )
    assert result["success"], result
    assert (result["accountId"], result["contactId"], result["opportunityId"]) == (
        account,
        contact,
        None,
    )
    merged_account = sf.Account.get(account)
    assert merged_account["Name"] == "Conta Antiga"  # existing data is not overwritten
    assert merged_account["Website"] == "https://antiga.example"
    assert merged_account["Phone"] == "+55 81 5555-0000"  # empty fields are filled
    merged = sf.Contact.get(contact)
    assert merged["Title"] == "CEO" and merged["Email"] == "ana@padaria.example"
    assert merged["LeadSource"] == "Web"  # overwriteLeadSource
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 0
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 1


def test_owner_and_opportunity_name(org, partner):
    sf = login(org)
    admin = sf.query(f"SELECT Id FROM User WHERE Username = '{org['admin_username']}'")["records"][
        0
    ]["Id"]
    lead = new_lead(sf)
    [result] = partner.convert_lead(
        [
            {
                "leadId": lead,
                "convertedStatus": converted_status(sf),
                "ownerId": admin,
                "opportunityName": "Plano Anual",
                "sendNotificationEmail": True,
            }
        ]
    )
    assert result["success"], result
    assert sf.Account.get(result["accountId"])["OwnerId"] == admin
    assert sf.Contact.get(result["contactId"])["OwnerId"] == admin
    opportunity = sf.Opportunity.get(result["opportunityId"])
    assert opportunity["OwnerId"] == admin and opportunity["Name"] == "Plano Anual"


def test_convert_refusals_leave_nothing_behind(org, partner):
    sf = login(org)
    status = converted_status(sf)
    lead = new_lead(sf)
    other_account = sf.Account.create({"Name": "Other"})["id"]
    stranger = sf.Contact.create({"LastName": "Stranger", "AccountId": other_account})["id"]
    account = sf.Account.create({"Name": "Target"})["id"]
    cases = [
        ({"convertedStatus": "Closed - Not Converted"}, "INVALID_STATUS", ["Status"]),
        ({"convertedStatus": status, "accountId": account, "contactId": stranger}, None, None),
        ({"convertedStatus": status, "contactId": stranger}, "REQUIRED_FIELD_MISSING", []),
        (
            {"convertedStatus": status, "doNotCreateOpportunity": True, "opportunityName": "X"},
            "FIELD_INTEGRITY_EXCEPTION",
            ["opportunityName"],
        ),
    ]
    results = partner.convert_lead([{"leadId": lead, **c} for c, _, _ in cases])
    assert not any(r["success"] for r in results)
    assert results[0]["errors"][0] == {
        "statusCode": "INVALID_STATUS",
        "message": "invalid convertedStatus: Closed - Not Converted",
        "fields": ["Status"],
    }
    assert results[1]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    for result, (_, code, fields) in zip(results[2:], cases[2:], strict=True):
        assert (result["errors"][0]["statusCode"], result["errors"][0]["fields"]) == (code, fields)
        assert result["accountId"] is None and result["leadId"] is None
    assert sf.Lead.get(lead)["IsConverted"] is False
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2  # nothing was created
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 1


def test_convert_per_lead_results_and_all_or_none(org, partner):
    sf = login(org)
    status = converted_status(sf)
    first, second = new_lead(sf), new_lead(sf, Email="b@x.example", Company="Outra")
    deleted = new_lead(sf, Email="d@x.example")
    sf.Lead.delete(deleted)
    results = partner.convert_lead(
        [{"leadId": lead, "convertedStatus": status} for lead in (deleted, first)],
        all_or_none=True,
    )
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "ENTITY_IS_DELETED",
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    ]
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0
    results = partner.convert_lead(
        [{"leadId": lead, "convertedStatus": status} for lead in (first, deleted, second, first)]
    )
    assert [r["success"] for r in results] == [True, False, True, False]
    assert results[3]["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert results[0]["contactId"] != results[2]["contactId"]


def test_control_surface_converts_through_the_same_rules(org, control):
    sf = login(org)
    lead = new_lead(sf)
    with pytest.raises(RuntimeError, match="INVALID_STATUS"):
        control.convert(lead, converted_status="Working - Contacted")
    result = control.convert(lead, create_opportunity=False)  # the org's converted status
    assert result["opportunityId"] is None
    converted = sf.Lead.get(lead)
    assert converted["IsConverted"] and converted["Status"] == converted_status(sf)
    assert converted["ConvertedContactId"] == result["contactId"]
