"""`query?q=...&columns=true`, which the Salesforce CLI sends after every query that returns rows
(salesforcecli/plugin-data, retrieveColumns): column metadata, relationships nested in
joinColumns, aggregate columns, and the query's errors."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

KEYS = {
    "aggregate",
    "apexType",
    "booleanType",
    "columnName",
    "custom",
    "displayName",
    "foreignKeyName",
    "insertable",
    "joinColumns",
    "numberType",
    "textType",
    "updatable",
}


def columns(sf, soql: str, resource: str = "query") -> dict:
    return sf.restful(resource, params={"q": soql, "columns": "true"})


def flatten(cols: list[dict], prefix: str = "") -> list[str]:
    """The column names the CLI derives (searchSubColumnsRecursively): Owner.Name..."""
    out = []
    for col in cols:
        name = prefix + col["columnName"]
        out += flatten(col["joinColumns"], name + ".") if col["joinColumns"] else [name]
    return out


def test_plain_fields(sf):
    sf.Lead.create({"LastName": "X", "Company": "C"})  # columns don't depend on rows, but the CLI
    meta = columns(sf, "SELECT Id, LastName, NumberOfEmployees, DoNotCall, CreatedDate FROM Lead")
    assert {k: meta[k] for k in ("entityName", "groupBy", "idSelected", "keyPrefix")} == {
        "entityName": "Lead",
        "groupBy": False,
        "idSelected": True,
        "keyPrefix": "00Q",
    }
    cols = {c["columnName"]: c for c in meta["columnMetadata"]}
    assert list(cols) == ["Id", "LastName", "NumberOfEmployees", "DoNotCall", "CreatedDate"]
    assert all(set(c) == KEYS for c in cols.values())
    assert cols["Id"] == {
        "aggregate": False,
        "apexType": "Id",
        "booleanType": False,
        "columnName": "Id",
        "custom": False,
        "displayName": "Id",
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": [],
        "numberType": False,
        "textType": False,
        "updatable": False,
    }
    assert cols["LastName"]["apexType"] == "String" and cols["LastName"]["textType"]
    assert cols["LastName"]["insertable"] and cols["LastName"]["updatable"]
    assert (
        cols["NumberOfEmployees"]["apexType"] == "Integer"
        and cols["NumberOfEmployees"]["numberType"]
    )
    assert cols["DoNotCall"]["booleanType"] and cols["DoNotCall"]["apexType"] == "Boolean"
    assert cols["CreatedDate"]["apexType"] == "Datetime" and not cols["CreatedDate"]["updatable"]
    assert columns(sf, "SELECT LastName FROM Lead")["idSelected"] is False


def test_custom_fields_are_marked(sf, control):
    control.add_custom_field("Lead", name="Score__c", type="double")
    [col] = columns(sf, "SELECT Score__c FROM Lead")["columnMetadata"]
    assert col["custom"] is True and col["apexType"] == "Double" and col["numberType"]


def test_relationships_nest_in_join_columns(sf):
    meta = columns(
        sf,
        "SELECT Name, Owner.Name, Owner.Email, Owner.Profile.Name, CreatedBy.Alias FROM Contact",
    )
    cols = meta["columnMetadata"]
    assert [c["columnName"] for c in cols] == ["Name", "Owner", "CreatedBy"]
    owner = cols[1]
    assert owner["foreignKeyName"] == "OwnerId" and owner["apexType"] is None
    assert [c["columnName"] for c in owner["joinColumns"]] == ["Name", "Email", "Profile"]
    assert owner["joinColumns"][2]["foreignKeyName"] == "ProfileId"
    assert flatten(cols) == [
        "Name",
        "Owner.Name",
        "Owner.Email",
        "Owner.Profile.Name",
        "CreatedBy.Alias",
    ]


def test_polymorphic_and_typeof_columns(sf):
    cols = columns(sf, "SELECT Subject, Who.Name, What.Type FROM Task")["columnMetadata"]
    assert flatten(cols) == ["Subject", "Who.Name", "What.Type"]
    assert cols[1]["foreignKeyName"] == "WhoId"
    typeof = columns(
        sf,
        "SELECT TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END "
        "FROM Task",
    )["columnMetadata"]
    assert flatten(typeof) == ["What.Phone", "What.Amount", "What.Name"]


def test_aggregate_columns(sf):
    meta = columns(
        sf, "SELECT LeadSource, COUNT(Id), MAX(CreatedDate) latest FROM Lead GROUP BY LeadSource"
    )
    assert meta["groupBy"] is True
    source, count, latest = meta["columnMetadata"]
    assert source["columnName"] == "LeadSource" and source["aggregate"] is False
    assert count == {
        "aggregate": True,
        "apexType": None,
        "booleanType": False,
        "columnName": "expr0",
        "custom": False,
        "displayName": "count(Id)",
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": [],
        "numberType": True,
        "textType": False,
        "updatable": False,
    }
    assert (latest["columnName"], latest["displayName"]) == ("latest", "max(CreatedDate)")
    assert columns(sf, "SELECT COUNT() FROM Lead")["columnMetadata"] == []


def test_compound_and_blob_columns(sf):
    cols = columns(sf, "SELECT BillingAddress, Location__c FROM Account")["columnMetadata"]
    assert [(c["columnName"], c["apexType"]) for c in cols] == [
        ("BillingAddress", "Address"),
        ("Location__c", "Location"),
    ]
    assert cols[1]["custom"] is True and not cols[0]["updatable"]
    [blob] = columns(sf, "SELECT VersionData FROM ContentVersion")["columnMetadata"]
    assert blob["apexType"] == "Blob" and not blob["updatable"] and blob["insertable"]


def test_query_all_answers_columns_too(sf):
    meta = columns(sf, "SELECT Id, IsDeleted FROM Lead", resource="queryAll")
    assert [c["columnName"] for c in meta["columnMetadata"]] == ["Id", "IsDeleted"]


def test_columns_of_a_bad_query_are_its_error(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        columns(sf, "SELECT Nope FROM Lead")
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
