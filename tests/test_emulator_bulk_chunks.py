"""Bulk API 2.0 ingest runs its rows in chunks of 200, as Salesforce does: a failing row fails
alone (the rows before and after it in its chunk are applied), results keep the upload's order,
and the counters count every row once. Over raw HTTP, so that rows can be malformed."""

from __future__ import annotations

import csv
import io
import time

from lgcrm_sf.emulator.seed import EXTERNAL_ID_FIELD

from .conftest import login

FIELD = "LGCRM_Id__c"


def run_job(sf, spec: dict, data: str) -> dict:
    base = f"{sf.base_url}jobs/ingest"
    job = sf.session.post(base, headers=sf.headers, json={"object": "Lead", **spec}).json()
    url = f"{base}/{job['id']}"
    headers = dict(sf.headers, **{"Content-Type": "text/csv"})
    assert sf.session.put(f"{url}/batches", data=data.encode(), headers=headers).ok
    sf.session.patch(url, headers=sf.headers, json={"state": "UploadComplete"}).raise_for_status()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        info = sf.session.get(url, headers=sf.headers).json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            return info
        time.sleep(0.05)  # polling, as a client does, until the deadline
    raise AssertionError(f"job {job['id']} still {info['state']}")


def results(sf, job: dict, name: str) -> list[dict]:
    text = sf.session.get(f"{sf.base_url}jobs/ingest/{job['id']}/{name}", headers=sf.headers)
    return list(csv.DictReader(io.StringIO(text.text)))


def leads_csv(rows: list[list[str]], header=("LastName", "Company", "Title", FIELD)) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(header), *rows])
    return out.getvalue()


def test_one_failing_row_per_kind_fails_alone_among_500(control):
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    control.add_validation_rule("Lead", "No_Bad", "Title = 'Bad'", "Bad title", "Title")
    sf = login(info)
    rows = [[f"Lead {i}", "C", "T", f"lg-{i}"] for i in range(500)]
    rows[137][0] = "x" * 81  # LastName is 80 long: STRING_TOO_LONG
    rows[250][3] = "LG-10"  # the id of row 10, in the chunk before: DUPLICATE_VALUE
    rows[399][3] = "lg-398"  # the row just before it, same chunk, was applied first
    rows[460][2] = "Bad"  # the validation rule: FIELD_CUSTOM_VALIDATION_EXCEPTION
    rows[300] = ["Short row", "C"]  # fewer columns than the header
    job = run_job(sf, {"operation": "insert"}, leads_csv(rows))
    assert (job["state"], job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (
        "JobComplete",
        500,
        5,
    )
    failed = results(sf, job, "failedResults")
    assert [(r["LastName"], r["sf__Error"].split(":")[0]) for r in failed] == [
        ("x" * 81, "STRING_TOO_LONG"),
        ("Lead 250", "DUPLICATE_VALUE"),
        ("Short row", "INVALID_ROW"),
        ("Lead 399", "DUPLICATE_VALUE"),
        ("Lead 460", "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
    ]
    assert failed[4]["sf__Error"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION:Bad title:Title --"
    ok = results(sf, job, "successfulResults")
    kept = [i for i in range(500) if i not in (137, 250, 300, 399, 460)]
    assert [r["LastName"] for r in ok] == [f"Lead {i}" for i in kept]
    assert {r["sf__Created"] for r in ok} == {"true"}
    stored = sf.query_all(f"SELECT Id, LastName, {FIELD} FROM Lead")["records"]
    assert {r["Id"]: r["LastName"] for r in stored} == {r["sf__Id"]: r["LastName"] for r in ok}
    assert results(sf, job, "unprocessedrecords") == []


def test_upsert_chunks_create_update_and_refuse_repeats(control):
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    sf = login(info)
    first = run_job(
        sf,
        {"operation": "upsert", "externalIdFieldName": FIELD},
        leads_csv([[f"Lead {i}", "C", "T", f"lg-{i}"] for i in range(300)]),
    )
    assert (first["numberRecordsProcessed"], first["numberRecordsFailed"]) == (300, 0)
    created = {r[FIELD]: r["sf__Id"] for r in results(sf, first, "successfulResults")}
    # Every other lead again, ids in upper case, Title empty ("leave as is"); from lg-300 on
    # they are new.
    rows = [[f"Again {i}", "D", "", f"LG-{i}"] for i in range(0, 400, 2)]
    rows[5][3] = "lg-12"  # lg-12 twice in the first chunk of 200: both refused
    rows[150][1] = "#N/A"  # LG-300 is new and Company is required: it can't be null
    second = run_job(sf, {"operation": "upsert", "externalIdFieldName": FIELD}, leads_csv(rows))
    assert (second["numberRecordsProcessed"], second["numberRecordsFailed"]) == (200, 3)
    failed = results(sf, second, "failedResults")
    assert [(r[FIELD], r["sf__Error"].split(":")[0]) for r in failed] == [
        ("lg-12", "DUPLICATE_VALUE"),
        ("LG-12", "DUPLICATE_VALUE"),
        ("LG-300", "REQUIRED_FIELD_MISSING"),
    ]
    ok = results(sf, second, "successfulResults")
    assert len(ok) == 148 + 49  # updates of lg-0..298 but 10 and 12; LG-302..398 created
    for row in ok:
        number = int(row[FIELD].split("-")[1])
        assert row["sf__Created"] == ("true" if number >= 300 else "false"), row
        if number < 300:
            assert row["sf__Id"] == created[f"lg-{number}"]
    records = sf.query_all(f"SELECT {FIELD}, LastName, Company, Title FROM Lead")["records"]
    stored = {r[FIELD]: r for r in records}
    assert len(stored) == 300 + 49 and "LG-300" not in stored
    assert stored["lg-12"]["LastName"] == "Lead 12"
    assert (stored["lg-14"]["LastName"], stored["lg-14"]["Company"]) == ("Again 14", "D")
    assert stored["lg-14"]["Title"] == "T" and stored["LG-302"]["Title"] is None
