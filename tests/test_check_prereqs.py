"""check-prereqs: each requirement of the help article passing and failing, read from the org."""

from __future__ import annotations

import json

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode
from lgcrm_sf.salesforce.backup import FIRST_SYNC_OBJECTS
from lgcrm_sf.store.catalog import Catalog

from .conftest import connect_args, password_env


@pytest.fixture
def connected(org, cli, home, keyring_file, sf):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    user = sf.query(f"SELECT ProfileId, Profile.Name FROM User WHERE Id = '{org['user_id']}'")
    return {
        **org,
        "profile_id": user["records"][0]["ProfileId"],
        "profile_name": user["records"][0]["Profile"]["Name"],
    }


def verified_backup(home, org_id, objects=FIRST_SYNC_OBJECTS):
    store = Catalog(Profile(home).state_path)
    with store.db.conn:
        store.db["backups"].insert(
            {
                "org_id": org_id,
                "path": "/backups/x",
                "complete": 1,
                "verified": 1,
                "finished_at": "2026-11-27T00:00:00Z",
                "verified_at": "2026-11-27T00:01:00Z",
                "object_names": json.dumps(list(objects)),
            }
        )


def statuses(cli) -> tuple[int, dict]:
    result = cli("check-prereqs", "--json")
    data = result.json()
    return result.code, {c["id"]: c for c in data["checks"]}


def test_all_pass_with_a_verified_backup(connected, cli, home):
    verified_backup(home, connected["org_id"])
    code, checks = statuses(cli)
    assert code == 0  # a warning is not a failure
    # This org has no LGCRM_Id__c: a warning with the Setup steps, nothing created silently.
    external = checks.pop("external_id_field")
    assert external["status"] == "warn"
    assert "Lead and Contact have no unique external-id field LGCRM_Id__c" in external["evidence"]
    assert "Object Manager" in external["remediation"]
    assert {c["status"] for c in checks.values()} == {"pass"}
    assert set(checks) == {
        "edition",
        "api_enabled",
        "api_only_user",
        "modify_all_data",
        "role_admin",
        "marketing_user",
        "password_never_expires",
        "session_security",
        "web_to_lead_auto_response",
        "backup",
    }
    assert (
        "granted by profile Salesforce API Only System Integrations"
        in checks["api_only_user"]["evidence"]
    )
    assert all(c["remediation"] is None for c in checks.values())


def test_no_backup_yet_is_not_a_pass(connected, cli):
    code, checks = statuses(cli)
    assert code == ExitCode.PREREQS_FAILED
    assert checks["backup"]["status"] == "fail"
    assert "lgcrm-sf backup" in checks["backup"]["remediation"]


def test_table_output(connected, cli, home):
    verified_backup(home, connected["org_id"])
    result = cli("check-prereqs")
    assert result.code == 0 and "All prerequisites pass." in result.out
    assert "Salesforce prerequisites" in result.out


@pytest.mark.parametrize(
    "edition, status",
    [
        ("Enterprise Edition", "pass"),
        ("Unlimited Edition", "pass"),
        ("Performance Edition", "pass"),
        ("Professional Edition", "pass"),
        ("Developer Edition", "warn"),
        ("Group Edition", "fail"),
        ("Team Edition", "fail"),
    ],
)
def test_edition(connected, cli, control, home, edition, status):
    verified_backup(home, connected["org_id"])
    control.settings(edition=edition)
    code, checks = statuses(cli)
    assert checks["edition"]["status"] == status
    assert code == (ExitCode.PREREQS_FAILED if status == "fail" else 0)
    if edition == "Professional Edition":
        assert "Professional Edition with API access" in checks["api_enabled"]["evidence"]


PERMISSIONS = [
    ("api_only_user", "PermissionsApiUserOnly", "API Only User"),
    ("modify_all_data", "PermissionsModifyAllData", "Modify All Data"),
]


@pytest.mark.parametrize("check, field, words", PERMISSIONS)
def test_profile_permission_missing_then_granted_by_permission_set(
    connected, cli, control, check, field, words
):
    control.update("Profile", connected["profile_id"], {field: False})
    code, checks = statuses(cli)
    assert code == ExitCode.PREREQS_FAILED
    assert checks[check]["status"] == "fail" and words in checks[check]["remediation"]
    pset = control.create("PermissionSet", {"Name": "Sync", "Label": "Sync", field: True})
    control.create(
        "PermissionSetAssignment", {"AssigneeId": connected["user_id"], "PermissionSetId": pset}
    )
    _, checks = statuses(cli)
    assert checks[check]["status"] == "pass"
    assert "permission set Sync" in checks[check]["evidence"]


def test_api_enabled_missing_means_no_login(connected, cli, control):
    control.update("Profile", connected["profile_id"], {"PermissionsApiEnabled": False})
    result = cli("check-prereqs")
    assert result.code == ExitCode.AUTH and "API_CURRENTLY_DISABLED" in result.err
    assert "'API Enabled'" in result.err


def test_role_must_be_admin(connected, cli, control, sf):
    role = sf.query("SELECT Id FROM UserRole WHERE Name = 'Sales Rep'")["records"][0]["Id"]
    control.update("User", connected["user_id"], {"UserRoleId": role})
    _, checks = statuses(cli)
    assert checks["role_admin"]["status"] == "fail"
    assert checks["role_admin"]["evidence"] == "role: Sales Rep"
    assert "Role: Admin" in checks["role_admin"]["remediation"]


def test_marketing_user(connected, cli, control):
    control.update("User", connected["user_id"], {"UserPermissionsMarketingUser": False})
    _, checks = statuses(cli)
    assert checks["marketing_user"]["status"] == "fail"
    assert "Marketing User" in checks["marketing_user"]["remediation"]


def test_password_expiry(connected, cli, control):
    control.settings(password_expiration="NinetyDays")
    _, checks = statuses(cli)
    assert checks["password_never_expires"]["status"] == "pass"  # the profile is exempt
    assert "Password Never Expires" in checks["password_never_expires"]["evidence"]
    control.update("Profile", connected["profile_id"], {"PermissionsPasswordNeverExpires": False})
    _, checks = statuses(cli)
    assert checks["password_never_expires"]["status"] == "fail"
    assert "NinetyDays" in checks["password_never_expires"]["evidence"]
    assert "Password Policies" in checks["password_never_expires"]["remediation"]
    control.settings(password_expiration="Never")
    _, checks = statuses(cli)
    assert checks["password_never_expires"]["status"] == "pass"


def test_session_security_level(connected, cli, control):
    control.settings(session_levels={connected["profile_name"]: "HIGH_ASSURANCE"})
    _, checks = statuses(cli)
    assert checks["session_security"]["status"] == "fail"
    assert "High Assurance" in checks["session_security"]["evidence"]


def test_web_to_lead_auto_response(connected, cli, control):
    control.settings(lead_auto_response_rules=[{"fullName": "Obrigado", "active": True}])
    _, checks = statuses(cli)
    assert checks["web_to_lead_auto_response"]["status"] == "fail"
    assert "Obrigado" in checks["web_to_lead_auto_response"]["evidence"]
    control.settings(lead_auto_response_rules=[{"fullName": "Obrigado", "active": False}])
    _, checks = statuses(cli)
    assert checks["web_to_lead_auto_response"]["status"] == "pass"


def test_unreadable_settings_are_unknown_not_guessed(connected, cli, control, home):
    verified_backup(home, connected["org_id"])
    control.fault(
        path="/services/Soap/m/",
        status=500,
        error_code="INSUFFICIENT_ACCESS",
        message="insufficient access rights",
        count=None,
    )
    code, checks = statuses(cli)
    assert code == ExitCode.PREREQS_FAILED
    for check in ("password_never_expires", "session_security", "web_to_lead_auto_response"):
        assert checks[check]["status"] == "unknown"
        assert "INSUFFICIENT_ACCESS" in checks[check]["evidence"]
    assert checks["edition"]["status"] == "pass"


def test_a_partial_backup_does_not_open_the_first_sync_gate(connected, cli, home, tmp_path):
    made = cli("backup", "--objects", "Lead,Contact", "--out", tmp_path / "b", "--json")
    assert made.code == 0, made
    assert cli("backup", "verify", made.json()["path"]).code == 0
    code, checks = statuses(cli)
    assert code == ExitCode.PREREQS_FAILED and checks["backup"]["status"] == "fail"
    evidence = checks["backup"]["evidence"]
    assert "lacks Account, Opportunity, OpportunityContactRole, Task, User" in evidence
    result = cli("sync")
    assert result.code == ExitCode.PREREQS_FAILED
    assert "lacks Account, Opportunity, OpportunityContactRole, Task, User" in result.err
    full = cli("backup", "--out", tmp_path / "b", "--json")
    assert cli("backup", "verify", full.json()["path"]).code == 0
    assert statuses(cli)[1]["backup"]["status"] == "pass"


def test_the_external_id_field_passes_when_the_org_has_it(cli, control, home, keyring_file):
    from lgcrm_sf.emulator.seed import EXTERNAL_ID_FIELD

    info = control.reset(
        "empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD], "Contact": [EXTERNAL_ID_FIELD]}
    )
    assert cli(*connect_args(info), env=password_env(info)).code == 0
    _, checks = statuses(cli)
    assert checks["external_id_field"]["status"] == "pass"
    info = control.reset("empty", custom_fields={"Lead": [EXTERNAL_ID_FIELD]})
    assert cli(*connect_args(info), env=password_env(info)).code == 0
    _, checks = statuses(cli)
    assert checks["external_id_field"]["status"] == "warn"
    assert checks["external_id_field"]["evidence"].startswith("Contact has no")
