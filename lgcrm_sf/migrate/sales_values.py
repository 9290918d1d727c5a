"""Comparing what `migrate sales` sent with what a source or Salesforce holds now: an empty text
and no value are the same, and numbers compare as numbers (Salesforce answers 1000.0 for the
1000 it was sent)."""

from __future__ import annotations


def normal(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(float(value), 6)
    if isinstance(value, str):
        return value
    return ("unresolved", repr(value))  # a reference still to be made: equal to nothing


def same(ours: dict, theirs: dict) -> bool:
    """The two hold the same values for every field either names."""
    return all(normal(ours.get(k)) == normal(theirs.get(k)) for k in {*ours, *theirs})


def differing(sent: dict, record: dict) -> list[str]:
    """The fields we sent whose value in `record` is no longer what we sent."""
    return sorted(k for k, v in sent.items() if normal(record.get(k)) != normal(v))
