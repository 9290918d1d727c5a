"""readMetadata over the Metadata SOAP API, for the settings Salesforce exposes nowhere else
(password policy, a profile's session security level, auto-response rules).
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_readMetadata.htm
"""

from __future__ import annotations

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from simple_salesforce.exceptions import SalesforceExpiredSession

from ..errors import SalesforceApiError
from ..i18n import _
from .client import SalesforceClient

META_NS = "http://soap.sforce.com/2006/04/metadata"


def read_metadata(
    client: SalesforceClient, kind: str, names: list[str]
) -> list[ElementTree.Element]:
    def call(sf):
        body = (
            '<?xml version="1.0" encoding="utf-8"?><env:Envelope '
            'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns:met="{META_NS}"><env:Header><met:SessionHeader><met:sessionId>{sf.session_id}'
            "</met:sessionId></met:SessionHeader></env:Header><env:Body><met:readMetadata>"
            f"<met:type>{escape(kind)}</met:type>"
            + "".join(f"<met:fullNames>{escape(n)}</met:fullNames>" for n in names)
            + "</met:readMetadata></env:Body></env:Envelope>"
        )
        url = f"https://{sf.sf_instance}/services/Soap/m/{sf.sf_version}"
        response = sf.session.post(
            url,
            data=body.encode(),
            timeout=60,
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )
        if response.status_code != 200:
            code, message = _fault(response.content)
            if code == "INVALID_SESSION_ID":
                raise SalesforceExpiredSession(url, 500, "readMetadata", message)
            raise SalesforceApiError(
                _("Salesforce refused readMetadata {kind} ({code}): {message}").format(
                    kind=kind, code=code, message=message
                ),
                code,
                response.status_code,
            )
        root = ElementTree.fromstring(response.content)
        return root.findall(f".//{{{META_NS}}}records")

    return client.call(call, f"readMetadata {kind}")


def _fault(content: bytes) -> tuple[str, str]:
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return "UNKNOWN", content[:200].decode(errors="replace")
    code = root.findtext(".//faultcode") or "UNKNOWN"
    return code.split(":")[-1], root.findtext(".//faultstring") or ""


def text(element: ElementTree.Element | None, path: str) -> str | None:
    if element is None:
        return None
    parts = "/".join(f"{{{META_NS}}}{p}" for p in path.split("/"))
    return element.findtext(parts)


def children(element: ElementTree.Element | None, name: str) -> list[ElementTree.Element]:
    return [] if element is None else element.findall(f"{{{META_NS}}}{name}")
