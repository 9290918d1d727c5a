"""The SOAP partner API calls the REST API has no counterpart for: `undelete()` (bring records
back from the recycle bin, with what their delete cascaded to) and `convertLead()` (a lead into
a contact, in an account). Hand-written envelopes over the client's own session (https only,
its CA and its call counter), no SOAP library.
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_undelete.htm
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError

from ..i18n import N_, deferred
from .client import SalesforceClient
from .retry import TRANSIENT_CODES

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
FAULT = "urn:fault.partner.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_UNDELETE = 200  # ids per undelete() call
MAX_CONVERT = 100  # LeadConvert items per convertLead() call


@dataclass
class UndeleteResult:
    id: str  # the id asked for
    success: bool
    code: str | None = None
    message: str | None = None


def undelete(client: SalesforceClient, ids: list[str]) -> list[UndeleteResult]:
    """Undelete up to 200 records (not all or none: each succeeds or fails on its own).
    Sending it again is harmless: a record already back answers UNDELETE_FAILED, which the
    caller checks by reading the record."""
    if len(ids) > MAX_UNDELETE:
        raise ValueError(f"undelete takes {MAX_UNDELETE} ids a call")
    items = "".join(f"<urn:ids>{escape(i)}</urn:ids>" for i in ids)

    def call(sf):
        return _post(sf, f"<urn:undelete>{items}</urn:undelete>")

    results = client.call(call, deferred(N_("the undelete call")))
    return [
        UndeleteResult(
            asked,
            result.findtext(f"{{{PARTNER}}}success") == "true",
            result.findtext(f"{{{PARTNER}}}errors/{{{PARTNER}}}statusCode"),
            result.findtext(f"{{{PARTNER}}}errors/{{{PARTNER}}}message"),
        )
        for asked, result in zip(ids, results, strict=True)
    ]


@dataclass
class ConvertResult:
    lead_id: str  # the lead asked for
    success: bool
    contact_id: str | None = None
    account_id: str | None = None
    code: str | None = None
    message: str | None = None


def convert_leads(
    client: SalesforceClient, leads: list[tuple[str, str]], converted_status: str
) -> list[ConvertResult]:
    """Convert each (lead id, account id) into a contact of that account, creating no
    opportunity and sending no e-mail. Not idempotent (a lead converts once): never sent again
    blind; a caller that lost the answer reads the leads' IsConverted and ConvertedContactId."""
    if len(leads) > MAX_CONVERT:
        raise ValueError(f"convertLead takes {MAX_CONVERT} leads a call")
    items = "".join(
        "<urn:leadConverts>"
        + (f"<urn:accountId>{escape(account)}</urn:accountId>" if account else "")
        + f"<urn:convertedStatus>{escape(converted_status)}</urn:convertedStatus>"
        "<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity>"
        f"<urn:leadId>{escape(lead)}</urn:leadId>"
        "<urn:overwriteLeadSource>false</urn:overwriteLeadSource>"
        "<urn:sendNotificationEmail>false</urn:sendNotificationEmail>"
        "</urn:leadConverts>"
        for lead, account in leads
    )

    def call(sf):
        return _post(sf, f"<urn:convertLead>{items}</urn:convertLead>")

    results = client.call(call, deferred(N_("the convertLead call")), idempotent=False)
    return [
        ConvertResult(
            lead,
            result.findtext(f"{{{PARTNER}}}success") == "true",
            _id(result, "contactId"),
            _id(result, "accountId"),
            result.findtext(f"{{{PARTNER}}}errors/{{{PARTNER}}}statusCode"),
            result.findtext(f"{{{PARTNER}}}errors/{{{PARTNER}}}message"),
        )
        for (lead, _), result in zip(leads, results, strict=True)
    ]


def _id(result, name: str) -> str | None:
    element = result.find(f"{{{PARTNER}}}{name}")
    if element is None or element.get(f"{{{XSI}}}nil") == "true":
        return None
    return element.text or None


def _post(sf, body: str) -> list:
    """One partner call on simple-salesforce's session; its <result> elements in order. A
    fault becomes the exception simple-salesforce raises for REST, so client.call logs in
    again after INVALID_SESSION_ID and retries what is transient."""
    url = f"https://{sf.sf_instance}/services/Soap/u/{sf.sf_version}"
    envelope = (
        f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="{SOAP}" '
        f'xmlns:urn="{PARTNER}"><env:Header><urn:SessionHeader><urn:sessionId>'
        f"{escape(sf.session_id)}</urn:sessionId></urn:SessionHeader></env:Header>"
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )
    response = sf.session.post(
        url,
        data=envelope.encode("utf-8"),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
    )
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        raise SalesforceGeneralError(
            url,
            response.status_code,
            "SOAP",
            [{"errorCode": "UNKNOWN_EXCEPTION", "message": response.text[:200]}],
        ) from None
    fault = root.find(f".//{{{SOAP}}}Fault")
    if fault is not None:
        code = fault.findtext(f".//{{{FAULT}}}exceptionCode") or fault.findtext("faultcode")
        message = fault.findtext(f".//{{{FAULT}}}exceptionMessage") or fault.findtext("faultstring")
        code = (code or "UNKNOWN_EXCEPTION").rsplit(":", 1)[-1]
        if code == "INVALID_SESSION_ID":
            raise SalesforceExpiredSession(url, 401, "SOAP", message)
        # Every fault comes as HTTP 500: only a busy or failing server is worth a retry.
        status = 503 if code in TRANSIENT_CODES else 400
        raise SalesforceGeneralError(url, status, "SOAP", [{"errorCode": code, "message": message}])
    return list(root.iter(f"{{{PARTNER}}}result"))
