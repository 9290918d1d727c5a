"""The three-way merge of one field, as a table: pure functions, no server."""

from __future__ import annotations

import pytest

from lgcrm_sf.engine.merge import NONE, TO_LEADGEN, TO_SALESFORCE, merge_field
from lgcrm_sf.engine.values import Converter, same, sf_native
from lgcrm_sf.mapping.model import FieldMap, Transform

ident = lambda v: v  # noqa: E731
EARLY, LATE = "2026-11-27T10:00:00.000Z", "2026-11-27T11:00:00.000+0000"

CASES = [
    # direction, rule, lg, sf, mirror, lg time, sf time -> action, value, conflict, winner
    (
        "push",
        "latest_change",
        "a",
        "b",
        {"lg": "a", "sf": "a"},
        EARLY,
        LATE,
        TO_SALESFORCE,
        "a",
        False,
        None,
    ),
    ("push", "latest_change", "a", "a", None, EARLY, LATE, NONE, None, False, None),
    (
        "pull",
        "latest_change",
        "a",
        "b",
        {"lg": "a", "sf": "a"},
        LATE,
        EARLY,
        TO_LEADGEN,
        "b",
        False,
        None,
    ),
    ("pull", "latest_change", None, None, None, None, None, NONE, None, False, None),
    (
        "bidirectional",
        "latest_change",
        "new",
        "old",
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        TO_SALESFORCE,
        "new",
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        "old",
        "new",
        {"lg": "old", "sf": "old"},
        LATE,
        EARLY,
        TO_LEADGEN,
        "new",
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        "x",
        "x",
        {"lg": "old", "sf": "old"},
        LATE,
        EARLY,
        NONE,
        None,
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        "ours",
        "theirs",
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        TO_LEADGEN,
        "theirs",
        True,
        "salesforce",
    ),
    (
        "bidirectional",
        "latest_change",
        "ours",
        "theirs",
        {"lg": "old", "sf": "old"},
        "2026-11-27T12:00:00.000Z",
        LATE,
        TO_SALESFORCE,
        "ours",
        True,
        "leadgen",
    ),
    (
        "bidirectional",
        "latest_change",
        "ours",
        "theirs",
        {"lg": "old", "sf": "old"},
        LATE.replace("+0000", "Z"),
        LATE,
        TO_LEADGEN,
        "theirs",
        True,
        "salesforce",
    ),
    (
        "bidirectional",
        "prefer_salesforce",
        "ours",
        "theirs",
        {"lg": "old", "sf": "old"},
        LATE,
        EARLY,
        TO_LEADGEN,
        "theirs",
        True,
        "salesforce",
    ),
    (
        "bidirectional",
        "prefer_leadgen",
        "ours",
        "theirs",
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        TO_SALESFORCE,
        "ours",
        True,
        "leadgen",
    ),
    (
        "bidirectional",
        "prefer_leadgen",
        "old",
        "theirs",
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        TO_LEADGEN,
        "theirs",
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        None,
        "theirs",
        None,
        EARLY,
        LATE,
        TO_LEADGEN,
        "theirs",
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        "ours",
        None,
        None,
        EARLY,
        LATE,
        TO_SALESFORCE,
        "ours",
        False,
        None,
    ),
    (
        "bidirectional",
        "prefer_leadgen",
        "ours",
        "theirs",
        None,
        EARLY,
        LATE,
        TO_SALESFORCE,
        "ours",
        True,
        "leadgen",
    ),
    (
        "bidirectional",
        "latest_change",
        None,
        None,
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        NONE,
        None,
        False,
        None,
    ),
    (
        "bidirectional",
        "latest_change",
        None,
        "old",
        {"lg": "old", "sf": "old"},
        EARLY,
        LATE,
        TO_SALESFORCE,
        None,
        False,
        None,
    ),
]


@pytest.mark.parametrize(
    "direction, rule, lg, sf, mirror, lg_at, sf_at, action, value, conflict, winner", CASES
)
def test_merge_table(
    direction, rule, lg, sf, mirror, lg_at, sf_at, action, value, conflict, winner
):
    decision = merge_field(direction, rule, lg, sf, mirror, ident, ident, lg_at, sf_at)
    assert (decision.action, decision.conflict, decision.winner) == (action, conflict, winner)
    if action != NONE:
        assert decision.value == value
    if decision.conflict:
        assert decision.rule == rule


def test_mirror_after_a_decision_is_what_both_sides_hold():
    decision = merge_field(
        "bidirectional",
        "latest_change",
        "new",
        "old",
        {"lg": "old", "sf": "old"},
        ident,
        ident,
        None,
        None,
    )
    assert decision.mirror == {"lg": "new", "sf": "new"}


def test_a_lossy_transform_does_not_ping_pong():
    """Truncated on the way to Salesforce: each side is compared with its own mirror value."""
    sf_field = {"type": "string", "length": 5}
    conv = Converter(
        FieldMap("company", "Company", "bidirectional", Transform(too_long="truncate")),
        "text",
        sf_field,
    )
    first = merge_field(
        "bidirectional",
        "latest_change",
        "Padaria Nova",
        None,
        None,
        conv.to_salesforce,
        conv.to_leadgen,
        None,
        None,
    )
    assert first.value == "Padar"
    again = merge_field(
        "bidirectional",
        "latest_change",
        "Padaria Nova",
        "Padar",
        first.mirror,
        conv.to_salesforce,
        conv.to_leadgen,
        None,
        None,
    )
    assert again.action == NONE


def test_picklist_values_travel_both_ways():
    transform = Transform(values={"open": "Open - Not Contacted", "working": "Working - Contacted"})
    conv = Converter(
        FieldMap("lead_status", "Status", "bidirectional", transform), "text", {"type": "picklist"}
    )
    assert conv.to_salesforce("open") == "Open - Not Contacted"
    assert conv.to_leadgen("Working - Contacted") == "working"
    assert conv.to_leadgen("Closed - Converted") == "Closed - Converted"  # unmapped passes through


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (None, None, True),
        (None, "", False),
        (1, 1.0, True),
        (True, 1, False),
        (True, True, True),
        ("a", "a", True),
        ("a", "A", False),
        (0.1 + 0.2, 0.3, True),
    ],
)
def test_same(a, b, expected):
    assert same(a, b) is expected


@pytest.mark.parametrize(
    "value, sf_type, expected",
    [
        ("", "string", None),
        ("true", "boolean", True),
        ("false", "boolean", False),
        (True, "boolean", True),
        ("12", "double", 12.0),
        ("3", "int", 3),
        ("2026-11-27T10:00:00.000+0000", "datetime", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T10:00:00.000Z", "datetime", "2026-11-27T10:00:00.000Z"),
        ("x", "picklist", "x"),
    ],
)
def test_salesforce_values_have_one_normal_form(value, sf_type, expected):
    assert sf_native(value, sf_type) == expected
