"""The mirror as stored: what each field was on both sides when last synced,
{field: {"lg": value, "sf": value}}. Almost every field agrees on both sides, and a person's
mirror is written twice (its journal row, then the mirror table) and read back on every change:
a field whose two values are the same value of the same type is stored once, under "=". Text
written before this form (no "=") reads back as it was."""

from __future__ import annotations

import json

SAME = "="  # no field is named so: mapping keys are our field names and custom.<name>


def dumps(fields: dict) -> str:
    stored: dict = {}
    same: dict = {}
    for name, pair in fields.items():
        if _agrees(pair):
            same[name] = pair["lg"]
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


def _agrees(pair) -> bool:
    if not isinstance(pair, dict) or len(pair) != 2 or "lg" not in pair or "sf" not in pair:
        return False
    lg, sf = pair["lg"], pair["sf"]
    # True == 1 and 1 == 1.0 in Python, not once stored: the type must match too.
    return type(lg) is type(sf) and lg == sf and not isinstance(lg, dict | list)
