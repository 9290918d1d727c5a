"""Bulk API 2.0 query and ingest jobs through simple-salesforce's bulk2 client."""

from __future__ import annotations

import csv
import io
import re

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceOperationError

WAIT = 0.05  # simple-salesforce sleeps this long before polling a job


def rows_of(pages) -> list[dict]:
    out = []
    for page in pages:
        out.extend(csv.DictReader(io.StringIO(page)))
    return out


def test_query_streams_pages_with_locators(sf, control):
    control.generate("Lead", 2500)
    pages = list(
        sf.bulk2.Lead.query(
            "SELECT Id, Email, DoNotCall, CreatedDate FROM Lead", max_records=1000, wait=WAIT
        )
    )
    assert [len(list(csv.DictReader(io.StringIO(p)))) for p in pages] == [1000, 1000, 500]
    rows = rows_of(pages)
    assert len({r["Id"] for r in rows}) == 2500
    assert rows[0]["DoNotCall"] == "false" and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rows[0]["CreatedDate"]
    )
    assert pages[0].startswith('"Id","Email","DoNotCall","CreatedDate"\n')


def test_query_values_survive_csv(sf, org):
    tricky = ['vírgula, aspas "duplas"', "linha 1\nlinha 2", "日本語の会社", "", "x" * 255]
    for i, text in enumerate(tricky):
        sf.Lead.create({"LastName": f"L{i}", "Company": "C", "Description": text or None})
    rows = rows_of(
        sf.bulk2.Lead.query(
            "SELECT LastName, Description, Owner.Username FROM Lead ORDER BY LastName",
            max_records=2,
            wait=WAIT,
        )
    )
    assert [r["Description"] for r in rows] == tricky
    assert rows[0]["Owner.Username"] == org["username"]


def test_query_all_includes_deleted_rows(sf):
    gone = sf.Lead.create({"LastName": "Gone", "Company": "C"})["id"]
    sf.Lead.create({"LastName": "Kept", "Company": "C"})
    sf.Lead.delete(gone)
    live = rows_of(sf.bulk2.Lead.query("SELECT Id FROM Lead", wait=WAIT))
    everything = rows_of(sf.bulk2.Lead.query_all("SELECT Id, IsDeleted FROM Lead", wait=WAIT))
    assert gone not in {r["Id"] for r in live}
    assert {r["Id"]: r["IsDeleted"] for r in everything}[gone] == "true"


def test_query_job_errors(sf, control):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        list(sf.bulk2.Lead.query("SELECT Nope FROM Lead", wait=WAIT))
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest):
        list(sf.bulk2.Lead.query("SELECT COUNT() FROM Lead", wait=WAIT))
    control.settings(fail_next_bulk_jobs=1, fail_bulk_message="InternalServerError: try later")
    with pytest.raises(SalesforceOperationError, match="try later"):
        list(sf.bulk2.Lead.query("SELECT Id FROM Lead", wait=WAIT))


def test_ingest_insert_reports_failed_rows(sf):
    records = [
        {"LastName": "Good", "Company": "C", "Email": "g@x.com"},
        {"LastName": "x" * 81, "Company": "C", "Email": "b@x.com"},
        {"LastName": "NoCompany", "Company": "", "Email": "n@x.com"},
    ]
    [result] = sf.bulk2.Lead.insert(records=records, wait=WAIT)
    assert result["numberRecordsProcessed"] == 3 and result["numberRecordsFailed"] == 2
    ok = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_successful_records(result["job_id"]))))
    assert ok[0]["sf__Created"] == "true" and ok[0]["LastName"] == "Good"
    failed = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_failed_records(result["job_id"]))))
    assert failed[0]["sf__Error"].startswith("STRING_TOO_LONG:")
    assert failed[1]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    unprocessed = sf.bulk2.Lead.get_unprocessed_records(result["job_id"]).strip().split("\n")
    assert len(unprocessed) == 1  # the header only: every row was processed
    assert set(unprocessed[0].replace('"', "").split(",")) == {"LastName", "Company", "Email"}
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_ingest_update_upsert_and_delete(control):
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
    [up] = sf.bulk2.Lead.upsert(
        records=[
            {"Ext__c": "1", "LastName": "One", "Company": "C"},
            {"Ext__c": "2", "LastName": "Two", "Company": "C"},
        ],
        external_id_field="Ext__c",
        wait=WAIT,
    )
    assert up["numberRecordsFailed"] == 0
    ids = {r["LastName"]: r["Id"] for r in sf.query("SELECT Id, LastName FROM Lead")["records"]}
    [upd] = sf.bulk2.Lead.update(
        records=[
            {"Id": ids["One"], "Title": "CEO", "Company": ""},
            {"Id": ids["Two"], "Title": "#N/A"},
        ],
        wait=WAIT,
    )
    assert upd["numberRecordsFailed"] == 0
    one = sf.Lead.get(ids["One"])
    assert one["Title"] == "CEO" and one["Company"] == "C"  # empty means "leave as is"
    [dele] = sf.bulk2.Lead.delete(records=[{"Id": ids["Two"]}], wait=WAIT)
    assert dele["numberRecordsProcessed"] == 1
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_ingest_job_lifecycle_over_raw_http(sf):
    base = f"{sf.base_url}jobs/ingest"
    job = sf.session.post(
        base, headers=sf.headers, json={"object": "Contact", "operation": "insert"}
    ).json()
    assert job["state"] == "Open" and job["contentUrl"].endswith("/batches")
    put = sf.session.put(
        f"{base}/{job['id']}/batches",
        data=b"LastName\nA\nB\n",
        headers=dict(sf.headers, **{"Content-Type": "text/csv"}),
    )
    assert put.status_code == 201
    again = sf.session.put(
        f"{base}/{job['id']}/batches",
        data=b"LastName\nC\n",
        headers=dict(sf.headers, **{"Content-Type": "text/csv"}),
    )
    assert again.status_code == 400
    aborted = sf.session.patch(f"{base}/{job['id']}", headers=sf.headers, json={"state": "Aborted"})
    assert aborted.json()["state"] == "Aborted"
    listed = sf.session.get(base, headers=sf.headers).json()
    assert job["id"] in [j["id"] for j in listed["records"]]
