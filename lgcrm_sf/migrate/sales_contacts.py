"""Opportunity-lead links as OpportunityContactRoles. A contact role names a Contact: the
person's linked Contact (the sync's links), else the Contact their e-mail matches (Contact first,
then a Lead not converted: several matches are reported, never guessed, as the sync does). A
Lead stands for its Contact once converted; one not converted is converted only with
--convert-leads (into the opportunity's account), else reported. A role Salesforce already has
(the same opportunity and contact) is linked, not created again."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..salesforce.side import SalesforceSide
from ..store.links import Links
from .sales_lookup import existing_roles
from .sales_plan import Candidate, ObjectPlan, Planner
from .sales_source import OpportunityLead


@dataclass(frozen=True)
class Conversion:
    """A Lead this run converts: the ContactId of the role, once converted."""

    lead_id: str
    person_id: int


class ContactResolver:
    def __init__(self, side: SalesforceSide, links: Links, convert: bool) -> None:
        self.side, self.links, self.convert = side, links, convert
        self.contacts: dict[int, str | Conversion] = {}  # person id -> Contact id (or to be)
        self.reasons: dict[int, str] = {}  # person id -> why there is none
        self.account_of: dict[str, str] = {}  # lead to convert -> its opportunity's source id
        self.emails: dict[int, str] = {}

    def resolve(self, people: dict[int, str]) -> None:
        """{person id: e-mail} -> self.contacts, or self.reasons."""
        self.emails = people
        linked = self.links.linked_people(sorted(people))
        leads = {p: sf for p, sf in linked.items() if self.links.link_of(p)["sf_object"] == "Lead"}
        for person, sf_id in linked.items():
            if person not in leads:
                self.contacts[person] = sf_id
        unlinked = {p: e for p, e in people.items() if p not in linked}
        leads |= self._match(unlinked)
        self._leads(leads)

    def _match(self, unlinked: dict[int, str]) -> dict[int, str]:
        emails = sorted({e.lower() for e in unlinked.values()})
        if not emails:
            return {}
        contacts = self.side.find_by_emails("Contact", emails)
        leads = self.side.find_by_emails("Lead", emails, ["IsConverted = false"])
        found_leads = {}
        for person, email in unlinked.items():
            mine = [r["Id"] for r in contacts.get(email.lower(), [])]
            mine = [i for i in mine if self.links.person_of(i) in (None, person)]
            kind = "Contact"
            if not mine:
                kind = "Lead"
                mine = [r["Id"] for r in leads.get(email.lower(), [])]
                mine = [i for i in mine if self.links.person_of(i) in (None, person)]
            if len(mine) > 1:
                self.reasons[person] = _(
                    "{count} Salesforce {kind}s have the e-mail {email}: merge them first"
                ).format(count=len(mine), kind=kind, email=email)
            elif not mine:
                self.reasons[person] = _(
                    "{email} is not in Salesforce yet: the first sync creates it; run "
                    "`lgcrm-sf migrate sales --objects links` after it"
                ).format(email=email)
            elif kind == "Contact":
                self.contacts[person] = mine[0]
            else:
                found_leads[person] = mine[0]
        return found_leads

    def _leads(self, leads: dict[int, str]) -> None:
        if not leads:
            return
        fields = ["Id", "IsConverted", "ConvertedContactId"]
        rows = {r["Id"]: r for r in self.side.records_by_id("Lead", fields, sorted(leads.values()))}
        for person, lead_id in leads.items():
            row = rows.get(lead_id)
            if row and row["IsConverted"] and row["ConvertedContactId"]:
                self.contacts[person] = row["ConvertedContactId"]
            elif row is None:
                gone = _("{email}: its Lead {id} is no longer in Salesforce")
                self.reasons[person] = gone.format(email=self.emails.get(person), id=lead_id)
            elif self.convert:
                self.contacts[person] = Conversion(lead_id, person)
            else:
                self.reasons[person] = _(
                    "{email} is Lead {id} in Salesforce, not a Contact: convert it there, or run "
                    "with --convert-leads"
                ).format(email=self.emails.get(person), id=lead_id)


def plan_links(
    planner: Planner, links: list[OpportunityLead], resolver: ContactResolver
) -> ObjectPlan:
    resolver.resolve({k.person_id: k.email for k in links if k.person_id is not None})
    known = planner.id_maps.get("OpportunityContactRole", {})
    candidates, seen = [], set()
    for link in links:
        opportunity = planner.reference("Opportunity", link.opportunity_id)
        contact = resolver.contacts.get(link.person_id)
        values = {"OpportunityId": opportunity, "ContactId": contact, "IsPrimary": link.primary}
        why = ""
        if opportunity is None:
            why = _("its opportunity {id} is not migrated").format(id=link.opportunity_id)
        elif link.person_id is None:
            why = _(
                "{lead} is not in this profile's copy of the account yet: run the sync first"
            ).format(lead=link.email)
        elif contact is None:
            why = resolver.reasons.get(link.person_id, "")
        elif (opportunity, contact) in seen:
            why = _("another link of this opportunity names the same contact")
        seen.add((opportunity, contact))
        if isinstance(contact, Conversion) and not why:
            # Converted into the account of (the first of) its opportunities.
            resolver.account_of.setdefault(contact.lead_id, link.opportunity_id)
        row = known.get(link.id)
        stamp = row["source_stamp"] if row else None  # a link does not change: no stamp
        candidates.append(Candidate(link.id, values, stamp, why))
    plan = planner.plan("OpportunityContactRole", candidates)
    _existing_roles(planner.side, plan)
    return plan


def _existing_roles(side: SalesforceSide, plan: ObjectPlan) -> None:
    """Creates of a role Salesforce already has (made by hand, or by a killed run whose answer
    was lost) become links to it."""
    creates = [i for i in plan.of("create") if isinstance(i.values["OpportunityId"], str)]
    existing = existing_roles(side, [i.values["OpportunityId"] for i in creates])
    for item in creates:
        found = existing.get((item.values["OpportunityId"], item.values["ContactId"]))
        if found:
            item.action, item.sf_id = "link", found
