"""What clients read at login: the Organization record, the Tooling API's query and describe,
describe's child relationships."""

from __future__ import annotations

import pytest

from .conftest import http_session


@pytest.fixture
def get(org, sf):
    session = http_session(org)
    session.headers["Authorization"] = f"Bearer {sf.session_id}"
    return lambda path: session.get(f"{org['instance_url']}/services/data/v62.0{path}")


def test_organization_has_the_fields_clients_read_at_login(sf, org):
    # What `sf org display` and CumulusCI's `org import` select.
    record = sf.query(
        "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, "
        "OrganizationType, LanguageLocaleKey, TimeZoneSidKey, DefaultLocaleSidKey FROM Organization"
    )["records"][0]
    assert record["NamespacePrefix"] is None and record["TrialExpirationDate"] is None
    assert record["IsSandbox"] is False and record["OrganizationType"] == "Enterprise Edition"
    full = sf.Organization.get(org["org_id"])
    assert full["NamespacePrefix"] is None and full["FiscalYearStartMonth"] == 1
    assert full["DefaultLeadAccess"] == "ReadEditTransfer"


def test_tooling_query_of_objects_the_org_has_none_of(get):
    answer = get(
        "/tooling/query?q=SELECT Id, Name, Status FROM ApexClass WHERE Name LIKE 'X%'"
    ).json()
    assert answer == {
        "size": 0,
        "totalSize": 0,
        "done": True,
        "queryLocator": None,
        "entityTypeName": "ApexClass",
        "records": [],
    }
    sandboxes = get(
        "/tooling/query?q=SELECT Id, SandboxName, Status FROM SandboxProcess "
        "ORDER BY CreatedDate DESC"
    ).json()
    assert sandboxes["entityTypeName"] == "SandboxProcess" and sandboxes["records"] == []


def test_tooling_query_errors_are_salesforce_errors(get):
    bad_field = get("/tooling/query?q=SELECT Nope FROM ApexClass")
    assert bad_field.status_code == 400 and bad_field.json()[0]["errorCode"] == "INVALID_FIELD"
    bad_type = get("/tooling/query?q=SELECT Id FROM Lead")
    assert bad_type.status_code == 400 and bad_type.json()[0]["errorCode"] == "INVALID_TYPE"


def test_tooling_describe(get):
    names = {o["name"] for o in get("/tooling/sobjects").json()["sobjects"]}
    assert {"ApexClass", "SandboxProcess", "SourceMember"} <= names and "Lead" not in names
    described = get("/tooling/sobjects/SourceMember/describe").json()
    assert "RevisionCounter" in {f["name"] for f in described["fields"]}
    assert described["urls"]["describe"].endswith("/tooling/sobjects/SourceMember/describe")
    assert get("/tooling/sobjects/Lead/describe").status_code == 404


def test_describe_lists_child_relationships(get):
    account = get("/sobjects/Account/describe").json()
    named = {
        r["relationshipName"]: (r["childSObject"], r["field"], r["cascadeDelete"])
        for r in account["childRelationships"]
        if r["relationshipName"]
    }
    assert named["Contacts"] == ("Contact", "AccountId", True)
    assert named["ChildAccounts"] == ("Account", "ParentId", False)
    assert named["Tasks"] == ("Task", "WhatId", False)


def test_unknown_resources_answer_in_salesforce_words(get):
    response = get("/no/such/resource")
    assert response.status_code == 404
    assert response.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND", "fields": []}
    ]
