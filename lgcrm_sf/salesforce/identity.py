"""Who we are logged in as, and in which org: read after every login, shown before storing."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..i18n import N_, deferred
from .client import SalesforceClient


@dataclass
class OrgIdentity:
    org_id: str
    org_name: str
    edition: str
    is_sandbox: bool
    user_id: str
    username: str
    user_name: str
    instance_url: str
    language: str | None = None  # the org's LanguageLocaleKey (pt_BR, en_US...)
    timezone: str | None = None  # the org's TimeZoneSidKey (an IANA name)

    def as_dict(self) -> dict:
        return asdict(self)


def read_identity(client: SalesforceClient) -> OrgIdentity:
    """The OAuth userinfo endpoint names the user and org for any kind of session."""

    def userinfo(sf):
        response = sf.session.get(
            f"https://{sf.sf_instance}/services/oauth2/userinfo", headers=sf.headers, timeout=60
        )
        if response.status_code == 401:
            from simple_salesforce.exceptions import SalesforceExpiredSession

            raise SalesforceExpiredSession(response.url, 401, "userinfo", response.text)
        response.raise_for_status()
        return response.json()

    info = client.call(userinfo, deferred(N_("the user info request")))
    org = client.call(
        lambda sf: sf.query(
            "SELECT Id, Name, OrganizationType, IsSandbox, LanguageLocaleKey, TimeZoneSidKey "
            "FROM Organization"
        ),
        deferred(N_("the Organization query")),
    )["records"][0]
    return OrgIdentity(
        org_id=org["Id"],
        org_name=org["Name"],
        edition=org["OrganizationType"],
        is_sandbox=bool(org["IsSandbox"]),
        user_id=info["user_id"],
        username=info["preferred_username"],
        user_name=info.get("name") or info["preferred_username"],
        instance_url=client.instance_url,
        language=org.get("LanguageLocaleKey"),
        timezone=org.get("TimeZoneSidKey"),
    )
