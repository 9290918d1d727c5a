"""What the org tells about its objects and users, in the shape the rest of the product keeps
(and caches): the fields of a describe, trimmed to what mapping checks and the sync use, and the
Salesforce users an owner mapping names."""

from __future__ import annotations

from ..i18n import N_, deferred
from .client import SalesforceClient

# Our external-id field (Text(40), External ID, Unique): with it, a create is an upsert that can
# be sent again safely. Its value names the marketing side and the person there.
EXTERNAL_ID_FIELD = "LGCRM_Id__c"

FIELD_KEYS = (
    "name",
    "label",
    "type",
    "length",
    "updateable",
    "createable",
    "nillable",
    "custom",
    "calculated",
    "externalId",
    "unique",
    "compoundFieldName",
    "picklistValues",
    "restrictedPicklist",
)


def soql_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def describe_fields(client: SalesforceClient, sobject: str) -> dict[str, dict]:
    described = client.call(
        lambda sf: getattr(sf, sobject).describe(),
        deferred(N_("the describe of {sobject}"), sobject=sobject),
    )
    return {f["name"]: {k: f.get(k) for k in FIELD_KEYS} for f in described["fields"]}


def is_user_id(text: str) -> bool:
    return text.startswith("005") and len(text) in (15, 18) and text.isalnum()


def find_users(client: SalesforceClient, targets: list[str]) -> list[dict]:
    """The users named by username or id (active or not: the caller says what inactive means)."""
    names = sorted({t for t in targets if "@" in t})
    ids = sorted({t for t in targets if is_user_id(t)})
    where = " OR ".join(
        part
        for part in (
            f"Username IN ({', '.join(soql_quote(n) for n in names)})" if names else "",
            f"Id IN ({', '.join(soql_quote(i) for i in ids)})" if ids else "",
        )
        if part
    )
    if not where:
        return []
    rows = client.call(
        lambda sf: sf.query_all(f"SELECT Id, Username, Name, IsActive FROM User WHERE {where}"),
        deferred(N_("the owner lookup")),
    )["records"]
    return [{k: row[k] for k in ("Id", "Username", "Name", "IsActive")} for row in rows]
