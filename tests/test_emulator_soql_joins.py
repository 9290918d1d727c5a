"""Semi-joins and anti-joins with Salesforce's restrictions, polymorphic Who/What paths through
the Name entity, TYPEOF, and FOR VIEW / FOR REFERENCE / FOR UPDATE, over REST."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import login

WAIT = 0.05


@pytest.fixture(scope="module")
def crm(emulator):
    """Two accounts (one with a won-stage opportunity), contacts, leads and activities."""
    from lgcrm_sf.emulator.control import ControlClient

    info = ControlClient(emulator.info).reset("empty")
    sf = login(info)
    ids: dict[str, str] = {}
    ids["acme"] = sf.Account.create({"Name": "Acme", "Phone": "+55 11 4000-0000"})["id"]
    ids["globex"] = sf.Account.create({"Name": "Globex"})["id"]
    ids["initech"] = sf.Account.create({"Name": "Initech"})["id"]
    ids["ana"] = sf.Contact.create(
        {"LastName": "Souza", "FirstName": "Ana", "AccountId": ids["acme"], "Email": "ana@a.com"}
    )["id"]
    ids["bruno"] = sf.Contact.create({"LastName": "Lima", "AccountId": ids["globex"]})["id"]
    ids["orphan"] = sf.Contact.create({"LastName": "Orphan"})["id"]
    ids["deal"] = sf.Opportunity.create(
        {
            "Name": "Big deal",
            "AccountId": ids["acme"],
            "StageName": "Closed Won",
            "CloseDate": "2026-01-31",
            "Amount": 5000.0,
        }
    )["id"]
    ids["lead"] = sf.Lead.create(
        {"LastName": "Costa", "FirstName": "Diego", "Company": "Agro", "Email": "d@agro.com"}
    )["id"]
    ids["campaign"] = sf.Campaign.create({"Name": "Webinar"})["id"]
    sf.CampaignMember.create({"CampaignId": ids["campaign"], "LeadId": ids["lead"]})
    ids["call_lead"] = sf.Task.create({"Subject": "Call lead", "WhoId": ids["lead"]})["id"]
    ids["call_ana"] = sf.Task.create(
        {"Subject": "Call Ana", "WhoId": ids["ana"], "WhatId": ids["deal"]}
    )["id"]
    ids["visit"] = sf.Task.create({"Subject": "Visit", "WhatId": ids["acme"]})["id"]
    ids["webinar"] = sf.Task.create({"Subject": "Webinar", "WhatId": ids["campaign"]})["id"]
    ids["meeting"] = sf.Event.create(
        {
            "Subject": "Meeting",
            "WhoId": ids["lead"],
            "DurationInMinutes": 30,
            "ActivityDateTime": "2026-02-01T10:00:00Z",
        }
    )["id"]
    return sf, ids


def names(result, key="Name") -> list:
    return sorted(r[key] for r in result["records"])


def test_semi_join_on_id(crm):
    sf, _ = crm
    won = sf.query(
        "SELECT Name FROM Account WHERE Id IN "
        "(SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')"
    )
    assert names(won) == ["Acme"]
    with_contacts = sf.query("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)")
    assert names(with_contacts) == ["Acme", "Globex"]


def test_anti_join_on_id_and_on_a_reference_field(crm):
    sf, _ = crm
    lonely = sf.query("SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)")
    assert names(lonely) == ["Initech"]
    # On a reference field, NOT IN keeps the rows whose reference is null, as SOQL's NOT IN does.
    contacts = sf.query(
        "SELECT LastName FROM Contact WHERE AccountId NOT IN "
        "(SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')"
    )
    assert names(contacts, "LastName") == ["Lima", "Orphan"]


def test_semi_join_on_a_reference_field_and_with_other_conditions(crm):
    sf, _ = crm
    contacts = sf.query(
        "SELECT LastName FROM Contact WHERE AccountId IN "
        "(SELECT Id FROM Account WHERE Name LIKE 'Ac%') AND Email != null"
    )
    assert names(contacts, "LastName") == ["Souza"]
    profiles = sf.query(
        "SELECT Name FROM Profile WHERE Id IN "
        "(SELECT ProfileId FROM User WHERE Username = 'integration@acme-brasil.example')"
    )
    assert names(profiles) == ["Salesforce API Only System Integrations"]
    both = sf.query(
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) "
        "AND Id NOT IN (SELECT AccountId FROM Opportunity)"
    )
    assert names(both) == ["Globex"]


def test_deleted_rows_do_not_count_in_a_semi_join(crm):
    sf, ids = crm
    temp = sf.Contact.create({"LastName": "Temp", "AccountId": ids["initech"]})["id"]
    query = "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"
    assert "Initech" in names(sf.query(query))
    sf.Contact.delete(temp)
    assert "Initech" not in names(sf.query(query))


SEMI_JOIN_ERRORS = [
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT Name FROM Contact)",
        "semi join sub selects can only query id fields, cannot use: 'Name'",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT Account.Id FROM Contact)",
        "semi join sub selects can only query id fields",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)",
        "selects one id field",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT ParentId FROM Account)",
        "The inner and outer selects should not be on the same object type",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN "
        "(SELECT ContactId FROM OpportunityContactRole))",
        "Nesting of semi join sub-selects is not supported",
    ),
    (
        "SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)",
        "not allowed with the 'OR' operator",
    ),
    (
        "SELECT Id FROM Account WHERE NOT (Id IN (SELECT AccountId FROM Contact))",
        "only allowed at the top level WHERE expressions",
    ),
    (
        "SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)",
        "should be an id field, cannot use: 'Name'",
    ),
    (
        "SELECT Id FROM Contact WHERE Account.Id IN (SELECT AccountId FROM Opportunity)",
        "cannot use: 'Account.Id'",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact LIMIT 1)",
        "WHERE only",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT OwnerId FROM Contact)",
        "don't refer to the same object type",
    ),
    (
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN "
        "(SELECT AccountId FROM Opportunity) AND Id NOT IN (SELECT ConvertedAccountId FROM Lead)",
        "Maximum of 2 semi join sub-selects",
    ),
]


@pytest.mark.parametrize("soql, message", SEMI_JOIN_ERRORS)
def test_semi_join_restrictions(crm, soql, message):
    sf, _ = crm
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert error["errorCode"] == "MALFORMED_QUERY" and message in error["message"]


def test_activities_are_not_inner_selects(crm):
    sf, _ = crm
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)")
    assert caught.value.content[0]["message"] == (
        "Entity 'Task' is not supported for semi join inner selects"
    )


def test_polymorphic_paths_read_the_name_entity(crm):
    sf, ids = crm
    rows = sf.query(
        "SELECT Subject, Who.Name, Who.Type, Who.Email, What.Name, What.Type, Owner.Name "
        "FROM Task ORDER BY Subject"
    )["records"]
    by_subject = {r["Subject"]: r for r in rows}
    ana = by_subject["Call Ana"]
    assert ana["Who"] == {
        "attributes": {
            "type": "Name",
            "url": f"/services/data/v59.0/sobjects/Contact/{ids['ana']}",
        },
        "Name": "Ana Souza",
        "Type": "Contact",
        "Email": "ana@a.com",
    }
    assert ana["What"]["attributes"]["url"].endswith(f"/Opportunity/{ids['deal']}")
    assert (ana["What"]["Name"], ana["What"]["Type"]) == ("Big deal", "Opportunity")
    assert by_subject["Call lead"]["Who"]["Name"] == "Diego Costa"
    assert by_subject["Call lead"]["What"] is None
    assert by_subject["Webinar"]["What"]["Type"] == "Campaign"
    assert by_subject["Visit"]["Who"] is None
    assert by_subject["Visit"]["Owner"]["attributes"]["type"] == "User"


def test_filtering_and_ordering_through_polymorphic_fields(crm):
    sf, _ = crm
    leads = sf.query("SELECT Subject FROM Task WHERE Who.Type = 'Lead'")
    assert names(leads, "Subject") == ["Call lead"]
    named = sf.query(
        "SELECT Subject FROM Task WHERE What.Name LIKE 'Ac%' OR Who.Name = 'Ana Souza'"
    )
    assert names(named, "Subject") == ["Call Ana", "Visit"]
    ordered = sf.query("SELECT Subject FROM Task WHERE What.Name != null ORDER BY What.Name DESC")[
        "records"
    ]
    assert [r["Subject"] for r in ordered] == ["Webinar", "Call Ana", "Visit"]
    events = sf.query("SELECT Who.Name FROM Event")["records"]
    assert events[0]["Who"]["Name"] == "Diego Costa"


def test_polymorphic_paths_accept_only_name_fields(crm):
    sf, _ = crm
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT What.Amount FROM Task")
    error = caught.value.content[0]
    assert error["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Amount' on entity 'Name'" in error["message"]


def test_typeof_picks_fields_by_the_real_type(crm):
    sf, ids = crm
    rows = sf.query(
        "SELECT Subject, TYPEOF What WHEN Account THEN Name, Phone "
        "WHEN Opportunity THEN Name, Amount, StageName ELSE Name END FROM Task ORDER BY Subject"
    )["records"]
    by_subject = {r["Subject"]: r["What"] for r in rows}
    assert by_subject["Visit"] == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v59.0/sobjects/Account/{ids['acme']}",
        },
        "Name": "Acme",
        "Phone": "+55 11 4000-0000",
    }
    assert by_subject["Call Ana"] == {
        "attributes": {
            "type": "Opportunity",
            "url": f"/services/data/v59.0/sobjects/Opportunity/{ids['deal']}",
        },
        "Name": "Big deal",
        "Amount": 5000.0,
        "StageName": "Closed Won",
    }
    webinar = by_subject["Webinar"]  # a Campaign: no WHEN for it, so the ELSE fields
    assert webinar["attributes"]["type"] == "Campaign" and webinar["Name"] == "Webinar"
    assert set(webinar) == {"attributes", "Name"}
    assert by_subject["Call lead"] is None


def test_typeof_errors(crm):
    sf, _ = crm
    for soql, code in [
        ("SELECT TYPEOF Owner WHEN User THEN Name END FROM Task", "INVALID_FIELD"),
        ("SELECT TYPEOF What WHEN Lead THEN Name END FROM Task", "INVALID_TYPE"),
        ("SELECT TYPEOF What WHEN Account THEN Nope END FROM Task", "INVALID_FIELD"),
    ]:
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query(soql)
        assert caught.value.content[0]["errorCode"] == code, soql


def test_bulk_api_refuses_typeof_but_serves_polymorphic_paths(crm):
    sf, _ = crm
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful(
            "jobs/query",
            method="POST",
            json={
                "operation": "query",
                "query": "SELECT TYPEOF What WHEN Account THEN Name END FROM Task",
            },
        )
    assert "TYPEOF" in caught.value.content[0]["message"]
    pages = list(
        sf.bulk2.Task.query("SELECT Subject, Who.Name FROM Task ORDER BY Subject", wait=WAIT)
    )
    assert '"Subject","Who.Name"' in pages[0] and '"Call Ana","Ana Souza"' in pages[0]


def test_for_view_and_for_reference_stamp_the_records(crm, control):
    sf, ids = crm
    control.clock(now="2026-03-01T09:00:00Z")
    try:
        before = sf.Account.get(ids["globex"])
        assert before["LastViewedDate"] is None and before["LastReferencedDate"] is None
        sf.query("SELECT Id FROM Account WHERE Name = 'Globex' FOR REFERENCE")
        after = sf.Account.get(ids["globex"])
        assert after["LastReferencedDate"] == "2026-03-01T09:00:00.000+0000"
        assert after["LastViewedDate"] is None
        assert after["SystemModstamp"] == before["SystemModstamp"]  # viewing is not an edit
        control.clock(now="2026-03-02T09:00:00Z")
        sf.query("SELECT Id FROM Account WHERE Name = 'Globex' FOR VIEW")
        viewed = sf.Account.get(ids["globex"])
        assert (
            viewed["LastViewedDate"]
            == viewed["LastReferencedDate"]
            == ("2026-03-02T09:00:00.000+0000")
        )
        assert sf.Account.get(ids["acme"])["LastViewedDate"] is None
    finally:
        control.clock(real=True)


def test_for_update_is_refused_over_the_api(crm):
    sf, _ = crm
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Account LIMIT 1 FOR UPDATE")
    assert caught.value.content[0]["errorCode"] == "MALFORMED_QUERY"
