"""Bulk API 2.0 ingest, a whole chunk of 200 rows at once when every row of it is sure to
succeed: each check is one query for the chunk instead of one per row, and the rows are written
a statement per run of rows with the same columns.

The row-by-row path (bulk_ingest.py) stays the reference. This path only ever concludes "every
row of this chunk succeeds, with these results", and gives up (nothing written; the chunk then
goes row by row) at anything that could make a row fail or make a row's outcome depend on the
rows before it: a value its field refuses, a read-only column given, a reference to a record
that is missing, deleted or an inactive owner, a unique value taken or given twice in the
chunk, an external id matching several records, a record twice in the chunk, an active
validation rule, an object whose writes do more than store their row. The per-value checks,
defaults, stamps and derived fields are the store's own (record_rules.py, values.py), called
in the same order; only the queries behind the checks are shared by the chunk's rows.

Ids come from the same sequence in the same order, taken only once the chunk is sure to
succeed, so a chunk gets the ids the row-by-row path would have given it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import NamedTuple

from .errors import RecordError
from .ids import to18
from .record_rules import exact_collation, reference_columns, reference_problem
from .schema import Field, SObject
from .store import Org, changed, filled, insert_sql, update_sql
from .values import csv_check

# In Bulk CSV an empty value means "leave as is" and #N/A means "set to null".
LEAVE, NULL = "", "#N/A"
# Owner checks read a User's IsActive: in a chunk of User writes a row could change what a
# later row's check finds, so Users go row by row.
ROW_BY_ROW = ("User",)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class GiveUp(Exception):
    """The chunk goes row by row (a row may fail, or depend on one before it)."""


class Column(NamedTuple):
    index: int  # in the CSV row
    name: str  # the field's name
    check: Callable[[str], object]  # the field's check of a text value (values.csv_check)


class Writes(NamedTuple):
    """How a row's values become one kind of write (create or update): the columns written,
    and the columns that must be left empty (the write can't set their field)."""

    columns: list[Column]
    blocked: list[int]


class ChunkPlan:
    """What a job's header means, worked out once per job: each column's field and check, for
    each kind of write the job makes. `for_job` gives None for a job that goes row by row."""

    def __init__(self, org: Org, obj: SObject, operation: str, user_id: str, width: int) -> None:
        self.org, self.obj, self.operation = org, obj, operation
        self.user_id, self.width = user_id, width
        self.creates = self.updates = Writes([], [])
        self.references: list[str] = []  # the reference fields the header gives
        self.id_index: int | None = None  # update: the Id column
        self.ext: Field | None = None  # upsert: the external id field, and its column
        self.ext_index: int | None = None
        self.max_params = org.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    @classmethod
    def for_job(cls, org: Org, job, header: list[str]) -> ChunkPlan | None:
        operation = job.operation
        if operation not in ("insert", "update", "upsert"):
            return None
        obj = org.sobject(job.info["object"])
        if obj.name in ROW_BY_ROW or (operation != "update" and not obj.createable):
            return None
        plan = cls(org, obj, operation, job.user_id, len(header))
        fields = plan._fields(header, job.info.get("externalIdFieldName"))
        if fields is None:
            return None
        plan.references = [f.name for _, f in fields if f.type == "reference"]
        plan.creates = _writes(fields, creating=True)
        plan.updates = _writes([(i, f) for i, f in fields if f is not plan.ext], creating=False)
        return plan

    def _fields(self, header: list[str], ext_name: str | None) -> list[tuple[int, Field]] | None:
        """Each written column and its field; None when the header needs the row-by-row path
        (an unknown, compound or repeated field, no key column)."""
        fields, seen = [], set()
        for index, name in enumerate(header):
            if name == "attributes":  # a write skips the key (see _coerce_values)
                continue
            f = self.obj.field(name)
            if f is None or not f.stored or f.name in seen:
                return None
            seen.add(f.name)
            if self.operation == "update" and name == "Id":
                self.id_index = index  # the key: bulk_ingest takes exactly "Id"
            else:
                fields.append((index, f))
        if self.operation == "update" and self.id_index is None:
            return None
        if self.operation == "upsert":
            ext = self.obj.field(ext_name or "")
            if ext is None or not ext.external_id or not _text_column(ext):
                return None
            self.ext = ext
            self.ext_index = next((i for i, f in fields if f is ext), None)
            if self.ext_index is None:
                return None
        return fields

    # --- one chunk -------------------------------------------------------------------------
    def apply(self, chunk: list[list[str]], repeated: set[str]) -> list[tuple[str, list]] | None:
        """Apply the chunk and give each row's result, in order; None (nothing written) when
        the chunk must go row by row. The caller holds the org's lock."""
        if repeated or not self.org.writes_plainly(self.obj):
            return None
        if any(len(values) != self.width for values in chunk):
            return None
        try:
            if self.operation == "insert":
                return self._apply(chunk, [None] * len(chunk))
            if self.operation == "upsert":
                return self._apply(chunk, self._matches(chunk))
            keys = [values[self.id_index] for values in chunk]
            return self._apply(chunk, _ids(keys), keys)
        except (GiveUp, RecordError):
            return None

    def _matches(self, chunk: list[list[str]]) -> list[str | None]:
        """Upsert: each row's record, found by its external id as rest.upsert finds it (None:
        no record, the row creates one)."""
        ext, index = self.ext, self.ext_index
        values = [row[index] for row in chunk]
        if LEAVE in values or NULL in values:
            raise GiveUp  # MISSING_ARGUMENT
        found: dict[str, list[str]] = {}
        for record_id, stored in self._holding(ext, values):
            found.setdefault(_sql_key(ext, stored), []).append(record_id)
        matches = []
        for value in values:
            hits = found.get(_sql_key(ext, value), ())
            if len(hits) > 1:
                raise GiveUp  # DUPLICATE_EXTERNAL_ID
            matches.append(hits[0] if hits else None)
        return matches

    def _apply(self, chunk: list, targets: list[str | None], keys: list | None = None) -> list:
        """Write the chunk: a row whose target is None creates a record, the others update
        their target. `keys`: an update job's ids as given, which its results repeat."""
        org, obj, user_id = self.org, self.obj, self.user_id
        stored = self._stored([t for t in targets if t is not None])
        template = org._new_row(obj, user_id)
        rows, given_refs, befores, references = [], [], {}, self.references
        for values, target in zip(chunk, targets, strict=True):
            if target is None:
                row, given = dict(template), _given(values, self.creates)
                org._prepare_new(obj, row, given, user_id)
            else:
                row, given = stored[target], _given(values, self.updates)
                org._refuse_converted(obj, row, False)
                befores[target] = org._prepare_update(obj, row, given, user_id)
            rows.append(row)
            if references:
                given_refs.extend((name, given[name]) for name in references if given.get(name))
        self._check_references(given_refs)
        self._check_unique(rows, stored)
        with org.atomic():
            self._write(rows, befores)
        shown = keys or [row["Id"] for row in rows]
        return [
            ("ok", [record_id, "true" if target is None else "false", *values])
            for record_id, target, values in zip(shown, targets, chunk, strict=True)
        ]

    def _stored(self, ids: list[str]) -> dict[str, dict]:
        """The stored rows of the records the chunk updates, by id: each live, none twice."""
        if not ids:
            return {}
        cur = self.org.conn.execute(
            f'SELECT * FROM "{self.obj.name}" WHERE "Id" IN ({_marks(len(ids))})', ids
        )
        names = [d[0] for d in cur.description]
        rows = {row["Id"]: row for row in (dict(zip(names, r, strict=True)) for r in cur)}
        if len(rows) != len(ids) or any(row["IsDeleted"] for row in rows.values()):
            raise GiveUp  # NOT_FOUND, ENTITY_IS_DELETED, or a record twice in the chunk
        return rows

    def _check_references(self, given: list[tuple[str, str]]) -> None:
        """_check_reference of every reference value the rows give: one query per object
        referred to."""
        org, obj = self.org, self.obj
        wanted: dict[str, tuple[SObject, list[tuple[Field, str]]]] = {}
        for name, value in given:
            f = obj.fields[name]
            referred = org._reference_target(f, value)
            wanted.setdefault(referred.name, (referred, []))[1].append((f, value))
        for referred, pairs in wanted.values():
            ids = list({value for _, value in pairs})
            cur = org.conn.execute(
                f'SELECT "Id", {reference_columns(referred)} FROM "{referred.name}" '
                f'WHERE "Id" IN ({_marks(len(ids))})',
                ids,
            )
            found = {r[0]: r[1:] for r in cur}
            for f, value in pairs:
                problem = reference_problem(f, referred, found.get(value))
                if problem is not None:
                    raise problem

    def _check_unique(self, rows: list[dict], stored: dict[str, dict]) -> None:
        """_check_unique of every row, one query per unique field: no two rows of the chunk
        share a value, and no live record holds a row's value but the one the row updates
        (holding it already)."""
        for f in self.obj.unique_fields:
            if f is self.ext:  # _matches found each record holding these values
                continue
            owner: dict = {}  # the value, compared at least as loosely as SQL does -> row's Id
            for row in rows:
                value = row.get(f.name)
                if value is not None:
                    key = _loose_key(f, value)
                    if key in owner:
                        raise GiveUp  # DUPLICATE_VALUE on the second
                    owner[key] = row["Id"]
            if not owner:
                continue
            values = [row[f.name] for row in rows if row.get(f.name) is not None]
            for record_id, value in self._holding(f, values):
                if record_id not in stored or owner.get(_loose_key(f, value)) != record_id:
                    raise GiveUp  # DUPLICATE_VALUE

    def _holding(self, f: Field, values: list) -> list[tuple[str, object]]:
        """(Id, value) of the live records whose `f` equals one of `values`, compared as
        find_ids and _check_unique compare."""
        return self.org.conn.execute(
            f'SELECT "Id", "{f.name}" FROM "{self.obj.name}" WHERE "{f.name}"'
            f'{exact_collation(f)} IN ({_marks(len(values))}) AND "IsDeleted" = 0',
            values,
        ).fetchall()

    def _write(self, rows: list[dict], befores: dict[str, dict]) -> None:
        """Insert the new rows (their ids taken now, in row order) and update the others: one
        statement per run of rows with the same columns."""
        org, obj = self.org, self.obj
        new = [row for row in rows if row["Id"] not in befores]
        if new:
            first = org.ids.reserve(len(new))
            for offset, row in enumerate(new):
                row["Id"] = org.ids.id_for(obj.key_prefix, first + offset)
        for names, run in _runs((filled(row), row) for row in new):
            per_statement = max(1, self.max_params // len(names))
            for start in range(0, len(run), per_statement):
                part = run[start : start + per_statement]
                org.conn.execute(
                    insert_sql(obj.name, names, len(part)), [r[n] for r in part for n in names]
                )
        updated = ((changed(row, befores[row["Id"]]), row) for row in rows if row["Id"] in befores)
        for names, run in _runs(updated):
            if names:  # nothing changed: the rows stay as they are (see Org._write)
                org.conn.executemany(
                    update_sql(obj.name, names), [[r[n] for n in names] + [r["Id"]] for r in run]
                )


def _writes(fields: list[tuple[int, Field]], creating: bool) -> Writes:
    columns, blocked = [], []
    for index, f in fields:
        if f.createable if creating else f.updateable:
            columns.append(Column(index, f.name, csv_check(f)))
        else:
            blocked.append(index)
    return Writes(columns, blocked)


def _ids(keys: list[str]) -> list[str]:
    """An update job's ids in their 18-character form."""
    if LEAVE in keys or NULL in keys:
        raise GiveUp  # MISSING_ARGUMENT
    try:
        return [to18(key) for key in keys]
    except ValueError:
        raise GiveUp from None  # MALFORMED_ID


def _given(values: list[str], writes: Writes) -> dict:
    """A row's values as the write takes them (what _coerce_values gives row by row)."""
    for index in writes.blocked:
        if values[index] != LEAVE:
            raise GiveUp  # INVALID_FIELD_FOR_INSERT_UPDATE
    given = {}
    for index, name, check in writes.columns:
        value = values[index]
        if value != LEAVE:
            given[name] = None if value == NULL else check(value)
    return given


def _text_column(f: Field) -> bool:
    """A text column (compared ignoring ASCII case unless case-sensitive: store._create_table)."""
    return f.is_text and f.type not in ("id", "reference")


def _sql_key(f: Field, value: str) -> str:
    """A text column's value as SQLite compares it: NOCASE folds ASCII letters only."""
    return value if f.case_sensitive else value.translate(_ASCII_LOWER)


def _loose_key(f: Field, value: object) -> object:
    """A value folded at least as much as SQLite folds it when comparing (casefold folds the
    ASCII letters and more), so that two values SQLite finds equal have the same key."""
    if isinstance(value, str) and not (f.case_sensitive and f.is_text):
        return value.casefold()
    return value


def _runs(items: Iterable[tuple[tuple, dict]]) -> list[tuple[tuple, list[dict]]]:
    """Consecutive rows with the same columns, grouped, in order."""
    runs: list[tuple[tuple, list[dict]]] = []
    for names, row in items:
        if runs and runs[-1][0] == names:
            runs[-1][1].append(row)
        else:
            runs.append((names, [row]))
    return runs


def _marks(count: int) -> str:
    return ", ".join("?" * count)
