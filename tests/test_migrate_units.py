"""The pure parts of restore and diff, without an org: dependency order, reference remapping,
sandbox usernames, the external sort, value comparison, and the progress file's matching of
Bulk results to rows."""

from __future__ import annotations

import pytest

from lgcrm_sf.errors import UsageError
from lgcrm_sf.migrate.backup_files import BackupObject
from lgcrm_sf.migrate.diff import joined, same_value
from lgcrm_sf.migrate.external_sort import sorted_rows
from lgcrm_sf.migrate.order import Reference, dependency_order
from lgcrm_sf.migrate.owners import OwnerResolver, UserDirectory, without_suffix
from lgcrm_sf.migrate.progress import Progress
from lgcrm_sf.migrate.remap import Remap, insert_values, missing_required
from lgcrm_sf.migrate.target import ObjectSpec, object_spec
from lgcrm_sf.migrate.values import canonical, differs, record_fingerprint, sent_fingerprint

# --- dependency order --------------------------------------------------------------------------
CRM = [
    Reference("Account", "ParentId", ("Account",)),
    Reference("Contact", "AccountId", ("Account",)),
    Reference("Opportunity", "AccountId", ("Account",)),
    Reference("OpportunityContactRole", "OpportunityId", ("Opportunity",), False),
    Reference("OpportunityContactRole", "ContactId", ("Contact",), False),
    Reference("Task", "WhoId", ("Contact", "Lead")),
    Reference("Task", "WhatId", ("Account", "Opportunity", "Campaign")),
]


def test_parents_come_first_and_self_references_wait():
    order = dependency_order(
        ["Task", "OpportunityContactRole", "Opportunity", "Contact", "Lead", "Account"], CRM
    )
    objects = order.objects
    assert objects.index("Account") < objects.index("Contact") < objects.index("Opportunity")
    assert objects.index("Opportunity") < objects.index("OpportunityContactRole")
    assert objects.index("Lead") < objects.index("Task") and objects[-1] == "Task"
    assert order.deferred == {"Account": ["ParentId"]}


def test_references_to_objects_not_restored_do_not_order():
    order = dependency_order(["Task", "Contact"], CRM)
    assert order.objects == ["Contact", "Task"]  # WhatId's targets are not restored
    assert dependency_order(["Contact"], CRM).objects == ["Contact"]


def test_a_cycle_is_broken_at_a_reference_that_may_wait():
    refs = [
        Reference("Account", "Primary_Contact__c", ("Contact",), True),
        Reference("Contact", "AccountId", ("Account",), False),
    ]
    order = dependency_order(["Contact", "Account"], refs)
    assert order.objects == ["Account", "Contact"]
    assert order.deferred == {"Account": ["Primary_Contact__c"]}


def test_a_cycle_of_required_references_is_refused():
    refs = [
        Reference("A__c", "B__c", ("B__c",), False),
        Reference("B__c", "A__c", ("A__c",), False),
    ]
    with pytest.raises(UsageError, match=r"A__c\.B__c"):
        dependency_order(["A__c", "B__c"], refs)


# --- owners -----------------------------------------------------------------------------------
USERS = UserDirectory.of(
    [
        ("005A", "ana@acme.com.uat", True),
        ("005B", "bia@acme.com", True),
        ("005C", "caio@acme.com", False),
        ("005D", "duda@acme.com.uat", True),
        ("005E", "duda@acme.com.dev", True),
        ("005F", "Eva@Acme.com", True),
    ]
)


@pytest.mark.parametrize(
    "source, user, how",
    [
        ("ana@acme.com", "005A", "sandbox suffix added"),
        ("bia@acme.com.uat", "005B", "sandbox suffix removed"),
        ("bia@acme.com", "005B", "same username"),
        ("eva@acme.com", "005F", "same username"),  # usernames are case-insensitive
        ("caio@acme.com", None, "caio@acme.com is inactive in the target"),
        ("duda@acme.com", None, "2 users with a sandbox suffix"),
        ("zeca@acme.com", None, "no such user in the target"),
    ],
)
def test_users_by_username_with_a_sandbox_suffix_added_or_removed(source, user, how):
    match = USERS.find(source)
    assert (match.user_id, match.how) == (user, how)


def test_a_suffix_is_never_the_last_part_of_a_domain():
    assert without_suffix("ana@acme.com.uat") == "ana@acme.com"
    assert without_suffix("ana@acme.com") is None
    assert without_suffix("ana@localhost") is None


def test_owners_fall_back_to_the_default_owner_only_where_asked():
    default = USERS.find("bia@acme.com")
    resolver = OwnerResolver({"005S1": "ana@acme.com", "005S2": "zeca@acme.com"}, USERS, default)
    assert resolver.target_user("005S1") == "005A"
    assert resolver.target_user("005S2") == "005B"
    assert resolver.target_user("005S2", use_default=False) is None
    assert resolver.unresolved() == {"zeca@acme.com": "no such user in the target"}


# --- remapping ----------------------------------------------------------------------------------
def spec_for(fields: list[dict], columns: list[str]) -> ObjectSpec:
    describe = {"fields": [{"nillable": True, "calculated": False, **f} for f in fields]}
    return object_spec(BackupObject("Task", None, columns, 0), describe, None, "LGCRM_Source_Id__c")


def field(name, ftype="string", **kw):
    return {"name": name, "type": ftype, "createable": True, "updateable": True, **kw}


TASK = spec_for(
    [
        field("Id", "id", createable=False, updateable=False, nillable=False),
        field("Subject"),
        field("WhoId", "reference", referenceTo=["Contact", "Lead"]),
        field("WhatId", "reference", referenceTo=["Account", "Opportunity"]),
        field("OwnerId", "reference", referenceTo=["Group", "User"], nillable=False),
        field("CreatedDate", "datetime", createable=False, updateable=False),
        field("Name", "string", calculated=True, createable=False, updateable=False),
        field("RecordTypeId", "reference", referenceTo=["RecordType"]),
    ],
    ["Id", "Subject", "WhoId", "WhatId", "OwnerId", "CreatedDate", "Name", "Gone__c"],
)


def test_what_a_create_sends_is_decided_from_the_describe():
    assert TASK.insert_fields == ["Subject", "WhoId", "WhatId", "OwnerId"]
    assert TASK.skipped == {
        "CreatedDate": "audit field: needs Set Audit Fields upon Record Creation",
        "Name": "formula",
        "Gone__c": "not in the target org",
    }
    assert TASK.references["WhatId"] == ("Account", "Opportunity")
    assert TASK.user_fields == {"OwnerId"}
    assert TASK.required == ["OwnerId"]


def test_references_point_at_the_copies_and_owners_at_target_users():
    owners = OwnerResolver({"005S1": "ana@acme.com"}, USERS, None)
    remap = Remap({"003OLD": "003NEW", "006OLD": "006NEW"}, False, owners)
    row = {"Subject": "Call", "WhoId": "003OLD", "WhatId": "001GONE", "OwnerId": "005S1"}
    assert insert_values(row, TASK, remap) == {
        "Subject": "Call",
        "WhoId": "003NEW",
        "WhatId": "",
        "OwnerId": "005A",
    }
    assert remap.notes == {("WhatId", "points to a record not restored: left empty"): 1}
    unknown = insert_values({**row, "OwnerId": "005NOBODY"}, TASK, remap)
    assert unknown["OwnerId"] == "" and missing_required(unknown, TASK) == (
        "required field OwnerId is empty"
    )


def test_in_the_same_org_an_unmapped_id_stays():
    remap = Remap({"003OLD": "003NEW"}, True)
    row = {"WhoId": "003OLD", "WhatId": "001SAME", "OwnerId": "005SAME"}
    assert insert_values(row, TASK, remap) == {
        "Subject": "",
        "WhoId": "003NEW",
        "WhatId": "001SAME",
        "OwnerId": "005SAME",
    }


def test_record_types_map_by_developer_name():
    remap = Remap({}, False, None, {"012SRC": "012DST"})
    spec = ObjectSpec("Account", None, references={"RecordTypeId": ("RecordType",)})
    assert remap.value(spec, "RecordTypeId", "012SRC") == "012DST"
    assert remap.value(spec, "RecordTypeId", "012OTHER") == ""


# --- values -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "a, b, ftype",
    [
        ("1500.0", 1500, "currency"),
        ("0.50", 0.5, "percent"),
        ("true", True, "boolean"),
        ("2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00.000+0000", "datetime"),
        ("2024-05-01T09:00:00-03:00", "2024-05-01T12:00:00Z", "datetime"),
        ("", None, "string"),
    ],
)
def test_one_value_spelled_by_csv_and_by_json_is_the_same(a, b, ftype):
    assert canonical(a, ftype) == canonical(b, ftype)
    assert not differs(a, b, ftype)


def test_a_record_read_back_is_known_by_the_values_sent():
    types = {"Amount": "currency", "IsWon": "boolean", "Name": "string"}
    sent = {"Name": "Deal", "Amount": "1500.0", "IsWon": "false", "Description": ""}
    record = {"Id": "006X", "Name": "Deal", "Amount": 1500, "IsWon": False, "Type": "New"}
    assert record_fingerprint(record, ["Amount", "IsWon", "Name"], types) == sent_fingerprint(
        sent, types
    )
    assert record_fingerprint({**record, "Amount": 1}, ["Amount", "IsWon", "Name"], types) != (
        sent_fingerprint(sent, types)
    )
    assert same_value("1500", "1500.0") and not same_value("1500", "15")


# --- external sort and the join -----------------------------------------------------------------
def test_external_sort_writes_runs_and_merges_them(tmp_path):
    rows = [[f"{(i * 7919) % 1000:04d}", "x" * 50] for i in range(1000)]
    with sorted_rows(iter(rows), 0, tmp_path, run_bytes=2000) as ordered:
        runs = list((tmp_path).glob("sort-*/run-*.csv"))
        result = list(ordered)
    assert len(runs) > 10  # on disk, in runs
    assert [r[0] for r in result] == sorted(r[0] for r in rows)
    assert not list(tmp_path.iterdir())  # run files removed
    with sorted_rows(iter([["b"], ["a"]]), 0, tmp_path) as ordered:  # fits one run: in memory
        assert list(ordered) == [["a"], ["b"]] and not list(tmp_path.glob("sort-*/run-*"))
    with sorted_rows(iter([]), 0, tmp_path) as ordered:
        assert list(ordered) == []


def test_join_walks_two_sorted_streams():
    a = iter([["1", "a"], ["3", "a"], ["4", "a"]])
    b = iter([["2", "b"], ["3", "b"], ["5", "b"]])
    assert [(k, x is not None, y is not None) for k, x, y in joined(a, b)] == [
        ("1", True, False),
        ("2", False, True),
        ("3", True, True),
        ("4", True, False),
        ("5", False, True),
    ]


# --- the progress file -------------------------------------------------------------------------
def test_bulk_results_map_to_rows_by_key_even_for_identical_rows(tmp_path):
    progress = Progress(tmp_path / "p.sqlite")
    assert oct((tmp_path / "p.sqlite").stat().st_mode & 0o777) == "0o600"
    rows = [("001A", "k1", None), ("001B", "k2", None), ("001C", "k2", None), ("001D", "k3", None)]
    chunk = progress.journal("Account", "bulk", None, ["Name"], rows)
    mapped = progress.match_results(
        chunk, "Account", [("k2", "001Y"), ("k1", "001X"), ("k2", "001Z")]
    )
    assert mapped == 3
    assert progress.mapped(["001A", "001B", "001C", "001D"]) == {
        "001A": "001X",
        "001B": "001Y",
        "001C": "001Z",
    }
    assert progress.unmapped_rows(chunk) == [("001D", "k3")]
    progress.settle(chunk)
    assert progress.pending() == []
    progress.close()
    again = Progress(tmp_path / "p.sqlite")  # what was committed survives the process
    assert again.count_mapped("Account") == 3
