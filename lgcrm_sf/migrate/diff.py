"""`backup diff A B`: per object, the rows added, deleted and changed from backup A to backup B,
and for changed rows which fields changed (counts, and examples). Both backups are streamed:
each object's rows are sorted by Id on disk (external_sort.py) and walked side by side, so
memory does not grow with the number of rows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .backup_files import BackupFiles, BackupObject, rows_of
from .external_sort import RUN_BYTES, sorted_rows


@dataclass
class ObjectDiff:
    name: str
    added: int = 0
    deleted: int = 0
    changed: int = 0
    unchanged: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # field -> rows where it changed
    examples: list[dict] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)  # fields A has and B lacks
    only_in_b: list[str] = field(default_factory=list)
    note: str | None = None  # the object is in one backup only

    def as_dict(self) -> dict:
        data = {
            "added": self.added,
            "deleted": self.deleted,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "fields": dict(sorted(self.fields.items(), key=lambda kv: (-kv[1], kv[0]))),
            "examples": self.examples,
        }
        if self.only_in_a or self.only_in_b:
            data["fields_only_in_a"], data["fields_only_in_b"] = self.only_in_a, self.only_in_b
        if self.note:
            data["note"] = self.note
        return data


def joined(a: Iterator[list[str]], b: Iterator[list[str]], key: int = 0):
    """Walk two streams sorted by `row[key]`: (key, row of A or None, row of B or None)."""
    row_a, row_b = next(a, None), next(b, None)
    while row_a is not None or row_b is not None:
        if row_b is None or (row_a is not None and row_a[key] < row_b[key]):
            yield row_a[key], row_a, None
            row_a = next(a, None)
        elif row_a is None or row_b[key] < row_a[key]:
            yield row_b[key], None, row_b
            row_b = next(b, None)
        else:
            yield row_a[key], row_a, row_b
            row_a, row_b = next(a, None), next(b, None)


def same_value(x: str, y: str) -> bool:
    """Text equal, or the same number spelled twice (`1500` and `1500.0`: REST and Bulk exports
    of one value)."""
    if x == y:
        return True
    try:
        return Decimal(x) == Decimal(y)
    except (InvalidOperation, ValueError):
        return False


def diff_backups(
    a: BackupFiles,
    b: BackupFiles,
    objects: list[str] | None = None,
    examples: int = 0,
    run_bytes: int = RUN_BYTES,
) -> dict[str, ObjectDiff]:
    held_a, held_b = a.objects(), b.objects()
    names = objects or sorted(set(held_a) | set(held_b))
    result = {}
    with tempfile.TemporaryDirectory(prefix="lgcrm-sf-diff-") as work:
        for name in names:
            result[name] = _diff_object(
                name, held_a.get(name), held_b.get(name), examples, Path(work), run_bytes
            )
    return result


def _diff_object(
    name: str,
    obj_a: BackupObject | None,
    obj_b: BackupObject | None,
    examples: int,
    work: Path,
    run_bytes: int,
) -> ObjectDiff:
    diff = ObjectDiff(name)
    if obj_a is None or obj_b is None:
        diff.note = f"only in backup {'B' if obj_a is None else 'A'}"
        diff.added = obj_b.rows if obj_a is None else 0
        diff.deleted = obj_a.rows if obj_b is None else 0
        return diff
    common = [f for f in obj_a.fields if f in obj_b.fields and f != "Id"]
    diff.only_in_a = [f for f in obj_a.fields if f not in obj_b.fields]
    diff.only_in_b = [f for f in obj_b.fields if f not in obj_a.fields]
    pos_a = {f: i for i, f in enumerate(obj_a.fields)}
    pos_b = {f: i for i, f in enumerate(obj_b.fields)}
    pairs = [(f, pos_a[f], pos_b[f]) for f in common]
    with (
        rows_of(obj_a) as rows_a,
        rows_of(obj_b) as rows_b,
        sorted_rows(rows_a, pos_a["Id"], work, run_bytes) as sorted_a,
        sorted_rows(rows_b, pos_b["Id"], work, run_bytes) as sorted_b,
    ):
        for record_id, row_a, row_b in joined(_keyed(sorted_a, pos_a), _keyed(sorted_b, pos_b)):
            _count(diff, record_id, row_a, row_b, pairs, examples)
    return diff


def _keyed(rows, positions: dict[str, int]) -> Iterator[list[str]]:
    """Rows with their Id moved to the front, for joined()."""
    at = positions["Id"]
    for row in rows:
        yield [row[at], *row]


def _count(diff: ObjectDiff, record_id, row_a, row_b, pairs, examples: int) -> None:
    if row_a is None or row_b is None:
        change = "added" if row_a is None else "deleted"
        setattr(diff, change, getattr(diff, change) + 1)
        if len(diff.examples) < examples:
            diff.examples.append({"id": record_id, "change": change})
        return
    changed = {
        f: [row_a[i + 1], row_b[j + 1]]
        for f, i, j in pairs
        if not same_value(row_a[i + 1], row_b[j + 1])
    }
    if not changed:
        diff.unchanged += 1
        return
    diff.changed += 1
    for f in changed:
        diff.fields[f] = diff.fields.get(f, 0) + 1
    if len(diff.examples) < examples:
        diff.examples.append({"id": record_id, "change": "changed", "fields": changed})
