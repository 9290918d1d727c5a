"""Field types a real org has: compound addresses and geolocations (describe, REST shape,
read-only, not filterable, refused by Bulk API queries) and ContentVersion's base64 VersionData
(served as a blob URL, fetched as bytes, uploaded as JSON or multipart, refused by Bulk)."""

from __future__ import annotations

import base64
import json

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import http_session

WAIT = 0.05
ADDRESS_KEYS = [
    "city",
    "country",
    "geocodeAccuracy",
    "latitude",
    "longitude",
    "postalCode",
    "state",
    "street",
]


@pytest.mark.parametrize("seed", ["empty", "demo"])
def test_both_seeds_have_the_compound_and_binary_fields(control, emulator, seed):
    from .conftest import login

    sf = login(control.reset(seed))
    expected = {
        "Lead": ["Address"],
        "Contact": ["MailingAddress", "OtherAddress"],
        "Account": ["BillingAddress", "ShippingAddress", "Location__c"],
        "ContentVersion": ["VersionData"],
    }
    for sobject, names in expected.items():
        fields = {f["name"]: f for f in getattr(sf, sobject).describe()["fields"]}
        for name in names:
            assert name in fields, (seed, sobject, name)


def test_describe_of_an_address(sf):
    fields = {f["name"]: f for f in sf.Account.describe()["fields"]}
    billing = fields["BillingAddress"]
    assert billing["type"] == "address" and billing["soapType"] == "urn:address"
    assert billing["compoundFieldName"] is None
    assert not billing["createable"] and not billing["updateable"]
    assert not billing["filterable"] and not billing["sortable"] and not billing["groupable"]
    components = [n for n, f in fields.items() if f["compoundFieldName"] == "BillingAddress"]
    assert components == [
        "BillingStreet",
        "BillingCity",
        "BillingState",
        "BillingPostalCode",
        "BillingCountry",
        "BillingLatitude",
        "BillingLongitude",
        "BillingGeocodeAccuracy",
    ]
    names = list(fields)
    assert names.index("BillingAddress") == names.index("BillingGeocodeAccuracy") + 1
    assert fields["BillingLatitude"]["type"] == "double"
    assert (fields["BillingLatitude"]["precision"], fields["BillingLatitude"]["scale"]) == (18, 15)
    assert fields["BillingCity"]["updateable"] and fields["BillingStreet"]["type"] == "textarea"
    accuracy = fields["BillingGeocodeAccuracy"]
    assert accuracy["type"] == "picklist" and accuracy["restrictedPicklist"]
    assert "Zip" in [p["value"] for p in accuracy["picklistValues"]]
    assert fields["Name"]["compoundFieldName"] is None


def test_describe_of_a_geolocation(sf):
    fields = {f["name"]: f for f in sf.Account.describe()["fields"]}
    location = fields["Location__c"]
    assert location["type"] == "location" and location["custom"] and not location["updateable"]
    for part in ("Location__Latitude__s", "Location__Longitude__s"):
        assert fields[part]["compoundFieldName"] == "Location__c"
        assert fields[part]["type"] == "double" and fields[part]["updateable"]


def test_rest_returns_compounds_as_objects(sf):
    account = sf.Account.create(
        {
            "Name": "Acme",
            "BillingStreet": "Av. Paulista, 1000",
            "BillingCity": "São Paulo",
            "BillingPostalCode": "01310-100",
            "BillingCountry": "Brazil",
            "BillingLatitude": -23.561,
            "BillingLongitude": -46.656,
            "Location__Latitude__s": -23.5,
            "Location__Longitude__s": -46.6,
        }
    )["id"]
    record = sf.Account.get(account)
    assert record["BillingAddress"] == {
        "city": "São Paulo",
        "country": "Brazil",
        "geocodeAccuracy": None,
        "latitude": -23.561,
        "longitude": -46.656,
        "postalCode": "01310-100",
        "state": None,
        "street": "Av. Paulista, 1000",
    }
    assert list(record["BillingAddress"]) == ADDRESS_KEYS
    assert record["ShippingAddress"] is None  # every component null
    assert record["Location__c"] == {"latitude": -23.5, "longitude": -46.6}
    assert record["BillingCity"] == "São Paulo"
    [row] = sf.query("SELECT Name, BillingAddress, Location__c, Owner.Name FROM Account")["records"]
    assert row["BillingAddress"] == record["BillingAddress"]
    assert row["Location__c"] == record["Location__c"]
    only = sf.restful(f"sobjects/Account/{account}", params={"fields": "Name,Location__c"})
    assert only["Location__c"] == {"latitude": -23.5, "longitude": -46.6}
    assert set(only) == {"attributes", "Name", "Location__c"}
    lead = sf.Lead.create({"LastName": "L", "Company": "C", "City": "Recife"})["id"]
    assert sf.Lead.get(lead)["Address"]["city"] == "Recife"
    [contact_row] = sf.query(
        "SELECT MailingAddress, OtherAddress FROM Contact WHERE Id = '"
        + sf.Contact.create({"LastName": "C", "OtherCity": "Natal"})["id"]
        + "'"
    )["records"]
    assert contact_row["MailingAddress"] is None and contact_row["OtherAddress"]["city"] == "Natal"


def test_compounds_are_read_only(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"Name": "X", "BillingAddress": {"city": "Recife"}})
    error = caught.value.content[0]
    assert error["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert "BillingAddress" in error["message"]


@pytest.mark.parametrize(
    "soql, message",
    [
        ("SELECT Id FROM Account WHERE BillingAddress = null", "can not be filtered"),
        ("SELECT Id FROM Lead WHERE Address != null", "can not be filtered"),
        ("SELECT Id FROM Account ORDER BY Location__c", "can not be sorted"),
        (
            "SELECT BillingAddress, COUNT(Id) FROM Account GROUP BY BillingAddress",
            "can not be grouped",
        ),
        ("SELECT Id FROM ContentVersion WHERE VersionData = null", "can not be filtered"),
    ],
)
def test_compounds_cannot_be_filtered_sorted_or_grouped(sf, soql, message):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert error["errorCode"] == "INVALID_FIELD" and message in error["message"]


@pytest.mark.parametrize(
    "soql", ["SELECT Id, BillingAddress FROM Account", "SELECT Location__c FROM Account"]
)
def test_bulk_api_refuses_compound_fields(sf, soql):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("jobs/query", method="POST", json={"operation": "query", "query": soql})
    assert caught.value.content[0] == {
        "errorCode": "API_ERROR",
        "message": "Selecting compound data not supported in Bulk Query",
        "fields": [],
    }


def test_bulk_api_serves_the_components(sf):
    sf.Account.create({"Name": "Acme", "BillingCity": "Recife", "BillingLatitude": -8.05})
    pages = list(
        sf.bulk2.Account.query("SELECT Name, BillingCity, BillingLatitude FROM Account", wait=WAIT)
    )
    assert pages[0].splitlines()[1] == '"Acme","Recife","-8.05"'


# --- ContentVersion.VersionData -----------------------------------------------------------
PDF = b"%PDF-1.4\n\x00\x01\x02 binary \xff\xfe\n%%EOF"


def test_content_version_from_json_and_its_blob_url(sf, org):
    created = sf.ContentVersion.create(
        {"PathOnClient": "proposta.pdf", "VersionData": base64.b64encode(PDF).decode()}
    )
    version = sf.ContentVersion.get(created["id"])
    url = f"/services/data/v59.0/sobjects/ContentVersion/{created['id']}/VersionData"
    assert version["VersionData"] == url
    assert version["Title"] == "proposta" and version["FileExtension"] == "pdf"
    assert version["FileType"] == "PDF" and version["ContentSize"] == len(PDF)
    assert version["VersionNumber"] == "1" and version["IsLatest"] is True
    document = sf.ContentDocument.get(version["ContentDocumentId"])
    assert document["LatestPublishedVersionId"] == created["id"]
    assert document["Title"] == "proposta"
    [row] = sf.query("SELECT Title, VersionData, ContentDocument.Title FROM ContentVersion")[
        "records"
    ]
    assert row["VersionData"] == url and row["ContentDocument"]["Title"] == "proposta"
    session = http_session(org)
    response = session.get(
        org["instance_url"] + url, headers={"Authorization": f"Bearer {sf.session_id}"}
    )
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["Content-Type"] == "application/octetstream"
    missing = session.get(
        org["instance_url"] + url.replace(created["id"], created["id"][:-3] + "AAA"),
        headers={"Authorization": f"Bearer {sf.session_id}"},
    )
    assert missing.status_code == 404


def test_content_version_from_multipart_as_the_cli_sends_it(sf, org):
    session = http_session(org)
    files = {
        "entity_content": (None, json.dumps({"PathOnClient": "notes.txt"}), "application/json"),
        "VersionData": ("notes.txt", b"linha 1\nlinha 2\n", "application/octet-stream"),
    }
    response = session.post(
        org["instance_url"] + "/services/data/v59.0/sobjects/ContentVersion",
        files=files,
        headers={"Authorization": f"Bearer {sf.session_id}"},
    )
    assert response.status_code == 201, response.text
    version_id = response.json()["id"]
    version = sf.ContentVersion.get(version_id)
    assert (version["Title"], version["FileType"], version["ContentSize"]) == ("notes", "TEXT", 16)
    blob = session.get(
        org["instance_url"] + version["VersionData"],
        headers={"Authorization": f"Bearer {sf.session_id}"},
    )
    assert blob.content == b"linha 1\nlinha 2\n"


def test_a_new_version_of_a_document(sf):
    first = sf.ContentVersion.create(
        {"PathOnClient": "a.csv", "Title": "Tabela", "VersionData": base64.b64encode(b"a").decode()}
    )["id"]
    document = sf.ContentVersion.get(first)["ContentDocumentId"]
    second = sf.ContentVersion.create(
        {
            "PathOnClient": "a.csv",
            "ContentDocumentId": document,
            "VersionData": base64.b64encode(b"a,b").decode(),
        }
    )["id"]
    rows = sf.query(
        "SELECT Id, VersionNumber, IsLatest FROM ContentVersion "
        f"WHERE ContentDocumentId = '{document}' ORDER BY VersionNumber"
    )["records"]
    assert [(r["Id"], r["VersionNumber"], r["IsLatest"]) for r in rows] == [
        (first, "1", False),
        (second, "2", True),
    ]
    assert sf.ContentDocument.get(document)["LatestPublishedVersionId"] == second
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.ContentVersion.update(second, {"VersionData": base64.b64encode(b"x").decode()})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_content_version_checks(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.ContentVersion.create({"PathOnClient": "x.txt"})
    assert caught.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.ContentVersion.create({"PathOnClient": "x.txt", "VersionData": "not base64!"})
    assert caught.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_bulk_query_of_a_binary_field_fails_as_salesforce_reports_it(sf):
    sf.ContentVersion.create(
        {"PathOnClient": "x.txt", "VersionData": base64.b64encode(b"x").decode()}
    )
    job = sf.restful(
        "jobs/query",
        method="POST",
        json={"operation": "query", "query": "SELECT Id, VersionData FROM ContentVersion"},
    )
    assert job["state"] == "UploadComplete"
    status = sf.restful(f"jobs/query/{job['id']}")
    assert status["state"] == "Failed"
    assert status["errorMessage"] == "FeatureNotEnabled : Binary field not supported"
    pages = list(sf.bulk2.ContentVersion.query("SELECT Id, Title FROM ContentVersion", wait=WAIT))
    assert pages[0].splitlines()[1].endswith('"x"')
