"""The state database: one opener with numbered migrations, writers that wait for each other,
a busy or unreadable or newer database named in one line, and a first-release database upgraded
with nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode
from lgcrm_sf.store.db import open_database, schema_version
from lgcrm_sf.store.journal import Journal
from lgcrm_sf.store.migrations import MIGRATIONS

FIXTURE = Path(__file__).parent / "fixtures" / "state-4ea3f2c"


def people_csv(path: Path, prefix: str, count: int) -> Path:
    rows = ["email,first_name,last_name,company"]
    rows += [f"{prefix}{i}@busy.example,N{i},S{i},C{i}" for i in range(count)]
    rows += [f"shared{i}@busy.example,Shared,{prefix},C" for i in range(50)]
    path.write_text("\n".join(rows) + "\n")
    return path


def env_for(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGCRM_SF_")}
    env.update(LGCRM_SF_HOME=str(home), PYTHONPATH=str(Path(__file__).parents[1]), **extra)
    return env


def test_a_new_database_takes_every_step(tmp_path):
    db = open_database(tmp_path / "state.db")
    assert schema_version(db.conn) == len(MIGRATIONS)
    assert {"links", "mirror", "journal", "lg_people", "backups"} <= set(db.table_names())


def test_the_first_release_database_is_upgraded_with_nothing_lost(tmp_path):
    path = tmp_path / "state.db"
    shutil.copy(FIXTURE / "state.db", path)
    counts = json.loads((FIXTURE / "counts.json").read_text())
    assert schema_version(sqlite3.connect(path)) == 0
    db = open_database(path)
    assert schema_version(db.conn) == len(MIGRATIONS)
    for table, count in counts.items():
        if table in db.table_names():
            assert db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0] == count, table
    # Opening again takes no step and changes nothing.
    db.conn.close()
    again = open_database(path)
    assert schema_version(again.conn) == len(MIGRATIONS)


def test_a_newer_schema_is_refused_with_exit_3(cli, home):
    profile = Profile(home)
    profile.ensure_dir()
    conn = sqlite3.connect(profile.state_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    result = cli("leads", "list")
    assert result.code == ExitCode.CONFIG
    assert "newer lgcrm-sf" in result.err and str(profile.state_path) in result.err
    assert "Traceback" not in result.err


def test_a_busy_profile_waits_then_exits_7_and_changes_nothing(home, tmp_path):
    profile = Profile(home)
    open_database(profile.state_path).conn.close()
    holder = sqlite3.connect(profile.state_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another command is writing
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lgcrm_sf.cli", "leads", "import", "--json"]
            + [str(people_csv(tmp_path / "a.csv", "a", 10))],
            env=env_for(home, LGCRM_SF_BUSY_TIMEOUT="0.3"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == ExitCode.LOCK_HELD, result
    error = json.loads(result.stdout)  # --json: the error is JSON on stdout, stderr stays empty
    assert error["exit_code"] == ExitCode.LOCK_HELD and "busy" in error["error"]["message"]
    assert result.stderr == ""
    assert (
        open_database(profile.state_path).execute("SELECT COUNT(*) FROM lg_people").fetchone()[0]
        == 0
    )


def test_two_imports_at_once_both_land(home, tmp_path):
    """Two imports of 6,000 rows each at the same time: both finish, nothing is lost."""
    open_database(Profile(home).state_path).conn.close()
    files = [people_csv(tmp_path / f"{p}.csv", p, 6000) for p in ("left", "right")]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lgcrm_sf.cli", "leads", "import", str(f), "--json"],
            env=env_for(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)["rows"] == 6050
    db = open_database(Profile(home).state_path)
    assert db.execute("SELECT COUNT(*) FROM lg_people").fetchone()[0] == 12050


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, b"SQLite format 3\x00"])
def test_an_unreadable_database_is_named_in_one_line(cli, home, content):
    profile = Profile(home)
    profile.ensure_dir()
    profile.state_path.write_bytes(content + b"\x00" * 4096 if content else content)
    before = profile.state_path.read_bytes()
    result = cli("leads", "list")
    if content == b"":
        assert result.code == 0  # an empty file is a new database
        return
    assert result.code == ExitCode.CONFIG, result
    assert str(profile.state_path) in result.err and "Traceback" not in result.err
    assert profile.state_path.read_bytes() == before


def test_a_first_release_profile_syncs_after_the_upgrade_with_nothing_lost(
    control, cli, home, tmp_path
):
    """The fixture's links point at records of an org long gone: the same records are made
    again in a fresh org (with the values the mirror says they had) and the links pointed at
    them; then the upgraded profile syncs, keeping every row it had and duplicating nothing."""
    from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, LEAD_CUSTOM_FIELDS
    from lgcrm_sf.mapping.loader import load_default

    info = control.reset(
        "empty", custom_fields={"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
    )
    profile = Profile(home)
    profile.ensure_dir()
    shutil.copy(FIXTURE / "state.db", profile.state_path)
    counts = json.loads((FIXTURE / "counts.json").read_text())
    old = sqlite3.connect(profile.state_path)  # the old schema, as the first release left it
    fields = {
        kind: {f.leadgen: f.salesforce for f in obj.fields}
        for kind, obj in load_default().objects.items()
    }
    remap = {}
    for sobject, sf_id, mirror in old.execute(
        "SELECT l.sf_object, l.sf_id, m.fields FROM links l JOIN mirror m USING (person_id)"
    ).fetchall():
        kind = "lead" if sobject == "Lead" else "contact"
        values = {
            fields[kind][key]: pair["sf"]
            for key, pair in json.loads(mirror).items()
            if key in fields[kind] and pair["sf"] is not None
        }
        remap[sf_id] = control.create(sobject, values)
    with old:
        for before, after in remap.items():
            old.execute("UPDATE links SET sf_id = ? WHERE sf_id = ?", [after, before])
            old.execute("UPDATE journal SET sf_id = ? WHERE sf_id = ?", [after, before])
    old.close()
    settings = json.loads((FIXTURE / "settings.json").read_text())
    settings.update(
        login_url=info["login_url"],
        ca_bundle=info["ca_bundle"],
        username=info["username"],
        org_id=info["org_id"],
        user_id=info["user_id"],
        secrets_source="environment",
    )
    profile.settings_path.write_text(json.dumps(settings))
    env = {"LGCRM_SF_PASSWORD": info["password"], "LGCRM_SF_SECURITY_TOKEN": info["security_token"]}
    result = cli("sync", "--json", env=env)
    assert result.code == 0, result
    report = result.json()
    # The record Salesforce refused then (a validation rule this org lacks) goes through now.
    assert report["summary"]["Lead"]["created_in_salesforce"] == 1
    db = open_database(profile.state_path)
    assert schema_version(db.conn) == len(MIGRATIONS)
    kept = {
        t: db.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
        for t in counts
        if t in db.table_names()
    }
    for table in (
        "lg_people",
        "lg_events",
        "conflicts",
        "sync_errors",
        "backups",
        "engagements_sent",
    ):
        assert kept[table] == counts[table], table
    assert kept["links"] == counts["links"] + 1  # the once-refused lead, now created
    assert kept["journal"] >= counts["journal"] and kept["runs"] == counts["runs"] + 1
    emails = [r["Email"] for r in login_records(info, "Lead") + login_records(info, "Contact")]
    assert len(emails) == len(set(emails)) == 6


def login_records(info: dict, sobject: str) -> list[dict]:
    from .conftest import login

    return login(info).query_all(f"SELECT Email FROM {sobject}")["records"]


def test_a_journal_written_before_its_bodies_moved_keeps_every_payload(tmp_path):
    """Step 13 moved each journal row's payload and mirror to `journal_bodies`: rows a killed
    run left (planned, sent) are read back by the next run as they were written."""
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path, isolation_level=None)
    step = next(i for i, (_why, sql) in enumerate(MIGRATIONS) if "journal_bodies" in sql)
    for _why, sql in MIGRATIONS[:step]:
        conn.executescript(sql)
    conn.execute(f"PRAGMA user_version = {step}")
    rows = [
        (1, "create", "Lead", 7, None, "a@x.io", '{"Email": "a@x.io"}', '{"email": 1}', "sent"),
        (1, "update", "Contact", 8, "003A", "b@x.io", '{"Id": "003A"}', None, "planned"),
    ]
    conn.executemany(
        "INSERT INTO journal (run_id, op, sf_object, person_id, sf_id, email, payload, mirror, "
        "state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')",
        rows,
    )
    conn.close()
    db = open_database(path)
    assert schema_version(db.conn) == len(MIGRATIONS)
    journal = Journal(db.conn)
    entries = journal.entries([1, 2])
    assert entries[1]["payload"] == {"Email": "a@x.io"} and entries[1]["mirror"] == {"email": 1}
    assert entries[2]["payload"] == {"Id": "003A"} and entries[2]["mirror"] == {}
    assert [(r["id"], r["state"], r["mirror"]) for r in journal.leftovers()] == [
        (1, "sent", '{"email": 1}'),
        (2, "planned", None),
    ]
    assert journal.planned(1, "update", "Contact", 10) == [(2, {"Id": "003A"})]
    # New rows after the step get their bodies under their own ids.
    with db.conn:
        journal.add_many(2, "create", "Lead", [(9, "c@x.io", None, {"Email": "c@x.io"}, {})])
    assert journal.entries([3])[3]["payload"] == {"Email": "c@x.io"}
