"""What `migrate sales` must know of the target org before it plans anything (reads only): who
we are, which objects have our external-id field, the Opportunity stages (OpportunityStage:
active or not, closed, won, default probability), the converted Lead Status, and the Salesforce
users the owner mapping names. The deal stages are checked here against the mapping's `stages:`
and the org's stages: a stage not mapped, or mapped to a stage the org lacks or has inactive,
stops the run before any write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..i18n import _
from ..mapping.model import Mapping
from ..mapping.stages import unknown_stage_targets
from ..salesforce import soql
from ..salesforce.describe import EXTERNAL_ID_FIELD
from ..salesforce.side import SalesforceSide
from ..salesforce.stages import Stage, active_names, org_stages
from .sales_source import SourceOpportunity

SALES_OBJECTS = ("Account", "Opportunity", "OpportunityContactRole")


@dataclass
class OrgFacts:
    integration_user_id: str
    external_ids: dict[str, str] = field(default_factory=dict)  # object -> LGCRM_Id__c
    stages: list[str] = field(default_factory=list)  # active StageName values
    stage_info: dict[str, Stage] = field(default_factory=dict)  # every stage, inactive too
    converted_status: str | None = None  # the first Lead Status marked converted
    owners: dict[str, str] = field(default_factory=dict)  # our user's e-mail -> Salesforce id
    owner_gaps: dict[str, str] = field(default_factory=dict)  # e-mail -> why not mapped


def read_org_facts(
    side: SalesforceSide, integration_user_id: str, mapping: Mapping, convert: bool
) -> OrgFacts:
    facts = OrgFacts(integration_user_id)
    for sobject in SALES_OBJECTS:
        described = side.describe_fields(sobject)
        if (described.get(EXTERNAL_ID_FIELD) or {}).get("externalId"):
            facts.external_ids[sobject] = EXTERNAL_ID_FIELD
    facts.stage_info = org_stages(side.client)
    facts.stages = active_names(facts.stage_info)
    if convert:
        text = soql.select(("ApiName",), "LeadStatus", ["IsConverted = true"], "SortOrder")
        rows = side.client.call(lambda sf: sf.query_all(text), "the Lead Status lookup")
        facts.converted_status = next((r["ApiName"] for r in rows["records"]), None)
    _owners(side, mapping, facts)
    return facts


def _owners(side: SalesforceSide, mapping: Mapping, facts: OrgFacts) -> None:
    targets = sorted({o.salesforce for o in mapping.owners})
    users = side.find_users(targets) if targets else []
    by_name = {u["Username"].lower(): u for u in users} | {u["Id"]: u for u in users}
    by_name |= {u["Id"][:15]: u for u in users}
    for owner in mapping.owners:
        user = by_name.get(owner.salesforce.lower()) or by_name.get(owner.salesforce)
        if user is None:
            facts.owner_gaps[owner.user] = _("no Salesforce user {name}").format(
                name=owner.salesforce
            )
        elif not user["IsActive"]:
            facts.owner_gaps[owner.user] = _("Salesforce user {name} is inactive").format(
                name=user["Username"]
            )
        else:
            facts.owners[owner.user] = user["Id"]


def check_stages(mapping: Mapping, facts: OrgFacts, opportunities: list[SourceOpportunity]):
    """Every deal stage an opportunity uses is one Salesforce stage through the mapping's
    stages: (StageName: deal stage, as the sync reads it; a deal stage named like an active
    StageName the section leaves alone is that stage), else ConfigError: nothing is written."""
    used = Counter(o.stage for o in opportunities if o.stage)
    wrong = [w for w in unknown_stage_targets(mapping, facts.stages) if w[0] in used]
    if wrong:
        deal, target, hint = wrong[0]
        if target in facts.stage_info:  # the org has it, switched off
            hint = _(
                "{target!r} is inactive in this org: activate it (Setup > Object Manager > "
                "Opportunity > Fields > Stage), or name an active stage: {stages}."
            ).format(target=target, stages=", ".join(facts.stages))
        raise ConfigError(
            _(
                "stages: names {target!r} for {deal!r}, which is not an active Opportunity "
                "stage of this org. Nothing was written."
            ).format(deal=deal, target=target),
            hint,
        )
    unmapped = sorted(s for s in used if not mapping.stage_names_for(s, facts.stages))
    if unmapped:
        listed = ", ".join(
            _("{stage!r} ({count} opportunities)").format(stage=s, count=used[s]) for s in unmapped
        )
        raise ConfigError(
            _(
                "Deal stages not in the mapping's stages: section: {listed}. Nothing was written."
            ).format(listed=listed),
            _(
                "name the Salesforce stage of each under stages: in {file} ({stages}), e.g. "
                "{target}: {example}"
            ).format(
                stages=", ".join(facts.stages),
                file=mapping.source,
                example=unmapped[0],
                target=facts.stages[0] if facts.stages else "Prospecting",
            ),
        )
    several = sorted(s for s in used if len(mapping.stage_names_for(s, facts.stages)) > 1)
    if several:
        raise ConfigError(
            _(
                "stages: names several Salesforce stages for {stage!r} ({names}): one is "
                "needed to write its opportunities. Nothing was written."
            ).format(
                stage=several[0], names=", ".join(mapping.stage_names_for(several[0], facts.stages))
            ),
            _("keep one Salesforce stage for it in {file}.").format(file=mapping.source),
        )
