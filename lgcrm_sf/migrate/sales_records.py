"""Source accounts and opportunities as the Salesforce values `migrate sales` writes: Account
Name, Industry, Website and owner; Opportunity Name, StageName (the mapping's `stages:` read
from deal stage to StageName), CloseDate, Amount, Probability, AccountId and owner. IsWon and
IsClosed are never sent: Salesforce derives them from the stage, and the stage's default
probability where the opportunity has none of its own (Probability is then left out). An owner
not in the owner mapping is left to Salesforce (the integration user owns the record) and said
once per owner."""

from __future__ import annotations

from collections import Counter

from ..i18n import _
from ..mapping.model import Mapping
from .sales_org import OrgFacts
from .sales_plan import Candidate, Planner
from .sales_source import SourceAccount, SourceOpportunity


def owner_id(owner: str | None, facts: OrgFacts, notes: Counter) -> str | None:
    if not owner:
        return None
    key = owner.lower()
    if key in facts.owners:
        return facts.owners[key]
    why = facts.owner_gaps.get(key) or _("not in the owner mapping")
    notes[
        _("owner {email}: {why}; the integration user owns the record").format(email=key, why=why)
    ] += 1
    return None


def _present(values: dict) -> dict:
    """Only the values there are: a create leaves the rest to Salesforce's defaults."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def account_candidates(
    accounts: list[SourceAccount], facts: OrgFacts, notes: Counter
) -> list[Candidate]:
    out = []
    for account in accounts:
        values = {
            "Name": account.name,
            "Industry": account.industry,
            "Website": account.website,
            "OwnerId": owner_id(account.owner, facts, notes),
        }
        missing = "" if account.name else _("no name (Salesforce requires one)")
        out.append(Candidate(account.id, _present(values), account.changed_at, missing))
    return out


def opportunity_candidates(
    opportunities: list[SourceOpportunity],
    planner: Planner,
    mapping: Mapping,
    facts: OrgFacts,
    notes: Counter,
    stage_defaults: dict[str, float | None] | None = None,
) -> list[Candidate]:
    """`stage_defaults`: the account's deal stages' default probabilities, by name."""
    out = []
    for opportunity in opportunities:
        account = planner.reference("Account", opportunity.account_id)
        probability = _probability(opportunity, stage_defaults or {})
        values = {
            "Name": opportunity.name,
            "StageName": _stage_name(mapping, facts, opportunity.stage),
            "CloseDate": opportunity.close_date,
            "Amount": opportunity.amount,
            "Probability": probability,
            "AccountId": account,
            "OwnerId": owner_id(opportunity.owner, facts, notes),
        }
        if probability is None:  # left out: Salesforce sets its stage's default
            notes[_("no probability of its own: Salesforce sets its stage's default")] += 1
        why = _unresolved(opportunity, account)
        out.append(Candidate(opportunity.id, _present(values), opportunity.changed_at, why))
    return out


def _probability(opportunity: SourceOpportunity, stage_defaults: dict) -> float | None:
    """The opportunity's own probability, else its deal stage's default in the account, else
    None: Probability is then not sent and Salesforce derives it from the stage."""
    if opportunity.probability is not None:
        return opportunity.probability
    return stage_defaults.get(opportunity.stage or "")


def _stage_name(mapping: Mapping, facts: OrgFacts, deal_stage: str | None) -> str | None:
    names = mapping.stage_names_for(deal_stage, facts.stages) if deal_stage else []
    return names[0] if names else None  # checked before the plan: one each


def _unresolved(opportunity: SourceOpportunity, account) -> str:
    if not opportunity.name:
        return _("no name (Salesforce requires one)")
    if not opportunity.stage:
        return _("no deal stage (Salesforce requires a stage)")
    if not opportunity.close_date:
        return _("no close date (Salesforce requires one)")
    if opportunity.account_id is not None and account is None:
        return _(
            "its account {id} is not migrated (include accounts in --objects, or see "
            "the account's own result)"
        ).format(id=opportunity.account_id)
    return ""
