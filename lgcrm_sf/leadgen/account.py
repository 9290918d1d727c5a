"""The Lead Gen & CRM account of a profile, as the commands use it: its store, opened with the
profile's rule (while the profile is connected, accounts and opportunities are read-only here:
sales work happens in Salesforce), and the operations that take more than one call."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Profile
from ..errors import UsageError
from ..i18n import _
from .store import LeadGenStore


def open_account(profile: Profile) -> LeadGenStore:
    return LeadGenStore(profile.state_path, sales_read_only=profile.load().connected)


@dataclass
class PeoplePage:
    people: list[dict]
    total: int  # how many match, shown or not


def list_people(profile: Profile, kind: str | None, inactive: bool, limit: int) -> PeoplePage:
    """Leads and contacts, oldest first, at most `limit`; only deactivated ones if `inactive`."""
    store = open_account(profile)
    active = False if inactive else None
    people = store.people(kind=kind, active=active, limit=limit)
    return PeoplePage(people, store.count_people(kind=kind, active=active))


def add_opportunity(
    profile: Profile,
    name: str,
    stage: str | None,
    amount: float | None,
    contact_emails: list[str],
) -> int:
    """An opportunity of our own, its contacts named by e-mail (refused while connected)."""
    store = open_account(profile)
    ids = []
    for email in contact_emails:
        person = store.by_email(email)
        if person is None:
            raise UsageError(
                _("--contact {email}: no lead or contact has this e-mail.").format(email=email),
                _("see `lgcrm-sf leads list`."),
            )
        ids.append(person["id"])
    return store.add_opportunity(name, stage=stage, amount=amount, contact_ids=ids)
