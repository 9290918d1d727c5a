"""Metadata API describeMetadata and listMetadata (what `sf org list metadata` calls)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .conftest import http_session

META = "{http://soap.sforce.com/2006/04/metadata}"


def metadata_call(info, sf, operation: str) -> ET.Element:
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:met="http://soap.sforce.com/2006/04/metadata"><env:Header><met:SessionHeader>
<met:sessionId>{sf.session_id}</met:sessionId></met:SessionHeader></env:Header><env:Body>
{operation}</env:Body></env:Envelope>"""
    response = http_session(info).post(
        f"{info['instance_url']}/services/Soap/m/62.0",
        data=body,
        headers={"Content-Type": "text/xml", "SOAPAction": '""'},
    )
    return response.status_code, ET.fromstring(response.content)


def listed(info, sf, *kinds: str) -> list[dict]:
    queries = "".join(f"<met:queries><met:type>{k}</met:type></met:queries>" for k in kinds)
    status, root = metadata_call(
        info,
        sf,
        f"<met:listMetadata>{queries}<met:asOfVersion>62.0</met:asOfVersion></met:listMetadata>",
    )
    assert status == 200, ET.tostring(root)
    return [
        {child.tag.removeprefix(META): child.text for child in result}
        for result in root.iter(f"{META}result")
    ]


def test_describe_metadata_lists_the_types(org, sf):
    status, root = metadata_call(
        org,
        sf,
        "<met:describeMetadata><met:asOfVersion>62.0</met:asOfVersion></met:describeMetadata>",
    )
    assert status == 200
    objects = {o.findtext(f"{META}xmlName"): o for o in root.iter(f"{META}metadataObjects")}
    assert {"CustomObject", "ApexClass", "Profile", "Layout", "PermissionSet"} <= set(objects)
    custom_object = objects["CustomObject"]
    assert custom_object.findtext(f"{META}directoryName") == "objects"
    assert "CustomField" in [c.text for c in custom_object.findall(f"{META}childXmlNames")]
    assert root.find(f".//{META}organizationNamespace").text is None  # no namespace


def test_list_metadata_lists_what_the_org_holds(org, sf, control):
    control.add_custom_field("Lead", name="Nota__c", type="string")
    objects = {c["fullName"]: c for c in listed(org, sf, "CustomObject")}
    assert {"Lead", "Contact", "Account", "User"} <= set(objects)
    lead = objects["Lead"]
    assert (lead["fileName"], lead["id"], lead["createdDate"], lead["type"]) == (
        "objects/Lead.object",
        None,
        "1970-01-01T00:00:00.000Z",
        "CustomObject",
    )
    fields_and_profiles = listed(org, sf, "CustomField", "Profile")
    fields = [c["fullName"] for c in fields_and_profiles if c["type"] == "CustomField"]
    assert fields == ["Lead.Nota__c"]
    profiles = {c["fullName"]: c for c in fields_and_profiles if c["type"] == "Profile"}
    assert {"Admin", "Standard", "MarketingProfile"} <= set(profiles)
    admin_id = sf.query("SELECT Id FROM Profile WHERE Name = 'System Administrator'")["records"][0][
        "Id"
    ]
    assert (
        profiles["Admin"]["id"] == admin_id
        and profiles["Admin"]["fileName"] == "profiles/Admin.profile"
    )
    assert "Lead-Lead Layout" in {c["fullName"] for c in listed(org, sf, "Layout")}
    assert listed(org, sf, "ApexClass") == []  # the org has no code


def test_list_metadata_of_an_unknown_type_is_a_fault(org, sf):
    status, root = metadata_call(
        org,
        sf,
        "<met:listMetadata><met:queries><met:type>NoSuchType</met:type></met:queries></met:listMetadata>",
    )
    assert status == 500
    assert root.find(".//faultcode").text == "sf:INVALID_TYPE"
