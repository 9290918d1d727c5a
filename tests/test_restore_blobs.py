"""Binary and compound fields through restore and diff: a backup keeps attachment and file
bodies as files of their own (their SHA-256 in the manifest) and address components as columns;
`restore --mode copy` writes the bytes into a second org (small ones as base64 in sObject
Collections, one past the batch size alone as multipart) and the components, never the
compound field; `--mode update` writes back a body changed since; `backup diff` counts a body
whose hash changed as a changed field; a body the backup skipped (--skip-binary) is named, not
silently left out. Two emulators, as in test_restore.py."""

from __future__ import annotations

import base64

import pytest

from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, login, password_env
from .restore_helpers import connect_target

OBJECTS = "Account,Contact,Attachment,ContentVersion,User"
# Bytes no text encoding survives: every byte value, and a body past the batch size below.
SMALL = bytes(range(256)) * 3
LARGE = bytes((i * 7) % 256 for i in range(5000))
BATCH_BYTES = 4000  # base64 text per Collections call: LARGE (6,668 as base64) goes alone
ADDRESS = {
    "BillingStreet": "Rua da Aurora, 100",
    "BillingCity": "Recife",
    "BillingState": "PE",
    "BillingPostalCode": "50050-000",
    "BillingCountry": "Brasil",
}


@pytest.fixture
def target(target):
    """The second org (restore_helpers.target) as its info, its control client in it."""
    info, control = target
    info["control"] = control
    return info


@pytest.fixture
def source(org, cli, keyring_file, monkeypatch):
    """An account with its address, a contact with hers, two attachments on them (one past the
    batch size) and a file (ContentVersion)."""
    monkeypatch.setenv("LGCRM_SF_RESTORE_TUNING", f"blob_batch_bytes={BATCH_BYTES}")
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    sf = login(org)
    account = sf.Account.create({"Name": "Acme", **ADDRESS})["id"]
    contact = sf.Contact.create(
        {"LastName": "Souza", "AccountId": account, "MailingCity": "Olinda", "MailingState": "PE"}
    )["id"]
    ids = {
        "account": account,
        "contact": contact,
        "small": _attach(sf, account, "tabela.bin", SMALL),
        "large": _attach(sf, contact, "contrato.pdf", LARGE),
        "file": sf.ContentVersion.create(
            {"PathOnClient": "planilha.csv", "VersionData": _b64(SMALL)}
        )["id"],
    }
    return org, ids


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _attach(sf, parent: str, name: str, data: bytes) -> str:
    return sf.Attachment.create({"ParentId": parent, "Name": name, "Body": _b64(data)})["id"]


def blob(info: dict, sobject: str, record_id: str, field: str) -> bytes:
    """The bytes the record's blob URL serves (what a query's field value points at)."""
    sf = login(info)
    url = sf.query(f"SELECT {field} FROM {sobject} WHERE Id = '{record_id}'")["records"][0][field]
    response = sf.session.get(f"https://{sf.sf_instance}{url}", headers=sf.headers)
    assert response.status_code == 200, response.text
    return response.content


def backup_path(cli, *extra) -> str:
    result = cli("backup", "--objects", OBJECTS, "--json", *extra)
    assert result.code == 0, result
    return result.json()["path"]


def by_name(info: dict, sobject: str, fields: str) -> dict[str, dict]:
    rows = login(info).query_all(f"SELECT Id, Name, {fields} FROM {sobject}")["records"]
    return {r["Name"]: r for r in rows}


def test_copy_restores_bodies_byte_for_byte_and_address_components(source, target, cli):
    info, ids = source
    connect_target(cli, target)
    path = backup_path(cli)
    # Counts (never fails) the creates through the sObject resource rather than Collections.
    alone = {"path": "/sobjects/Attachment/?$", "method": "POST", "after": 1_000_000}
    target["control"].fault(**alone)
    result = cli(
        "restore", path, "--mode", "copy", "--target-profile", "target",
        "--default-owner", target["admin_username"], "--yes", "--json",
    )  # fmt: skip
    assert result.code == 0, result
    report = result.json()
    assert target["control"].call("GET", "faults")[0]["seen"] == 1  # LARGE, as multipart
    assert report["objects"]["Attachment"]["done"]["created"] == 2
    assert report["objects"]["ContentVersion"]["done"]["created"] == 1
    copies = by_name(target, "Attachment", "ParentId, BodyLength")
    assert blob(target, "Attachment", copies["tabela.bin"]["Id"], "Body") == SMALL
    assert blob(target, "Attachment", copies["contrato.pdf"]["Id"], "Body") == LARGE
    assert copies["contrato.pdf"]["BodyLength"] == len(LARGE)
    files = login(target).query("SELECT Id, Title FROM ContentVersion")["records"]
    assert [f["Title"] for f in files] == ["planilha"]
    assert blob(target, "ContentVersion", files[0]["Id"], "VersionData") == SMALL
    account = by_name(target, "Account", ", ".join(ADDRESS) + ", BillingAddress")["Acme"]
    assert {k: account[k] for k in ADDRESS} == ADDRESS
    assert account["BillingAddress"]["city"] == "Recife"  # the compound field, from its parts
    contact = login(target).query("SELECT Id, MailingCity, AccountId FROM Contact")["records"][0]
    assert (contact["MailingCity"], contact["AccountId"]) == ("Olinda", account["Id"])
    assert copies["tabela.bin"]["ParentId"] == account["Id"]
    assert copies["contrato.pdf"]["ParentId"] == contact["Id"]
    assert "Body" not in report["fields_skipped"].get("Attachment", {})


def test_update_writes_back_a_body_changed_since_the_backup(source, control, cli):
    info, ids = source
    path = backup_path(cli)
    sf = login(info)
    sf.Attachment.update(ids["large"], {"Body": _b64(b"overwritten by mistake")})
    sf.Attachment.update(ids["small"], {"Description": "touched, same body"})
    sf.Account.update(ids["account"], {"BillingCity": "Caruaru"})
    assert blob(info, "Attachment", ids["large"], "Body") != LARGE
    control.clear_faults()  # counts (never fails) the updates through the sObject resource
    control.fault(path="/sobjects/Attachment/00P", method="PATCH", after=1_000_000)
    result = cli("restore", path, "--mode", "update", "--yes", "--json")
    assert result.code == 0, result
    attachments = result.json()["objects"]["Attachment"]
    assert attachments["fields"] == {"Body": 1, "Description": 1}
    assert attachments["done"]["updated"] == 2 and not attachments["done"].get("failed")
    assert blob(info, "Attachment", ids["large"], "Body") == LARGE
    assert control.call("GET", "faults")[0]["seen"] == 1  # LARGE went alone, as multipart
    control.clear_faults()
    assert blob(info, "Attachment", ids["small"], "Body") == SMALL
    assert sf.Attachment.get(ids["large"])["BodyLength"] == len(LARGE)
    assert sf.Account.get(ids["account"])["BillingCity"] == "Recife"
    # Nothing is left to write back: a second run finds every body and field as backed up.
    again = cli("restore", path, "--mode", "update", "--yes", "--json").json()
    assert again["objects"]["Attachment"]["update"] == 0


def test_diff_counts_a_changed_body_as_a_changed_field(source, cli):
    info, ids = source
    first = backup_path(cli)
    same_length = bytes(reversed(SMALL))
    login(info).Attachment.update(ids["small"], {"Body": _b64(same_length)})
    second = backup_path(cli)
    result = cli("backup", "diff", first, second, "--json", "--records", "5")
    assert result.code == 0, result
    objects = result.json()["objects"]
    attachments = objects["Attachment"]
    assert (attachments["changed"], attachments["unchanged"]) == (1, 1)
    system = {"LastModifiedDate", "SystemModstamp"}
    assert {f: n for f, n in attachments["fields"].items() if f not in system} == {"Body": 1}
    [example] = attachments["examples"]
    assert example["id"] == ids["small"] and example["fields"]["Body"][0] != ""
    assert objects["ContentVersion"]["changed"] == 0  # same bytes, same hash
    assert objects["Account"]["changed"] == 0


def test_a_body_the_backup_skipped_is_named_not_dropped(source, target, cli):
    connect_target(cli, target)
    skipped = backup_path(cli, "--skip-binary")
    result = cli(
        "restore", skipped, "--mode", "copy", "--target-profile", "target",
        "--default-owner", target["admin_username"], "--objects", "Account,Attachment", "--yes",
    )  # fmt: skip
    assert result.code == ExitCode.USAGE, result
    assert "Body" in result.err and "--skip-binary" in result.err
    assert login(target).query("SELECT COUNT() FROM Account")["totalSize"] == 0
    # A diff of a backup with bodies against one without: the field is in one backup only.
    full = backup_path(cli)
    diff = cli("backup", "diff", skipped, full, "--json").json()["objects"]["Attachment"]
    assert diff["fields_only_in_b"] == ["Body"] and diff["changed"] == 0


def test_update_brings_back_attachments_deleted_with_their_record(source, control, cli):
    info, ids = source
    path = backup_path(cli)
    control.delete("Account", ids["account"])  # its contact and both attachments go with it
    sf = login(info)
    assert sf.query("SELECT COUNT() FROM Attachment")["totalSize"] == 0
    result = cli("restore", path, "--mode", "update", "--yes", "--json")
    assert result.code == 0, result
    report = result.json()["objects"]
    assert report["Account"]["done"]["undeleted"] == 1
    assert not report["Attachment"]["done"].get("failed"), report["Attachment"]
    assert blob(info, "Attachment", ids["small"], "Body") == SMALL
    assert blob(info, "Attachment", ids["large"], "Body") == LARGE
    assert sf.Contact.get(ids["contact"])["IsDeleted"] is False
