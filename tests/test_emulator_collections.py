"""sObject Collections: create, update, upsert, delete, retrieve; allOrNone both ways."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def collections(sf, method, body=None, path="composite/sobjects", **params):
    return sf.restful(path, method=method, json=body, params=params or None)


def lead(name, **extra):
    return {"attributes": {"type": "Lead"}, "LastName": name, "Company": "C", **extra}


def test_create_with_partial_failure(sf):
    results = collections(
        sf,
        "POST",
        {
            "allOrNone": False,
            "records": [
                lead("Good"),
                lead("x" * 81),
                {"attributes": {"type": "Contact"}, "LastName": "Mixed"},
            ],
        },
    )
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert results[1]["errors"][0]["fields"] == ["LastName"]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 1


def test_all_or_none_rolls_everything_back(sf):
    results = collections(
        sf,
        "POST",
        {
            "allOrNone": True,
            "records": [lead("Good"), lead("Bad", Status="Nope"), lead("AlsoGood")],
        },
    )
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_update_delete_and_retrieve(sf):
    ids = [r["id"] for r in collections(sf, "POST", {"records": [lead("A"), lead("B")]})]
    results = collections(
        sf,
        "PATCH",
        {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Lead"}, "Id": ids[0], "Title": "CEO"},
                {"attributes": {"type": "Lead"}, "Id": ids[1], "LastName": None},
            ],
        },
    )
    assert (
        results[0]["success"] and results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    )
    got = collections(
        sf, "GET", path="composite/sobjects/Lead", ids=",".join(ids), fields="LastName,Title"
    )
    assert [(g["LastName"], g["Title"]) for g in got] == [("A", "CEO"), ("B", None)]
    results = collections(sf, "DELETE", ids=f"{ids[0]},{ids[0]}", allOrNone="false")
    assert results[0]["success"] and results[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    got = collections(
        sf, "POST", {"ids": ids, "fields": ["LastName"]}, path="composite/sobjects/Lead"
    )
    assert got[0] is None and got[1]["LastName"] == "B"


def test_upsert_by_external_id(control):
    from .conftest import login

    info = control.reset(
        "empty",
        custom_fields={
            "Lead": [
                {
                    "name": "Ext__c",
                    "type": "string",
                    "length": 20,
                    "externalId": True,
                    "unique": True,
                }
            ]
        },
    )
    sf = login(info)
    body = {"allOrNone": False, "records": [lead("One", Ext__c="1"), lead("Two", Ext__c="2")]}
    first = collections(sf, "PATCH", body, path="composite/sobjects/Lead/Ext__c")
    assert [r["created"] for r in first] == [True, True]
    body["records"][0]["LastName"] = "Uno"
    second = collections(sf, "PATCH", body, path="composite/sobjects/Lead/Ext__c")
    assert [r["created"] for r in second] == [False, False]
    assert [r["id"] for r in second] == [r["id"] for r in first]
    assert (
        sf.query("SELECT LastName FROM Lead WHERE Ext__c = '1'")["records"][0]["LastName"] == "Uno"
    )


def test_more_than_200_records_is_refused(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        collections(sf, "POST", {"records": [lead(f"L{i}") for i in range(201)]})
    assert caught.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0
