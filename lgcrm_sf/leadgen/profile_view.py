"""What `leads show` shows of one person: fields, whether active and why not, the Salesforce
record it is linked to, its marketing events and its opportunities."""

from __future__ import annotations

from ..errors import UsageError
from .store import MESSAGES, LeadGenStore

HIDDEN = (
    "id",
    "kind",
    "email",
    "active",
    "deactivation_reason",
    "deactivated_at",
    "field_changed_at",
)


def person_view(store: LeadGenStore, email: str) -> dict:
    person = store.by_email(email)
    if person is None:
        raise UsageError(
            MESSAGES["no_person"].format(email=email), "see `lgcrm-sf leads list` for who is here."
        )
    link = None
    if "links" in store.db.table_names():
        rows = list(
            store.db.query("SELECT sf_object, sf_id FROM links WHERE person_id = ?", [person["id"]])
        )
        if rows:
            link = {"object": rows[0]["sf_object"], "id": rows[0]["sf_id"]}
    fields = {k: v for k, v in person.items() if k not in HIDDEN}
    return {
        "id": person["id"],
        "email": person["email"],
        "kind": person["kind"],
        "active": person["active"],
        "deactivation_reason": person["deactivation_reason"],
        "deactivated_at": person["deactivated_at"],
        "person": fields,
        "salesforce": link,
        "events": store.events_of(person["id"]),
        "opportunities": store.opportunities_of(person["id"]),
    }
