"""The subset of the Metadata SOAP API clients use: describeMetadata and listMetadata (see
metadata_list.py) and `readMetadata` for the org settings check-prereqs needs.

`readMetadata` at /services/Soap/m/{version} for three types:
- SecuritySettings ("Security"): passwordPolicies.expiration ("Never" when passwords never expire)
- ProfileSessionSetting (profile name): requiredSessionLevel ("HIGH_ASSURANCE" or "STANDARD"),
  the profile's *Session Security Level Required at Login*
- AutoResponseRules ("Lead"): the Web-to-Lead auto-response rules and whether each is active
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_readMetadata.htm
"""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from . import metadata_list
from .auth import SOAP_NS, soap_fault
from .store import Org

META_NS = "http://soap.sforce.com/2006/04/metadata"


def session_id(body: bytes) -> str | None:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    return root.findtext(f".//{{{META_NS}}}sessionId")


def _records(org: Org, kind: str, names: list[str]) -> list[str]:
    s = org.settings
    out = []
    for name in names:
        if kind == "SecuritySettings" and name == "Security":
            out.append(
                f'<records xsi:type="SecuritySettings"><fullName>Security</fullName>'
                f"<passwordPolicies><expiration>{escape(s['password_expiration'])}</expiration>"
                "<historyRestriction>3</historyRestriction><lockoutInterval>FifteenMinutes"
                "</lockoutInterval><maxLoginAttempts>TenAttempts</maxLoginAttempts>"
                "<minimumPasswordLength>8</minimumPasswordLength></passwordPolicies></records>"
            )
        elif kind == "ProfileSessionSetting" and name in s["session_levels"]:
            level = s["session_levels"][name]
            out.append(
                f'<records xsi:type="ProfileSessionSetting"><fullName>{escape(name)}</fullName>'
                f"<forceLogout>false</forceLogout><profile>{escape(name)}</profile>"
                f"<requiredSessionLevel>{level}</requiredSessionLevel>"
                "<sessionPersistence>false</sessionPersistence><sessionTimeout>120</sessionTimeout>"
                "</records>"
            )
        elif kind == "AutoResponseRules" and name == "Lead":
            rules = "".join(
                f"<autoResponseRule><fullName>{escape(r['fullName'])}</fullName>"
                f"<active>{str(bool(r.get('active'))).lower()}</active><ruleEntry>"
                f"<senderEmail>noreply@acme-brasil.example</senderEmail><senderName>Acme</senderName>"
                f"<template>{escape(r.get('template') or 'unfiled$public/Default')}</template>"
                "</ruleEntry></autoResponseRule>"
                for r in s["lead_auto_response_rules"]
            )
            out.append(
                f'<records xsi:type="AutoResponseRules"><fullName>Lead</fullName>{rules}</records>'
            )
        # Unknown names yield an empty record, as readMetadata does.
    return out


def _envelope(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_NS}" '
        f'xmlns="{META_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        f"{body}</soapenv:Body></soapenv:Envelope>"
    )


def handle(org: Org, body: bytes) -> tuple[int, str]:
    root = ElementTree.fromstring(body)
    if root.find(f".//{{{META_NS}}}describeMetadata") is not None:
        return 200, _envelope(metadata_list.describe(org))
    listing = root.find(f".//{{{META_NS}}}listMetadata")
    if listing is not None:
        queries = [
            (q.findtext(f"{{{META_NS}}}type") or "", q.findtext(f"{{{META_NS}}}folder"))
            for q in listing.findall(f"{{{META_NS}}}queries")
        ]
        if len(queries) > 3:
            return 500, soap_fault(
                "INVALID_ARGUMENT", "listMetadata takes at most 3 queries", "UnexpectedErrorFault"
            )
        for kind, _ in queries:
            if not metadata_list.known(kind):
                return 500, soap_fault(
                    "INVALID_TYPE", f"Unknown type name '{kind}' specified", "UnexpectedErrorFault"
                )
        return 200, _envelope(metadata_list.list_body(org, queries))
    read = root.find(f".//{{{META_NS}}}readMetadata")
    if read is None:
        return 500, soap_fault(
            "INVALID_OPERATION",
            "No operation available for request: this emulator serves describeMetadata, "
            "listMetadata and readMetadata",
            "UnexpectedErrorFault",
        )
    kind = read.findtext(f"{{{META_NS}}}type") or ""
    names = [e.text or "" for e in read.findall(f"{{{META_NS}}}fullNames")]
    if kind not in ("SecuritySettings", "ProfileSessionSetting", "AutoResponseRules"):
        return 500, soap_fault(
            "INVALID_TYPE", f"Unsupported metadata type: {kind}", "UnexpectedErrorFault"
        )
    records = "".join(_records(org, kind, names))
    return 200, _envelope(
        f"<readMetadataResponse><result>{records}</result></readMetadataResponse>"
    )
