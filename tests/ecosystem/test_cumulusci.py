"""CumulusCI (`cci`), unpatched, against the emulator: it imports the org from the Salesforce CLI,
then queries, extracts and loads data through Bulk API 1.0 and the REST API (its "smart" choice
reads limits/recordCount first). Every test asserts the data against the org."""

from __future__ import annotations

import csv
import sqlite3
import subprocess

import pytest

from lgcrm_sf.emulator.control import ControlClient

from ..conftest import login
from .conftest import need
from .tools import run

pytestmark = pytest.mark.ecosystem

GENERATED_LEADS = 2000  # with the demo's 24, past the 2,000 rows where CCI switches to Bulk

MAPPING = """\
Insert Account:
    sf_object: Account
    api: bulk
    fields:
        - Name
        - Industry
        - BillingCity
Insert Contact:
    sf_object: Contact
    api: bulk
    fields:
        - FirstName
        - LastName
        - Email
    lookups:
        AccountId:
            table: Account
Insert Lead:
    sf_object: Lead
    fields:
        - LastName
        - Company
        - Email
"""


@pytest.fixture(scope="module")
def api(eco_info):
    return login(eco_info)


@pytest.fixture(scope="module")
def cci(tools, sf_org, eco_info, tmp_path_factory):
    """A CumulusCI project (a git repository with cumulusci.yml) with the org imported from
    the Salesforce CLI as `emu`; returns a runner."""
    need(tools, "cci")
    ControlClient(eco_info).generate("Lead", GENERATED_LEADS)
    project = tmp_path_factory.mktemp("cci-project")
    (project / "cumulusci.yml").write_text(
        "project:\n    name: EmulatorProject\n    package:\n"
        "        name: EmulatorProject\n        api_version: '62.0'\n"
    )
    (project / "mapping.yml").write_text(MAPPING)
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "project"]):
        subprocess.run([*git, *args], cwd=project, check=True, env=sf_org.env)

    def cci(*args: str):
        return run([tools.cci, *args], sf_org.env, project)

    imported = cci("org", "import", "emu", "emu")
    assert imported.code == 0, imported
    assert f"Imported org: {eco_info['org_id']}" in imported.out, imported
    cci.project = project
    return cci


def test_org_import_reads_the_organization(cci, eco_info):
    shown = cci("org", "info", "emu", "--json")
    assert shown.code == 0, shown
    info = shown.json()
    assert info["org_id"] == eco_info["org_id"]
    assert info["username"] == eco_info["username"]
    assert info["org_type"] == "Enterprise Edition"
    assert info["is_sandbox"] is False
    assert info["namespace"] is None
    assert info["expires"] == "Persistent"  # TrialExpirationDate is null


def test_task_run_query_uses_bulk_api_1(cci, api):
    out = cci.project / "contacts.csv"
    result = cci(
        "task", "run", "query", "--org", "emu",
        "-o", "object", "Contact",
        "-o", "query", "SELECT Id, LastName, Email FROM Contact",
        "-o", "result_file", str(out),
    )  # fmt: skip
    assert result.code == 0, result
    assert "Creating bulk job for: Contact" in result.out, result
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = api.query_all("SELECT Id, LastName, Email FROM Contact")["records"]
    assert sorted((r["Id"], r["LastName"], r["Email"]) for r in rows) == sorted(
        (r["Id"], r["LastName"], r["Email"]) for r in expected
    )


@pytest.fixture(scope="module")
def dataset(cci):
    """The org's accounts, contacts and leads extracted to a SQLite file by extract_dataset."""
    database = cci.project / "dataset.db"
    extracted = cci(
        "task", "run", "extract_dataset", "--org", "emu",
        "-o", "mapping", "mapping.yml",
        "-o", "database_url", f"sqlite:///{database}",
    )  # fmt: skip
    assert extracted.code == 0, extracted
    extracted.database = database
    return extracted


def test_extract_dataset_takes_every_record_with_its_links(dataset, api):
    # Bulk for the mapped bulk steps, and for Lead the "smart" choice: Bulk past 2,000 rows.
    assert dataset.out.count("Created Bulk API query job") == 3, dataset
    with sqlite3.connect(dataset.database) as db:
        accounts = dict(db.execute("SELECT id, Name FROM Account").fetchall())
        contacts = db.execute("SELECT LastName, Email, AccountId FROM Contact").fetchall()
        leads = db.execute("SELECT COUNT(*) FROM Lead").fetchone()[0]
    org_contacts = api.query_all("SELECT LastName, Email, Account.Name FROM Contact")["records"]
    assert sorted((c[0], c[1], accounts[c[2]]) for c in contacts) == sorted(
        (c["LastName"], c["Email"], c["Account"]["Name"]) for c in org_contacts
    )
    assert leads == api.query("SELECT COUNT() FROM Lead")["totalSize"] == 24 + GENERATED_LEADS


def test_load_dataset_recreates_records_and_links(cci, dataset, api):
    before = {
        name: api.query(f"SELECT COUNT() FROM {name}")["totalSize"]
        for name in ("Account", "Contact", "Lead")
    }
    loaded = cci(
        "task", "run", "load_dataset", "--org", "emu",
        "-o", "mapping", "mapping.yml",
        "-o", "database_url", f"sqlite:///{dataset.database}",
    )  # fmt: skip
    assert loaded.code == 0, loaded
    after = {
        name: api.query(f"SELECT COUNT() FROM {name}")["totalSize"]
        for name in ("Account", "Contact", "Lead")
    }
    assert after == {name: 2 * count for name, count in before.items()}
    # Each account now exists twice, and each copy has its own copy of the contacts.
    pairs = api.query_all("SELECT Email, Account.Name, AccountId FROM Contact")["records"]
    by_email: dict[str, set] = {}
    for c in pairs:
        by_email.setdefault(c["Email"], set()).add((c["Account"]["Name"], c["AccountId"]))
    assert all(len(links) == 2 and len({n for n, _ in links}) == 1 for links in by_email.values())
