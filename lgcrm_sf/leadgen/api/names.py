"""Our field names and the account's (LEADGEN_API.md §6), so mapping files written for the local
store keep working against the real account. Custom fields are `custom.<systemName>` here and
the bare systemName there (stable when the label is renamed)."""

from __future__ import annotations

from . import values

CUSTOM_PREFIX = "custom."

# ours -> the API's
LEAD_NAMES = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "emailAddress",
    "company": "companyName",
    "title": "title",
    "phone": "phoneNumber",
    "mobile_phone": "mobilePhoneNumber",
    "street": "street",
    "city": "city",
    "state": "state",
    "postal_code": "zipcode",
    "country": "country",
    "website": "website",
    "industry": "industry",
    "description": "description",
    "lead_status": "leadStatus",
    "lead_score": "leadScore",
    "unsubscribed": "isUnsubscribed",
    "owner_user_id": "ownerID",
}
API_NAMES = {api: ours for ours, api in LEAD_NAMES.items()}

# A person is a contact in our terms when the account says it is one (§6 leadStatus).
CONTACT_STATUSES = ("contact", "contactWithOpp", "customer")
LEAD_STATUSES = ("open", "unqualified", "qualified", *CONTACT_STATUSES)

# The API's fields that are not ours but the sync reads.
META_FIELDS = ("id", "active", "createTimestamp", "updateTimestamp")
# Nullable fields refuse "" (205, §7.3): an absent value is sent as null there.
NULLABLE = {"accountID", "ownerID", "campaignID", "isUnsubscribed", "active"}
NOT_NULL_STRINGS = {
    "firstName", "lastName", "companyName", "title", "street", "city", "state", "zipcode",
    "country", "website", "phoneNumber", "mobilePhoneNumber", "industry", "description",
}  # fmt: skip


def api_name(ours: str) -> str:
    if ours.startswith(CUSTOM_PREFIX):
        return ours[len(CUSTOM_PREFIX) :]
    return LEAD_NAMES[ours]


def kind_of(lead_status: str | None) -> str:
    return "contact" if lead_status in CONTACT_STATUSES else "lead"


def _flag(raw) -> bool:
    return bool(values.flag(raw))


# (API name, ours, how its value is read), worked out once: every lead read goes through it.
_DECODERS = [
    (api, ours, {"lead_score": values.number, "unsubscribed": _flag,
                 "owner_user_id": values.ident}.get(ours, values.text))
    for api, ours in API_NAMES.items()
]  # fmt: skip


def decode_lead(lead: dict, custom_names: set[str]) -> dict:
    """An API lead as our person: {account_id, active, created_at, updated_at, kind, email,
    values: {our name: value}}."""
    out = {ours: decode(lead[api]) for api, ours, decode in _DECODERS if api in lead}
    for name in custom_names:
        if name in lead:
            out[CUSTOM_PREFIX + name] = values.text(lead[name])
    email = (out.pop("email", None) or "").strip().lower()
    return {
        "account_id": int(lead["id"]),
        "active": values.flag(lead.get("active")) is not False,
        "created_at": values.api_time_to_iso(lead.get("createTimestamp")),
        "updated_at": values.api_time_to_iso(lead.get("updateTimestamp")),
        "kind": kind_of(out.get("lead_status")),
        "email": email,
        "values": out,
    }


def encode_value(api: str, value):
    """Our value as the API takes it: strings, "1"/"0" for flags, null (never "") on nullable
    fields and "" (never null) on the other strings (§7.3)."""
    if value is None or value == "":
        return None if api in NULLABLE or api == "leadScore" else ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if api in ("ownerID", "accountID", "campaignID"):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def encode_lead(fields: dict) -> dict:
    """Our {name: value} as an API lead object (custom fields by systemName)."""
    out = {}
    for ours, value in fields.items():
        api = api_name(ours)
        encoded = encode_value(api, value)
        if encoded is None and api == "leadScore":
            continue  # a score is the account's: never cleared from here
        out[api] = encoded
    return out


def decode_user(user: dict) -> dict:
    """A getUserProfiles row as {account_user_id, name, email, active}."""
    name = values.text(user.get("displayName")) or " ".join(
        p for p in (values.text(user.get("firstName")), values.text(user.get("lastName"))) if p
    )
    return {
        "account_user_id": int(user["id"]),
        "name": name,
        "email": (values.text(user.get("emailAddress")) or "").strip().lower(),
        "active": values.flag(user.get("isActive")) is not False,
    }


# Every standard field a lead may carry (§6, and those getFields lists); any other key of a
# lead is a custom field, named by its systemName.
STANDARD_LEAD_FIELDS = {
    "id", "accountID", "ownerID", "campaignID", "leadStatus", "leadScore", "leadScoreWeighted",
    "persona", "active", "firstName", "lastName", "emailAddress", "companyName", "title",
    "street", "city", "country", "state", "zipcode", "website", "phoneNumber", "trackingID",
    "officePhoneNumber", "phoneNumberExtension", "mobilePhoneNumber", "faxNumber", "description",
    "industry", "isUnsubscribed", "createTimestamp", "updateTimestamp", "crmID", "numBounces",
    "hardBounced", "hasOpportunity", "isQualified", "isContact",
}  # fmt: skip


def custom_names(lead: dict) -> set[str]:
    return {k for k in lead if k not in STANDARD_LEAD_FIELDS}
