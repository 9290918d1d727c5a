"""One linked pair, decided: given our person, the Salesforce record's values, the mirror (what
both sides had when they last agreed) and any conflicts resolved by hand, what goes to which
side, what the mirror becomes, which conflicts were settled, which plan lines a dry run shows,
and which owners the other side cannot take. Pure: no I/O, so every case is table-tested
(tests/test_pair.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_, deferred
from ..mapping.model import Mapping
from .fields import OWNER, FieldSpec, lg_value
from .merge import NONE, TO_LEADGEN, TO_SALESFORCE, Decision, merge_field


@dataclass
class Conflict:
    field: str
    leadgen_value: object
    salesforce_value: object  # in our form
    mirror_value: object
    winner: str
    rule: str


@dataclass
class PairPlan:
    to_salesforce: dict = field(default_factory=dict)  # Salesforce field -> value
    to_leadgen: dict = field(default_factory=dict)  # our field (or "owner") -> value
    mirror_now: dict = field(default_factory=dict)  # settled here, now
    mirror_later: dict = field(default_factory=dict)  # settled once Salesforce says yes
    conflicts: list[Conflict] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)  # (field, from, to, side, rule)
    owner_gaps: list[tuple[str, object]] = field(default_factory=list)  # (side, owner)
    resolved: list[int] = field(default_factory=list)  # conflicts resolved by hand, now applied


def plan_pair(
    specs: list[FieldSpec],
    person: dict,
    sf_values: dict,
    modstamp: str | None,
    mirror: dict | None,
    mapping: Mapping,
    resolutions: dict[str, dict] | None = None,
) -> PairPlan:
    plan = PairPlan()
    resolutions = resolutions or {}
    for spec in specs:
        lg = lg_value(spec, person, mapping)
        sf = sf_values.get(spec.sf_field)
        if spec.key in resolutions:
            _resolved(plan, spec, lg, sf, resolutions[spec.key])
            continue
        previous = mirror.get(spec.key) if mirror else None
        conv = spec.converter
        decision = merge_field(
            spec.direction,
            spec.rule,
            lg,
            sf,
            previous,
            conv.to_salesforce,
            conv.to_leadgen,
            person["field_changed_at"].get(spec.key),
            modstamp,
            conv.same_sf,
            conv.same_lg,
        )
        if spec.role == OWNER:
            decision = _owner_reachable(plan, decision, lg, sf)
        if decision.conflict:
            plan.conflicts.append(
                Conflict(
                    spec.key,
                    lg,
                    conv.to_leadgen(sf),
                    previous.get("lg") if previous else None,
                    decision.winner,
                    decision.rule,
                )
            )
        _take(plan, spec, decision, lg, sf)
    plan.resolved = [c["id"] for c in resolutions.values()]
    return plan


def _take(plan: PairPlan, spec: FieldSpec, decision: Decision, lg, sf) -> None:
    why = decision.rule if decision.conflict else decision.reason
    if decision.action == TO_SALESFORCE:
        plan.to_salesforce[spec.sf_field] = decision.value
        plan.mirror_later[spec.key] = decision.mirror
        plan.lines.append((spec.key, sf, decision.value, "salesforce", why))
    elif decision.action == TO_LEADGEN:
        plan.to_leadgen[spec.key] = decision.value
        plan.mirror_now[spec.key] = decision.mirror
        plan.lines.append((spec.key, lg, decision.value, "leadgen", why))
    else:
        plan.mirror_now[spec.key] = decision.mirror


def _resolved(plan: PairPlan, spec: FieldSpec, lg, sf, conflict: dict) -> None:
    """`conflicts resolve --take`: the chosen value goes to both sides."""
    conv = spec.converter
    take_sf = conflict["take"] == "salesforce"
    value = conflict["salesforce_value"] if take_sf else conflict["leadgen_value"]
    as_sf = conv.to_salesforce(value)
    rule = deferred(
        N_("conflict {id} resolved: take {take}"), id=conflict["id"], take=conflict["take"]
    )
    if not conv.same_lg(lg, value):
        plan.to_leadgen[spec.key] = value
        plan.lines.append((spec.key, lg, value, "leadgen", rule))
    if not conv.same_sf(sf, as_sf):
        plan.to_salesforce[spec.sf_field] = as_sf
        plan.mirror_later[spec.key] = {"lg": value, "sf": as_sf}
        plan.lines.append((spec.key, sf, as_sf, "salesforce", rule))
    else:
        plan.mirror_now[spec.key] = {"lg": value, "sf": as_sf}


def _owner_reachable(plan: PairPlan, decision: Decision, lg, sf) -> Decision:
    """An owner goes to the other side only when the owner mapping names it there; a value the
    other side cannot map is reported (the side named) and never written."""
    unreachable = (
        decision.action == TO_SALESFORCE
        and decision.value is None
        or decision.action == TO_LEADGEN
        and decision.value is None
        and sf is not None
    )
    if not unreachable:
        return decision
    if decision.action == TO_SALESFORCE and lg is not None:
        plan.owner_gaps.append(("leadgen", lg))
    elif decision.action == TO_LEADGEN:
        plan.owner_gaps.append(("salesforce", sf))
    return Decision(
        NONE,
        mirror={"lg": lg, "sf": sf},
        conflict=decision.conflict,
        winner=decision.winner,
        rule=decision.rule,
    )
