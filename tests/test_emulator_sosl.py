"""SOSL over REST (`search?q=FIND {...}`) and parameterized search (GET and POST): search groups,
RETURNING with fields, WHERE, ORDER BY and LIMIT, wildcards, phrases, operators, the reserved
characters and the errors Salesforce gives."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import login


@pytest.fixture(scope="module")
def found_org(emulator):
    from lgcrm_sf.emulator.control import ControlClient

    info = ControlClient(emulator.info).reset("empty")
    sf = login(info)
    ids = {
        "ana": sf.Lead.create(
            {
                "FirstName": "Ana",
                "LastName": "Souza",
                "Company": "Padaria Pão Quente",
                "Email": "ana.souza@padaria.com.br",
                "Phone": "+55 11 5555-1234",
                "Description": "Conheceu no webinar de março",
            }
        )["id"],
        "bruno": sf.Lead.create(
            {
                "FirstName": "Bruno",
                "LastName": "Souzaki",
                "Company": "TechSul",
                "Email": "bruno@techsul.com",
                "City": "Curitiba",
            }
        )["id"],
        "carla": sf.Contact.create(
            {"FirstName": "Carla", "LastName": "Mendes", "Email": "carla@acme.com", "Title": "CEO"}
        )["id"],
        "acme": sf.Account.create({"Name": "Acme Souza Ltda", "Phone": "(11) 4000-9999"})["id"],
        "gone": sf.Lead.create({"LastName": "Souza", "Company": "Deleted Co"})["id"],
    }
    sf.Lead.delete(ids["gone"])
    return sf, ids


def found(result) -> list[tuple[str, str]]:
    return sorted((r["attributes"]["type"], r["Id"]) for r in result["searchRecords"])


def search(sf, sosl: str) -> dict:
    return sf.search(sosl)


def test_find_without_returning_gives_ids_of_every_searchable_object(found_org):
    sf, ids = found_org
    result = search(sf, "FIND {Souza}")
    assert found(result) == sorted(
        [("Account", ids["acme"]), ("Lead", ids["ana"])]  # not Souzaki: tokens match whole
    )
    record = next(r for r in result["searchRecords"] if r["Id"] == ids["ana"])
    assert record == {
        "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{ids['ana']}"},
        "Id": ids["ana"],
    }


def test_search_is_case_insensitive_and_accent_exact(found_org):
    sf, ids = found_org
    assert found(search(sf, "FIND {PADARIA}")) == [("Lead", ids["ana"])]
    assert found(search(sf, "FIND {pão}")) == [("Lead", ids["ana"])]


def test_wildcards(found_org):
    sf, ids = found_org
    assert found(search(sf, "FIND {Souz*} RETURNING Lead")) == sorted(
        [("Lead", ids["ana"]), ("Lead", ids["bruno"])]
    )
    assert found(search(sf, "FIND {Sou?a} RETURNING Lead")) == [("Lead", ids["ana"])]
    assert found(search(sf, "FIND {Men*s}")) == [("Contact", ids["carla"])]


def test_phrases_and_operators(found_org):
    sf, ids = found_org
    assert found(search(sf, 'FIND {"Ana Souza"}')) == [("Lead", ids["ana"])]
    assert found(search(sf, 'FIND {"Souza Ana"}')) == []
    assert found(search(sf, "FIND {ana souza}")) == [("Lead", ids["ana"])]  # both words
    assert found(search(sf, "FIND {Ana OR Carla}")) == sorted(
        [("Lead", ids["ana"]), ("Contact", ids["carla"])]
    )
    assert found(search(sf, "FIND {Souza AND NOT Acme}")) == [("Lead", ids["ana"])]
    assert found(search(sf, "FIND {(Bruno OR Carla) AND Curitiba}")) == [("Lead", ids["bruno"])]


def test_search_groups(found_org):
    sf, ids = found_org
    assert found(search(sf, "FIND {padaria} IN EMAIL FIELDS")) == [("Lead", ids["ana"])]
    assert found(search(sf, "FIND {webinar} IN ALL FIELDS")) == [("Lead", ids["ana"])]
    assert found(search(sf, "FIND {webinar} IN NAME FIELDS")) == []
    assert found(search(sf, "FIND {TechSul} IN NAME FIELDS")) == [("Lead", ids["bruno"])]
    assert found(search(sf, "FIND {CEO} IN NAME FIELDS")) == []
    assert found(search(sf, "FIND {4000} IN PHONE FIELDS")) == [("Account", ids["acme"])]
    assert found(search(sf, "FIND {5555\\-1234} IN PHONE FIELDS")) == [("Lead", ids["ana"])]


def test_returning_fields_where_order_and_limits(found_org):
    sf, ids = found_org
    result = search(
        sf,
        "FIND {Souz*} IN ALL FIELDS RETURNING Lead(FirstName, Company, Owner.Alias "
        "WHERE Company != 'Nope' ORDER BY FirstName DESC LIMIT 5), Account(Name), Contact",
    )
    records = result["searchRecords"]
    assert [r["attributes"]["type"] for r in records] == ["Lead", "Lead", "Account"]
    assert [r.get("FirstName") for r in records[:2]] == ["Bruno", "Ana"]
    assert records[0]["Company"] == "TechSul" and "Alias" in records[0]["Owner"]
    assert records[2] == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v59.0/sobjects/Account/{ids['acme']}",
        },
        "Name": "Acme Souza Ltda",
    }
    one = search(sf, "FIND {Souz*} RETURNING Lead(Id ORDER BY FirstName LIMIT 1), Account")
    assert [r["Id"] for r in one["searchRecords"]] == [ids["ana"], ids["acme"]]
    capped = search(sf, "FIND {Souz*} RETURNING Lead, Account LIMIT 2")
    assert len(capped["searchRecords"]) == 2


def test_deleted_records_are_not_found(found_org):
    sf, ids = found_org
    assert ids["gone"] not in {r["Id"] for r in search(sf, "FIND {Deleted}")["searchRecords"]}


def test_escaped_reserved_characters(found_org):
    sf, ids = found_org
    bar = sf.Lead.create({"LastName": "O'Neil", "Company": "Bar & Grill (Centro)"})["id"]
    try:
        assert found(search(sf, "FIND {O\\'Neil}")) == [("Lead", bar)]
        assert found(search(sf, 'FIND {"Bar \\& Grill"}')) == [("Lead", bar)]
        assert found(search(sf, "FIND {\\(Centro\\)}")) == [("Lead", bar)]
    finally:
        sf.Lead.delete(bar)


ERRORS = [
    ("FIND {a}", "INVALID_SEARCH", "search term must be longer than one character: a"),
    ("FIND {a*}", "INVALID_SEARCH", "search term must be longer than one character"),
    ("FIND {}", "INVALID_SEARCH", "search term must be longer than one character"),
    ("FIND Souza", "MALFORMED_SEARCH", "must be enclosed in braces"),
    ("FIND {Souza", "MALFORMED_SEARCH", "must be enclosed in braces"),
    ("FIND {Ana-Maria}", "MALFORMED_SEARCH", "must be escaped"),
    ('FIND {"Ana Maria}', "MALFORMED_SEARCH", "Unterminated"),
    ("FIND {(Ana OR Bia}", "MALFORMED_SEARCH", "parentheses"),
    ("FIND {Souza} IN EVERY FIELDS", "MALFORMED_SEARCH", "IN takes"),
    ("FIND {Souza} RETURNING Widget__c", "INVALID_TYPE", "Widget__c"),
    ("FIND {Souza} RETURNING Lead(Nope)", "INVALID_FIELD", "Nope"),
    ("FIND {Souza} RETURNING Profile", "INVALID_TYPE", "does not support search"),
    ("FIND {Souza} RETURNING Lead(COUNT(Id))", "MALFORMED_SEARCH", "Aggregate"),
]


@pytest.mark.parametrize("sosl, code, message", ERRORS)
def test_errors(found_org, sosl, code, message):
    sf, _ = found_org
    with pytest.raises(SalesforceMalformedRequest) as caught:
        search(sf, sosl)
    error = caught.value.content[0]
    assert error["errorCode"] == code and message in error["message"]


def test_parameterized_search_get(found_org):
    sf, ids = found_org
    everything = sf.restful("parameterizedSearch", params={"q": "Souza"})
    assert found(everything) == sorted([("Account", ids["acme"]), ("Lead", ids["ana"])])
    leads = sf.restful(
        "parameterizedSearch",
        params={
            "q": "Souz*",
            "sobject": ["Lead", "Contact"],
            "Lead.fields": "Id,FirstName",
            "Lead.where": "City = 'Curitiba'",
            "Lead.limit": "10",
            "in": "ALL",
        },
    )
    assert leads["searchRecords"] == [
        {
            "attributes": {
                "type": "Lead",
                "url": f"/services/data/v59.0/sobjects/Lead/{ids['bruno']}",
            },
            "Id": ids["bruno"],
            "FirstName": "Bruno",
        }
    ]
    email_only = sf.restful(
        "parameterizedSearch",
        params={"q": "acme", "in": "EMAIL", "sobject": ["Contact", "Account"]},
    )
    assert found(email_only) == [("Contact", ids["carla"])]
    names_only = sf.restful("parameterizedSearch", params={"q": "acme", "in": "NAME"})
    assert found(names_only) == [("Account", ids["acme"])]


def test_parameterized_search_post(found_org):
    sf, ids = found_org
    body = {
        "q": "Souz*",
        "fields": ["Id", "Name"],
        "sobjects": [
            {"name": "Lead", "limit": 1, "orderBy": "FirstName DESC"},
            {"name": "Account"},
        ],
        "overallLimit": 5,
    }
    result = sf.restful("parameterizedSearch", method="POST", json=body)
    assert [(r["attributes"]["type"], r["Name"]) for r in result["searchRecords"]] == [
        ("Lead", "Bruno Souzaki"),
        ("Account", "Acme Souza Ltda"),
    ]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("parameterizedSearch", method="POST", json={"q": "x"})
    assert caught.value.content[0]["errorCode"] == "INVALID_SEARCH"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("parameterizedSearch", method="POST", json={"sobjects": []})
    assert caught.value.content[0]["errorCode"] == "MISSING_ARGUMENT"


def test_quick_search_of_simple_salesforce(found_org):
    sf, ids = found_org
    assert found(sf.quick_search("Mendes")) == [("Contact", ids["carla"])]
