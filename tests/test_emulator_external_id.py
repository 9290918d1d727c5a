"""Our external id LGCRM_Id__c (Text(40), External ID, Unique, case-insensitive): an org seeded
without it and with it; uniqueness on create, update and upsert over REST, sObject Collections
and Bulk API 2.0 ingest; describe's flags."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, EXTERNAL_ID_FIELD, LEAD_CUSTOM_FIELDS

from .conftest import login
from .soap_partner import Partner

WAIT = 0.05  # simple-salesforce sleeps this long before polling a Bulk job
FIELD = "LGCRM_Id__c"


@pytest.fixture
def with_field(control):
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    return info, login(info)


def duplicate_message(record_id: str) -> str:
    return f"duplicate value found: {FIELD} duplicates value on record with id: {record_id[:15]}"


def test_seeds_without_and_with_the_field(control):
    sf = login(control.reset("empty"))
    assert FIELD not in {f["name"] for f in sf.Lead.describe()["fields"]}
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Lead.upsert(f"{FIELD}/lg-1", {"LastName": "L", "Company": "C"})
    assert caught.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful(f"composite/sobjects/Lead/{FIELD}", method="PATCH", json={"records": []})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful(
            "jobs/ingest",
            method="POST",
            json={"object": "Lead", "operation": "upsert", "externalIdFieldName": FIELD},
        )
    assert caught.value.content[0]["errorCode"] == "INVALIDJOB"

    assert EXTERNAL_ID_FIELD in LEAD_CUSTOM_FIELDS and EXTERNAL_ID_FIELD in CONTACT_CUSTOM_FIELDS
    sf = login(control.reset("demo"))
    for describe in (sf.Lead.describe(), sf.Contact.describe()):
        field = {f["name"]: f for f in describe["fields"]}[FIELD]
        assert (field["type"], field["length"], field["custom"]) == ("string", 40, True)
        assert field["externalId"] and field["unique"] and field["idLookup"]
        assert field["caseSensitive"] is False
    assert {f["name"]: f for f in sf.Lead.describe()["fields"]}["Email"]["caseSensitive"] is False


def test_rest_upsert_matches_ignoring_case_and_create_refuses_a_duplicate(with_field):
    _, sf = with_field
    created = sf.Lead.upsert(
        f"{FIELD}/lg-1", {"LastName": "One", "Company": "C"}, raw_response=True
    )
    assert created.status_code == 201 and created.json()["created"] is True
    first = created.json()["id"]
    again = sf.Lead.upsert(f"{FIELD}/LG-1", {"Title": "CEO"}, raw_response=True)
    assert again.status_code == 200 and again.json() == {
        "id": first,
        "success": True,
        "errors": [],
        "created": False,
    }
    assert sf.Lead.get(first)["Title"] == "CEO" and sf.Lead.get(first)[FIELD] == "lg-1"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "Two", "Company": "C", FIELD: "Lg-1"})
    assert caught.value.content == [
        {"message": duplicate_message(first), "errorCode": "DUPLICATE_VALUE", "fields": []}
    ]
    second = sf.Lead.create({"LastName": "Two", "Company": "C", FIELD: "lg-2"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(second, {FIELD: "LG-1"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    assert sf.Lead.get(second)[FIELD] == "lg-2"
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def test_a_deleted_record_frees_its_value_until_it_is_undeleted(with_field):
    info, sf = with_field
    old = sf.Lead.create({"LastName": "Old", "Company": "C", FIELD: "lg-9"})["id"]
    sf.Lead.delete(old)
    new = sf.Lead.create({"LastName": "New", "Company": "C", FIELD: "LG-9"})["id"]
    [result] = Partner(info).undelete([old])
    assert result["success"] is False
    assert result["errors"] == [
        {"statusCode": "DUPLICATE_VALUE", "message": duplicate_message(new), "fields": []}
    ]
    assert sf.query_all(f"SELECT IsDeleted FROM Lead WHERE Id = '{old}'", True)["records"][0][
        "IsDeleted"
    ]


def test_collections_upsert_by_the_external_id(with_field):
    _, sf = with_field
    existing = sf.Lead.create({"LastName": "Existing", "Company": "C", FIELD: "lg-1"})["id"]

    def lead(value, name):
        return {"attributes": {"type": "Lead"}, FIELD: value, "LastName": name, "Company": "C"}

    results = sf.restful(
        f"composite/sobjects/Lead/{FIELD}",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                lead("lg-2", "New"),
                lead("LG-1", "Updated"),
                lead("lg-3", "Twice A"),
                lead("LG-3", "Twice B"),
            ],
        },
    )
    assert [(r["success"], r.get("created")) for r in results[:2]] == [(True, True), (True, False)]
    assert results[1]["id"] == existing
    assert sf.Lead.get(existing)["LastName"] == "Updated"
    for result, value in zip(results[2:], ("lg-3", "LG-3"), strict=True):
        assert result["success"] is False
        assert result["errors"] == [
            {
                "statusCode": "DUPLICATE_VALUE",
                "message": f"Duplicate external id specified: {value}",
                "fields": [FIELD],
            }
        ]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2

    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"records": [lead("lg-4", "Fresh"), lead("Lg-2", "Copy")]},
    )
    assert created[0]["success"] and not created[1]["success"]
    assert created[1]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert created[1]["errors"][0]["message"] == duplicate_message(results[0]["id"])


def test_bulk_ingest_upsert_by_the_external_id(with_field):
    _, sf = with_field
    existing = sf.Lead.create({"LastName": "Existing", "Company": "C", FIELD: "lg-1"})["id"]
    [job] = sf.bulk2.Lead.upsert(
        records=[
            {FIELD: "lg-2", "LastName": "New", "Company": "C"},
            {FIELD: "LG-1", "LastName": "Updated", "Company": "C"},
            {FIELD: "lg-3", "LastName": "Twice A", "Company": "C"},
            {FIELD: "lg-3", "LastName": "Twice B", "Company": "C"},
        ],
        external_id_field=FIELD,
        wait=WAIT,
    )
    assert job["numberRecordsProcessed"] == 4 and job["numberRecordsFailed"] == 2
    ok = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_successful_records(job["job_id"]))))
    assert [(r["LastName"], r["sf__Created"]) for r in ok] == [
        ("New", "true"),
        ("Updated", "false"),
    ]
    assert ok[1]["sf__Id"] == existing and sf.Lead.get(existing)["LastName"] == "Updated"
    failed = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_failed_records(job["job_id"]))))
    assert [r["sf__Error"] for r in failed] == [
        f"DUPLICATE_VALUE:Duplicate external id specified: lg-3:{FIELD} --"
    ] * 2

    [job] = sf.bulk2.Lead.insert(
        records=[{FIELD: "LG-2", "LastName": "Copy", "Company": "C"}], wait=WAIT
    )
    failed = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_failed_records(job["job_id"]))))
    assert failed[0]["sf__Error"].startswith("DUPLICATE_VALUE:duplicate value found: LGCRM_Id__c")
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def test_a_case_sensitive_unique_field_tells_case_apart(control):
    spec = dict(EXTERNAL_ID_FIELD, name="Exact_Id__c", caseSensitive=True)
    sf = login(control.reset("empty", custom_fields={"Contact": [spec]}))
    assert {f["name"]: f for f in sf.Contact.describe()["fields"]}["Exact_Id__c"]["caseSensitive"]
    lower = sf.Contact.create({"LastName": "a", "Exact_Id__c": "abc"})["id"]
    upper = sf.Contact.create({"LastName": "A", "Exact_Id__c": "ABC"})["id"]
    assert lower != upper
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "again", "Exact_Id__c": "abc"})
    assert caught.value.content[0]["message"] == (
        f"duplicate value found: Exact_Id__c duplicates value on record with id: {lower[:15]}"
    )
    updated = sf.Contact.upsert("Exact_Id__c/ABC", {"Title": "x"}, raw_response=True)
    assert updated.status_code == 200 and updated.json()["id"] == upper
