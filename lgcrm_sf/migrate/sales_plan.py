"""The plan of `migrate sales`, per object: each source record is a create (not in the id map
yet), an update (changed at the source since the last run, and not changed in Salesforce since),
unchanged, a conflict (changed on both sides: reported, not written), gone (deleted in
Salesforce since it was migrated: reported, not created again) or unresolved (a reference it
needs is missing, with the reason). References to records created in the same run stay `Ref`s
until the record they name has its Salesforce id."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..i18n import _
from ..salesforce.side import SalesforceSide
from .sales_values import differing, normal, same


@dataclass(frozen=True)
class Ref:
    """A record of the source created in this run: its Salesforce id once it has one."""

    sobject: str
    source_id: str


@dataclass
class Item:
    source_id: str
    action: str  # create | update | unchanged | conflict | gone | unresolved | link
    values: dict = field(default_factory=dict)
    stamp: str | None = None
    sf_id: str | None = None
    reason: str = ""
    send: dict | None = None  # an update's changed fields (values: all of them)


@dataclass
class ObjectPlan:
    sobject: str
    items: list[Item] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)  # said once per object, with a count

    def counts(self) -> Counter:
        return Counter(item.action for item in self.items)

    def of(self, *actions: str) -> list[Item]:
        return [item for item in self.items if item.action in actions]

    def will_create(self) -> set[str]:
        return {item.source_id for item in self.items if item.action == "create"}


@dataclass
class Candidate:
    """A source record as the object's planner reads it: the values to send, or why not."""

    source_id: str
    values: dict
    stamp: str | None
    unresolved: str = ""


def _unchanged(candidate: Candidate, row: dict) -> bool:
    """Not changed at the source since it was last written: the same change time (a source
    that keeps one), else the same values."""
    stamped = candidate.stamp is not None and row["source_stamp"] == candidate.stamp
    return stamped or same(candidate.values, row["sent"])


class Planner:
    def __init__(self, side: SalesforceSide, id_maps: dict[str, dict[str, dict]]) -> None:
        self.side = side
        self.id_maps = id_maps  # object -> {source id: id map row}
        self.plans: dict[str, ObjectPlan] = {}

    def reference(self, sobject: str, source_id: str | None):
        """The Salesforce id of a source record, a Ref to it when this run creates it, or
        None (not migrated, not planned)."""
        if source_id is None:
            return None
        row = self.id_maps.get(sobject, {}).get(source_id)
        if row and row["sf_id"]:
            return row["sf_id"]
        plan = self.plans.get(sobject)
        if plan is not None and source_id in plan.will_create():
            return Ref(sobject, source_id)
        return None

    def plan(self, sobject: str, candidates: list[Candidate], notes=None) -> ObjectPlan:
        plan = ObjectPlan(sobject, notes=notes if notes is not None else Counter())
        known = self.id_maps.get(sobject, {})
        changed: list[tuple[Candidate, dict]] = []
        for candidate in candidates:
            row = known.get(candidate.source_id)
            if candidate.unresolved:
                plan.items.append(
                    Item(candidate.source_id, "unresolved", reason=candidate.unresolved)
                )
            elif row is None or not row["sf_id"]:
                plan.items.append(
                    Item(candidate.source_id, "create", candidate.values, candidate.stamp)
                )
            elif _unchanged(candidate, row):
                plan.items.append(Item(candidate.source_id, "unchanged", sf_id=row["sf_id"]))
            else:
                changed.append((candidate, row))
        plan.items += self._changed(sobject, changed)
        self.plans[sobject] = plan
        return plan

    def _changed(self, sobject: str, changed: list[tuple[Candidate, dict]]) -> list[Item]:
        """Changed at the source since the last run: written only where Salesforce still holds
        what we last sent (else someone changed it there, and theirs stands)."""
        if not changed:
            return []
        fields = sorted({"Id"} | {k for c, row in changed for k in (*c.values, *row["sent"])})
        ids = [row["sf_id"] for _c, row in changed]
        current = {r["Id"]: r for r in self.side.records_by_id(sobject, fields, ids)}
        items = []
        for candidate, row in changed:
            now = current.get(row["sf_id"])
            sid, sf_id = candidate.source_id, row["sf_id"]
            if now is None:
                reason = _("deleted in Salesforce since it was migrated: not created again")
                items.append(Item(sid, "gone", sf_id=sf_id, reason=reason))
                continue
            theirs = differing(row["sent"], now)
            if theirs:
                reason = _("changed in Salesforce since it was migrated ({fields}): kept").format(
                    fields=", ".join(theirs)
                )
                items.append(Item(sid, "conflict", sf_id=sf_id, reason=reason))
                continue
            sent = row["sent"]
            send = {k: v for k, v in candidate.values.items() if normal(v) != normal(sent.get(k))}
            # Cleared at the source: cleared in Salesforce too.
            send |= {k: None for k in row["sent"] if k not in candidate.values}
            items.append(Item(sid, "update", candidate.values, candidate.stamp, sf_id, send=send))
        return items
