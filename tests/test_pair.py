"""One linked pair decided, as a table (pure, no server): every direction x conflict rule x
situation x first match or not - 90 cases - with what goes to which side, what the mirror
becomes and whether a conflict is recorded."""

from __future__ import annotations

import pytest

from lgcrm_sf.engine.fields import FieldSpec
from lgcrm_sf.engine.pair import plan_pair
from lgcrm_sf.engine.values import Converter
from lgcrm_sf.mapping.model import FieldMap, Mapping

EARLY, LATE = "2026-11-27T10:00:00.000Z", "2026-11-27T11:00:00.000Z"
# Our change is the later one: under latest_change, ours wins a conflict.
OUR_CHANGE_AT, THEIR_MODSTAMP = LATE, EARLY

SITUATIONS = {  # (our value, Salesforce's), both last agreed on "old"
    "no change": ("old", "old"),
    "ours changed": ("new", "old"),
    "theirs changed": ("old", "new"),
    "both to the same value": ("new", "new"),
    "both to different values": ("ours", "theirs"),
}
# What happens, by direction, situation and first match (no mirror yet): "none", "sf<-lg" (ours
# goes to Salesforce), "lg<-sf" (Salesforce's comes here), "conflict" (settled by the rule).
OUTCOME = {
    ("push", "no change"): ("none", "none"),
    ("push", "ours changed"): ("sf<-lg", "sf<-lg"),
    ("push", "theirs changed"): ("sf<-lg", "sf<-lg"),  # push: ours overwrites theirs
    ("push", "both to the same value"): ("none", "none"),
    ("push", "both to different values"): ("sf<-lg", "sf<-lg"),
    ("pull", "no change"): ("none", "none"),
    ("pull", "ours changed"): ("lg<-sf", "lg<-sf"),  # pull: theirs overwrites ours
    ("pull", "theirs changed"): ("lg<-sf", "lg<-sf"),
    ("pull", "both to the same value"): ("none", "none"),
    ("pull", "both to different values"): ("lg<-sf", "lg<-sf"),
    # (with a mirror, first match): with no mirror two different values are both "changed".
    ("bidirectional", "no change"): ("none", "none"),
    ("bidirectional", "ours changed"): ("sf<-lg", "conflict"),
    ("bidirectional", "theirs changed"): ("lg<-sf", "conflict"),
    ("bidirectional", "both to the same value"): ("none", "none"),
    ("bidirectional", "both to different values"): ("conflict", "conflict"),
}
WINNER = {"latest_change": "sf<-lg", "prefer_salesforce": "lg<-sf", "prefer_leadgen": "sf<-lg"}

CASES = [
    (direction, rule, situation, first)
    for direction in ("push", "pull", "bidirectional")
    for rule in ("latest_change", "prefer_salesforce", "prefer_leadgen")
    for situation in SITUATIONS
    for first in (False, True)
]


def test_the_table_has_90_cases():
    assert len(CASES) == 90


def spec(direction: str, rule: str) -> FieldSpec:
    described = {"name": "Title", "type": "string", "length": 128}
    fmap = FieldMap("title", "Title", direction)
    return FieldSpec("title", "Title", direction, rule, Converter(fmap, "text", described))


@pytest.mark.parametrize("direction, rule, situation, first", CASES)
def test_pair(direction, rule, situation, first):
    ours, theirs = SITUATIONS[situation]
    person = {
        "id": 1,
        "email": "ana@x.example",
        "title": ours,
        "field_changed_at": {"title": OUR_CHANGE_AT},
    }
    mirror = None if first else {"title": {"lg": "old", "sf": "old"}}
    plan = plan_pair(
        [spec(direction, rule)], person, {"Title": theirs}, THEIR_MODSTAMP, mirror, Mapping("t")
    )
    expected = OUTCOME[(direction, situation)][1 if first else 0]
    conflict = expected == "conflict"
    if conflict:
        expected = WINNER[rule]
    assert bool(plan.conflicts) is conflict
    if conflict:
        [recorded] = plan.conflicts
        assert (recorded.leadgen_value, recorded.salesforce_value) == (ours, theirs)
        assert recorded.mirror_value == (None if first else "old") and recorded.rule == rule
    if expected == "sf<-lg":
        assert plan.to_salesforce == {"Title": ours} and plan.to_leadgen == {}
        assert plan.mirror_later == {"title": {"lg": ours, "sf": ours}}  # once Salesforce says yes
    elif expected == "lg<-sf":
        assert plan.to_leadgen == {"title": theirs} and plan.to_salesforce == {}
        assert plan.mirror_now == {"title": {"lg": theirs, "sf": theirs}}
    else:
        assert plan.to_salesforce == {} and plan.to_leadgen == {}
        assert plan.mirror_now == {"title": {"lg": ours, "sf": theirs}}
    assert len(plan.lines) == (0 if expected == "none" else 1)


def test_a_conflict_resolved_by_hand_goes_to_both_sides():
    person = {"id": 1, "email": "a@x.example", "title": "Diretora", "field_changed_at": {}}
    resolution = {
        "title": {
            "id": 7,
            "take": "salesforce",
            "salesforce_value": "Presidente",
            "leadgen_value": "Diretora",
        }
    }
    plan = plan_pair(
        [spec("bidirectional", "latest_change")],
        person,
        {"Title": "CEO"},
        EARLY,
        {"title": {"lg": "x", "sf": "y"}},
        Mapping("t"),
        resolution,
    )
    assert plan.to_leadgen == {"title": "Presidente"}
    assert plan.to_salesforce == {"Title": "Presidente"}
    assert plan.resolved == [7] and plan.conflicts == []
