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

from ..i18n import N_
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


@dataclass
class _Pair:
    """One field's two values, each also in the other side's form, and the field's equality."""

    lg: object
    sf: object
    as_sf: object  # our value in Salesforce's form
    as_lg: object  # Salesforce's value in our form
    same_sf: Callable
    same_lg: Callable

    def agree(self, reason: str = "") -> Decision:
        return Decision(NONE, mirror={"lg": self.lg, "sf": self.sf}, reason=reason)

    def to_salesforce(self, reason: str) -> Decision:
        return Decision(TO_SALESFORCE, self.as_sf, {"lg": self.lg, "sf": self.as_sf}, reason=reason)

    def to_leadgen(self, reason: str) -> Decision:
        return Decision(TO_LEADGEN, self.as_lg, {"lg": self.as_lg, "sf": self.sf}, reason=reason)

    def salesforce_has_ours(self) -> bool:
        return self.same_sf(self.as_sf, self.sf)

    def we_have_salesforces(self) -> bool:
        return self.same_lg(self.as_lg, self.lg)


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
    pair = _Pair(lg, sf, to_sf(lg), to_lg(sf), same_sf, same_lg)
    if direction == "push":
        return pair.agree() if pair.salesforce_has_ours() else pair.to_salesforce("push")
    if direction == "pull":
        return pair.agree() if pair.we_have_salesforces() else pair.to_leadgen("pull")
    if mirror is None:
        first = _first_meeting(pair)
        if first is not None:
            return first
        lg_changed = sf_changed = True
    else:
        lg_changed = not same_lg(lg, mirror.get("lg"))
        sf_changed = not same_sf(sf, mirror.get("sf"))
    if lg_changed and sf_changed:
        return _both_changed(pair, rule, lg_changed_at, sf_modstamp)
    if lg_changed:
        if pair.salesforce_has_ours():
            return pair.agree()
        return pair.to_salesforce(N_("changed in Lead Gen & CRM"))
    if sf_changed:
        return (
            pair.agree()
            if pair.we_have_salesforces()
            else pair.to_leadgen(N_("changed in Salesforce"))
        )
    return pair.agree()


def _first_meeting(pair: _Pair) -> Decision | None:
    """No mirror yet (a pair just linked): equal values agree, a value on one side only goes to
    the other; two different values are a conflict (None here)."""
    if pair.salesforce_has_ours():
        return pair.agree()
    if pair.lg is None:
        return pair.to_leadgen(N_("only Salesforce has a value"))
    if pair.sf is None:
        return pair.to_salesforce(N_("only Lead Gen & CRM has a value"))
    return None


def _both_changed(
    pair: _Pair, rule: str, lg_changed_at: str | None, sf_modstamp: str | None
) -> Decision:
    if pair.salesforce_has_ours():
        return pair.agree(N_("both changed to the same value"))
    winner = _winner(rule, lg_changed_at, sf_modstamp)
    decision = (
        pair.to_leadgen(N_("conflict"))
        if winner == "salesforce"
        else pair.to_salesforce(N_("conflict"))
    )
    decision.conflict, decision.winner, decision.rule = True, winner, rule
    return decision
