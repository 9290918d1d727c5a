"""The plan's view of stages: for each Salesforce stage `migrate sales` writes opportunities
into, the deal stages it comes from, how many, and what Salesforce makes of them there (closed,
won, the default probability it sets where the opportunity has none of its own). Salesforce
derives IsClosed and IsWon from the stage; nothing here is sent."""

from __future__ import annotations

from .sales_org import OrgFacts
from .sales_plan import Candidate
from .sales_source import SourceOpportunity


def stage_rows(
    opportunities: list[SourceOpportunity], candidates: list[Candidate], facts: OrgFacts
) -> list[dict]:
    """One row per Salesforce stage used, in the org's stage order (candidates pair with the
    opportunities they were made from)."""
    used: dict[str, dict] = {}
    for opportunity, candidate in zip(opportunities, candidates, strict=True):
        name = candidate.values.get("StageName")
        if not name:
            continue
        row = used.setdefault(name, {"deal_stages": set(), "opportunities": 0})
        row["deal_stages"].add(opportunity.stage)
        row["opportunities"] += 1
    order = list(facts.stage_info)
    rows = []
    for name in sorted(used, key=lambda n: order.index(n) if n in order else len(order)):
        stage = facts.stage_info.get(name)
        rows.append(
            {
                "stage": name,
                "deal_stage": ", ".join(sorted(used[name]["deal_stages"])),
                "opportunities": used[name]["opportunities"],
                "closed": stage.closed if stage else None,
                "won": stage.won if stage else None,
                "probability": stage.probability if stage else None,
            }
        )
    return rows
