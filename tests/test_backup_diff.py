"""`lgcrm-sf backup diff A B`: per object, rows added, deleted and changed, the fields that
changed (counts and examples), from two real backups with known differences; directories or
catalog ids; the external sort's on-disk runs give the same answer as one run in memory."""

from __future__ import annotations

from lgcrm_sf.errors import ExitCode
from lgcrm_sf.migrate.backup_files import open_verified
from lgcrm_sf.migrate.diff import diff_backups

from .conftest import connect_args, password_env


def two_backups(org, control, cli) -> tuple[str, str, dict]:
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    leads = [
        control.create(
            "Lead", {"LastName": f"Lima {i}", "Company": "Lima ME", "Title": "Dona", "Phone": "1"}
        )
        for i in range(30)
    ]
    account = control.create("Account", {"Name": "Acme"})
    a = cli("backup", "--objects", "Lead,Account,Contact", "--json").json()["path"]
    for lead in leads[:5]:
        control.update("Lead", lead, {"Title": "Gerente"})
    for lead in leads[5:7]:
        control.update("Lead", lead, {"Title": "Diretora", "Phone": "2"})
    control.delete("Lead", leads[29])
    added = control.create("Lead", {"LastName": "Nova", "Company": "Nova SA"})
    control.create("Contact", {"LastName": "Souza", "AccountId": account})
    b = cli("backup", "--objects", "Lead,Account,Contact", "--json").json()["path"]
    return a, b, {"leads": leads, "added": added}


def test_diff_counts_rows_and_fields(org, control, cli, keyring_file):
    a, b, ids = two_backups(org, control, cli)
    result = cli("backup", "diff", a, b, "--json", "--records", "3")
    assert result.code == 0, result
    objects = result.json()["objects"]
    lead = objects["Lead"]
    assert (lead["added"], lead["deleted"], lead["changed"], lead["unchanged"]) == (1, 1, 7, 22)
    system = {"LastModifiedDate", "SystemModstamp"}
    assert {f: n for f, n in lead["fields"].items() if f not in system} == {"Title": 7, "Phone": 2}
    assert lead["fields"]["SystemModstamp"] == 7
    assert len(lead["examples"]) == 3
    changed = [e for e in lead["examples"] if e["change"] == "changed"]
    assert all(e["fields"]["Title"][0] == "Dona" for e in changed)
    assert objects["Contact"]["added"] == 1 and objects["Contact"]["fields"] == {}
    assert objects["Account"] == {
        "added": 0, "deleted": 0, "changed": 0, "unchanged": 1, "fields": {}, "examples": [],
    }  # fmt: skip
    # --objects; catalog ids (backup list) work as well as directories.
    catalog = {row["path"]: row["id"] for row in cli("backup", "list", "--json").json()}
    by_id = cli("backup", "diff", catalog[a], catalog[b], "--objects", "lead", "--json")
    assert by_id.code == 0, by_id
    assert list(by_id.json()["objects"]) == ["Lead"]
    assert by_id.json()["objects"]["Lead"]["changed"] == 7
    text = cli("backup", "diff", a, b, "--records", "2")
    assert text.code == 0 and "Title" in text.out and "'Dona' -> " in text.out


def test_the_external_sort_on_disk_gives_the_same_diff(org, control, cli, keyring_file):
    a, b, _ = two_backups(org, control, cli)
    first, second = open_verified(a), open_verified(b)
    in_memory = diff_backups(first, second, None, 50)
    on_disk = diff_backups(first, second, None, 50, run_bytes=2000)  # many runs of a few rows
    assert {k: v.as_dict() for k, v in on_disk.items()} == {
        k: v.as_dict() for k, v in in_memory.items()
    }


def test_an_object_in_one_backup_only_and_bad_input(org, control, cli, keyring_file, tmp_path):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    control.create("Lead", {"LastName": "Lima", "Company": "Lima ME"})
    a = cli("backup", "--objects", "Lead", "--json").json()["path"]
    b = cli("backup", "--objects", "Lead,Account", "--json").json()["path"]
    result = cli("backup", "diff", a, b, "--json")
    assert result.json()["objects"]["Account"]["note"] == "only in backup B"
    assert cli("backup", "diff", a, b, "--objects", "Case").code == ExitCode.USAGE
    assert cli("backup", "diff", a, b, "--records", "-1").code == ExitCode.USAGE
    lead_csv = next(
        p for p in (tmp_path / "home" / "backups").rglob("Lead.csv") if str(p).startswith(b)
    )
    lead_csv.write_text(lead_csv.read_text() + '"x"\n')  # a row the manifest does not count
    damaged = cli("backup", "diff", a, b)
    assert damaged.code == ExitCode.VERIFY_FAILED and "does not verify" in damaged.err
