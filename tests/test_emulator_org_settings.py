"""The org settings check-prereqs reads, through the APIs a real org offers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .conftest import http_session

META = "{http://soap.sforce.com/2006/04/metadata}"


def read_metadata(info, sf, kind, name):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:met="http://soap.sforce.com/2006/04/metadata"><env:Header><met:SessionHeader>
<met:sessionId>{sf.session_id}</met:sessionId></met:SessionHeader></env:Header><env:Body>
<met:readMetadata><met:type>{kind}</met:type><met:fullNames>{name}</met:fullNames>
</met:readMetadata></env:Body></env:Envelope>"""
    response = http_session(info).post(
        f"{info['instance_url']}/services/Soap/m/59.0",
        data=body,
        headers={"Content-Type": "text/xml", "SOAPAction": '""'},
    )
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content).find(f".//{META}records")


def test_edition_permissions_role_and_marketing_user(org, sf, control):
    assert (
        sf.query("SELECT OrganizationType FROM Organization")["records"][0]["OrganizationType"]
        == "Enterprise Edition"
    )
    control.settings(edition="Professional Edition")
    assert (
        sf.query("SELECT OrganizationType FROM Organization")["records"][0]["OrganizationType"]
        == "Professional Edition"
    )
    user = sf.query(
        "SELECT UserPermissionsMarketingUser, UserRole.Name, Profile.Name, "
        "Profile.PermissionsApiUserOnly, Profile.PermissionsModifyAllData, "
        f"Profile.PermissionsPasswordNeverExpires FROM User WHERE Id = '{org['user_id']}'"
    )["records"][0]
    assert user["UserPermissionsMarketingUser"] is True
    assert user["UserRole"]["Name"] == "Admin"
    assert user["Profile"]["PermissionsApiUserOnly"] and user["Profile"]["PermissionsModifyAllData"]
    perms = sf.query(
        "SELECT PermissionSet.PermissionsApiEnabled, PermissionSet.IsOwnedByProfile "
        f"FROM PermissionSetAssignment WHERE AssigneeId = '{org['user_id']}'"
    )
    # As in Salesforce, the profile-owned permission set is assigned to the user too.
    assert [r["PermissionSet"]["IsOwnedByProfile"] for r in perms["records"]] == [True]
    owned = sf.query(
        "SELECT PermissionsModifyAllData FROM PermissionSet WHERE IsOwnedByProfile = true "
        "AND Profile.Name = 'Salesforce API Only System Integrations'"
    )["records"]
    assert owned[0]["PermissionsModifyAllData"] is True


def test_permission_set_assignment_is_queryable(org, sf, control):
    pset = control.create(
        "PermissionSet",
        {"Name": "Marketing_Sync", "Label": "Marketing Sync", "PermissionsModifyAllData": True},
    )
    control.create(
        "PermissionSetAssignment", {"AssigneeId": org["user_id"], "PermissionSetId": pset}
    )
    rows = sf.query(
        "SELECT PermissionSet.Name, PermissionSet.PermissionsModifyAllData FROM "
        f"PermissionSetAssignment WHERE AssigneeId = '{org['user_id']}'"
    )["records"]
    assert "Marketing_Sync" in [r["PermissionSet"]["Name"] for r in rows]


def test_metadata_settings(org, sf, control):
    security = read_metadata(org, sf, "SecuritySettings", "Security")
    assert security.findtext(f"{META}passwordPolicies/{META}expiration") == "Never"
    control.settings(password_expiration="NinetyDays")
    security = read_metadata(org, sf, "SecuritySettings", "Security")
    assert security.findtext(f"{META}passwordPolicies/{META}expiration") == "NinetyDays"
    profile = "Salesforce API Only System Integrations"
    session = read_metadata(org, sf, "ProfileSessionSetting", profile)
    assert session.findtext(f"{META}requiredSessionLevel") == "STANDARD"
    control.settings(session_levels={profile: "HIGH_ASSURANCE"})
    session = read_metadata(org, sf, "ProfileSessionSetting", profile)
    assert session.findtext(f"{META}requiredSessionLevel") == "HIGH_ASSURANCE"
    rules = read_metadata(org, sf, "AutoResponseRules", "Lead")
    assert rules.findall(f"{META}autoResponseRule") == []
    control.settings(
        lead_auto_response_rules=[
            {"fullName": "Web Thanks", "active": True, "template": "unfiled$public/Thanks"}
        ]
    )
    rules = read_metadata(org, sf, "AutoResponseRules", "Lead")
    assert rules.find(f"{META}autoResponseRule/{META}active").text == "true"


def test_metadata_call_needs_a_session(org):
    body = """<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:met="http://soap.sforce.com/2006/04/metadata"><env:Header><met:SessionHeader>
    <met:sessionId>bogus</met:sessionId></met:SessionHeader></env:Header><env:Body><met:readMetadata>
    <met:type>SecuritySettings</met:type><met:fullNames>Security</met:fullNames></met:readMetadata>
    </env:Body></env:Envelope>"""
    response = http_session(org).post(f"{org['instance_url']}/services/Soap/m/59.0", data=body)
    assert response.status_code == 500 and "INVALID_SESSION_ID" in response.text
