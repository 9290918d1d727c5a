"""Where `migrate sales` reads the account's sales data: its accounts, opportunities, deal
stages and opportunity-lead links, as one small interface. The local store (a profile's own Lead
Gen & CRM data) stands behind it today; the vendor's API (getAccounts, getOpportunities,
getDealStages, getOpportunityLeads) stands behind the same methods for a remote account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..leadgen.store import LeadGenStore
from ..store.migrated import LOCAL


@dataclass(frozen=True)
class SourceAccount:
    id: str
    name: str
    industry: str | None = None
    website: str | None = None
    owner: str | None = None  # the owner's e-mail (a Lead Gen & CRM user)
    changed_at: str | None = None  # when it last changed at the source


@dataclass(frozen=True)
class SourceOpportunity:
    id: str
    name: str
    stage: str | None  # the deal stage's name
    close_date: str | None = None  # YYYY-MM-DD
    amount: float | None = None
    probability: float | None = None  # percent; None: Salesforce's default for the stage
    account_id: str | None = None
    owner: str | None = None
    changed_at: str | None = None


@dataclass(frozen=True)
class DealStage:
    name: str
    default_probability: float | None = None


@dataclass(frozen=True)
class OpportunityLead:
    id: str
    opportunity_id: str
    person_id: int | None  # the lead or contact here (the sync's links are by person)
    email: str  # the person's (or, without one, what names the lead)
    primary: bool = False


class SalesSource(Protocol):
    key: str  # which account: recorded with every id in the id map

    def accounts(self) -> list[SourceAccount]: ...

    def opportunities(self) -> list[SourceOpportunity]: ...

    def deal_stages(self) -> list[DealStage]: ...

    def opportunity_leads(self) -> list[OpportunityLead]: ...

    def external_key(self, source_id: str) -> str:
        """The value of our external-id field (LGCRM_Id__c) for a record of this source."""
        ...


class LocalSalesSource:
    """The profile's own accounts and opportunities (made here, not copies of Salesforce's)."""

    key = LOCAL

    def __init__(self, store: LeadGenStore, store_id: str) -> None:
        self.store, self.store_id = store, store_id

    def accounts(self) -> list[SourceAccount]:
        return [
            SourceAccount(
                str(r["id"]), r["name"], r["industry"], r["website"], r["owner"], r["updated_at"]
            )
            for r in self.store.own_accounts()
        ]

    def opportunities(self) -> list[SourceOpportunity]:
        return [
            SourceOpportunity(
                str(r["id"]),
                r["name"],
                r["stage"],
                r["close_date"],
                r["amount"],
                None,  # the local store keeps no probability: the stage's default applies
                None if r["account_id"] is None else str(r["account_id"]),
                r["owner"],
                r["updated_at"],
            )
            for r in self.store.own_opportunities()
        ]

    def deal_stages(self) -> list[DealStage]:
        """The local store has no stage list of its own: the stages its opportunities use."""
        names = sorted({o.stage for o in self.opportunities() if o.stage})
        return [DealStage(name) for name in names]

    def opportunity_leads(self) -> list[OpportunityLead]:
        return [
            OpportunityLead(str(r["id"]), str(r["opportunity_id"]), r["person_id"], r["email"])
            for r in self.store.own_opportunity_people()
        ]

    def external_key(self, source_id: str) -> str:
        # The form the sync gives people (engine/matching.external_key): which marketing side,
        # and the record in it. Unique per object, which is all an external id needs.
        return f"local-{self.store_id}:{source_id}"
