"""The `stages:` section (Salesforce StageName: deal stage) against the org: each Salesforce stage
it names must be an active value of Opportunity.StageName (a restricted picklist: Salesforce
refuses any other value)."""

from __future__ import annotations

import difflib

from .model import Mapping


def active_stages(stage_field: dict | None) -> list[str]:
    """The active values of Opportunity.StageName's describe, in the org's order."""
    values = (stage_field or {}).get("picklistValues") or []
    return [p["value"] for p in values if p.get("active", True)]


def unknown_stage_targets(mapping: Mapping, picklist: list[str]) -> list[tuple[str, str, str]]:
    """(deal stage, Salesforce stage the section names for it, a hint) for each Salesforce stage
    (a key of stages:) the org does not have."""
    out = []
    for target, deal_stage in mapping.stages.items():
        if target in picklist:
            continue
        close = difflib.get_close_matches(target, picklist, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(picklist)}."
        out.append((deal_stage, target, hint))
    return out
