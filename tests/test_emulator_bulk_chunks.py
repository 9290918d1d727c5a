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


# --- chunks checked and written at once (bulk_batch.py) and the chunks that go row by row ---

OWNED = ("LastName", "Company", "Title", FIELD, "OwnerId")
LEAD_COLUMNS = (
    "Id, Name, LastName, Company, Title, Status, OwnerId, CreatedById, LastModifiedById, "
    f"CreatedDate, LastModifiedDate, SystemModstamp, IsUnreadByOwner, {FIELD}"
)


def lead_table(sf) -> list[dict]:
    """Every lead, in the order the org stores them."""
    return sf.query_all(f"SELECT {LEAD_COLUMNS} FROM Lead")["records"]


def all_results(sf, job: dict) -> tuple:
    names = ("successfulResults", "failedResults", "unprocessedrecords")
    counts = (job["state"], job["numberRecordsProcessed"], job["numberRecordsFailed"])
    return counts, *(results(sf, job, name) for name in names)


def user_ids(sf, info: dict) -> tuple[str, str]:
    """(the API user's id, an inactive user's id)."""
    me = sf.query(f"SELECT Id, ProfileId FROM User WHERE Username = '{info['username']}'")
    me = me["records"][0]
    return me["Id"], me["ProfileId"]


def test_chunks_written_at_once_match_row_by_row(control):
    """The same jobs on the same org, once as they run and once with an active validation rule
    that matches no lead (an active rule sends every chunk row by row): the same results,
    ids, stamps and stored leads."""
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    control.clock(now="2026-05-04T12:00:00Z")
    sf = login(info)
    owner, _ = user_ids(sf, info)
    setup = run_job(
        sf,
        {"operation": "insert"},
        leads_csv([[f"Old {i}", "C", "T", f"lg-{i}"] for i in range(60)]),
    )
    old_ids = [r["sf__Id"] for r in results(sf, setup, "successfulResults")]
    control.snapshot("chunks-before")
    inserts = [[f"New {i}", "D", "", f"new-{i}", owner if i % 3 else ""] for i in range(450)]
    inserts[300][1] = "#N/A"  # Company is required: the third chunk goes row by row
    upserts = [[f"Up {i}", "E", "" if i % 2 else "U", f"LG-{i}"] for i in range(0, 60, 2)]
    upserts += [[f"Made {i}", "F", "M", f"made-{i}"] for i in range(170)]
    updates = [[old_ids[i][:15] if i % 2 else old_ids[i], f"Upd {i}", "#N/A"] for i in range(60)]
    updates.append([old_ids[1], "Upd twice", "Again"])  # the same lead twice in one chunk
    runs = []
    for rule in (False, True):
        info = control.restore("chunks-before")
        control.clock(now="2026-05-05T08:00:00Z")
        if rule:
            control.add_validation_rule("Lead", "Never", "LastName = 'no such'", "never", "Title")
        sf = login(info)
        upsert = {"operation": "upsert", "externalIdFieldName": FIELD}
        jobs = [
            run_job(sf, {"operation": "insert"}, leads_csv(inserts, OWNED)),
            run_job(sf, upsert, leads_csv(upserts)),
            run_job(sf, {"operation": "update"}, leads_csv(updates, ("Id", "LastName", "Title"))),
        ]
        runs.append(([all_results(sf, job) for job in jobs], lead_table(sf)))
        control.clock(advance=1)
    assert runs[0] == runs[1]
    (inserted, upserted, updated), table = runs[0]
    assert inserted[0] == ("JobComplete", 450, 1) and upserted[0] == ("JobComplete", 200, 0)
    assert [r["sf__Created"] for r in upserted[1]] == ["false"] * 30 + ["true"] * 170
    assert [r["sf__Id"] for r in upserted[1][:30]] == old_ids[0:60:2]
    assert updated[0] == ("JobComplete", 61, 0)
    assert [r["sf__Id"] for r in updated[1]] == [row[0] for row in updates]  # as given
    stored = {r["Id"]: r for r in table}
    assert (stored[old_ids[1]]["LastName"], stored[old_ids[1]]["Title"]) == ("Upd twice", "Again")
    assert stored[old_ids[2]]["Title"] is None and stored[old_ids[2]]["Name"] == "Upd 2"
    assert len(table) == 60 + 449 + 170


def test_each_reason_to_go_row_by_row_fails_only_its_row(control):
    """Five chunks: clean; a unique value twice inside the chunk; an owner that does not exist
    and an inactive one; a value an existing lead holds; clean. Each failing row fails alone,
    with Salesforce's text; every other row is created in order."""
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    sf = login(info)
    owner, profile = user_ids(sf, info)
    inactive = control.create(
        "User",
        {
            "Username": "gone@example.com",
            "Email": "gone@example.com",
            "LastName": "Gone",
            "Alias": "gone",
            "ProfileId": profile,
            "IsActive": False,
        },
        system=True,
    )
    held = run_job(sf, {"operation": "insert"}, leads_csv([["Held", "C", "T", "held-1"]]))
    held_id = results(sf, held, "successfulResults")[0]["sf__Id"]
    rows = [[f"Lead {i}", "C", "T", f"id-{i}", owner if i % 2 else ""] for i in range(1000)]
    rows[215][3] = "ID-210"  # the same as row 210, in its chunk (unique ignores case)
    rows[420][4] = owner[:3] + "5g0000000Zz9"  # a user id no user has
    rows[430][4] = inactive
    rows[610][3] = "HELD-1"  # an existing lead's
    job = run_job(sf, {"operation": "insert"}, leads_csv(rows, OWNED))
    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (1000, 4)
    ok = results(sf, job, "successfulResults")
    by_name = {r["LastName"]: r["sf__Id"] for r in ok}
    failed = [(r["LastName"], r["sf__Error"]) for r in results(sf, job, "failedResults")]
    duplicate = "DUPLICATE_VALUE:duplicate value found: LGCRM_Id__c duplicates value on record"
    assert failed == [
        ("Lead 215", f"{duplicate} with id: {by_name['Lead 210'][:15]}: --"),
        ("Lead 420", "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:OwnerId --"),
        ("Lead 430", "INACTIVE_OWNER_OR_USER:operation performed with inactive user:OwnerId --"),
        ("Lead 610", f"{duplicate} with id: {held_id[:15]}: --"),
    ]
    kept = [i for i in range(1000) if i not in (215, 420, 430, 610)]
    assert [r["LastName"] for r in ok] == [f"Lead {i}" for i in kept]
    stored = lead_table(sf)
    assert [r["Id"] for r in stored] == [held_id] + [r["sf__Id"] for r in ok]
    assert {r["OwnerId"] for r in stored} == {owner}  # given, or the job's user by default
    assert len({r["Id"] for r in stored}) == 1 + 996


def test_upsert_chunk_of_creates_and_updates(control):
    """One chunk that updates some leads (their external ids in another case) and creates
    others: updates keep their id and the fields left empty, creates get new ids."""
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    sf = login(info)
    first = run_job(
        sf,
        {"operation": "insert"},
        leads_csv([[f"Lead {i}", "C", f"T{i}", f"lg-{i}"] for i in range(10)]),
    )
    ids = {r[FIELD]: r["sf__Id"] for r in results(sf, first, "successfulResults")}
    rows = []
    for i in range(20):  # lg-0..9 exist: each followed by a new one
        rows.append(
            [f"Again {i}", "D", "" if i % 2 else "#N/A", f"LG-{i}" if i < 10 else f"lg-{i}"]
        )
    job = run_job(sf, {"operation": "upsert", "externalIdFieldName": FIELD}, leads_csv(rows))
    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (20, 0)
    ok = results(sf, job, "successfulResults")
    assert [r["sf__Created"] for r in ok] == ["false"] * 10 + ["true"] * 10
    assert [r["sf__Id"] for r in ok[:10]] == [ids[f"lg-{i}"] for i in range(10)]
    assert len({r["sf__Id"] for r in ok[10:]} - set(ids.values())) == 10
    stored = {r[FIELD]: r for r in lead_table(sf)}
    assert stored["lg-1"]["Title"] == "T1" and stored["lg-2"]["Title"] is None
    assert stored["lg-1"]["LastName"] == "Again 1" and stored["lg-1"]["Company"] == "D"
    assert stored["lg-11"]["Title"] is None and stored["lg-11"]["Id"] == ok[11]["sf__Id"]
    assert len(stored) == 20
