"""A backup row as a write to the target: the fields to send, each reference remapped through the
ids the restore has created (the source's ids mean nothing in another org), owners found by
username, record types by developer name. Pure: the caller fetches the id map for a batch of
rows at once and counts what this reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..i18n import N_
from ..i18n import deferred as deferred_text
from .owners import OwnerResolver
from .target import ObjectSpec

USER_PREFIX = "005"
RECORD_TYPE = "RecordTypeId"
# What a row's remap notes, made once (a restore counts them row by row).
NOT_RESTORED = deferred_text(N_("points to a record not restored: left empty"))
NO_USER = deferred_text(N_("no matching user in the target: left empty"))
NO_RECORD_TYPE = deferred_text(N_("record type missing in the target: its default used"))


@dataclass
class Remap:
    """What a batch of rows needs to be remapped; `notes` counts what could not be."""

    ids: dict[str, str]  # source id -> target id
    same_org: bool  # --mode update: an id not in the map is still valid
    owners: OwnerResolver | None = None
    record_types: dict[str, str] | None = None  # source record type id -> target id
    notes: Counter = field(default_factory=Counter)  # (field, why) -> rows
    _layouts: dict[tuple, tuple] = field(default_factory=dict, repr=False)

    def layout(self, spec: ObjectSpec, deferred) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the fields a create sends, in order; those of them whose text `value` may change):
        the others are sent as they are read."""
        key = (spec.name, tuple(deferred))
        if key not in self._layouts:
            sent = tuple(f for f in spec.insert_fields if f not in deferred)
            changing = {RECORD_TYPE, *spec.user_fields, *spec.references}
            self._layouts[key] = (sent, tuple(f for f in sent if f in changing))
        return self._layouts[key]

    def value(self, spec: ObjectSpec, name: str, text: str) -> str:
        if not text:
            return ""
        if name == RECORD_TYPE:
            return self._record_type(name, text)
        if text.startswith(USER_PREFIX) and name in spec.user_fields:
            return self._user(name, text)
        if name in spec.references:
            return self._record(name, text)
        if name in spec.user_fields:  # a queue or a calendar owning an activity
            return text if self.same_org else self._user(name, text)
        return text

    def _record(self, name: str, text: str) -> str:
        mapped = self.ids.get(text)
        if mapped:
            return mapped
        if self.same_org:
            return text
        self.notes[(name, NOT_RESTORED)] += 1
        return ""

    def _user(self, name: str, text: str) -> str:
        if self.same_org or self.owners is None:
            return text
        user = self.owners.target_user(text, use_default=name in ("OwnerId", "CreatedById"))
        if user is None:
            self.notes[(name, NO_USER)] += 1
            return ""
        return user

    def _record_type(self, name: str, text: str) -> str:
        if self.same_org or self.record_types is None:
            return text
        mapped = self.record_types.get(text)
        if mapped is None:
            self.notes[(name, NO_RECORD_TYPE)] += 1
            return ""
        return mapped


def references_in(spec: ObjectSpec, rows: list[dict], fields: list[str]) -> set[str]:
    """Every record id the rows' reference fields hold (to fetch from the id map at once)."""
    wanted = [f for f in fields if f in spec.references]
    return {row[f] for row in rows for f in wanted if row.get(f)}


def insert_values(row: dict, spec: ObjectSpec, remap: Remap, deferred=()) -> dict[str, str]:
    """The text of each field a create sends (deferred references wait for the second pass).
    Only references, owners and record types go through the remap: the rest is sent as read
    (this runs for every row of a copy, twice: plan and writes)."""
    sent, changing = remap.layout(spec, deferred)
    values = {name: row.get(name) or "" for name in sent}
    for name in changing:
        if values[name]:
            values[name] = remap.value(spec, name, values[name])
    return values


def create_problem(row: dict, spec: ObjectSpec, remap: Remap, deferred=()) -> str | None:
    """What `missing_required(insert_values(...))` says of a row, without building its values
    (a plan checks every row of the backup); what could not be remapped is counted the same."""
    sent, changing = remap.layout(spec, deferred)
    changed = {name: remap.value(spec, name, row.get(name) or "") for name in changing}
    for name in spec.required:
        if name in sent and not changed.get(name, row.get(name)):
            return deferred_text(N_("required field {name} is empty"), name=name)
    return None


def missing_required(values: dict[str, str], spec: ObjectSpec) -> str | None:
    """Why a create would be refused for a required field, before it is sent."""
    for name in spec.required:
        if name in values and not values[name]:
            return deferred_text(N_("required field {name} is empty"), name=name)
    return None
