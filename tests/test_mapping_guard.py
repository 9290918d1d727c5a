"""A bad mapping is never used: `mapping use` and every `sync` check the mapping against the org
first and stop with exit 3 and every problem listed, writing nothing; offline, `mapping use`
checks what it can and says what it could not. The shipped default names no custom field."""

from __future__ import annotations

import json
import textwrap

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, password_env

BROKEN = """
version: 1
objects:
  lead:
    salesforce: Lead
    fields:
      - {leadgen: email, salesforce: Email, direction: bidirectional}
      - {leadgen: first_name, salesforce: FirstNmae, direction: bidirectional}
      - {leadgen: title, salesforce: Title, direction: bidirectional}
      - {leadgen: company, salesforce: title, direction: bidirectional}
      - leadgen: lead_status
        salesforce: Status
        direction: push
        transform: {values: {open: Aberto}}
      - {leadgen: description, salesforce: LGCRM_Lead_Score__c, direction: push}
lead_score:
  lead: LGCRM_Lead_Score__c
"""


def write(tmp_path, text: str, name: str = "mapping.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def settings(home) -> dict:
    return json.loads(Profile(home).settings_path.read_text())


def test_mapping_use_refuses_a_file_the_org_rejects_listing_every_problem(world, home, tmp_path):
    before = settings(home)["mapping_file"]
    result = world.cli("mapping", "use", write(tmp_path, BROKEN, "broken.yaml"))
    assert result.code == ExitCode.CONFIG
    lines = result.err.splitlines()
    assert lines[0].startswith("error: the mapping") and "still uses" in lines[0]
    text = result.err
    assert "Lead.FirstNmae does not exist" in text  # an unknown field
    assert "Lead.title is mapped twice" in text or "Lead.Title is mapped twice" in text
    assert "'Aberto'" in text  # a picklist value Salesforce would reject
    assert "already written by the lead_score section" in text  # DUPLICATE_FIELD, before Salesforce
    assert len([line for line in lines if ": error: " in line]) >= 4
    assert "Traceback" not in text
    assert settings(home)["mapping_file"] == before  # nothing changed


def test_sync_with_a_mapping_naming_a_missing_field_stops_before_writing(world, tmp_path):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.control.create("Lead", {"LastName": "S", "Company": "C", "Email": "sf@x.example"})
    bad = write(
        tmp_path,
        """
        version: 1
        objects:
          lead:
            salesforce: Lead
            fields:
              - {leadgen: email, salesforce: Email, direction: bidirectional}
              - {leadgen: first_name, salesforce: Nickname__c, direction: bidirectional}
        """,
        "missing.yaml",
    )
    result = world.cli("sync", "--no-backup-check", "--mapping", bad)
    assert result.code == ExitCode.CONFIG, result
    assert "Lead.Nickname__c does not exist" in result.err and "nothing was synced" in result.err
    assert world.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1
    assert world.person("sf@x.example") is None
    assert world.cli("status", "--json").json()["cursors"] == []


def test_a_field_mapped_twice_is_a_mapping_error_not_a_salesforce_one(world, tmp_path):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    twice = write(
        tmp_path,
        """
        version: 1
        objects:
          lead:
            salesforce: Lead
            fields:
              - {leadgen: email, salesforce: Email, direction: bidirectional}
              - {leadgen: title, salesforce: Title, direction: push}
              - {leadgen: description, salesforce: TITLE, direction: push}
        """,
        "twice.yaml",
    )
    result = world.cli("sync", "--no-backup-check", "--mapping", twice)
    assert result.code == ExitCode.CONFIG
    assert "mapped twice" in result.err and "DUPLICATE_FIELD" not in result.err


def test_offline_mapping_use_checks_what_it_can_and_says_what_it_could_not(cli, home, tmp_path):
    good = write(
        tmp_path,
        """
        version: 1
        objects:
          lead:
            salesforce: Lead
            fields:
              - {leadgen: email, salesforce: Email, direction: bidirectional}
              - {leadgen: first_name, salesforce: FirstName, direction: bidirectional}
        """,
    )
    result = cli("mapping", "use", good)
    assert result.code == 0, result
    assert "Not checked against Salesforce: the profile is not connected" in result.out
    assert settings(home)["mapping_file"] == str(good.resolve())
    bad = write(
        tmp_path,
        "version: 1\nobjects:\n  lead:\n    salesforce: Lead\n    fields:\n"
        "      - {leadgen: nickname, salesforce: FirstName, direction: push}\n",
        "bad.yaml",
    )
    result = cli("mapping", "use", bad)
    assert (
        result.code == ExitCode.CONFIG and "'nickname' is not a Lead Gen & CRM field" in result.err
    )
    assert settings(home)["mapping_file"] == str(good.resolve())


def test_mapping_validate_offline_checks_locally_instead_of_failing(cli, org, home, keyring_file):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    data = settings(home)
    data["login_url"] = "https://127.0.0.1:9"  # the org is unreachable now
    Profile(home).settings_path.write_text(json.dumps(data))
    result = cli("mapping", "validate", "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["ok"] and report["checked_against_org"] is False
    assert "could not be reached" in report["not_checked"]


def test_the_default_mapping_validates_against_an_org_without_our_custom_fields(
    cli, org, keyring_file
):
    """A new org has no LGCRM_* fields: the shipped default must not need them."""
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    report = cli("mapping", "validate", "--json").json()
    assert report["checked_against_org"] and report["ok"], report["problems"]
    assert report["problems"] == []
