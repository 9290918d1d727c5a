"""The order a restore creates objects in, from the references the target's describe lists:
every object after the objects its reference fields point at (Account before Contact before
Opportunity before OpportunityContactRole and Task), so each reference can be remapped to an
id already created. A reference to the object itself (Account.ParentId) is set in a second
pass, once every record exists; so is a reference that closes a cycle between objects, when
it may be left empty at first (nillable and updateable). A cycle of required references cannot
be restored in any order and is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from ..i18n import _


@dataclass(frozen=True)
class Reference:
    sobject: str  # the object holding the field
    field: str
    targets: tuple[str, ...]  # describe's referenceTo (several for WhoId, WhatId)
    deferrable: bool = True  # nillable and updateable: may be set in a second pass


@dataclass
class Order:
    objects: list[str]
    deferred: dict[str, list[str]] = field(default_factory=dict)  # object -> fields, 2nd pass

    def deferred_fields(self, sobject: str) -> list[str]:
        return self.deferred.get(sobject, [])


def dependency_order(objects: list[str], references: list[Reference]) -> Order:
    """Objects parents first (ties by name, so the order is the same every run)."""
    chosen = set(objects)
    order = Order([])
    blocking: dict[str, list[Reference]] = {name: [] for name in objects}
    for ref in references:
        if ref.sobject not in chosen:
            continue
        if ref.sobject in ref.targets:
            order.deferred.setdefault(ref.sobject, []).append(ref.field)
            continue
        if chosen.intersection(ref.targets):
            blocking[ref.sobject].append(ref)
    remaining = sorted(objects)
    while remaining:
        ready = [name for name in remaining if not _waits_on(blocking[name], remaining)]
        if not ready:
            ready = [_break_cycle(remaining, blocking, order)]
        for name in ready[:1]:  # one at a time: the next choice sees it done
            order.objects.append(name)
            remaining.remove(name)
    for fields in order.deferred.values():
        fields.sort()
    return order


def _waits_on(refs: list[Reference], remaining: list[str]) -> bool:
    return any(target in remaining for ref in refs for target in ref.targets)


def _break_cycle(remaining: list[str], blocking: dict, order: Order) -> str:
    """The first object (by name) whose references into the cycle may all wait for the
    second pass: they are deferred, and the object goes next."""
    for name in remaining:
        waiting = [r for r in blocking[name] if any(t in remaining for t in r.targets)]
        if all(r.deferrable for r in waiting):
            for ref in waiting:
                order.deferred.setdefault(name, []).append(ref.field)
                blocking[name].remove(ref)
            return name
    cycle = ", ".join(
        f"{r.sobject}.{r.field}"
        for name in remaining
        for r in blocking[name]
        if any(t in remaining for t in r.targets)
    )
    raise UsageError(
        _(
            "These objects reference each other through required fields ({cycle}): no order"
            " creates each record after the records it points at."
        ).format(cycle=cycle),
        _("restore them in separate runs with --objects, or make one of the fields optional."),
    )
