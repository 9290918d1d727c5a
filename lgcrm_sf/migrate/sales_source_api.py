"""The remote Lead Gen & CRM account as a source of `migrate sales`: its accounts,
opportunities, deal stages and opportunity-lead links read through the vendor's API
(leadgen/api: getAccounts, getOpportunities, getDealStages, getOpportunityLeads, and
getUserProfiles for the owners' e-mails). Every value comes as a string (LEADGEN_API.md §6);
an opportunity names its deal stage by id. The account keeps no change time on these records,
so a change is seen by comparing values (sales_plan.py). A linked lead is the person of this
profile's copy of the account that `person_of` finds (account mode keeps one per lead)."""

from __future__ import annotations

from collections.abc import Callable

from .sales_source import DealStage, OpportunityLead, SourceAccount, SourceOpportunity


def _values():
    """The API's value decoding (leadgen/api/values.py), imported when a source is made: this
    module loads (for the checks of the house) where the API client is not installed yet."""
    from ..leadgen.api import values

    return values


def _id(value) -> str | None:
    found = _values().ident(value)
    return None if found is None else str(found)


def text(value) -> str | None:
    return _values().text(value)


def number(value):
    return _values().number(value)


def ident(value) -> int | None:
    return _values().ident(value)


class AccountSalesSource:
    def __init__(
        self,
        client,  # leadgen.api.LeadGenClient
        account_id: str,
        person_of: Callable[[int], tuple[int, str] | None],
    ) -> None:
        self.client, self.person_of = client, person_of
        self.key = f"account-{account_id}"
        self._owners: dict[str, str] | None = None
        self._stages: list[DealStage] | None = None
        self._stage_names: dict[str, str] = {}

    def _owner(self, owner_id) -> str | None:
        if self._owners is None:
            self._owners = {
                str(u["id"]): (text(u.get("emailAddress")) or "").lower()
                for u in self.client.get_user_profiles()
            }
        return self._owners.get(_id(owner_id) or "") or None

    def accounts(self) -> list[SourceAccount]:
        return [
            SourceAccount(
                str(r["id"]),
                text(r.get("accountName")) or "",
                text(r.get("industry")),
                text(r.get("website")),
                self._owner(r.get("ownerID")),
            )
            for r in self.client.get_accounts()
        ]

    def deal_stages(self) -> list[DealStage]:
        if self._stages is None:
            rows = self.client.get_deal_stages()
            self._stage_names = {str(r["id"]): text(r.get("dealStageName")) or "" for r in rows}
            self._stages = [
                DealStage(self._stage_names[str(r["id"])], number(r.get("defaultProbability")))
                for r in rows
            ]
        return self._stages

    def opportunities(self) -> list[SourceOpportunity]:
        self.deal_stages()
        return [
            SourceOpportunity(
                str(r["id"]),
                text(r.get("opportunityName")) or "",
                self._stage_names.get(_id(r.get("dealStageID")) or ""),
                (text(r.get("closeDate")) or "")[:10] or None,  # a date, or a date and time
                number(r.get("amount")),
                number(r.get("probability")),
                _id(r.get("accountID")),
                self._owner(r.get("ownerID")),
            )
            for r in self.client.get_opportunities()
        ]

    def opportunity_leads(self) -> list[OpportunityLead]:
        primary = {
            (str(r["id"]), _id(r.get("primaryLeadID")))
            for r in self.client.get_opportunities()
            if _id(r.get("primaryLeadID"))
        }
        out = []
        for row in self.client.get_opportunity_leads():
            lead = ident(row.get("leadID"))
            person = self.person_of(lead) if lead is not None else None
            opportunity = str(row["opportunityID"])
            out.append(
                OpportunityLead(
                    str(row["id"]),
                    opportunity,
                    person[0] if person else None,
                    person[1] if person else f"lead {lead}",
                    (opportunity, str(lead)) in primary,
                )
            )
        return out

    def external_key(self, source_id: str) -> str:
        return f"{self.key}:{source_id}"
