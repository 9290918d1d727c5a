"""What `leads show` shows of one person: fields, whether active and why not, the Salesforce
record it is linked to, its marketing events and its opportunities. Composed here, above both
sides: the Lead Gen & CRM side never reads the sync's links; the link comes from the sync's
state and is handed to the side's query for the opportunities Salesforce brought."""

from __future__ import annotations

from ..config import Profile
from ..errors import UsageError
from ..i18n import _
from ..leadgen.account import open_account
from ..leadgen.store import MESSAGES
from ..store.sync_state import SyncState

HIDDEN = (
    "id",
    "kind",
    "email",
    "active",
    "deactivation_reason",
    "deactivated_at",
    "field_changed_at",
    "account_lead_id",
    "account_values",
    "account_dirty",
    "account_stamp",
)


def person_view(profile: Profile, email: str) -> dict:
    store = open_account(profile)
    person = store.by_email(email)
    if person is None:
        raise UsageError(
            _(MESSAGES["no_person"]).format(email=email),
            _("see `lgcrm-sf leads list` for who is here."),
        )
    state = SyncState(store.db)
    linked = state.links.link_of(person["id"])
    link = {"object": linked["sf_object"], "id": linked["sf_id"]} if linked else None
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
        # A Salesforce contact role names the contact's Salesforce id: the link says whose.
        "opportunities": store.opportunities_of(person["id"], link["id"] if link else None),
        # Account mode: the lead in the real account, and when our copy was last refreshed.
        "account": {
            "lead_id": person.get("account_lead_id"),
            "refreshed_at": state.meta.get("account_refreshed_at"),
        }
        if profile.load().account_mode
        else None,
    }


def account_refreshed_at(profile: Profile) -> str | None:
    """Account mode: when the sync last read the account into our copy (None: never, or local
    mode)."""
    if not profile.load().account_mode:
        return None
    return SyncState(profile.state_path).meta.get("account_refreshed_at") or "never"
