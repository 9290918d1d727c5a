"""The Composite resources: sObject Tree (nested records, all or nothing) and Composite
(chained subrequests with @{ref} references, allOrNone, the 25-subrequest limit)."""

from __future__ import annotations

import pytest

from .conftest import http_session


@pytest.fixture
def rest(org, sf):
    session = http_session(org)
    session.headers["Authorization"] = f"Bearer {sf.session_id}"
    base = f"{org['instance_url']}/services/data/v62.0"

    def post(path, body):
        return session.post(base + path, json=body)

    return post


def account_tree(name, ref, contacts=()):
    record = {"attributes": {"type": "Account", "referenceId": ref}, "Name": name}
    if contacts:
        record["Contacts"] = {
            "records": [
                {"attributes": {"type": "Contact", "referenceId": r}, **values}
                for r, values in contacts
            ]
        }
    return record


def test_tree_creates_roots_then_children_linked_to_their_parent(rest, sf):
    body = {
        "records": [
            account_tree(
                "Acme", "ref1", [("ref2", {"LastName": "Silva"}), ("ref3", {"LastName": "Costa"})]
            ),
            account_tree("Beta", "ref4"),
        ]
    }
    response = rest("/composite/tree/Account", body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["hasErrors"] is False
    assert [r["referenceId"] for r in result["results"]] == ["ref1", "ref4", "ref2", "ref3"]
    ids = {r["referenceId"]: r["id"] for r in result["results"]}
    contacts = sf.query(
        f"SELECT LastName FROM Contact WHERE AccountId = '{ids['ref1']}' ORDER BY LastName"
    )
    assert [c["LastName"] for c in contacts["records"]] == ["Costa", "Silva"]


def test_tree_with_a_failing_record_creates_nothing_and_names_it(rest, sf):
    body = {
        "records": [
            account_tree("Gama", "ok1", [("bad2", {"LastName": "X", "Email": "not an email"})]),
        ]
    }
    response = rest("/composite/tree/Account", body)
    assert response.status_code == 400
    assert response.json() == {
        "hasErrors": True,
        "results": [
            {
                "referenceId": "bad2",
                "errors": [
                    {
                        "statusCode": "INVALID_EMAIL_ADDRESS",
                        "message": "Email: invalid email address: not an email",
                        "fields": ["Email"],
                    }
                ],
            }
        ],
    }
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Gama'")["totalSize"] == 0


def test_tree_refuses_duplicate_reference_ids_and_more_than_200_records(rest):
    duplicated = rest(
        "/composite/tree/Account", {"records": [account_tree("A", "r1"), account_tree("B", "r1")]}
    )
    assert duplicated.status_code == 400
    assert [r["referenceId"] for r in duplicated.json()["results"]] == ["r1", "r1"]
    many = {"records": [account_tree(f"A{i}", f"r{i}") for i in range(201)]}
    too_many = rest("/composite/tree/Account", many)
    assert too_many.status_code == 400 and too_many.json()[0]["errorCode"] == "LIMIT_EXCEEDED"


def test_composite_chains_references_and_counts_one_call(rest, sf, control):
    used = control.usage()["used"]
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "newAccount",
                "body": {"Name": "Composta"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Contact",
                "referenceId": "newContact",
                "body": {"LastName": "Ref", "AccountId": "@{newAccount.id}"},
            },
            {
                "method": "GET",
                "url": "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Account"
                "+WHERE+Id='@{newAccount.id}'",
                "referenceId": "found",
            },
            {
                "method": "GET",
                "url": "/services/data/v62.0/sobjects/Account/@{found.records[0].Id}",
                "referenceId": "fetched",
            },
        ],
    }
    response = rest("/composite", body)
    assert control.usage()["used"] == used + 1  # four subrequests, one API call
    assert response.status_code == 200, response.text
    results = response.json()["compositeResponse"]
    assert [r["httpStatusCode"] for r in results] == [201, 201, 200, 200]
    account_id = results[0]["body"]["id"]
    assert (
        results[0]["httpHeaders"]["Location"]
        == f"/services/data/v62.0/sobjects/Account/{account_id}"
    )
    assert results[3]["body"]["Name"] == "Composta" and results[3]["referenceId"] == "fetched"
    assert sf.Contact.get(results[1]["body"]["id"])["AccountId"] == account_id


def test_all_or_none_rolls_back_and_halts_the_rest(rest, sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "a",
                "body": {"Name": "Desfeita"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Contact",
                "referenceId": "bad",
                "body": {"Email": "x"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "c",
                "body": {"Name": "Nunca"},
            },
        ],
    }
    results = rest("/composite", body).json()["compositeResponse"]
    halted = [
        {
            "errorCode": "PROCESSING_HALTED",
            "message": (
                "The transaction was rolled back since another operation in the same transaction "
                "failed."
            ),
        }
    ]
    assert results[0]["body"] == halted and results[2]["body"] == halted
    assert results[1]["httpStatusCode"] == 400 and results[1]["body"][0]["errorCode"] in (
        "REQUIRED_FIELD_MISSING",
        "INVALID_EMAIL_ADDRESS",
    )
    assert (
        sf.query("SELECT COUNT() FROM Account WHERE Name IN ('Desfeita', 'Nunca')")["totalSize"]
        == 0
    )


def test_without_all_or_none_only_dependents_of_a_failure_halt(rest, sf):
    body = {
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "bad",
                "body": {},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Contact",
                "referenceId": "dep",
                "body": {"LastName": "D", "AccountId": "@{bad.id}"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "fine",
                "body": {"Name": "Independente"},
            },
        ],
    }
    results = rest("/composite", body).json()["compositeResponse"]
    assert results[0]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert results[1]["body"] == [
        {
            "errorCode": "PROCESSING_HALTED",
            "message": "Invalid reference specified. No value for bad.id found in bad.",
        }
    ]
    assert results[2]["httpStatusCode"] == 201
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Independente'")["totalSize"] == 1


def test_collections_inside_all_or_none_fail_whole(rest, sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/composite/sobjects",
                "referenceId": "batch",
                "body": {
                    "allOrNone": False,
                    "records": [
                        {"attributes": {"type": "Account"}, "Name": "Boa"},
                        {"attributes": {"type": "Account"}},
                    ],
                },
            }
        ],
    }
    results = rest("/composite", body).json()["compositeResponse"]
    assert [r["success"] for r in results[0]["body"]] == [False, False]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Boa'")["totalSize"] == 0


def test_limits_and_malformed_requests(rest):
    sub = {"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": "r"}
    many = [dict(sub, referenceId=f"r{i}") for i in range(26)]
    over = rest("/composite", {"compositeRequest": many}).json()["compositeResponse"]
    assert over == [
        {
            "body": [
                {
                    "errorCode": "LIMIT_EXCEEDED",
                    "message": "The request can’t contain more than 25 operations.",
                }
            ],
            "httpHeaders": {},
            "httpStatusCode": 400,
            "referenceId": None,
        }
    ]
    bad_flag = rest("/composite", {"collateSubrequests": "yes", "compositeRequest": [sub]})
    assert bad_flag.status_code == 400 and bad_flag.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    bad_ref = rest("/composite", {"compositeRequest": [dict(sub, referenceId="a-b")]})
    assert (
        bad_ref.status_code == 400
        and "must start with a letter or a number" in bad_ref.json()[0]["message"]
    )
