"""What Salesforce checks and works out on every record write: each value against its field,
references, required and unique fields, validation rules, and the fields it derives (store.Org
mixes this class in). Row by row and the Bulk ingest's chunks (bulk_batch.py) go through these
same checks."""

from __future__ import annotations

from .errors import RecordError
from .query import compile_condition
from .schema import Field, SObject
from .stages import derive_stage_row
from .values import coerce

NAME_FROM_PARTS = ("Lead", "Contact", "User")


class RecordRules:
    def _check_reference(self, obj: SObject, name: str, value: str) -> None:
        f = obj.fields[name]
        target = self._reference_target(f, value)
        with self.lock:
            found = self.conn.execute(
                f'SELECT {reference_columns(target)} FROM "{target.name}" WHERE "Id" = ?', (value,)
            ).fetchone()
        problem = reference_problem(f, target, found)
        if problem is not None:
            raise problem

    def _reference_target(self, f: Field, value: str) -> SObject:
        """The object a reference value points to, if the field may point there."""
        target = self.object_for_id(value)
        if target is None or target.name not in f.reference_to:
            raise RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"{f.label}: id value of incorrect type: {value}",
                [f.name],
            )
        return target

    def _coerce_values(self, obj: SObject, values: dict, creating: bool, system: bool) -> dict:
        out = {}
        read_only = []
        for key, value in values.items():
            if key == "attributes":
                continue
            f = obj.field(key)
            if f is None:
                raise RecordError(
                    "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}", [key]
                )
            if not system and not (f.createable if creating else f.updateable):
                if f.name == "Id" and not creating:
                    continue
                read_only.append(f.name)
                continue
            out[f.name] = coerce(f, value)
        if read_only:
            raise RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(read_only)}. Please check the "
                "security settings of this field and verify that it is read/write for your "
                "profile or permission set.",
                read_only,
            )
        for name, value in out.items():
            f = obj.fields[name]
            if f.type == "reference" and value is not None and name not in ("Id",):
                self._check_reference(obj, name, value)
        return out

    def _new_row(self, obj: SObject, user_id: str) -> dict:
        """A new record's stored fields before the values given: defaults, else null."""
        row = dict(obj.new_row)
        for name in obj.user_defaults:
            row[name] = user_id
        return row

    def _prepare_new(self, obj: SObject, row: dict, given: dict, user_id: str) -> None:
        """A new record's row (from _new_row) with the values given (coerced), stamped, assigned
        and derived, its required fields checked. Its Id is the caller's to set."""
        row.update(given)
        row.update(creation_stamps(self.now(), user_id))
        self._assign(obj, row)
        self._derive(obj, row, given)
        self._check_required(obj, row)

    def _refuse_converted(self, obj: SObject, row: dict, system: bool) -> None:
        if obj.name == "Lead" and row["IsConverted"] and not system:
            raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")

    def _prepare_update(self, obj: SObject, row: dict, given: dict, user_id: str) -> dict:
        """Apply the values given (coerced) to a stored row as an update does: stamped,
        assigned and derived, its required fields checked. Returns the row as it was stored."""
        for name, value in given.items():
            if value is None and not obj.fields[name].nillable:
                if obj.fields[name].type == "boolean":
                    given[name] = 0
                else:
                    raise RecordError(
                        "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]", [name]
                    )
        stage_before = row.get("StageName")
        before = dict(row)
        row.update(given)
        now = self.now()
        row.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=user_id)
        self._assign(obj, row)
        self._derive(obj, row, given, stage_before)
        self._check_required(obj, row)
        return before

    def _derive(self, obj: SObject, row: dict, given=(), stage_before: str | None = None) -> None:
        """Fields Salesforce computes: Name, an Opportunity's stage-implied fields (stages.py;
        `given`: the fields the write set, `stage_before`: an update's stage before it), a
        Task's IsClosed, an Attachment's BodyLength."""
        if obj.name in NAME_FROM_PARTS:
            row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
        if obj.name == "Opportunity":
            self.stages.derive(row, given, stage_before)
        if obj.name == "OpportunityStage":
            derive_stage_row(row)
        if obj.name == "Task":
            row["IsClosed"] = int(row.get("Status") == "Completed")
        if obj.name == "Attachment" and row.get("Body") is not None:
            row["BodyLength"] = len(row["Body"])

    def _check_required(self, obj: SObject, row: dict) -> None:
        missing = [name for name in obj.required_names if row.get(name) is None]
        if missing:
            raise RecordError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )

    def _check_unique(self, obj: SObject, row: dict) -> None:
        for f in obj.unique_fields:
            if row.get(f.name) is not None:
                with self.lock:
                    hit = self.conn.execute(
                        f'SELECT "Id" FROM "{obj.name}" WHERE "{f.name}" = ?{exact_collation(f)} '
                        'AND "Id" != ? AND "IsDeleted" = 0 LIMIT 1',
                        (row[f.name], row["Id"]),
                    ).fetchone()
                if hit:
                    # Salesforce's wording: the field, then the other record's 15-character
                    # id; `fields` stays empty.
                    raise RecordError(
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {f.name} duplicates value on record with id: "
                        f"{hit[0][:15]}",
                        [],
                    )

    def _rules(self, obj: SObject) -> list[dict]:
        """The object's active validation rules."""
        return [
            rule
            for rule in self.settings["validation_rules"]
            if rule["object"] == obj.name and rule.get("active", True)
        ]

    def _check_rules(self, obj: SObject, record_id: str, rules: list[dict]) -> None:
        for rule in rules:
            from_sql, where, params = compile_condition(
                rule["condition"], obj, self.schema, self.clock.today()
            )
            hit = self.conn.execute(
                f'SELECT 1 FROM {from_sql} WHERE t0."Id" = ? AND ({where})', [record_id, *params]
            ).fetchone()
            if hit:
                fields = [rule["field"]] if rule.get("field") else []
                raise RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule["message"], fields)

    def _assign(self, obj: SObject, row: dict) -> None:
        owner = self.settings.get("lead_assignment_owner")
        if obj.name == "Lead" and owner and getattr(self.request, "auto_assign", False):
            row["OwnerId"] = owner


def reference_columns(target: SObject) -> str:
    """Only the columns reference_problem reads: a Bulk job checks every reference of every
    row."""
    return '"IsDeleted", "IsActive"' if target.name == "User" else '"IsDeleted"'


def reference_problem(f: Field, target: SObject, found: tuple | None) -> RecordError | None:
    """What is wrong with a reference from field `f` to a record of `target`, given that
    record's reference_columns (None: no such record), or None."""
    if found is None:
        return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
    if found[0]:
        return RecordError("ENTITY_IS_DELETED", "entity is deleted", [f.name])
    if f.name == "OwnerId" and target.name == "User" and not found[1]:
        return RecordError(
            "INACTIVE_OWNER_OR_USER", "operation performed with inactive user", [f.name]
        )
    return None


def exact_collation(f) -> str:
    """The comparison for a case-sensitive text field (the column itself ignores case, as SOQL
    filters do)."""
    return " COLLATE BINARY" if f.case_sensitive and f.is_text else ""


def creation_stamps(now: str, user_id: str) -> dict:
    """The system fields every new record gets: live, created and modified now by the user."""
    return {
        "IsDeleted": 0,
        "CreatedDate": now,
        "LastModifiedDate": now,
        "SystemModstamp": now,
        "CreatedById": user_id,
        "LastModifiedById": user_id,
    }
