"""The org's opportunity stages, read from OpportunityStage in one query. Opportunity.StageName's
describe lists the active values only; OpportunityStage also says which stages are closed and
won, their default probability and forecast category, and which are inactive
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitystage.htm).
Salesforce derives an Opportunity's IsClosed and IsWon from its stage, and its Probability and
forecast category when a write leaves them out: these are what a stage will make of a record."""

from __future__ import annotations

from dataclasses import dataclass

from . import soql
from .client import SalesforceClient

FIELDS = (
    "ApiName",
    "MasterLabel",
    "IsActive",
    "IsClosed",
    "IsWon",
    "DefaultProbability",
    "ForecastCategoryName",
    "SortOrder",
)


@dataclass(frozen=True)
class Stage:
    name: str  # ApiName: the value Opportunity.StageName holds
    label: str
    active: bool
    closed: bool
    won: bool
    probability: float | None  # DefaultProbability, percent
    forecast_category: str | None  # ForecastCategoryName


def org_stages(client: SalesforceClient) -> dict[str, Stage]:
    """Every stage of the org (inactive ones too), by name, in the org's order."""
    text = soql.select(FIELDS, "OpportunityStage", (), "SortOrder")
    rows = client.call(lambda sf: sf.query_all(text), "the Opportunity stage lookup")
    return {
        r["ApiName"]: Stage(
            r["ApiName"],
            r.get("MasterLabel") or r["ApiName"],
            bool(r.get("IsActive")),
            bool(r.get("IsClosed")),
            bool(r.get("IsWon")),
            r.get("DefaultProbability"),
            r.get("ForecastCategoryName"),
        )
        for r in rows["records"]
    }


def active_names(stages: dict[str, Stage]) -> list[str]:
    """The values Opportunity.StageName takes, in the org's order."""
    return [name for name, stage in stages.items() if stage.active]
