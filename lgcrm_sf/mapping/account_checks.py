"""Checking a mapping against the connected Lead Gen & CRM account (issue 14 §3): the
marketing-side fields it names must be fields of the account's leads (getFields; our standard
names through the fixed local -> API table of leadgen/api/names.py, custom fields as
`custom.<systemName>`), and the deal stages its `stages:` section names must be the account's
(getDealStages). Every problem has a line, a column and a fix, like the org's checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import _
from ..leadgen.api import values
from ..leadgen.api.names import CUSTOM_PREFIX, LEAD_NAMES
from .model import Mapping
from .org_checks import suggest
from .problems import Problem, Problems


@dataclass
class AccountSchema:
    """What the account told us: its lead fields (systemName -> getFields row) and the names of
    its deal stages, in its order."""

    account_id: str
    lead_fields: dict[str, dict] = field(default_factory=dict)
    deal_stages: list[str] = field(default_factory=list)

    @property
    def custom_fields(self) -> dict[str, dict]:
        return {n: f for n, f in self.lead_fields.items() if values.flag(f.get("isCustom"))}


def read_account_schema(client, account_id: str) -> AccountSchema:
    """Two reads: getFields and getDealStages. getFields is asked for everything (its documented
    `where` keys are id, label, systemName and isCustom: not the relationship) and the lead's
    rows kept; a row without a relationship is taken as a lead's."""
    schema = AccountSchema(str(account_id))
    for row in client.get_fields():
        relationship = values.text(row.get("relationship")) or "lead"
        active = values.flag(row.get("isActive")) is not False
        if relationship == "lead" and active and row.get("systemName"):
            schema.lead_fields[values.text(row["systemName"])] = row
    schema.deal_stages = [
        values.text(s.get("dealStageName")) or "" for s in client.get_deal_stages()
    ]
    return schema


def check_against_account(mapping: Mapping, schema: AccountSchema) -> list[Problem]:
    check = Problems(mapping.source)
    for obj in mapping.objects.values():
        for fmap in obj.fields:
            _check_field(check, schema, fmap.leadgen, fmap.leadgen_pos)
    for target, deal_stage in mapping.stages.items():
        if deal_stage not in schema.deal_stages:
            check.add(
                mapping.stages_pos.get(target),
                _(
                    "the Lead Gen & CRM account {account} has no deal stage {stage!r} "
                    "(stages: {target}: {stage}); its opportunities could not be sent there."
                ).format(account=schema.account_id, stage=deal_stage, target=target),
                suggest(deal_stage, schema.deal_stages)
                or _("use one of the account's deal stages: {stages}.").format(
                    stages=", ".join(schema.deal_stages)
                ),
            )
    return check.problems


def _check_field(check: Problems, schema: AccountSchema, ours: str, pos) -> None:
    if ours.startswith(CUSTOM_PREFIX):
        system_name = ours[len(CUSTOM_PREFIX) :]
        if system_name in schema.custom_fields:
            return
        names = [CUSTOM_PREFIX + n for n in schema.custom_fields]
        check.add(
            pos,
            _(
                "{name} is not a custom field of the Lead Gen & CRM account {account} (custom "
                "fields are named by their systemName, not their label)."
            ).format(name=ours, account=schema.account_id),
            suggest(ours, names)
            or (
                _("use one of: {names}.").format(names=", ".join(names))
                if names
                else _("create the field in the account (Settings > Fields), then name it here.")
            ),
        )
        return
    api = LEAD_NAMES.get(ours)
    if api is None or ours == "lead_score":
        return  # not one of ours: the local checks already said so (lead_score has its section)
    if api not in schema.lead_fields:
        check.add(
            pos,
            _(
                "{name} is the account's field {api}, which the account {account} does not list."
            ).format(name=ours, api=api, account=schema.account_id),
            _("map another field, or ask the account's administrator to enable {api}.").format(
                api=api
            ),
        )
