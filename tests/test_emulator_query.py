"""Query paging with cursors, batch sizes, queryAll with deleted and merged rows."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def test_paging_past_2000_rows(sf, control):
    control.generate("Lead", 4500)
    first = sf.query("SELECT Id, Email FROM Lead ORDER BY Id")
    assert first["totalSize"] == 4500 and not first["done"]
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2000 and not second["done"]
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert len(third["records"]) == 500 and third["done"] and "nextRecordsUrl" not in third
    ids = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert len(set(ids)) == 4500 and ids == sorted(ids)
    assert len(sf.query_all("SELECT Id FROM Lead")["records"]) == 4500


def test_batch_size_header(sf, control):
    control.generate("Lead", 700)
    sf.headers["Sforce-Query-Options"] = "batchSize=300"
    try:
        page = sf.query("SELECT Id FROM Lead")
        assert len(page["records"]) == 300 and page["nextRecordsUrl"].endswith("-300")
        sf.headers["Sforce-Query-Options"] = "batchSize=10"  # below the minimum of 200
        assert len(sf.query("SELECT Id FROM Lead")["records"]) == 200
    finally:
        del sf.headers["Sforce-Query-Options"]


def test_bad_locator(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more("01g5gNOPE-2000")
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_all_returns_deleted_and_merged_rows(sf, control):
    keep = sf.Contact.create({"LastName": "Keep", "Email": "k@x.com"})["id"]
    gone = sf.Contact.create({"LastName": "Gone"})["id"]
    dup = sf.Contact.create({"LastName": "Dup", "Email": "k@x.com"})["id"]
    sf.Contact.delete(gone)
    control.merge("Contact", keep, [dup])
    live = sf.query("SELECT Id FROM Contact")["records"]
    assert [r["Id"] for r in live] == [keep]
    rows = sf.query_all(
        "SELECT Id, IsDeleted, MasterRecordId FROM Contact ORDER BY LastName", include_deleted=True
    )["records"]
    assert [(r["Id"], r["IsDeleted"], r["MasterRecordId"]) for r in rows] == [
        (dup, True, keep),
        (gone, True, None),
        (keep, False, None),
    ]
    assert sf.query("SELECT Id FROM Contact WHERE IsDeleted = true")["totalSize"] == 0


def test_system_modstamp_moves_on_every_change(sf, control):
    control.clock(now="2026-11-01T00:00:00Z")
    lead = sf.Lead.create({"LastName": "X", "Company": "C"})["id"]
    control.clock(now="2026-11-02T00:00:00Z")
    sf.Lead.update(lead, {"Title": "T"})
    row = sf.Lead.get(lead)
    assert row["CreatedDate"] == "2026-11-01T00:00:00.000+0000"
    assert row["SystemModstamp"] == row["LastModifiedDate"] == "2026-11-02T00:00:00.000+0000"
    rows = sf.query(
        "SELECT Id FROM Lead WHERE SystemModstamp > 2026-11-01T12:00:00Z "
        "ORDER BY SystemModstamp, Id"
    )["records"]
    assert [r["Id"] for r in rows] == [lead]
    control.clock(real=True)
