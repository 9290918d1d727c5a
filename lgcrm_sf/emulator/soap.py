"""The SOAP partner API at /services/Soap/u/{version}[/{orgId}]: login() (auth.py) and the data
calls the REST API has no counterpart for, undelete() and convertLead().

Shapes follow the partner WSDL: a SessionHeader carries the session id; each call answers one
result per item in request order (UndeleteResult: errors, id, success; LeadConvertResult:
accountId, contactId, errors, leadId, opportunityId, success), with per-item Error elements
(fields, message, statusCode); call-level failures are SOAP faults, as login's are.
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_undelete.htm
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
"""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .auth import PARTNER_NS, SOAP_NS, Sessions, soap_fault, soap_login
from .convert import LeadConvert, convert_lead
from .errors import ApiError, RecordError
from .store import Org

MAX_UNDELETE = 200  # ids per undelete() call
MAX_CONVERT = 100  # LeadConvert items per convertLead() call
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


class _Abort(Exception):
    """Rolls back an all-or-none call after one item failed."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element, name: str) -> str | None:
    found = _child(element, name)
    if found is None or found.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
        return None
    return (found.text or "").strip() or None


def _flag(element, name: str) -> bool:
    return (_text(element, name) or "false").lower() in ("true", "1")


def _fault(code: str, message: str) -> tuple[int, str]:
    return 500, soap_fault(code, message, "UnexpectedErrorFault")


def partner_call(
    org: Org, sessions: Sessions, body: bytes, base_url: str, version: str
) -> tuple[int, str]:
    """One request to the partner endpoint: (HTTP status, SOAP envelope)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return _fault("INVALID_REQUEST", "Could not parse the SOAP request")
    body_element = _child(root, "Body")
    call = next(iter(body_element), None) if body_element is not None else None
    operation = _local(call.tag) if call is not None else ""
    if operation == "login" or operation not in ("undelete", "convertLead"):
        return soap_login(org, sessions, body, base_url, version)  # or its unknown-call fault
    header = _child(root, "Header")
    headers = {_local(h.tag): h for h in header} if header is not None else {}
    session_header = headers.get("SessionHeader")
    token = _text(session_header, "sessionId") if session_header is not None else None
    try:
        session = sessions.check(f"Bearer {token}" if token else None)
    except ApiError:
        return _fault(
            "INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session"
        )
    if org.settings["users"].get(session.user_id, {}).get("password_expired"):
        return _fault(
            "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
            "The users password has expired, you must call SetPassword before attempting any "
            "other API operations",
        )
    try:
        org.spend_api_call()
    except ApiError as exc:
        return _fault(exc.code, exc.message)
    all_or_none = headers.get("AllOrNoneHeader")
    all_or_none = all_or_none is not None and _flag(all_or_none, "allOrNone")
    if operation == "undelete":
        items = [(c.text or "").strip() for c in call if _local(c.tag) == "ids"]
        limit, render = MAX_UNDELETE, _undelete_result

        def apply(record_id):
            return {"id": org.undelete(record_id, session.user_id)[0]}
    else:
        items = [_lead_convert(c) for c in call if _local(c.tag) == "leadConverts"]
        limit, render = MAX_CONVERT, _convert_result

        def apply(lead_convert):
            return convert_lead(org, lead_convert, session.user_id)

    if len(items) > limit:
        return _fault(
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {limit} records into this call",
        )
    try:
        results = _each(org, items, all_or_none, apply)
    except ApiError as exc:  # not a per-record refusal: the whole call fails
        return _fault(exc.code, exc.message)
    body = "".join(render(r) for r in results)
    return 200, _envelope(org, f"<{operation}Response>{body}</{operation}Response>")


def _lead_convert(element) -> LeadConvert:
    return LeadConvert(
        lead_id=_text(element, "leadId") or "",
        converted_status=_text(element, "convertedStatus") or "",
        account_id=_text(element, "accountId"),
        contact_id=_text(element, "contactId"),
        do_not_create_opportunity=_flag(element, "doNotCreateOpportunity"),
        opportunity_name=_text(element, "opportunityName"),
        owner_id=_text(element, "ownerId"),
        overwrite_lead_source=_flag(element, "overwriteLeadSource"),
        send_notification_email=_flag(element, "sendNotificationEmail"),
    )


def _each(org: Org, items: list, all_or_none: bool, apply) -> list:
    """Apply each item in its own savepoint: a result dict, or the RecordError it failed with.
    With AllOrNoneHeader, one failure rolls back every item."""
    results: list = []
    try:
        with org.lock, org.atomic():
            for item in items:
                try:
                    with org.atomic():
                        results.append(apply(item))
                except RecordError as exc:
                    results.append(exc)
            if all_or_none and any(isinstance(r, RecordError) for r in results):
                raise _Abort
    except _Abort:
        return [r if isinstance(r, RecordError) else _ROLLED_BACK for r in results]
    return results


def _id(name: str, value: str | None) -> str:
    return f"<{name}>{value}</{name}>" if value else f'<{name} xsi:nil="true"/>'


def _errors(error: RecordError) -> str:
    e = error.errors[0]
    fields = "".join(f"<fields>{escape(f)}</fields>" for f in e["fields"])
    return (
        f"<errors>{fields}<message>{escape(e['message'])}</message>"
        f"<statusCode>{e['errorCode']}</statusCode></errors>"
    )


def _undelete_result(result) -> str:
    if isinstance(result, RecordError):
        return f"<result>{_errors(result)}{_id('id', None)}<success>false</success></result>"
    return f"<result>{_id('id', result['id'])}<success>true</success></result>"


def _convert_result(result) -> str:
    if isinstance(result, RecordError):
        ids = {}
        errors = _errors(result)
    else:
        ids, errors = result, ""
    return (
        f"<result>{_id('accountId', ids.get('accountId'))}{_id('contactId', ids.get('contactId'))}"
        f"{errors}{_id('leadId', ids.get('leadId'))}"
        f"{_id('opportunityId', ids.get('opportunityId'))}"
        f"<success>{'false' if errors else 'true'}</success></result>"
    )


def _envelope(org: Org, response: str) -> str:
    """A response envelope with the LimitInfoHeader Salesforce sends with every call."""
    s = org.settings
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_NS}" '
        f'xmlns="{PARTNER_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Header><LimitInfoHeader><limitInfo><current>{s['api_used']}</current>"
        f"<limit>{s['api_max']}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader>"
        f"</soapenv:Header><soapenv:Body>{response}</soapenv:Body></soapenv:Envelope>"
    )
