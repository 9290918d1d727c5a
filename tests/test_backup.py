"""backup, backup verify and backup list against the emulator, through the CLI."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, password_env

TRICKY = [
    'vírgula, e "aspas" duplas',
    "linha 1\nlinha 2\r\nlinha 3",
    "日本語の会社 — Ünïcødé ✓",
    None,
    "'; DROP TABLE Lead; --",
]


@pytest.fixture
def connected(demo_org, cli, keyring_file, demo_sf):
    assert cli(*connect_args(demo_org), env=password_env(demo_org)).code == 0
    for i, text in enumerate(TRICKY):
        demo_sf.Lead.create(
            {
                "LastName": f"Tricky{i}",
                "Company": text or "Empty Ltd",
                "Description": text,
                "Email": f"tricky{i}@example.com",
            }
        )
    return demo_org


@pytest.fixture(params=["bulk2", "rest"])
def api(request, monkeypatch):
    """Run the same test through Bulk API 2.0 and through the REST fallback."""
    threshold = 0 if request.param == "bulk2" else 10**9
    monkeypatch.setenv("LGCRM_SF_BACKUP_TUNING", f"rest_threshold={threshold}")
    return request.param


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def as_csv_text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, str) and value.endswith("+0000") and len(value) == 28:
        return value[:-5] + "Z"
    return str(value)


def backup(cli, tmp_path, *args):
    result = cli("backup", "--out", tmp_path / "backups", "--json", *args)
    return result, (result.json() if result.out.startswith("{") else None)


def test_backup_matches_the_org_exactly(connected, cli, tmp_path, demo_sf, api):
    result, summary = backup(cli, tmp_path, "--objects", "Lead,Contact,Account,Opportunity")
    assert result.code == 0, result
    path = Path(summary["path"])
    assert summary["complete"] and path.parent == tmp_path / "backups"
    assert sorted(p.name for p in path.iterdir()) == [
        "Account.csv",
        "Contact.csv",
        "Lead.csv",
        "Opportunity.csv",
        "manifest.json",
    ]
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["org"]["id"] == connected["org_id"] and manifest["complete"] is True
    for entry in manifest["objects"]:
        assert entry["api"] == api
        header, rows = read_csv(path / entry["file"])
        assert header == entry["fields"] and len(rows) == entry["rows"]
        soql = f"SELECT {', '.join(header)} FROM {entry['name']} ORDER BY Id"
        expected = [[as_csv_text(r[f]) for f in header] for r in demo_sf.query_all(soql)["records"]]
        assert sorted(rows) == sorted(expected)
    header, rows = read_csv(path / "Lead.csv")
    descriptions = {row[header.index("LastName")]: row[header.index("Description")] for row in rows}
    for i, text in enumerate(TRICKY):
        assert descriptions[f"Tricky{i}"] == (text or "")
    assert "Name" in header and "SystemModstamp" in header and "LGCRM_Lead_Score__c" in header


def test_files_are_private(connected, cli, tmp_path):
    _, summary = backup(cli, tmp_path, "--objects", "Lead")
    path = Path(summary["path"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for file in path.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_include_deleted(connected, cli, tmp_path, demo_sf, api):
    gone = demo_sf.Lead.create({"LastName": "Gone", "Company": "C"})["id"]
    demo_sf.Lead.delete(gone)
    _, summary = backup(cli, tmp_path, "--objects", "Lead")
    header, rows = read_csv(Path(summary["path"]) / "Lead.csv")
    assert gone not in [r[header.index("Id")] for r in rows]
    _, summary = backup(cli, tmp_path, "--objects", "Lead", "--include-deleted")
    header, rows = read_csv(Path(summary["path"]) / "Lead.csv")
    deleted = {r[header.index("Id")]: r[header.index("IsDeleted")] for r in rows}
    assert deleted[gone] == "true"
    assert (
        json.loads((Path(summary["path"]) / "manifest.json").read_text())["include_deleted"] is True
    )


def test_rest_fallback_where_bulk_refuses(connected, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LGCRM_SF_BACKUP_TUNING", "rest_threshold=0")
    _, summary = backup(cli, tmp_path, "--objects", "Organization,Profile,Lead")
    apis = {o["name"]: (o["api"], o["note"]) for o in summary["objects"]}
    assert apis["Lead"] == ("bulk2", None)
    assert apis["Organization"][0] == "rest" and "Bulk API 2.0 refused" in apis["Organization"][1]
    header, rows = read_csv(Path(summary["path"]) / "Organization.csv")
    assert rows[0][header.index("Id")] == connected["org_id"]


def test_compressed_backup_verifies(connected, cli, tmp_path, api):
    result, summary = backup(cli, tmp_path, "--objects", "Lead,Contact", "--compress")
    path = Path(summary["path"])
    assert (path / "Lead.csv.gz").exists()
    assert cli("backup", "verify", path).code == 0


def test_all_objects(connected, cli, tmp_path, demo_sf):
    _, summary = backup(cli, tmp_path, "--all")
    names = {o["name"] for o in summary["objects"]}
    assert {o["name"] for o in demo_sf.describe()["sobjects"] if o["queryable"]} == names
    assert summary["complete"]


def test_verify_catches_a_changed_byte_and_a_removed_row(connected, cli, tmp_path, home):
    _, summary = backup(cli, tmp_path, "--objects", "Lead,Contact")
    path = Path(summary["path"])
    assert cli("backup", "verify", path).code == 0
    lead = path / "Lead.csv"
    original = lead.read_bytes()
    index = original.index(b"Ana")
    lead.write_bytes(original[:index] + b"Ama" + original[index + 3 :])  # same size
    result = cli("backup", "verify", path, "--json")
    assert result.code == ExitCode.VERIFY_FAILED
    report = result.json()
    lead_check = next(o for o in report["objects"] if o["name"] == "Lead")
    assert "SHA-256" in lead_check["detail"] and "rows" not in lead_check["detail"]
    assert next(o for o in report["objects"] if o["name"] == "Contact")["ok"]
    header, *lines = original.split(b"\n")
    lead.write_bytes(b"\n".join([header, *lines[:3], *lines[4:]]))
    result = cli("backup", "verify", path, "--json")
    detail = next(o for o in result.json()["objects"] if o["name"] == "Lead")["detail"]
    assert "rows, the manifest says" in detail
    lead.write_bytes(original)
    assert cli("backup", "verify", path).code == 0


def test_verify_checks_the_manifest(connected, cli, tmp_path):
    _, summary = backup(cli, tmp_path, "--objects", "Lead")
    path = Path(summary["path"])
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["objects"][0]["sha256"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    result = cli("backup", "verify", path, "--json")
    assert result.code == ExitCode.VERIFY_FAILED
    assert "objects[0] lacks 'sha256'" in result.json()["problems"][0]
    (path / "manifest.json").write_text("{not json")
    assert "not valid JSON" in cli("backup", "verify", path, "--json").json()["problems"][0]
    assert cli("backup", "verify", tmp_path).code == ExitCode.VERIFY_FAILED


def test_catalog_and_prereqs_backup_check(connected, cli, tmp_path):
    status = {c["id"]: c["status"] for c in cli("check-prereqs", "--json").json()["checks"]}
    assert status["backup"] == "fail"
    _, summary = backup(cli, tmp_path)  # the default objects: all the first sync needs
    listed = cli("backup", "list", "--json").json()
    assert listed[0]["path"] == summary["path"] and listed[0]["verified"] == 0
    assert listed[0]["rows"] == summary["rows"] and listed[0]["complete"] == 1
    status = {c["id"]: c["status"] for c in cli("check-prereqs", "--json").json()["checks"]}
    assert status["backup"] == "fail"  # recorded, not yet verified
    assert cli("backup", "verify", summary["path"]).code == 0
    assert cli("backup", "list", "--json").json()[0]["verified"] == 1
    result = cli("check-prereqs", "--json")
    assert {c["id"]: c["status"] for c in result.json()["checks"]}["backup"] == "pass"
    assert result.code == 0
    assert "Backup catalog" in cli("backup", "list").out


def test_injected_faults_are_recovered(connected, cli, tmp_path, control, monkeypatch):
    monkeypatch.setenv("LGCRM_SF_BACKUP_TUNING", "rest_threshold=0")
    control.fault(
        path="/jobs/query/[^/]+/results", status=503, error_code="SERVER_UNAVAILABLE", count=2
    )
    control.fault(path="/jobs/query/[^/]+$", method="GET", drop=True, count=1)
    control.fault(
        path="/jobs/query$", method="POST", status=403, error_code="REQUEST_LIMIT_EXCEEDED", count=1
    )
    control.fault(path="/query", status=500, error_code="UNKNOWN_EXCEPTION", count=1)
    control.fault(
        path="/sobjects/Contact/describe", status=401, error_code="INVALID_SESSION_ID", count=1
    )
    result, summary = backup(cli, tmp_path, "--objects", "Lead,Contact")
    assert result.code == 0, result
    assert summary["complete"]
    assert all(f["fired"] == f["count"] for f in control.call("GET", "faults"))
    assert cli("backup", "verify", summary["path"]).code == 0


@pytest.mark.parametrize("compress", [False, True])
def test_a_page_cut_mid_way_is_fetched_again_without_duplicates(
    connected, cli, tmp_path, control, monkeypatch, demo_sf, compress
):
    monkeypatch.setenv("LGCRM_SF_BACKUP_TUNING", "rest_threshold=0,bulk_page_rows=10")
    control.fault(path="/jobs/query/[^/]+/results", cut_after_bytes=900, count=2, after=1)
    args = ["--objects", "Lead"] + (["--compress"] if compress else [])
    result, summary = backup(cli, tmp_path, *args)
    assert result.code == 0, result
    assert control.call("GET", "faults")[0]["fired"] == 2
    path = Path(summary["path"])
    header, rows = read_csv(path / ("Lead.csv.gz" if compress else "Lead.csv"))
    ids = [r[header.index("Id")] for r in rows]
    assert len(ids) == len(set(ids)) == demo_sf.query("SELECT COUNT() FROM Lead")["totalSize"]
    assert cli("backup", "verify", path).code == 0


def test_a_failed_job_fails_its_object_only(connected, cli, tmp_path, control, monkeypatch, home):
    monkeypatch.setenv("LGCRM_SF_BACKUP_TUNING", "rest_threshold=0")
    control.settings(fail_next_bulk_jobs=1, fail_bulk_message="InternalServerError: disk full")
    result, summary = backup(cli, tmp_path, "--objects", "Lead,Contact")
    assert result.code == ExitCode.SALESFORCE
    # --json: one JSON object on stdout, saying it all; nothing on stderr.
    assert summary["ok"] is False and summary["exit_code"] == ExitCode.SALESFORCE
    assert "incomplete: Lead failed" in summary["error"]["message"] and result.err == ""
    [path] = (tmp_path / "backups").iterdir()
    assert path.name.endswith("-incomplete")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["complete"] is False
    objects = {o["name"]: o for o in manifest["objects"]}
    assert objects["Lead"]["status"] == "failed" and "disk full" in objects["Lead"]["error"]
    assert objects["Contact"]["status"] == "ok" and (path / "Contact.csv").exists()
    assert cli("backup", "verify", path).code == ExitCode.VERIFY_FAILED
    listed = cli("backup", "list", "--json").json()
    assert listed[0]["complete"] == 0 and listed[0]["verified"] == 0


def test_a_bad_tuning_is_one_clear_line(connected, cli, tmp_path):
    """LGCRM_SF_BACKUP_TUNING is read like LGCRM_SF_TUNING: a name it lacks is refused (exit 3)."""
    env = {"LGCRM_SF_BACKUP_TUNING": "rest_threshold=0,page_rows=10"}
    result = cli("backup", "--out", tmp_path / "backups", env=env)
    assert result.code == ExitCode.CONFIG and result.err.count("\n") == 1
    assert "'page_rows=10' is not valid" in result.err and "bulk_page_rows" in result.err
    assert not list((tmp_path / "backups").glob("*"))


def test_unknown_object_is_one_clear_line(connected, cli, tmp_path):
    result = cli("backup", "--out", tmp_path, "--objects", "Lead,Widget__c")
    assert result.code != 0 and "Widget__c" in result.err and result.err.count("\n") == 1
    assert not any((tmp_path).glob("00D*"))


def test_interrupted_backup_never_looks_complete(connected, tmp_path, control, keyring_file, home):
    control.generate("Lead", 30000)
    # Lead's results page takes 5 s to arrive: the kill lands while the backup waits for it.
    control.fault(path="/jobs/query/[^/]+/results", status=0, latency_ms=5000, count=None)
    env = {
        **os.environ,
        "LGCRM_SF_HOME": str(home),
        "PYTHONPATH": str(Path(__file__).parents[1]),
        "PYTHON_KEYRING_BACKEND": "tests.keyring_backend.TestFileKeyring",
    }
    out = tmp_path / "backups"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lgcrm_sf.cli",
            "backup",
            "--out",
            str(out),
            "--objects",
            "Contact,Lead,Account",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if out.exists() and list(out.glob(".*.partial/Lead.csv")):
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    control.clear_faults()
    entries = list(out.iterdir())
    assert entries and all(e.name.startswith(".") and e.name.endswith(".partial") for e in entries)
    assert not (entries[0] / "manifest.json").exists()
    from lgcrm_sf.config import Profile
    from lgcrm_sf.store.catalog import Catalog

    assert Catalog(Profile(home).state_path).backups() == []


FILES = {"contrato.pdf": b"%PDF-1.4\n\x00\xff binary \x01\x02\n%%EOF", "notas.txt": b"linha 1\n"}


@pytest.fixture
def with_files(connected, demo_sf):
    """Two more files, and an account with an address and a location."""
    import base64

    ids = {}
    for path, data in FILES.items():
        ids[path] = demo_sf.ContentVersion.create(
            {"PathOnClient": path, "VersionData": base64.b64encode(data).decode()}
        )["id"]
    demo_sf.Account.create(
        {"Name": "Endereço Ltda", "BillingCity": "Recife", "Location__Latitude__s": -8.05}
    )
    return ids


def test_compound_fields_are_left_out_and_their_components_kept(with_files, cli, tmp_path, api):
    result, summary = backup(cli, tmp_path, "--objects", "Account,Contact,Lead")
    assert result.code == 0, result
    header, rows = read_csv(Path(summary["path"]) / "Account.csv")
    assert "BillingAddress" not in header and "Location__c" not in header
    assert {"BillingCity", "BillingLatitude", "Location__Latitude__s"} <= set(header)
    row = next(r for r in rows if r[header.index("Name")] == "Endereço Ltda")
    assert row[header.index("BillingCity")] == "Recife"
    assert row[header.index("Location__Latitude__s")] == "-8.05"
    contact, _ = read_csv(Path(summary["path"]) / "Contact.csv")
    assert "MailingCity" in contact and "MailingAddress" not in contact
    assert "OtherAddress" not in contact and "OtherCity" in contact


def test_binary_fields_are_downloaded_and_verified(with_files, cli, tmp_path, demo_sf, api):
    result, summary = backup(cli, tmp_path, "--objects", "ContentVersion")
    assert result.code == 0, result
    path = Path(summary["path"])
    [entry] = summary["objects"]
    assert entry["api"] == api and entry["binary_fields"] == ["VersionData"]
    assert "VersionData" not in entry["fields"] and entry["skipped_binary"] == []
    header, rows = read_csv(path / "ContentVersion.csv")
    assert "VersionData" not in header and len(rows) == 3  # the demo's file and these two
    blobs = {b["id"]: b for b in entry["blobs"]}
    assert len(blobs) == 3
    for name, data in FILES.items():
        blob = blobs[with_files[name]]
        stored = path / blob["file"]
        assert blob["file"] == f"ContentVersion.VersionData/{with_files[name]}"
        assert stored.read_bytes() == data and blob["bytes"] == len(data)
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE((path / "ContentVersion.VersionData").stat().st_mode) == 0o700
    report = cli("backup", "verify", path, "--json").json()
    assert report["ok"] and "3 binary files" in report["objects"][0]["detail"]
    target = path / blobs[with_files["contrato.pdf"]]["file"]
    original = target.read_bytes()
    target.write_bytes(original[:-1] + b"X")  # same size, different bytes
    result = cli("backup", "verify", path, "--json")
    assert result.code == ExitCode.VERIFY_FAILED
    detail = result.json()["objects"][0]["detail"]
    assert f"ContentVersion.VersionData/{with_files['contrato.pdf']} SHA-256" in detail
    target.unlink()
    detail = cli("backup", "verify", path, "--json").json()["objects"][0]["detail"]
    assert f"ContentVersion.VersionData/{with_files['contrato.pdf']} is missing" in detail


def test_skip_binary_records_what_it_left_out(with_files, cli, tmp_path):
    result, summary = backup(cli, tmp_path, "--objects", "ContentVersion,Lead", "--skip-binary")
    assert result.code == 0, result
    path = Path(summary["path"])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["skip_binary"] is True
    files = {o["name"]: o for o in manifest["objects"]}
    assert files["ContentVersion"]["skipped_binary"] == ["VersionData"]
    assert files["ContentVersion"]["blobs"] == [] and files["ContentVersion"]["rows"] == 3
    assert files["Lead"]["skipped_binary"] == [] and files["Lead"]["binary_fields"] == []
    assert not (path / "ContentVersion.VersionData").exists()
    assert cli("backup", "verify", path).code == 0


def test_a_binary_download_cut_or_refused_is_retried(with_files, cli, tmp_path, control):
    control.fault(path="/sobjects/ContentVersion/[^/]+/VersionData", status=503, count=1)
    control.fault(
        path="/sobjects/ContentVersion/[^/]+/VersionData", cut_after_bytes=5, count=1, after=1
    )
    result, summary = backup(cli, tmp_path, "--objects", "ContentVersion")
    assert result.code == 0, result
    assert all(f["fired"] == f["count"] for f in control.call("GET", "faults"))
    path = Path(summary["path"])
    blobs = {b["id"]: b for b in summary["objects"][0]["blobs"]}
    for name, data in FILES.items():
        assert (path / blobs[with_files[name]]["file"]).read_bytes() == data
    assert cli("backup", "verify", path).code == 0
