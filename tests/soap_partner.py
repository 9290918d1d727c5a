"""Hand-written SOAP partner API envelopes over `requests` (no SOAP library), the way the product
will call undelete() and convertLead(), which simple-salesforce does not offer."""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

import requests

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
FAULT = "urn:fault.partner.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def envelope(body: str, header: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="{SOAP}" '
        f'xmlns:urn="{PARTNER}"><env:Header>{header}</env:Header><env:Body>{body}</env:Body>'
        "</env:Envelope>"
    )


def _value(element) -> str | None:
    return None if element.get(f"{{{XSI}}}nil") == "true" else (element.text or "")


def parse_result(result) -> dict:
    """One <result> as a dict: ids (None when nil), success, errors as dicts."""
    out: dict = {"errors": []}
    for child in result:
        name = child.tag.rsplit("}", 1)[-1]
        if name == "errors":
            out["errors"].append(
                {
                    "statusCode": child.findtext(f"{{{PARTNER}}}statusCode"),
                    "message": child.findtext(f"{{{PARTNER}}}message"),
                    "fields": [f.text for f in child.findall(f"{{{PARTNER}}}fields")],
                }
            )
        elif name == "success":
            out["success"] = child.text == "true"
        else:
            out[name] = _value(child)
    return out


class SoapFault(Exception):
    def __init__(self, status: int, code: str, message: str, fault_type: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.fault_type = status, code, message, fault_type


class Partner:
    """A logged-in partner API connection to the emulator."""

    def __init__(self, info: dict, version: str = "59.0", connect: bool = True) -> None:
        self.info, self.version = info, version
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = info["ca_bundle"]
        self.limit_info: dict = {}
        if connect:  # log in as the integration user and use the serverUrl it names
            password = info["password"] + info["security_token"]
            self.login_result = self.login(info["username"], password)
            self.server_url = self.login_result["serverUrl"]
            self.session_id = self.login_result["sessionId"]

    def post(self, url: str, text: str) -> requests.Response:
        return self.http.post(
            url,
            data=text.encode(),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
            timeout=60,
        )

    @staticmethod
    def raise_fault(response: requests.Response, root) -> None:
        fault = root.find(f".//{{{SOAP}}}Fault")
        if fault is None:
            return
        detail = fault.find("detail")
        kind = next(iter(detail)).get(f"{{{XSI}}}type", "") if detail is not None else ""
        raise SoapFault(
            response.status_code,
            fault.findtext(f".//{{{FAULT}}}exceptionCode"),
            fault.findtext(f".//{{{FAULT}}}exceptionMessage"),
            kind,
        )

    def login(self, username: str, password: str) -> dict:
        body = (
            f"<urn:login><urn:username>{escape(username)}</urn:username>"
            f"<urn:password>{escape(password)}</urn:password></urn:login>"
        )
        response = self.post(
            f"{self.info['login_url']}/services/Soap/u/{self.version}", envelope(body)
        )
        root = ElementTree.fromstring(response.content)
        self.raise_fault(response, root)
        result = root.find(f".//{{{PARTNER}}}result")
        out = {c.tag.rsplit("}", 1)[-1]: c.text for c in result}
        out["userInfo"] = {
            c.tag.rsplit("}", 1)[-1]: c.text for c in result.find(f"{{{PARTNER}}}userInfo")
        }
        return out

    def call(self, body: str, header: str = "", session_id: str | None = None) -> list[dict]:
        """Send one call; returns its results in order, or raises SoapFault."""
        token = self.session_id if session_id is None else session_id
        session = f"<urn:SessionHeader><urn:sessionId>{token}</urn:sessionId></urn:SessionHeader>"
        response = self.post(self.server_url, envelope(body, session + header))
        root = ElementTree.fromstring(response.content)
        self.raise_fault(response, root)
        assert response.status_code == 200
        limit = root.find(f".//{{{PARTNER}}}limitInfo")
        if limit is not None:
            self.limit_info = {c.tag.rsplit("}", 1)[-1]: c.text for c in limit}
        return [parse_result(r) for r in root.iter(f"{{{PARTNER}}}result")]

    @staticmethod
    def all_or_none(on: bool) -> str:
        if not on:
            return ""
        return "<urn:AllOrNoneHeader><urn:allOrNone>true</urn:allOrNone></urn:AllOrNoneHeader>"

    def undelete(self, ids: list[str], all_or_none: bool = False) -> list[dict]:
        items = "".join(f"<urn:ids>{i}</urn:ids>" for i in ids)
        return self.call(f"<urn:undelete>{items}</urn:undelete>", self.all_or_none(all_or_none))

    def convert_lead(self, converts: list[dict], all_or_none: bool = False) -> list[dict]:
        """Each convert: leadId, convertedStatus and any other LeadConvert element (booleans as
        Python bools); absent booleans are sent as false, as WSDL clients do."""
        items = ""
        for convert in converts:
            values = {
                "doNotCreateOpportunity": False,
                "overwriteLeadSource": False,
                "sendNotificationEmail": False,
                **convert,
            }
            inner = "".join(
                f"<urn:{k}>{str(v).lower() if isinstance(v, bool) else escape(v)}</urn:{k}>"
                for k, v in sorted(values.items())
            )
            items += f"<urn:leadConverts>{inner}</urn:leadConverts>"
        return self.call(
            f"<urn:convertLead>{items}</urn:convertLead>", self.all_or_none(all_or_none)
        )
