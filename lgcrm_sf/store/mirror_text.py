"""The mirror as stored: what each field was on both sides when last synced,
{field: {"lg": value, "sf": value}}. Almost every field agrees on both sides, and a person's
mirror is written twice (its journal row, then the mirror table) and read back on every change:
a field whose two values are the same value of the same type is stored once, under "=". Text
written before this form (no "=") reads back as it was."""

from __future__ import annotations

import json

SAME = "="  # no field is named so: mapping keys are our field names and custom.<name>
_NONE = object()  # a key the pair lacks
_NESTED = (dict, list)  # kept as written: their equality is not worth a deep look


def dumps(fields: dict) -> str:
    stored: dict = {}
    same: dict = {}
    for name, pair in fields.items():
        # Inline, not a helper call: a create's mirror is 17 pairs, 100,000 times a first sync.
        # True == 1 and 1 == 1.0 in Python, not once stored: the type must match too.
        if (
            pair.__class__ is dict
            and len(pair) == 2
            and (lg := pair.get("lg", _NONE)).__class__ is (sf := pair.get("sf", _NONE)).__class__
            and lg is not _NONE
            and lg == sf
            and lg.__class__ not in _NESTED
        ):
            same[name] = lg
        else:
            stored[name] = pair
    if same:
        stored[SAME] = same
    return json.dumps(stored)


def loads(text: str | None) -> dict:
    fields = json.loads(text or "{}")
    same = fields.pop(SAME, None)
    if same:
        for name, value in same.items():
            fields[name] = {"lg": value, "sf": value}
    return fields
