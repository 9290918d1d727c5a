"""Aggregate SOQL over REST: COUNT(), aggregate functions, aliases and exprN names, GROUP BY,
HAVING, ORDER BY an aggregate, and the errors Salesforce gives for misuse; Bulk API 2.0 refuses
aggregates."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import login


@pytest.fixture(scope="module")
def leads(emulator):
    """Seven leads over three sources, two companies with employee counts and revenues."""
    from lgcrm_sf.emulator.control import ControlClient

    info = ControlClient(emulator.info).reset("empty")
    sf = login(info)
    rows = [
        ("Ana", "Web", "Padaria", 10, 1000.0),
        ("Bruno", "Web", "Padaria", 20, 2000.0),
        ("Carla", "Web", "TechSul", 30, None),
        ("Diego", "Phone Inquiry", "TechSul", None, 500.0),
        ("Elisa", "Phone Inquiry", "padaria", 5, None),
        ("Fabio", None, "Agro", None, None),
        ("Gabi", "Partner Referral", "Agro", 1, 100.0),
    ]
    for first, source, company, employees, revenue in rows:
        sf.Lead.create(
            {
                "LastName": first + " Souza",
                "FirstName": first,
                "LeadSource": source,
                "Company": company,
                "NumberOfEmployees": employees,
                "AnnualRevenue": revenue,
            }
        )
    gone = sf.Lead.create({"LastName": "Deleted", "Company": "Agro", "LeadSource": "Web"})["id"]
    sf.Lead.delete(gone)
    return sf


def test_count_alone_gives_total_size_and_no_records(leads):
    result = leads.query("SELECT COUNT() FROM Lead WHERE LeadSource = 'Web'")
    assert result == {"totalSize": 3, "done": True, "records": []}
    assert leads.query("SELECT COUNT() FROM Lead LIMIT 2")["totalSize"] == 2
    assert leads.query("SELECT COUNT() FROM Lead", include_deleted=True)["totalSize"] == 8


def test_aggregates_without_group_by_give_one_aggregate_result(leads):
    result = leads.query(
        "SELECT COUNT(Id), COUNT(NumberOfEmployees) withEmployees, COUNT_DISTINCT(Company), "
        "SUM(NumberOfEmployees), AVG(AnnualRevenue), MIN(FirstName), MAX(CreatedDate) FROM Lead"
    )
    assert result["totalSize"] == 1 and result["done"] is True
    [record] = result["records"]
    assert record["attributes"] == {"type": "AggregateResult"}
    # Unaliased aggregates are expr0, expr1... counted without the aliased ones.
    assert record["expr0"] == 7
    assert record["withEmployees"] == 5
    assert record["expr1"] == 3  # Padaria and padaria are one company: text compares caseless
    assert record["expr2"] == 66 and isinstance(record["expr2"], int)
    assert record["expr3"] == pytest.approx(900.0)
    assert record["expr4"] == "Ana"
    assert record["expr5"].endswith("+0000")
    assert list(record) == [
        "attributes",
        "expr0",
        "withEmployees",
        "expr1",
        "expr2",
        "expr3",
        "expr4",
        "expr5",
    ]


def test_no_rows_still_give_one_row_without_group_by(leads):
    [record] = leads.query(
        "SELECT COUNT(Id), MAX(NumberOfEmployees) FROM Lead WHERE LeadSource = 'Other'"
    )["records"]
    assert record["expr0"] == 0 and record["expr1"] is None
    assert (
        leads.query(
            "SELECT LeadSource, COUNT(Id) FROM Lead WHERE LeadSource = 'Other' GROUP BY LeadSource"
        )["totalSize"]
        == 0
    )


def test_group_by_having_and_order_by_an_aggregate(leads):
    result = leads.query(
        "SELECT LeadSource, COUNT(Id) total, SUM(NumberOfEmployees) FROM Lead "
        "GROUP BY LeadSource ORDER BY COUNT(Id) DESC, LeadSource"
    )
    groups = [(r["LeadSource"], r["total"], r["expr0"]) for r in result["records"]]
    assert groups == [
        ("Web", 3, 60),
        ("Phone Inquiry", 2, 5),
        (None, 1, None),
        ("Partner Referral", 1, 1),
    ]
    assert result["totalSize"] == 4
    having = leads.query(
        "SELECT LeadSource src, COUNT(Id) FROM Lead GROUP BY LeadSource "
        "HAVING COUNT(Id) > 1 AND LeadSource != 'Web'"
    )["records"]
    assert [(r["src"], r["expr0"]) for r in having] == [("Phone Inquiry", 2)]


def test_group_by_two_fields_and_a_parent_field(leads):
    rows = leads.query(
        "SELECT LeadSource, Company, COUNT(Id) FROM Lead WHERE LeadSource != null "
        "GROUP BY LeadSource, Company ORDER BY LeadSource, Company"
    )["records"]
    assert [(r["LeadSource"], r["Company"], r["expr0"]) for r in rows] == [
        ("Partner Referral", "Agro", 1),
        ("Phone Inquiry", "padaria", 1),
        ("Phone Inquiry", "TechSul", 1),
        ("Web", "Padaria", 2),
        ("Web", "TechSul", 1),
    ]
    # A parent field is named by its own field name in an AggregateResult.
    [owner] = leads.query("SELECT Owner.Username, COUNT(Id) FROM Lead GROUP BY Owner.Username")[
        "records"
    ]
    assert owner == {
        "attributes": {"type": "AggregateResult"},
        "Username": "integration@acme-brasil.example",
        "expr0": 7,
    }


def test_limit_and_offset_apply_to_groups(leads):
    rows = leads.query(
        "SELECT Company, COUNT(Id) FROM Lead GROUP BY Company ORDER BY Company LIMIT 1 OFFSET 1"
    )["records"]
    assert [r["Company"] for r in rows] == ["Padaria"]


INVALID = [
    ("SELECT FirstName, COUNT(Id) FROM Lead", "MALFORMED_QUERY", "must be grouped or aggregated"),
    (
        "SELECT FirstName FROM Lead GROUP BY LeadSource",
        "MALFORMED_QUERY",
        "Field must be grouped or aggregated: FirstName",
    ),
    ("SELECT Id, COUNT() FROM Lead", "MALFORMED_QUERY", "COUNT()"),
    ("SELECT COUNT() FROM Lead GROUP BY LeadSource", "MALFORMED_QUERY", "COUNT()"),
    (
        "SELECT SUM(FirstName) FROM Lead",
        "MALFORMED_QUERY",
        "does not support aggregate operator SUM",
    ),
    (
        "SELECT AnnualRevenue, COUNT(Id) FROM Lead GROUP BY AnnualRevenue",
        "INVALID_FIELD",
        "can not be grouped",
    ),
    ("SELECT COUNT(Nope) FROM Lead", "INVALID_FIELD", "No such column 'Nope'"),
    ("SELECT Id FROM Lead WHERE COUNT(Id) > 1", "MALFORMED_QUERY", "HAVING"),
    ("SELECT MEDIAN(Id) FROM Lead", "MALFORMED_QUERY", "unknown function"),
    (
        "SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource ORDER BY FirstName",
        "MALFORMED_QUERY",
        "grouped or aggregated",
    ),
    ("SELECT Id FROM Lead ORDER BY COUNT(Id)", "MALFORMED_QUERY", "grouped or aggregated"),
]


@pytest.mark.parametrize("soql, code, text", INVALID)
def test_invalid_aggregate_queries(leads, soql, code, text):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        leads.query(soql)
    error = caught.value.content[0]
    assert error["errorCode"] == code and text in error["message"]


def test_too_many_groups_for_one_batch(sf, control):
    control.generate("Lead", 2100)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Email, COUNT(Id) FROM Lead GROUP BY Email")
    assert "does not support queryMore()" in caught.value.content[0]["message"]
    limited = sf.query("SELECT Email, COUNT(Id) FROM Lead GROUP BY Email LIMIT 2000")
    assert limited["totalSize"] == 2000 and limited["done"] is True


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT() FROM Lead",
        "SELECT COUNT(Id) FROM Lead",
        "SELECT LeadSource, MAX(CreatedDate) FROM Lead GROUP BY LeadSource",
        "SELECT LeadSource FROM Lead GROUP BY LeadSource",
    ],
)
def test_bulk_api_refuses_aggregates(sf, soql):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("jobs/query", method="POST", json={"operation": "query", "query": soql})
    error = caught.value.content[0]
    assert error["errorCode"] == "API_ERROR" and "not supported in Bulk Query" in error["message"]
