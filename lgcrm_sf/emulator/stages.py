"""The org's opportunity stages and what Salesforce derives from an Opportunity's stage.

The OpportunityStage rows are the stage picklist's values with their settings
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitystage.htm):
Opportunity.StageName offers the active ones, in SortOrder. On every Opportunity write
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm):
- IsClosed and IsWon are directly controlled by StageName (read-only: set through the stage);
- Probability and ForecastCategoryName are implied, not controlled, by StageName: a create that
  leaves them out gets the stage's DefaultProbability and ForecastCategoryName, and a stage change
  that leaves them out overwrites them with the new stage's (a value the request gives wins);
- ForecastCategory is the API value of ForecastCategoryName.

The stages are cached per org (every Opportunity write reads them) and reloaded whenever an
OpportunityStage row is written; an org whose table is still empty (a data file from before
stages were modelled, until seeding fills it) uses a new org's standard stages.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import FORECAST_CATEGORIES, STANDARD_STAGES


@dataclass(frozen=True)
class Stage:
    name: str  # ApiName: the value Opportunity.StageName holds
    probability: float | None
    closed: bool
    won: bool
    forecast_name: str | None
    active: bool = True


STANDARD = tuple(Stage(*values) for values in STANDARD_STAGES)


def standard_rows() -> list[dict]:
    """A new org's OpportunityStage rows (seeding inserts them)."""
    return [
        {
            "MasterLabel": stage.name,
            "ApiName": stage.name,
            "IsActive": True,
            "IsClosed": stage.closed,
            "IsWon": stage.won,
            "DefaultProbability": stage.probability,
            "ForecastCategoryName": stage.forecast_name,
            "SortOrder": order,
        }
        for order, stage in enumerate(STANDARD, start=1)
    ]


def derive_stage_row(row: dict) -> None:
    """An OpportunityStage row's ForecastCategory is the API value of its category name."""
    row["ForecastCategory"] = FORECAST_CATEGORIES.get(row.get("ForecastCategoryName") or "")


class StageBook:
    """The org's stages by ApiName (case-insensitive, as the picklist matches them)."""

    def __init__(self, org) -> None:
        self.org = org
        self.by_name: dict[str, Stage] = {}
        self.reload()

    def reload(self) -> None:
        with self.org.lock:
            rows = self.org.conn.execute(
                'SELECT "ApiName", "DefaultProbability", "IsClosed", "IsWon", '
                '"ForecastCategoryName", "IsActive" FROM "OpportunityStage" '
                'WHERE "IsDeleted" = 0 ORDER BY "SortOrder", "Id"'
            ).fetchall()
        stages = [
            Stage(name, probability, bool(closed), bool(won), forecast, bool(active))
            for name, probability, closed, won, forecast, active in rows
        ] or list(STANDARD)
        self.by_name = {stage.name.lower(): stage for stage in stages}
        # The restricted picklist takes the active stages only: an inactive one is refused
        # (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST) and left out of describe.
        stage_field = self.org.schema["Opportunity"].fields["StageName"]
        stage_field.picklist = tuple(stage.name for stage in stages if stage.active)

    def derive(self, row: dict, given, stage_before: str | None) -> None:
        """Fill the fields an Opportunity's stage implies. `given`: the fields the write set;
        `stage_before`: the stage before an update (None on create)."""
        stage = self.by_name.get((row.get("StageName") or "").lower())
        if stage is None:
            return  # no stage (a create missing it fails on the required check)
        row["IsClosed"], row["IsWon"] = int(stage.closed), int(stage.won)
        changed = stage_before is None or stage_before.lower() != stage.name.lower()
        if changed and "Probability" not in given:
            row["Probability"] = stage.probability
        if changed and "ForecastCategoryName" not in given:
            row["ForecastCategoryName"] = stage.forecast_name
        row["ForecastCategory"] = FORECAST_CATEGORIES.get(row.get("ForecastCategoryName") or "")
