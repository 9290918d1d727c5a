"""The three-way merge of one field, against the mirror: the value each side had when both last
agreed. Pure functions: no I/O, so every rule is unit-tested directly.

- push: our value overwrites Salesforce's when they differ;
- pull: Salesforce's value overwrites ours when they differ;
- bidirectional: the side that changed since the mirror wins; if both changed to different
  values, it is a conflict, settled by the rule (latest_change by per-field change time against
  SystemModstamp; prefer_salesforce; prefer_leadgen) and recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .values import same, utc_text

NONE, TO_SALESFORCE, TO_LEADGEN = "none", "to_salesforce", "to_leadgen"


@dataclass
class Decision:
    action: str
    value: object = None  # what to write (in the target side's form)
    mirror: dict | None = None  # {"lg": ..., "sf": ...} once applied
    conflict: bool = False
    winner: str | None = None  # salesforce | leadgen
    rule: str | None = None
    reason: str = ""


def _winner(rule: str, lg_changed_at: str | None, sf_modstamp: str | None) -> str:
    if rule == "prefer_salesforce":
        return "salesforce"
    if rule == "prefer_leadgen":
        return "leadgen"
    ours, theirs = utc_text(lg_changed_at) or "", utc_text(sf_modstamp) or ""
    # A tie goes to Salesforce: it is where sales work happens.
    return "leadgen" if ours > theirs else "salesforce"


def merge_field(
    direction: str,
    rule: str,
    lg,
    sf,
    mirror: dict | None,
    to_sf: Callable,
    to_lg: Callable,
    lg_changed_at: str | None,
    sf_modstamp: str | None,
    same_sf: Callable = same,
    same_lg: Callable = same,
) -> Decision:
    """`same_sf`/`same_lg` compare two values of this field in Salesforce's and in our form
    (values.equal by the field's type): the one equality every decision uses."""
    as_sf, as_lg = to_sf(lg), to_lg(sf)
    if direction == "push":
        if same_sf(as_sf, sf):
            return Decision(NONE, mirror={"lg": lg, "sf": sf})
        return Decision(TO_SALESFORCE, as_sf, {"lg": lg, "sf": as_sf}, reason="push")
    if direction == "pull":
        if same_lg(as_lg, lg):
            return Decision(NONE, mirror={"lg": lg, "sf": sf})
        return Decision(TO_LEADGEN, as_lg, {"lg": as_lg, "sf": sf}, reason="pull")
    if mirror is None:
        if same_sf(as_sf, sf):
            return Decision(NONE, mirror={"lg": lg, "sf": sf})
        if lg is None:
            return Decision(
                TO_LEADGEN, as_lg, {"lg": as_lg, "sf": sf}, reason="only Salesforce has a value"
            )
        if sf is None:
            return Decision(
                TO_SALESFORCE,
                as_sf,
                {"lg": lg, "sf": as_sf},
                reason="only Lead Gen & CRM has a value",
            )
        lg_changed = sf_changed = True
    else:
        lg_changed = not same_lg(lg, mirror.get("lg"))
        sf_changed = not same_sf(sf, mirror.get("sf"))
    if not lg_changed and not sf_changed:
        return Decision(NONE, mirror={"lg": lg, "sf": sf})
    if lg_changed and not sf_changed:
        if same_sf(as_sf, sf):
            return Decision(NONE, mirror={"lg": lg, "sf": sf})
        return Decision(
            TO_SALESFORCE, as_sf, {"lg": lg, "sf": as_sf}, reason="changed in Lead Gen & CRM"
        )
    if sf_changed and not lg_changed:
        if same_lg(as_lg, lg):
            return Decision(NONE, mirror={"lg": lg, "sf": sf})
        return Decision(TO_LEADGEN, as_lg, {"lg": as_lg, "sf": sf}, reason="changed in Salesforce")
    if same_sf(as_sf, sf):
        return Decision(NONE, mirror={"lg": lg, "sf": sf}, reason="both changed to the same value")
    winner = _winner(rule, lg_changed_at, sf_modstamp)
    if winner == "salesforce":
        return Decision(TO_LEADGEN, as_lg, {"lg": as_lg, "sf": sf}, True, winner, rule, "conflict")
    return Decision(TO_SALESFORCE, as_sf, {"lg": lg, "sf": as_sf}, True, winner, rule, "conflict")
