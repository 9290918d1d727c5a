"""The Salesforce CLI (`sf`), unpatched, against the emulator: every command asserts the data
that comes back against what the org holds (read through simple-salesforce)."""

from __future__ import annotations

import csv
import json

import pytest

from ..conftest import login

pytestmark = pytest.mark.ecosystem


@pytest.fixture(scope="module")
def api(eco_info):
    return login(eco_info)


def ok(result):
    assert result.code == 0, result
    return result.json()["result"]


def test_org_display_shows_the_emulated_org(sf_org, eco_info):
    shown = ok(sf_org("org", "display", "--target-org", "emu", "--json"))
    assert shown["id"] == eco_info["org_id"]
    assert shown["username"] == eco_info["username"]
    assert shown["instanceUrl"].rstrip("/") == eco_info["instance_url"]
    assert shown["connectedStatus"] == "Connected"


def test_sobject_describe_lists_fields_and_child_relationships(sf_org):
    lead = ok(sf_org("sobject", "describe", "--sobject", "Lead", "--target-org", "emu", "--json"))
    fields = {f["name"]: f for f in lead["fields"]}
    assert fields["LGCRM_Id__c"]["externalId"] is True
    assert fields["Status"]["restrictedPicklist"] is True
    account = ok(sf_org("sobject", "describe", "-s", "Account", "-o", "emu", "--json"))
    children = {r["relationshipName"]: r["childSObject"] for r in account["childRelationships"]}
    assert children["Contacts"] == "Contact" and children["Opportunities"] == "Opportunity"


def test_record_counts_match_the_org(sf_org, api):
    counts = ok(
        sf_org(
            "org",
            "list",
            "sobject",
            "record-counts",
            "-s",
            "Lead",
            "-s",
            "Account",
            "-o",
            "emu",
            "--json",
        )
    )
    by_name = {c["name"]: c["count"] for c in counts}
    assert by_name == {
        "Lead": api.query("SELECT COUNT() FROM Lead")["totalSize"],
        "Account": api.query("SELECT COUNT() FROM Account")["totalSize"],
    }


def test_list_metadata_lists_objects_fields_and_profiles(sf_org):
    objects = ok(sf_org("org", "list", "metadata", "-m", "CustomObject", "-o", "emu", "--json"))
    assert {"Lead", "Contact", "Account"} <= {o["fullName"] for o in objects}
    fields = ok(sf_org("org", "list", "metadata", "-m", "CustomField", "-o", "emu", "--json"))
    assert "Lead.LGCRM_Id__c" in {f["fullName"] for f in fields}
    profiles = ok(sf_org("org", "list", "metadata", "-m", "Profile", "-o", "emu", "--json"))
    assert "Admin" in {p["fullName"] for p in profiles}
    types = ok(sf_org("org", "list", "metadata-types", "-o", "emu", "--json"))
    assert "CustomObject" in {t["xmlName"] for t in types["metadataObjects"]}


def test_tooling_query_answers_empty_for_code_the_org_lacks(sf_org):
    result = ok(
        sf_org("data", "query", "-q", "SELECT Id, Name FROM ApexClass", "-t", "-o", "emu", "--json")
    )
    assert result["totalSize"] == 0 and result["records"] == []


def test_export_tree_writes_the_accounts(sf_org, api, tmp_path):
    ok(
        sf_org(
            "data",
            "export",
            "tree",
            "-q",
            "SELECT Id, Name, Industry FROM Account ORDER BY Name",
            "--output-dir",
            str(tmp_path),
            "-o",
            "emu",
            "--json",
        )
    )
    exported = json.loads((tmp_path / "Account.json").read_text())["records"]
    expected = api.query("SELECT Name, Industry FROM Account ORDER BY Name")["records"]
    assert [(r["Name"], r.get("Industry")) for r in exported] == [
        (r["Name"], r["Industry"]) for r in expected
    ]
    assert all(r["attributes"]["referenceId"].startswith("AccountRef") for r in exported)


def test_import_tree_creates_parents_and_nested_children(sf_org, api, tmp_path):
    tree = tmp_path / "accounts.json"
    tree.write_text(
        json.dumps(
            {
                "records": [
                    {
                        "attributes": {"type": "Account", "referenceId": "AcmeRef"},
                        "Name": "Acme Árvore Ltda",
                        "Contacts": {
                            "records": [
                                {
                                    "attributes": {"type": "Contact", "referenceId": "SilvaRef"},
                                    "LastName": "Silva",
                                    "Email": "silva@acme-arvore.example",
                                },
                                {
                                    "attributes": {"type": "Contact", "referenceId": "CostaRef"},
                                    "LastName": "Costa",
                                },
                            ]
                        },
                    },
                    {"attributes": {"type": "Account", "referenceId": "BetaRef"}, "Name": "Beta"},
                ]
            }
        )
    )
    created = ok(sf_org("data", "import", "tree", "--files", str(tree), "-o", "emu", "--json"))
    ids = {r["refId"]: r["id"] for r in created}
    assert set(ids) == {"AcmeRef", "BetaRef", "SilvaRef", "CostaRef"}
    contacts = api.query(
        f"SELECT LastName, Account.Name FROM Contact WHERE AccountId = '{ids['AcmeRef']}' "
        "ORDER BY LastName"
    )["records"]
    assert [(c["LastName"], c["Account"]["Name"]) for c in contacts] == [
        ("Costa", "Acme Árvore Ltda"),
        ("Silva", "Acme Árvore Ltda"),
    ]


def test_import_tree_with_a_bad_record_creates_nothing(sf_org, api, tmp_path):
    tree = tmp_path / "bad.json"
    tree.write_text(
        json.dumps(
            {
                "records": [
                    {"attributes": {"type": "Account", "referenceId": "GoodRef"}, "Name": "Boa"},
                    {"attributes": {"type": "Account", "referenceId": "BadRef"}},  # no Name
                ]
            }
        )
    )
    failed = sf_org("data", "import", "tree", "--files", str(tree), "-o", "emu", "--json")
    assert failed.code != 0, failed
    assert "REQUIRED_FIELD_MISSING" in failed.out + failed.err
    assert api.query("SELECT COUNT() FROM Account WHERE Name = 'Boa'")["totalSize"] == 0


def test_export_bulk_writes_every_lead_and_spends_a_query_job(sf_org, api, tmp_path):
    before = ok(sf_org("org", "list", "limits", "-o", "emu", "--json"))
    out = tmp_path / "leads.csv"
    result = ok(
        sf_org(
            "data",
            "export",
            "bulk",
            "-q",
            "SELECT Id, LastName, Email FROM Lead",
            "--output-file",
            str(out),
            "--result-format",
            "csv",
            "--wait",
            "2",
            "-o",
            "emu",
            "--json",
        )
    )
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = api.query_all("SELECT Id, LastName, Email FROM Lead")["records"]
    assert result["totalSize"] == len(rows) == len(expected) > 0
    assert {(r["Id"], r["Email"]) for r in rows} == {(r["Id"], r["Email"]) for r in expected}
    after = ok(sf_org("org", "list", "limits", "-o", "emu", "--json"))
    remaining = lambda limits, name: next(x["remaining"] for x in limits if x["name"] == name)  # noqa: E731
    assert remaining(after, "DailyBulkV2QueryJobs") == remaining(before, "DailyBulkV2QueryJobs") - 1
    assert remaining(after, "DailyApiRequests") < remaining(before, "DailyApiRequests")


def test_import_bulk_creates_the_rows(sf_org, api, tmp_path):
    data = tmp_path / "new-leads.csv"
    data.write_text(
        "LastName,Company,Email\n"
        "Bulk Um,Empresa Um,bulk.um@example.com\n"
        "Bulk Dois,Empresa Dois,bulk.dois@example.com\n"
    )
    result = ok(
        sf_org(
            "data",
            "import",
            "bulk",
            "-s",
            "Lead",
            "--file",
            str(data),
            "--wait",
            "2",
            "-o",
            "emu",
            "--json",
        )
    )
    assert (result["processedRecords"], result["successfulRecords"], result["failedRecords"]) == (
        2,
        2,
        0,
    )
    found = api.query(
        "SELECT Company FROM Lead WHERE Email LIKE 'bulk.%@example.com' ORDER BY Company"
    )
    assert [r["Company"] for r in found["records"]] == ["Empresa Dois", "Empresa Um"]


def test_legacy_bulk_upsert_goes_through_bulk_api_1(sf_org, api, tmp_path):
    """`sf force data bulk upsert` still uses Bulk API 1.0 (jsforce's bulk): jobs, batches,
    results in XML and CSV, then `force data bulk status`."""
    before = ok(sf_org("org", "list", "limits", "-o", "emu", "--json"))
    data = tmp_path / "upsert.csv"
    data.write_text(
        "LGCRM_Id__c,LastName,Company\n"
        "LG-1,Upsert Um,Firma Um\n"
        "LG-2,Upsert Dois,Firma Dois\n"
        "LG-3,,Sem Sobrenome\n"
    )
    jobs = ok(
        sf_org(
            "force",
            "data",
            "bulk",
            "upsert",
            "-s",
            "Lead",
            "-f",
            str(data),
            "-i",
            "LGCRM_Id__c",
            "--wait",
            "2",
            "-o",
            "emu",
            "--json",
        )
    )
    job = jobs[0]
    assert (job["operation"], job["object"], job["state"]) == ("upsert", "Lead", "Closed")
    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == ("3", "1")
    found = api.query(
        "SELECT LGCRM_Id__c, LastName FROM Lead WHERE LGCRM_Id__c != null ORDER BY LGCRM_Id__c"
    )
    assert [(r["LGCRM_Id__c"], r["LastName"]) for r in found["records"]] == [
        ("LG-1", "Upsert Um"),
        ("LG-2", "Upsert Dois"),
    ]
    status = ok(sf_org("force", "data", "bulk", "status", "-i", job["id"], "-o", "emu", "--json"))
    assert status["id"] == job["id"] and status["numberBatchesCompleted"] == "1"
    after = ok(sf_org("org", "list", "limits", "-o", "emu", "--json"))
    remaining = lambda limits, name: next(x["remaining"] for x in limits if x["name"] == name)  # noqa: E731
    assert remaining(after, "DailyBulkApiBatches") == remaining(before, "DailyBulkApiBatches") - 1


def test_data_query_rest(sf_org, api):
    result = ok(
        sf_org(
            "data",
            "query",
            "-q",
            "SELECT Id, Email FROM Lead ORDER BY Email",
            "-o",
            "emu",
            "--json",
        )
    )
    expected = api.query("SELECT Id, Email FROM Lead ORDER BY Email")["records"]
    assert [r["Email"] for r in result["records"]] == [r["Email"] for r in expected]


def test_data_query_all_rows_includes_deleted(sf_org, api):
    victim = api.query("SELECT Id FROM Lead ORDER BY Email LIMIT 1")["records"][0]["Id"]
    api.Lead.delete(victim)
    result = ok(
        sf_org(
            "data",
            "query",
            "-q",
            "SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true",
            "--all-rows",
            "-o",
            "emu",
            "--json",
        )
    )
    assert victim in {r["Id"] for r in result["records"]}


def test_data_search(sf_org):
    result = ok(
        sf_org(
            "data",
            "search",
            "-q",
            "FIND {Souza} IN ALL FIELDS RETURNING Lead(LastName)",
            "-o",
            "emu",
            "--json",
        )
    )
    assert result["searchRecords"] and all(
        r["LastName"] == "Souza" for r in result["searchRecords"]
    )
