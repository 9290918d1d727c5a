"""Bulk API 1.0 (/services/async/{version}/): jobs, batches, results, PK chunking and errors,
in XML and JSON, as Salesforce documents them."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest

from .conftest import http_session

NS = "http://www.force.com/2009/06/asyncapi/dataload"
N = f"{{{NS}}}"


class Bulk1:
    """A thin raw client: the wire format is what is under test."""

    def __init__(self, info, sf, version="62.0"):
        self.http = http_session(info)
        self.base = f"{info['instance_url']}/services/async/{version}"
        self.token = sf.session_id

    def call(self, method, path, data=None, content_type="application/xml", headers=None):
        all_headers = {
            "X-SFDC-Session": self.token,
            "Content-Type": f"{content_type}; charset=UTF-8",
        }
        all_headers.update(headers or {})
        return self.http.request(method, self.base + path, data=data, headers=all_headers)

    def create(self, operation, obj, content="CSV", extra="", headers=None):
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="{NS}">'
            f"<operation>{operation}</operation><object>{obj}</object>{extra}"
            f"<contentType>{content}</contentType></jobInfo>"
        )
        response = self.call("POST", "/job", body, headers=headers)
        assert response.status_code == 201, response.text
        return ET.fromstring(response.content)

    def add(self, job_id, data, media="text/csv"):
        response = self.call("POST", f"/job/{job_id}/batch", data, content_type=media)
        assert response.status_code == 201, response.text
        return response

    def close(self, job_id):
        body = f'<jobInfo xmlns="{NS}"><state>Closed</state></jobInfo>'
        response = self.call("POST", f"/job/{job_id}", body)
        assert response.status_code == 200, response.text
        return ET.fromstring(response.content)

    def batch(self, job_id, batch_id):
        return ET.fromstring(self.call("GET", f"/job/{job_id}/batch/{batch_id}").content)

    def wait(self, job_id, batch_id, states=("Completed", "Failed", "NotProcessed")):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = self.batch(job_id, batch_id)
            if info.findtext(f"{N}state") in states:
                return info
            time.sleep(0.05)
        raise AssertionError(f"batch {batch_id} still {info.findtext(f'{N}state')}")


@pytest.fixture
def bulk(org, sf):
    return Bulk1(org, sf)


def test_csv_insert_job_from_open_to_results(bulk, sf):
    job = bulk.create("insert", "Lead")
    assert job.tag == f"{N}jobInfo"
    job_id = job.findtext(f"{N}id")
    assert job_id.startswith("750") and job.findtext(f"{N}state") == "Open"
    assert job.findtext(f"{N}concurrencyMode") == "Parallel"
    assert job.findtext(f"{N}createdDate").endswith(".000Z") or job.findtext(
        f"{N}createdDate"
    ).endswith("Z")
    queued = ET.fromstring(
        bulk.add(
            job_id,
            "LastName,Company,Email\nSouza,Acme,ana@acme.example\nLima,Beta,not-an-email\n"
            ",Gama,sem@nome.example\n",
        ).content
    )
    batch_id = queued.findtext(f"{N}id")
    assert queued.findtext(f"{N}state") == "Queued" and queued.findtext(f"{N}jobId") == job_id
    assert bulk.close(job_id).findtext(f"{N}state") == "Closed"
    done = bulk.wait(job_id, batch_id)
    assert done.findtext(f"{N}state") == "Completed"
    assert (
        done.findtext(f"{N}numberRecordsProcessed"),
        done.findtext(f"{N}numberRecordsFailed"),
    ) == ("3", "2")
    info = ET.fromstring(bulk.call("GET", f"/job/{job_id}").content)
    assert info.findtext(f"{N}numberBatchesCompleted") == "1"
    assert info.findtext(f"{N}numberBatchesTotal") == "1"
    assert info.findtext(f"{N}numberRecordsFailed") == "2"
    result = bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result")
    assert result.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(result.text)))
    assert rows[0] == ["Id", "Success", "Created", "Error"]
    assert rows[1][1:3] == ["true", "true"] and rows[1][0].startswith("00Q")
    assert rows[2][:3] == ["", "false", "false"] and rows[2][3].startswith("INVALID_EMAIL_ADDRESS:")
    assert rows[3][3].startswith("REQUIRED_FIELD_MISSING:") and rows[3][3].endswith("LastName --")
    assert (
        sf.query(f"SELECT Email FROM Lead WHERE Id = '{rows[1][0]}'")["records"][0]["Email"]
        == "ana@acme.example"
    )
    request = bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/request")
    assert request.text.startswith("LastName,Company,Email\nSouza")


def test_json_job_answers_in_json(bulk, sf):
    created = bulk.call(
        "POST",
        "/job",
        json.dumps({"operation": "insert", "object": "Account", "contentType": "JSON"}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.headers["Content-Type"] == "application/json"
    job = created.json()
    assert (job["state"], job["contentType"], job["apiVersion"]) == ("Open", "JSON", 62.0)
    batch = bulk.add(
        job["id"], json.dumps([{"Name": "Conta JSON", "NumberOfEmployees": 12}]), "application/json"
    ).json()
    assert batch["state"] == "Queued"
    deadline = time.monotonic() + 30
    while bulk.call("GET", f"/job/{job['id']}/batch/{batch['id']}").json()["state"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    listed = bulk.call("GET", f"/job/{job['id']}/batch").json()
    assert [b["id"] for b in listed["batchInfo"]] == [batch["id"]]
    results = bulk.call("GET", f"/job/{job['id']}/batch/{batch['id']}/result").json()
    assert results[0]["success"] is True and results[0]["created"] is True
    record = sf.Account.get(results[0]["id"])
    assert (record["Name"], record["NumberOfEmployees"]) == ("Conta JSON", 12)


def test_query_and_query_all_results_in_csv(bulk, sf, control):
    ids = [control.create("Lead", {"LastName": f"Q{i}", "Company": "Q"}) for i in range(3)]
    control.delete("Lead", ids[0])
    for operation, expected in (("query", set(ids[1:])), ("queryAll", set(ids))):
        job_id = bulk.create(operation, "Lead").findtext(f"{N}id")
        batch_id = ET.fromstring(
            bulk.add(job_id, "SELECT Id, LastName, IsDeleted, CreatedDate FROM Lead").content
        ).findtext(f"{N}id")
        bulk.close(job_id)
        assert bulk.wait(job_id, batch_id).findtext(f"{N}state") == "Completed"
        listing = ET.fromstring(bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result").content)
        assert listing.tag == f"{N}result-list"
        result_ids = [r.text for r in listing.findall(f"{N}result")]
        assert len(result_ids) == 1 and result_ids[0].startswith("752")
        data = bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result/{result_ids[0]}").text
        rows = list(csv.DictReader(io.StringIO(data)))
        assert {r["Id"] for r in rows} == expected
        assert data.splitlines()[0] == '"Id","LastName","IsDeleted","CreatedDate"'
        assert all(
            r["CreatedDate"].endswith("Z") and r["IsDeleted"] in ("true", "false") for r in rows
        )


def test_json_query_results_give_dates_in_epoch_milliseconds(bulk, sf, control):
    control.create(
        "Opportunity", {"Name": "Op", "StageName": "Prospecting", "CloseDate": "2026-03-01"}
    )
    job = bulk.call(
        "POST",
        "/job",
        json.dumps({"operation": "query", "object": "Opportunity", "contentType": "JSON"}),
        content_type="application/json",
    ).json()
    batch = bulk.add(
        job["id"],
        "SELECT Name, CloseDate, IsClosed, Owner.Name FROM Opportunity",
        "application/json",
    ).json()
    deadline = time.monotonic() + 30
    while bulk.call("GET", f"/job/{job['id']}/batch/{batch['id']}").json()["state"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    result_ids = bulk.call("GET", f"/job/{job['id']}/batch/{batch['id']}/result").json()
    records = bulk.call(
        "GET", f"/job/{job['id']}/batch/{batch['id']}/result/{result_ids[0]}"
    ).json()
    assert records[0]["Name"] == "Op" and records[0]["IsClosed"] is False
    assert records[0]["CloseDate"] == 1772323200000  # 2026-03-01T00:00:00Z
    assert records[0]["Owner"]["attributes"]["type"] == "User" and records[0]["Owner"]["Name"]


def test_update_upsert_and_delete(bulk, sf, control, org):
    control.add_custom_field("Lead", name="Ext__c", type="string", externalId=True, unique=True)
    lead = control.create("Lead", {"LastName": "Antes", "Company": "X", "Ext__c": "E1"})
    for operation, extra, data, check in (
        ("update", "", f"Id,LastName,Title\n{lead},Depois,CEO\n", lambda r: r["Title"] == "CEO"),
        (
            "upsert",
            "<externalIdFieldName>Ext__c</externalIdFieldName>",
            "Ext__c,Title,LastName,Company\nE1,#N/A,,\nE2,Novo,Novo,Firma\n",
            None,
        ),
        ("delete", "", f"Id\n{lead}\n", None),
    ):
        job_id = bulk.create(operation, "Lead", extra=extra).findtext(f"{N}id")
        batch_id = ET.fromstring(bulk.add(job_id, data).content).findtext(f"{N}id")
        bulk.close(job_id)
        done = bulk.wait(job_id, batch_id)
        assert done.findtext(f"{N}numberRecordsFailed") == "0", operation
        if check:
            assert check(sf.Lead.get(lead))
        if operation == "upsert":
            rows = list(
                csv.reader(
                    io.StringIO(bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result").text)
                )
            )
            assert [r[1:3] for r in rows[1:]] == [["true", "false"], ["true", "true"]]
            created = sf.query("SELECT LastName, Title FROM Lead WHERE Ext__c = 'E2'")["records"]
            assert [(r["LastName"], r["Title"]) for r in created] == [("Novo", "Novo")]
            kept = sf.Lead.get(lead)  # an empty value leaves the field; #N/A sets it to null
            assert (kept["LastName"], kept["Title"]) == ("Depois", None)
    assert sf.query(f"SELECT COUNT() FROM Lead WHERE Id = '{lead}'")["totalSize"] == 0


def test_pk_chunking_splits_the_query_by_id_ranges(bulk, control):
    control.generate("Lead", 250)
    job = bulk.create("query", "Lead", headers={"Sforce-Enable-PKChunking": "chunkSize=100"})
    job_id = job.findtext(f"{N}id")
    original = ET.fromstring(bulk.add(job_id, "SELECT Id FROM Lead").content)
    assert original.findtext(f"{N}state") == "NotProcessed"
    deadline = time.monotonic() + 30
    while True:
        listing = ET.fromstring(bulk.call("GET", f"/job/{job_id}/batch").content)
        states = {b.findtext(f"{N}id"): b.findtext(f"{N}state") for b in listing}
        if all(s in ("Completed", "NotProcessed") for s in states.values()):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    chunks = [b for b, s in states.items() if s == "Completed"]
    assert len(chunks) == 3 and states[original.findtext(f"{N}id")] == "NotProcessed"
    seen = []
    for batch_id in chunks:
        listing = ET.fromstring(bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result").content)
        result_id = listing.find(f"{N}result").text
        text = bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result/{result_id}").text
        seen += [r["Id"] for r in csv.DictReader(io.StringIO(text))]
        request = bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/request").text
        assert "Id >= '" in request
    assert len(seen) == len(set(seen)) == 250


def test_errors_are_exception_documents(bulk, org):
    response = bulk.call("GET", "/job/750000000000000AAA")
    root = ET.fromstring(response.content)
    assert response.status_code == 400 and root.tag == f"{N}error"
    assert root.findtext(f"{N}exceptionCode") == "InvalidJob"
    body = f'<jobInfo xmlns="{NS}"><operation>insert</operation><object>Nada__c</object></jobInfo>'
    missing = ET.fromstring(bulk.call("POST", "/job", body).content)
    assert missing.findtext(f"{N}exceptionMessage") == "Unable to find object: Nada__c"
    as_json = bulk.call("GET", "/job/750000000000000AAA", content_type="application/json")
    assert as_json.headers["Content-Type"] == "application/json"
    assert as_json.json()["exceptionCode"] == "InvalidJob"
    bulk.token = "00D000000000000!ARbogus"
    expired = bulk.call("GET", "/job/750000000000000AAA")
    assert expired.status_code == 400
    assert b"<exceptionCode>InvalidSessionId</exceptionCode>" in expired.content


def test_closed_and_aborted_jobs_take_no_batches(bulk):
    job_id = bulk.create("insert", "Account").findtext(f"{N}id")
    bulk.close(job_id)
    refused = bulk.call("POST", f"/job/{job_id}/batch", "Name\nX\n", content_type="text/csv")
    assert refused.status_code == 400
    assert ET.fromstring(refused.content).findtext(f"{N}exceptionCode") == "InvalidJobState"
    other = bulk.create("insert", "Account").findtext(f"{N}id")
    body = f'<jobInfo xmlns="{NS}"><state>Aborted</state></jobInfo>'
    assert (
        ET.fromstring(bulk.call("POST", f"/job/{other}", body).content).findtext(f"{N}state")
        == "Aborted"
    )
    again = bulk.call("POST", f"/job/{other}", body)
    assert ET.fromstring(again.content).findtext(f"{N}exceptionCode") == "InvalidJobState"


def test_failed_batches_say_why(bulk, control):
    job_id = bulk.create("query", "Lead").findtext(f"{N}id")
    bad = ET.fromstring(bulk.add(job_id, "SELECT Nope FROM Lead").content).findtext(f"{N}id")
    failed = bulk.wait(job_id, bad)
    assert failed.findtext(f"{N}state") == "Failed"
    assert failed.findtext(f"{N}stateMessage").startswith(
        "InvalidBatch : Failed to process query: INVALID_FIELD"
    )
    not_done = bulk.call("GET", f"/job/{job_id}/batch/{bad}/result")
    assert ET.fromstring(not_done.content).findtext(f"{N}exceptionCode") == "InvalidBatch"
    load = bulk.create("insert", "Lead").findtext(f"{N}id")
    unknown = ET.fromstring(bulk.add(load, "LastName,Nope__c\nA,B\n").content).findtext(f"{N}id")
    assert (
        bulk.wait(load, unknown).findtext(f"{N}stateMessage")
        == "InvalidBatch : Field name not found : Nope__c"
    )
    control.settings(fail_next_bulk_jobs=1)
    broken = ET.fromstring(bulk.add(load, "LastName,Company\nA,B\n").content).findtext(f"{N}id")
    assert bulk.wait(load, broken).findtext(f"{N}state") == "Failed"


def test_xml_batches_load_and_query(bulk, sf):
    job_id = bulk.create("insert", "Account", content="XML").findtext(f"{N}id")
    data = (
        f'<?xml version="1.0" encoding="UTF-8"?><sObjects xmlns="{NS}">'
        "<sObject><Name>Conta XML</Name><NumberOfEmployees>7</NumberOfEmployees></sObject>"
        "</sObjects>"
    )
    batch_id = ET.fromstring(bulk.add(job_id, data, "application/xml").content).findtext(f"{N}id")
    bulk.wait(job_id, batch_id)
    results = ET.fromstring(bulk.call("GET", f"/job/{job_id}/batch/{batch_id}/result").content)
    assert results.tag == f"{N}results"
    assert results.find(f"{N}result").findtext(f"{N}success") == "true"
    query = bulk.create("query", "Account", content="XML").findtext(f"{N}id")
    batch_id = ET.fromstring(
        bulk.add(query, "SELECT Name, NumberOfEmployees FROM Account", "application/xml").content
    ).findtext(f"{N}id")
    bulk.wait(query, batch_id)
    result_id = ET.fromstring(bulk.call("GET", f"/job/{query}/batch/{batch_id}/result").content)[
        0
    ].text
    page = ET.fromstring(
        bulk.call("GET", f"/job/{query}/batch/{batch_id}/result/{result_id}").content
    )
    assert page.tag == f"{N}queryResult"
    record = page.find(f"{N}records")
    assert (record.findtext(f"{N}type"), record.findtext(f"{N}Name")) == ("Account", "Conta XML")
