"""Describe, record CRUD, upsert, validation errors and getUpdated/getDeleted, through
simple-salesforce against the emulator over HTTPS."""

from __future__ import annotations

import datetime

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)


def error_of(caught) -> dict:
    return caught.value.content[0]


def test_global_and_object_describe(sf):
    names = {o["name"]: o for o in sf.describe()["sobjects"]}
    for expected in (
        "Organization",
        "User",
        "Profile",
        "PermissionSet",
        "PermissionSetAssignment",
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityContactRole",
        "Task",
        "Event",
        "Campaign",
        "CampaignMember",
    ):
        assert expected in names
    assert names["Lead"]["keyPrefix"] == "00Q" and names["Contact"]["keyPrefix"] == "003"
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    assert fields["LastName"]["length"] == 80 and not fields["LastName"]["nillable"]
    assert fields["Email"]["type"] == "email"
    assert fields["Name"]["createable"] is False and fields["Name"]["updateable"] is False
    assert (
        fields["OwnerId"]["referenceTo"] == ["User"]
        and fields["OwnerId"]["relationshipName"] == "Owner"
    )
    status = fields["Status"]
    assert status["restrictedPicklist"] and "Open - Not Contacted" in [
        p["value"] for p in status["picklistValues"]
    ]
    assert fields["SystemModstamp"]["type"] == "datetime"
    assert sf.Lead.metadata()["objectDescribe"]["name"] == "Lead"


def test_custom_fields_declared_at_seeding_are_described(control):
    info = control.reset(
        "empty",
        custom_fields={
            "Lead": [
                {"name": "Score__c", "type": "double"},
                {
                    "name": "Ext_Id__c",
                    "type": "string",
                    "length": 20,
                    "externalId": True,
                    "unique": True,
                },
            ]
        },
    )
    from .conftest import login

    sf = login(info)
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    assert fields["Score__c"]["custom"] and fields["Score__c"]["type"] == "double"
    assert fields["Ext_Id__c"]["externalId"] and fields["Ext_Id__c"]["length"] == 20


def test_create_read_update_delete(sf):
    created = sf.Lead.create(
        {"FirstName": "Ana", "LastName": "Souza", "Company": "Padaria", "Email": "ana@example.com"}
    )
    lead_id = created["id"]
    assert created["success"] and len(lead_id) == 18 and lead_id.startswith("00Q")
    lead = sf.Lead.get(lead_id)
    assert lead["Name"] == "Ana Souza" and lead["Status"] == "Open - Not Contacted"
    assert lead["CreatedDate"].endswith("+0000") and lead["IsDeleted"] is False
    assert sf.Lead.get(lead_id[:15])["Id"] == lead_id  # 15-character ids are accepted
    assert sf.Lead.update(lead_id, {"Title": "Sócia"}) == 204
    assert sf.Lead.get(lead_id)["Title"] == "Sócia"
    assert sf.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Lead.get(lead_id)
    assert error_of(caught)["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Lead.update(lead_id, {"Title": "x"})
    assert error_of(caught)["errorCode"] == "ENTITY_IS_DELETED"


def test_empty_string_is_stored_as_null(sf):
    lead_id = sf.Lead.create({"LastName": "X", "Company": "Y", "Title": ""})["id"]
    assert sf.Lead.get(lead_id)["Title"] is None


@pytest.mark.parametrize(
    "values, code, field",
    [
        ({"Company": "Y"}, "REQUIRED_FIELD_MISSING", "LastName"),
        ({"LastName": "x" * 81, "Company": "Y"}, "STRING_TOO_LONG", "LastName"),
        ({"LastName": "X", "Company": "Y", "Name": "Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "Name"),
        (
            {"LastName": "X", "Company": "Y", "Status": "Bogus"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Status",
        ),
        ({"LastName": "X", "Company": "Y", "Nope__c": 1}, "INVALID_FIELD", "Nope__c"),
        (
            {"LastName": "X", "Company": "Y", "Email": "not-an-email"},
            "INVALID_EMAIL_ADDRESS",
            "Email",
        ),
        (
            {"LastName": "X", "Company": "Y", "NumberOfEmployees": "many"},
            "JSON_PARSER_ERROR",
            "NumberOfEmployees",
        ),
        ({"LastName": "X", "Company": "Y", "OwnerId": "bogus"}, "MALFORMED_ID", "OwnerId"),
        (
            {"LastName": "X", "Company": "Y", "OwnerId": "001000000000000AAA"},
            "FIELD_INTEGRITY_EXCEPTION",
            "OwnerId",
        ),
    ],
)
def test_writes_are_validated_like_salesforce(sf, values, code, field):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create(values)
    assert caught.value.status == 400
    error = error_of(caught)
    assert error["errorCode"] == code
    assert error["fields"] == [field]
    assert set(error) == {"message", "errorCode", "fields"}


def test_configurable_validation_rule(sf, control):
    control.add_validation_rule(
        "Lead",
        "Company_Not_Test",
        "Company LIKE '%test%'",
        "Company can't be a test company",
        "Company",
    )
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "X", "Company": "A Test Ltd"})
    assert error_of(caught) == {
        "message": "Company can't be a test company",
        "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "fields": ["Company"],
    }
    lead_id = sf.Lead.create({"LastName": "X", "Company": "Real"})["id"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.update(lead_id, {"Company": "test again"})
    assert sf.Lead.get(lead_id)["Company"] == "Real"  # the failed update left nothing behind
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_not_found_and_unknown_object(sf, control):
    purged = sf.Lead.create({"LastName": "Purged", "Company": "C"})["id"]
    control.hard_delete(purged)  # a well-formed Lead id that exists nowhere now
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Lead.get(purged)
    assert error_of(caught)["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Widget__c.describe()


def test_upsert_by_external_id(control):
    info = control.reset(
        "empty",
        custom_fields={
            "Lead": [{"name": "Ext__c", "type": "string", "length": 20, "externalId": True}]
        },
    )
    from .conftest import login

    sf = login(info)
    assert sf.Lead.upsert("Ext__c/A-1", {"LastName": "One", "Company": "C"}) == 201
    assert sf.Lead.upsert("Ext__c/A-1", {"LastName": "Uno"}) == 200
    rows = sf.query("SELECT LastName, Ext__c FROM Lead")["records"]
    assert [(r["LastName"], r["Ext__c"]) for r in rows] == [("Uno", "A-1")]
    assert sf.Lead.get_by_custom_id("Ext__c", "A-1")["LastName"] == "Uno"
    sf.Lead.create({"LastName": "Dup", "Company": "C", "Ext__c": "A-1"})  # not unique: allowed
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Lead.upsert("Ext__c/A-1", {"LastName": "Which?"})
    assert caught.value.status == 300 and len(caught.value.content) == 2


def test_get_updated_and_get_deleted(sf, control):
    control.clock(now="2026-11-20T10:00:30Z")
    kept = sf.Lead.create({"LastName": "Kept", "Company": "C"})["id"]
    gone = sf.Lead.create({"LastName": "Gone", "Company": "C"})["id"]
    control.clock(now="2026-11-20T10:05:00Z")
    sf.Lead.delete(gone)
    control.clock(now="2026-11-20T11:00:00Z")
    start = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
    end = datetime.datetime(2026, 11, 20, 10, 30, tzinfo=datetime.UTC)
    updated = sf.Lead.updated(start, end)
    assert updated["ids"] == [kept]
    assert updated["latestDateCovered"] == "2026-11-20T10:30:00.000+0000"
    deleted = sf.Lead.deleted(start, end)
    assert [d["id"] for d in deleted["deletedRecords"]] == [gone]
    assert deleted["deletedRecords"][0]["deletedDate"] == "2026-11-20T10:05:00.000+0000"
    assert "earliestDateAvailable" in deleted
    too_old = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.updated(too_old, end)
    assert error_of(caught)["errorCode"] == "INVALID_REPLICATION_DATE"


def test_merge_undelete_and_conversion_by_the_control_surface(sf, control):
    master = sf.Lead.create({"LastName": "Master", "Company": "C", "Email": "m@x.com"})["id"]
    dup = sf.Lead.create({"LastName": "Dup", "Company": "C", "Email": "m@x.com"})["id"]
    control.merge("Lead", master, [dup])
    rows = sf.query_all(f"SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id = '{dup}'")
    assert rows["totalSize"] == 0
    rows = sf.query_all_iter(
        f"SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id = '{dup}'", include_deleted=True
    )
    row = next(rows)
    assert row["IsDeleted"] is True and row["MasterRecordId"] == master
    control.undelete(dup)
    assert sf.Lead.get(dup)["IsDeleted"] is False
    result = control.convert(master)
    lead = sf.Lead.get(master)
    assert lead["IsConverted"] and lead["ConvertedContactId"] == result["contactId"]
    assert lead["Status"] == "Closed - Converted"
    contact = sf.Contact.get(result["contactId"])
    assert contact["Email"] == "m@x.com" and contact["AccountId"] == result["accountId"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(master, {"Title": "x"})
    assert error_of(caught)["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
