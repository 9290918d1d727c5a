"""The fields a Lead Gen & CRM person has, with the value type each holds. The mapping refers to
them by these names; `custom.<name>` names a custom field."""

from __future__ import annotations

import re

# name -> type (text, email, url, textarea, number, boolean, date)
PERSON_FIELDS = {
    "first_name": "text",
    "last_name": "text",
    "email": "email",
    "company": "text",
    "title": "text",
    "phone": "text",
    "mobile_phone": "text",
    "street": "textarea",
    "city": "text",
    "state": "text",
    "postal_code": "text",
    "country": "text",
    "website": "url",
    "industry": "text",
    "description": "textarea",
    "lead_status": "text",
    "lead_score": "number",
    "unsubscribed": "boolean",
}
CUSTOM_PREFIX = "custom."
CUSTOM_NAME = re.compile(r"^custom\.[a-z][a-z0-9_]{0,63}$")
CUSTOM_TYPES = ("text", "number", "boolean", "date")

EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def normalise_email(value: str | None) -> str | None:
    """Trimmed and lower-cased, or None when absent. Raises ValueError when not an address."""
    if value is None:
        return None
    text = value.strip().strip("<>").strip()
    if not text:
        return None
    if not EMAIL.match(text) or len(text) > 254:
        raise ValueError(text)
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain}".lower()


def field_type(name: str, custom_types: dict[str, str] | None = None) -> str | None:
    if name in PERSON_FIELDS:
        return PERSON_FIELDS[name]
    if CUSTOM_NAME.match(name):
        return (custom_types or {}).get(name[len(CUSTOM_PREFIX) :], "text")
    return None
