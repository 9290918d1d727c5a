"""Every SOQL construct the emulator supports, valid and invalid, sent over REST."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import login


@pytest.fixture(scope="module")
def people(emulator):
    """Five leads with a spread of values; the clock frozen so date literals are stable."""
    from lgcrm_sf.emulator.control import ControlClient

    control = ControlClient(emulator.info)
    info = control.reset("empty")
    control.clock(now="2026-11-27T12:00:00Z")
    sf = login(info)
    rows = [
        {
            "FirstName": "Ana",
            "LastName": "Souza",
            "Company": "Padaria",
            "Email": "ana@x.com",
            "NumberOfEmployees": 10,
            "AnnualRevenue": 1000.5,
            "DoNotCall": True,
            "City": "Recife",
        },
        {
            "FirstName": "Bruno",
            "LastName": "O'Neil",
            "Company": "TechSul",
            "Email": "bruno@y.com",
            "NumberOfEmployees": 200,
            "AnnualRevenue": 50000.0,
            "City": "São Paulo",
        },
        {
            "FirstName": "Carla",
            "LastName": "Lima",
            "Company": "100% Café",
            "Email": None,
            "NumberOfEmployees": 50,
            "City": "Recife",
        },
        {
            "FirstName": "Diego",
            "LastName": "Costa",
            "Company": "Agro",
            "Email": "diego@x.com",
            "City": None,
        },
    ]
    for row in rows:
        sf.Lead.create(row)
    control.clock(now="2026-11-20T12:00:00Z")
    sf.Lead.create(
        {
            "FirstName": "Elisa",
            "LastName": "Rocha",
            "Company": "Old",
            "Email": "elisa@z.com",
            "City": "Natal",
        }
    )
    control.clock(now="2026-11-27T12:00:00Z")
    yield sf
    control.clock(real=True)


VALID = [
    ("SELECT FirstName FROM Lead WHERE LastName = 'Souza'", ["Ana"]),
    ("select firstname from lead where lastname = 'SOUZA'", ["Ana"]),  # case-insensitive
    (
        "SELECT FirstName FROM Lead WHERE LastName != 'Souza' ORDER BY FirstName",
        ["Bruno", "Carla", "Diego", "Elisa"],
    ),
    ("SELECT FirstName FROM Lead WHERE LastName <> 'Souza' AND City = 'Recife'", ["Carla"]),
    (
        "SELECT FirstName FROM Lead WHERE City != 'Recife' ORDER BY FirstName",
        ["Bruno", "Diego", "Elisa"],
    ),  # != keeps nulls
    (
        "SELECT FirstName FROM Lead WHERE NumberOfEmployees > 10 ORDER BY FirstName",
        ["Bruno", "Carla"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE NumberOfEmployees >= 10 AND NumberOfEmployees <= 50 "
        "ORDER BY FirstName",
        ["Ana", "Carla"],
    ),
    ("SELECT FirstName FROM Lead WHERE NumberOfEmployees < 50", ["Ana"]),
    ("SELECT FirstName FROM Lead WHERE AnnualRevenue = 1000.5", ["Ana"]),
    ("SELECT FirstName FROM Lead WHERE Email LIKE '%@x.com' ORDER BY FirstName", ["Ana", "Diego"]),
    ("SELECT FirstName FROM Lead WHERE Company LIKE '100\\% %'", ["Carla"]),
    ("SELECT FirstName FROM Lead WHERE FirstName LIKE 'b_uno'", ["Bruno"]),
    ("SELECT FirstName FROM Lead WHERE LastName = 'O\\'Neil'", ["Bruno"]),
    (
        "SELECT FirstName FROM Lead WHERE City IN ('Recife', 'Natal') ORDER BY FirstName",
        ["Ana", "Carla", "Elisa"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE City NOT IN ('Recife') ORDER BY FirstName",
        ["Bruno", "Diego", "Elisa"],
    ),
    ("SELECT FirstName FROM Lead WHERE DoNotCall = true", ["Ana"]),
    ("SELECT FirstName FROM Lead WHERE DoNotCall = FALSE AND Email = null", ["Carla"]),
    ("SELECT FirstName FROM Lead WHERE Email != null AND City = null", ["Diego"]),
    (
        "SELECT FirstName FROM Lead WHERE (City = 'Recife' OR City = 'Natal') "
        "AND NOT Email = null ORDER BY FirstName",
        ["Ana", "Elisa"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE NOT (City = 'Recife') AND City != null "
        "ORDER BY FirstName",
        ["Bruno", "Elisa"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE City = 'Recife' OR City = 'Natal' OR City = null "
        "ORDER BY FirstName",
        ["Ana", "Carla", "Diego", "Elisa"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE CreatedDate = TODAY ORDER BY FirstName",
        ["Ana", "Bruno", "Carla", "Diego"],
    ),
    ("SELECT FirstName FROM Lead WHERE CreatedDate < LAST_N_DAYS:3", ["Elisa"]),
    (
        "SELECT FirstName FROM Lead WHERE CreatedDate = LAST_N_DAYS:7 ORDER BY FirstName",
        ["Ana", "Bruno", "Carla", "Diego", "Elisa"],
    ),
    (
        "SELECT FirstName FROM Lead WHERE CreatedDate = THIS_MONTH AND CreatedDate != TODAY",
        ["Elisa"],
    ),
    ("SELECT FirstName FROM Lead WHERE CreatedDate < 2026-11-21T00:00:00Z", ["Elisa"]),
    (
        "SELECT FirstName FROM Lead WHERE CreatedDate > 2026-11-27T11:00:00.000+00:00 "
        "ORDER BY FirstName LIMIT 2",
        ["Ana", "Bruno"],
    ),
    ("SELECT FirstName FROM Lead WHERE CreatedDate > 2026-11-27T08:00:00-05:00", []),
    (
        "SELECT FirstName FROM Lead ORDER BY City ASC NULLS FIRST, FirstName",
        ["Diego", "Elisa", "Ana", "Carla", "Bruno"],
    ),
    (
        "SELECT FirstName FROM Lead ORDER BY City DESC NULLS LAST, FirstName DESC",
        ["Bruno", "Carla", "Ana", "Elisa", "Diego"],
    ),
    (
        "SELECT FirstName FROM Lead ORDER BY City DESC, FirstName",
        ["Bruno", "Ana", "Carla", "Elisa", "Diego"],
    ),
    ("SELECT FirstName FROM Lead ORDER BY FirstName LIMIT 2 OFFSET 1", ["Bruno", "Carla"]),
    ("SELECT FirstName FROM Lead ORDER BY FirstName OFFSET 4", ["Elisa"]),
    ("SELECT Lead.FirstName FROM Lead WHERE Lead.LastName = 'Lima'", ["Carla"]),
]


@pytest.mark.parametrize("soql, expected", VALID)
def test_valid_query(people, soql, expected):
    records = people.query(soql)["records"]
    assert [r["FirstName"] for r in records] == expected


def test_parent_relationship_fields(people, emulator):
    record = people.query(
        "SELECT FirstName, Owner.Username, Owner.Profile.Name, CreatedBy.Alias "
        "FROM Lead WHERE FirstName = 'Ana'"
    )["records"][0]
    assert record["Owner"]["attributes"]["type"] == "User"
    assert record["Owner"]["Username"] == emulator.info["username"]
    assert record["Owner"]["Profile"]["Name"] == "Salesforce API Only System Integrations"
    assert "Alias" in record["CreatedBy"]
    rows = people.query(
        "SELECT FirstName FROM Lead WHERE Owner.Username LIKE 'integration%' "
        "ORDER BY FirstName LIMIT 1"
    )["records"]
    assert rows[0]["FirstName"] == "Ana"


def test_null_parent_is_null(people):
    account = people.Account.create({"Name": "Padaria"})["id"]
    people.Contact.create({"LastName": "WithAccount", "AccountId": account})
    people.Contact.create({"LastName": "Alone"})
    rows = people.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName")["records"]
    assert rows[0]["LastName"] == "Alone" and rows[0]["Account"] is None
    assert rows[1]["Account"]["Name"] == "Padaria"


def test_counts(people):
    assert people.query("SELECT COUNT() FROM Lead WHERE City = 'Recife'")["totalSize"] == 2
    result = people.query("SELECT COUNT(Id) FROM Lead")
    assert result["records"][0]["expr0"] == 5
    result = people.query("SELECT COUNT(Id) total FROM Lead WHERE Email = null")
    assert result["records"][0]["total"] == 1


INVALID = [
    ("SELECT FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id FROM", "MALFORMED_QUERY"),
    ("SELECT Id Lead", "MALFORMED_QUERY"),
    (
        "SELECT Id FROM Lead WHERE City = 'Recife' AND Email = null OR City = 'Natal'",
        "MALFORMED_QUERY",
    ),
    ("SELECT Id FROM Lead WHERE City = 'unterminated", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE City = 'bad \\q escape'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE City = ", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead LIMIT 'x'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE CreatedDate > 2026-13-45", "MALFORMED_QUERY"),
    ("SELECT Id, COUNT() FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id FROM Widget__c", "INVALID_TYPE"),
    ("SELECT Nope FROM Lead", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE Nope__c = 1", "INVALID_FIELD"),
    ("SELECT Owner.Nope FROM Lead", "INVALID_FIELD"),
    ("SELECT Nobody.Name FROM Lead", "INVALID_FIELD"),
    ("SELECT What.Amount FROM Task", "INVALID_FIELD"),  # not a field of the Name entity
    ("SELECT Id FROM Lead ORDER BY Description", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE CreatedDate > '2026-01-01'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE NumberOfEmployees = '10'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE City = 10", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE DoNotCall = 'true'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE DoNotCall > true", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE Id = 'not-an-id'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE City > null", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Lead WHERE City = TODAY", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id, Id FROM Lead", "DUPLICATE_FIELD"),
    ("SELECT Id FROM Lead OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
]


@pytest.mark.parametrize("soql, code", INVALID)
def test_invalid_query(people, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        people.query(soql)
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == code


def test_error_text_points_at_the_problem(people):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        people.query("SELECT Id, Nope FROM Lead")
    message = caught.value.content[0]["message"]
    assert "ERROR at Row:1:Column:12" in message
    assert "No such column 'Nope' on entity 'Lead'" in message
