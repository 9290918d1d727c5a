"""The mirror's stored form: a field both sides agree on is kept once; everything reads back as
it was written, and text from before the compact form reads back unchanged."""

from __future__ import annotations

import json

import pytest

from lgcrm_sf.store import mirror_text

CASES = [
    {"email": {"lg": "a@x.io", "sf": "a@x.io"}, "title": {"lg": None, "sf": None}},
    {"lead_status": {"lg": "unqualified", "sf": None}},
    {"unsubscribed": {"lg": True, "sf": 1}},  # equal in Python, not the same stored value
    {"lead_score": {"lg": 1, "sf": 1.0}},
    {"lead_score": {"lg": float("nan"), "sf": float("nan")}},
    {"owner": {"lg": 3, "sf": "005A", "note": "x"}},  # not a pair: kept as it is
    {"custom.tags": {"lg": ["a"], "sf": ["a"]}},
    {},
]


@pytest.mark.parametrize("fields", CASES)
def test_what_is_written_reads_back(fields):
    back = mirror_text.loads(mirror_text.dumps(fields))
    assert json.dumps(back, sort_keys=True) == json.dumps(fields, sort_keys=True)
    for name, pair in fields.items():
        if isinstance(pair, dict) and "lg" in pair:
            assert type(back[name]["lg"]) is type(pair["lg"])
            assert type(back[name]["sf"]) is type(pair["sf"])


def test_fields_both_sides_agree_on_are_kept_once():
    fields = {f"f{i}": {"lg": None, "sf": None} for i in range(17)}
    fields["lead_status"] = {"lg": "open", "sf": "Open - Not Contacted"}
    text = mirror_text.dumps(fields)
    assert len(text) < len(json.dumps(fields)) / 2
    assert json.loads(text)["lead_status"] == fields["lead_status"]


def test_text_from_before_the_compact_form_reads_back_unchanged():
    old = json.dumps({"email": {"lg": "a@x.io", "sf": "a@x.io"}, "title": {"lg": 1, "sf": 2}})
    assert mirror_text.loads(old) == json.loads(old)
    assert mirror_text.loads(None) == {} and mirror_text.loads("") == {}
