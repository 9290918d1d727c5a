"""The YAML mapping: the shipped example validates against the demo org; broken files are
reported at their line and column with a fix."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lgcrm_sf.errors import ExitCode
from lgcrm_sf.mapping.loader import load_default

from .conftest import connect_args, password_env

ROOT = Path(__file__).parents[1]


@pytest.fixture
def connected(demo_org, cli, keyring_file, demo_sf):
    assert cli(*connect_args(demo_org), env=password_env(demo_org)).code == 0
    assert cli("users", "add", "--email", "ana@acme.example", "--name", "Ana").code == 0
    return demo_org


def validate(cli, tmp_path, text: str):
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    result = cli("mapping", "validate", path, "--json")
    return result.code, result.json()


def test_example_is_the_default_and_validates_against_the_demo_org(connected, cli):
    example = (ROOT / "examples" / "mapping.yaml").read_text()
    assert example == (ROOT / "lgcrm_sf" / "mapping" / "default.yaml").read_text()
    result = cli("mapping", "validate", ROOT / "examples" / "mapping.yaml", "--json")
    report = result.json()
    assert result.code == 0 and report["ok"] and report["checked_against_org"]
    assert report["problems"] == []
    default = cli("mapping", "validate", "--json").json()
    assert default["file"] == "<built-in default mapping>" and default["ok"]
    mapping = load_default()
    # No default names a custom Salesforce field or invents a link address.
    assert mapping.is_default and mapping.lead_score == {} and mapping.lead_link is None


VALID_HEAD = """
version: 1
objects:
  lead:
    salesforce: Lead
    fields:
"""

BROKEN = [
    # (name, file text, line, column, message fragment)
    ("yaml syntax", "version: 1\nobjects:\n  lead: [unclosed\n", 4, 1, "not valid YAML"),
    ("not a mapping", "- just\n- a list\n", 1, 1, "the mapping file should be a mapping"),
    ("empty", "\n", 1, 1, "the mapping file is empty"),
    (
        "unknown top key",
        "version: 1\nobject:\n  lead: {}\n",
        2,
        1,
        "unknown key 'object' in the mapping file. Fix: did you mean 'objects'?",
    ),
    (
        "no version",
        "objects:\n  lead:\n    salesforce: Lead\n    fields: []\n",
        1,
        1,
        "the mapping has no 'version'",
    ),
    ("bad version", "version: 2\nobjects: {}\n", 1, 10, "unsupported mapping version 2"),
    (
        "bad conflict rule",
        "version: 1\nconflict_rule: newest\nobjects: {}\n",
        2,
        16,
        "conflict_rule 'newest' is not valid",
    ),
    (
        "bad match_by",
        "version: 1\nmatch_by: phone\nobjects: {}\n",
        2,
        11,
        "match_by 'phone' is not valid",
    ),
    (
        "unknown object",
        "version: 1\nobjects:\n  opportunity:\n    salesforce: Opportunity\n",
        3,
        3,
        "unknown key 'opportunity' in objects",
    ),
    (
        "wrong sobject",
        VALID_HEAD.replace("salesforce: Lead", "salesforce: Contact")
        + "      - {leadgen: email, salesforce: Email, direction: pull}\n",
        4,
        17,
        "objects.lead syncs with Salesforce Lead, not Contact",
    ),
    (
        "fields not a list",
        "version: 1\nobjects:\n  lead:\n    salesforce: Lead\n    fields: {a: b}\n",
        5,
        13,
        "objects.lead.fields should be a list",
    ),
    (
        "field lacks direction",
        VALID_HEAD + "      - {leadgen: email, salesforce: Email}\n",
        6,
        9,
        "lacks direction",
    ),
    (
        "bad direction",
        VALID_HEAD + "      - {leadgen: email, salesforce: Email, direction: both}\n",
        6,
        56,
        "direction 'both' is not valid. Fix: use one of: push, pull, bidirectional",
    ),
    (
        "unknown field key",
        VALID_HEAD + "      - {leadgen: email, salesforce: Email, direction: pull, dir: x}\n",
        6,
        62,
        "unknown key 'dir' in a field of objects.lead",
    ),
    (
        "duplicate key",
        VALID_HEAD + "      - leadgen: email\n        leadgen: title\n        salesforce: Email\n"
        "        direction: pull\n",
        7,
        9,
        "'leadgen' appears twice",
    ),
    (
        "unknown leadgen field",
        VALID_HEAD + "      - {leadgen: frist_name, salesforce: FirstName, direction: pull}\n",
        6,
        19,
        "'frist_name' is not a Lead Gen & CRM field. Fix: did you mean 'first_name'?",
    ),
    (
        "lead score in fields",
        VALID_HEAD
        + "      - {leadgen: lead_score, salesforce: LGCRM_Lead_Score__c, direction: push}\n",
        6,
        19,
        "lead_score is pushed through the lead_score section",
    ),
    (
        "leadgen mapped twice",
        VALID_HEAD + "      - {leadgen: title, salesforce: Title, direction: pull}\n"
        "      - {leadgen: title, salesforce: Description, direction: push}\n",
        7,
        19,
        "title is mapped twice in objects.lead (first at line 6)",
    ),
    (
        "salesforce mapped twice",
        VALID_HEAD + "      - {leadgen: title, salesforce: Title, direction: pull}\n"
        "      - {leadgen: description, salesforce: title, direction: push}\n",
        7,
        44,
        "Lead.title is mapped twice (first at line 6)",
    ),
    (
        "unknown salesforce field",
        VALID_HEAD + "      - {leadgen: title, salesforce: JobTitle, direction: pull}\n",
        6,
        38,
        "Lead.JobTitle does not exist or the integration user cannot read it",
    ),
    (
        "type mismatch",
        VALID_HEAD + "      - {leadgen: unsubscribed, salesforce: Title, direction: push}\n",
        6,
        45,
        "unsubscribed holds boolean values but Lead.Title is a string field",
    ),
    (
        "compound address",
        VALID_HEAD + "      - {leadgen: city, salesforce: Address, direction: pull}\n",
        6,
        37,
        "Lead.Address is a compound address field: Salesforce reads it from its components and "
        "won't write it. Fix: map the components instead (Street, City, State, PostalCode, "
        "Country, Latitude, Longitude, GeocodeAccuracy).",
    ),
    (
        "push to read-only",
        VALID_HEAD + "      - {leadgen: title, salesforce: Name, direction: push}\n",
        6,
        55,
        "Salesforce won't let the integration user write Lead.Name",
    ),
    (
        "bidirectional to a datetime",
        VALID_HEAD + "      - {leadgen: city, salesforce: CreatedDate, direction: bidirectional}\n",
        6,
        37,
        "city holds text values but Lead.CreatedDate is a datetime field",
    ),
    (
        "picklist value rejected",
        VALID_HEAD
        + "      - leadgen: lead_status\n        salesforce: Status\n        direction: push\n"
        "        transform:\n          values: {open: Aberto}\n",
        10,
        26,
        "Lead.Status has no picklist value 'Aberto'; Salesforce would reject it",
    ),
    (
        "ambiguous value map",
        VALID_HEAD
        + "      - leadgen: lead_status\n        salesforce: Status\n        direction: push\n"
        "        transform:\n"
        "          values: {open: Working - Contacted, new: Working - Contacted}\n",
        10,
        52,
        "'new' and 'open' both map to 'Working - Contacted'",
    ),
    (
        "truncate a number",
        VALID_HEAD + "      - leadgen: custom.size\n        salesforce: NumberOfEmployees\n"
        "        direction: push\n        transform: {too_long: truncate}\n",
        9,
        20,
        "too_long: truncate only applies to text fields",
    ),
    (
        "bad too_long",
        VALID_HEAD
        + "      - leadgen: company\n        salesforce: Company\n        direction: push\n"
        "        transform: {too_long: chop}\n",
        9,
        31,
        "too_long 'chop' is not valid",
    ),
    (
        "lead score unknown field",
        "version: 1\nobjects: {}\nlead_score:\n  lead: Score__c\n",
        4,
        9,
        "Lead.Score__c does not exist",
    ),
    (
        "lead score not a number",
        "version: 1\nobjects: {}\nlead_score:\n  contact: Title\n",
        4,
        12,
        "the lead score is a number but Contact.Title is a string field",
    ),
    (
        "lead score bad object",
        "version: 1\nobjects: {}\nlead_score:\n  account: Score__c\n",
        4,
        3,
        "unknown key 'account' in lead_score",
    ),
    (
        "owner not an email",
        "version: 1\nobjects: {}\nowners:\n  - user: ana\n    salesforce: ADMIN_USERNAME\n",
        4,
        11,
        "owners.user 'ana' is not an e-mail address",
    ),
    (
        "owner unknown here",
        "version: 1\nobjects: {}\nowners:\n  - user: zoe@acme.example\n"
        "    salesforce: ADMIN_USERNAME\n",
        4,
        5,
        "zoe@acme.example is not a Lead Gen & CRM user",
    ),
    (
        "owner unknown in salesforce",
        "version: 1\nobjects: {}\nowners:\n  - user: ana@acme.example\n"
        "    salesforce: ghost@acme-brasil.example\n",
        5,
        17,
        "no Salesforce user 'ghost@acme-brasil.example'",
    ),
    (
        "owner inactive",
        "version: 1\nobjects: {}\nowners:\n  - user: ana@acme.example\n"
        "    salesforce: REP_USERNAME\n",
        5,
        17,
        "Salesforce user REP_USERNAME is inactive",
    ),
    (
        "owner lacks salesforce",
        "version: 1\nobjects: {}\nowners:\n  - user: ana@acme.example\n",
        4,
        5,
        "an owner needs user",
    ),
    (
        "engagement unknown",
        "version: 1\nobjects: {}\nengagements:\n  sms: true\n",
        4,
        3,
        "unknown key 'sms' in engagements",
    ),
    (
        "engagement not boolean",
        "version: 1\nobjects: {}\nengagements:\n  email_opens: sometimes\n",
        4,
        16,
        "engagements.email_opens should be true or false",
    ),
    (
        "lead link without placeholder",
        "version: 1\nobjects: {}\nlead_link:\n  salesforce_field: LGCRM_Profile_URL__c\n"
        "  url_template: https://x.example/profile\n",
        5,
        17,
        "url_template has no {id} or {email} placeholder",
    ),
    (
        "lead link field unknown",
        "version: 1\nobjects: {}\nlead_link:\n  salesforce_field: Profile__c\n  url_template: https://mkt.acme.test/{id}\n",
        4,
        3,
        "Lead.Profile__c does not exist",
    ),
    (
        "lead link at a placeholder host",
        "version: 1\nobjects: {}\nlead_link:\n  salesforce_field: LGCRM_Profile_URL__c\n"
        "  url_template: https://app.leadgen-crm.example/contacts/{id}\n",
        5,
        17,
        "placeholder host (app.leadgen-crm.example)",
    ),
    (
        "lead link at example.com",
        "version: 1\nobjects: {}\nlead_link:\n  salesforce_field: LGCRM_Profile_URL__c\n"
        "  url_template: https://www.example.com/p/{email}\n",
        5,
        17,
        "placeholder host (www.example.com)",
    ),
    (
        "custom field bad type",
        "version: 1\nobjects: {}\ncustom_fields:\n  size: colour\n",
        4,
        9,
        "the type of custom field 'size' 'colour' is not valid",
    ),
]


@pytest.mark.parametrize("name, text, line, column, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_mapping_reports_line_column_and_fix(
    connected, cli, tmp_path, control, name, text, line, column, message
):
    # The org's usernames are its own: the texts name them by placeholder.
    from .conftest import login

    rep = login(connected).query(  # Elisa Rocha is a demo sales rep
        "SELECT Id, Username FROM User WHERE FirstName = 'Elisa' AND LastName = 'Rocha'"
    )["records"][0]
    for placeholder, username in (
        ("ADMIN_USERNAME", connected["admin_username"]),
        ("REP_USERNAME", rep["Username"]),
    ):
        text, message = text.replace(placeholder, username), message.replace(placeholder, username)
    if name == "owner inactive":
        control.update("User", rep["Id"], {"IsActive": False})
    code, report = validate(cli, tmp_path, text)
    assert code == ExitCode.CONFIG, report
    assert not report["ok"]
    located = [p for p in report["problems"] if p["severity"] == "error"]
    rendered = [
        f"{p['line']}:{p['column']}: {p['message']}" + (f" Fix: {p['fix']}" if p["fix"] else "")
        for p in located
    ]
    assert any(r.startswith(f"{line}:{column}: ") and message in r for r in rendered), rendered


def test_text_output_names_file_line_and_column(connected, cli, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        VALID_HEAD.lstrip("\n")
        + "      - {leadgen: frist_name, salesforce: FirstName, direction: pull}\n"
    )
    result = cli("mapping", "validate", path)
    assert result.code == ExitCode.CONFIG
    assert (
        f"{path}:6:19: error: 'frist_name' is not a Lead Gen & CRM field. Fix: did you mean "
        "'first_name'?" in result.out
    )


def test_restricted_picklist_without_values_is_a_warning(connected, cli, tmp_path):
    code, report = validate(
        cli,
        tmp_path,
        VALID_HEAD + "      - {leadgen: lead_status, salesforce: Status, direction: push}\n",
    )
    assert code == 0 and report["ok"]
    assert (
        report["problems"][0]["severity"] == "warning"
        and "restricted picklist" in report["problems"][0]["message"]
    )


def test_without_a_connection_only_our_side_is_checked(cli, tmp_path):
    code, report = validate(
        cli,
        tmp_path,
        VALID_HEAD + "      - {leadgen: title, salesforce: NoSuchField, direction: pull}\n",
    )
    assert code == 0 and report["checked_against_org"] is False


def test_init_use_and_the_default(connected, cli, tmp_path, home):
    out = tmp_path / "mine.yaml"
    result = cli("mapping", "init", "--out", out)
    assert result.code == 0, result
    text = out.read_text()
    assert "lead_score:\n  lead: LGCRM_Lead_Score__c" in text
    assert "#   salesforce_field: LGCRM_Profile_URL__c" in text  # the address is the user's to give
    assert cli("mapping", "validate", out, "--json").json()["ok"]
    assert cli("mapping", "init", "--out", out).code == ExitCode.CONFIG  # no silent overwrite
    assert cli("mapping", "use", out).code == 0
    settings = json.loads((home / "profiles" / "default" / "settings.json").read_text())
    assert settings["mapping_file"] == str(out.resolve())
    assert cli("mapping", "validate", "--json").json()["file"] == str(out.resolve())
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 3\n")
    result = cli("mapping", "use", broken)
    assert result.code == ExitCode.CONFIG and "broken.yaml:1:10" in result.err
