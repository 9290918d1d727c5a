"""`restore --mode update`: undo a bad sync or import in the org the backup was taken from. The
org's records as they are now are exported (a backup of the chosen objects, recycle bin
included, into a work directory), sorted by Id beside the backup's and walked side by side:

- a record in both, with fields (the chosen --fields, default every updateable one) that differ
  from the backup: those fields are written back;
- a record in the recycle bin: undeleted (which brings back what its delete cascaded to), then
  written back like the others;
- a record gone from the recycle bin too: created again from the backup, and every reference
  to it (in the restore and in the sync's links) re-pointed to the new id;
- a record created since the backup: left alone.

The plan is written to the progress file before anything is sent; a run killed midway plans
again from what the org then holds, so what was done is not done twice."""

from __future__ import annotations

from pathlib import Path

from ..errors import SalesforceApiError, UsageError
from ..i18n import N_, _, deferred
from ..salesforce.backup import Backup
from ..salesforce.describe import soql_quote
from .backup_files import BackupFiles, BackupObject, rows_of
from .diff import joined
from .external_sort import sorted_rows
from .job import RestoreJob, is_converted
from .remap import insert_values, missing_required, references_in
from .sender import batched
from .target import ObjectSpec
from .values import differs

NEW_SINCE = deferred(N_("created since the backup (left alone)"))
UNCHANGED = "unchanged"
CONVERTED = deferred(
    N_("converted lead (a conversion cannot be undone; convertLead made its contact)")
)
ALREADY = deferred(N_("already created again (by an earlier run of this restore)"))
MERGED_SINCE = deferred(N_("merged since the backup: brought back beside its master"))


class UpdateRestore(RestoreJob):
    same_org = True
    workdir: Path

    # --- the plan ---------------------------------------------------------------------------
    def plan(self) -> None:
        now = self._snapshot()
        self.progress.clear_ops()
        for name in self.report.order:
            self._plan_object(self.specs[name], now.object(name))
        problems = [
            f"{name}: {reason} ({n})"
            for name, plan in self.report.objects.items()
            for reason, n in plan.skip.items()
            if reason.startswith("record type")
        ]
        if problems:
            raise UsageError(
                "Nothing was written: " + "; ".join(problems[:8]) + ".",
                _("create the record types in the org again, or leave the object out."),
            )

    def _snapshot(self) -> BackupFiles:
        """The org's records of the chosen objects as they are now, recycle bin included."""
        job = Backup(self.client, self.identity)
        # Files are read only where one may be written back: their hashes are compared.
        files = any(f in s.update_fields for s in self.specs.values() for f in s.binary_fields)
        result = job.run(self.workdir, list(self.specs), True, False, skip_binary=not files)
        if not result.complete:
            failed = [f"{o.name}: {o.error}" for o in result.objects if o.status != "ok"]
            raise SalesforceApiError(
                _("Could not read the org's records as they are now ({names}).").format(
                    names="; ".join(failed)
                ),
                _("run the restore again; nothing was written."),
            )
        return BackupFiles(result.path, result.manifest)

    def _plan_object(self, spec: ObjectSpec, now: BackupObject) -> None:
        plan = self.report.plan(spec.name)
        plan.rows = spec.backup.rows
        b_fields, n_fields = spec.backup.fields, now.fields
        with (
            rows_of(spec.backup) as b_rows,
            rows_of(now) as n_rows,
            sorted_rows(b_rows, b_fields.index("Id"), self.workdir) as b_sorted,
            sorted_rows(n_rows, n_fields.index("Id"), self.workdir) as n_sorted,
        ):
            pairs = (
                (
                    dict(zip(b_fields, b[1:], strict=False)) if b else None,
                    dict(zip(n_fields, n[1:], strict=False)) if n else None,
                )
                for _, b, n in joined(_by_id(b_sorted, b_fields), _by_id(n_sorted, n_fields))
            )
            for batch in batched(pairs, self.tuning.read_rows):
                self.progress.add_ops(self._batch_ops(spec, batch))
            bulk = plan.update > self.tuning.bulk_threshold and not spec.binary_fields
            plan.api = "bulk" if bulk else "rest"  # Bulk ingest takes no base64 field

    def _batch_ops(self, spec: ObjectSpec, batch: list[tuple]):
        plan = self.report.plan(spec.name)
        backed_up = [b for b, _ in batch if b]
        refs = references_in(spec, backed_up, spec.update_fields)
        ids = self.progress.mapped([b["Id"] for b in backed_up] + list(refs))
        for before, now in batch:
            kind, reason, payload = self._compare(spec, before, now, ids)
            if reason:
                plan.skip[reason] += 1
            if kind == "undelete":
                yield spec.name, "undelete", before["Id"], {}
                kind = "update" if payload else None
            if kind:
                yield spec.name, kind, before["Id"], payload

    def _compare(self, spec, before, now, ids) -> tuple[str | None, str | None, dict | None]:
        """(operation, why the record is left alone, what to send)."""
        plan = self.report.plan(spec.name)
        if before is None:
            return None, (NEW_SINCE if now.get("IsDeleted") != "true" else None), None
        if is_converted(before) or (now and is_converted(now)):
            return None, CONVERTED, None
        problem = self.record_type_problem(spec, before)
        if problem:
            return None, problem, None
        if now is None:
            return self._recreate(spec, before, ids)
        changes = {
            f: before.get(f, "")
            for f in spec.update_fields
            if f in before and self._changed(spec, f, before[f], now.get(f, ""), ids)
        }
        deleted = now.get("IsDeleted") == "true"
        if deleted:
            plan.undelete += 1
            if now.get("MasterRecordId"):
                plan.notes[MERGED_SINCE] += 1
        if changes:
            plan.update += 1
            plan.fields.update(changes.keys())
        elif not deleted:
            return None, UNCHANGED, None
        return ("undelete" if deleted else "update"), None, changes

    def _recreate(self, spec: ObjectSpec, before: dict, ids: dict) -> tuple:
        if before["Id"] in ids:
            return None, ALREADY, None
        reason = missing_required(insert_values(before, spec, self.remap(ids)), spec)
        if reason:
            return None, reason, None
        plan = self.report.plan(spec.name)
        plan.create += 1
        plan.second_pass += any(before.get(f) for f in spec.deferred)
        return "insert", None, before

    @staticmethod
    def _changed(spec: ObjectSpec, name: str, old: str, current: str, ids) -> bool:
        """Does the org's value differ from the backup's? A reference to a record created
        again (by an earlier run) points at its new id."""
        if name in spec.references and old:
            old = ids.get(old, old)
        return differs(old, current, spec.types.get(name, "string"))

    # --- the writes -------------------------------------------------------------------------
    def execute(self) -> None:
        order, ops = self.report.order, self.progress
        for name in order:
            ids = [record_id for record_id, _ in ops.ops(name, "undelete")]
            if ids:
                self.sender.undelete(self.specs[name], ids)
        for name in order:
            plan = self.report.plan(name)
            if plan.create:
                self.sender.create(self.specs[name], self._inserts(self.specs[name]), plan.create)
        self._repoint_references()
        for name in order:
            plan = self.report.plan(name)
            if plan.update:
                self.sender.update(self.specs[name], self._updates(self.specs[name]), plan.update)
        for name in order:
            rows = (payload for _, payload in ops.ops(name, "insert"))
            self.second_pass(self.specs[name], rows, self.report.plan(name).second_pass)
        for name, plan in self.report.objects.items():
            plan.done.update(self.sender.tallies[name])

    def _repoint_references(self) -> None:
        """Records still pointing at the old id of a record created again (Salesforce clears
        such lookups when it purges a record; where it did not, they are set here)."""
        new_id: dict[str, str] = {}
        objects: set[str] = set()
        for sobject, old, new in self.progress.inserted_pairs():
            new_id[old] = new
            objects.add(sobject)
        if not new_id:
            return
        for spec in self.specs.values():
            for name, targets in spec.references.items():
                if name in spec.update_fields and objects.intersection(targets):
                    items = list(self._pointing_at(spec, name, new_id))
                    self.report.plan(spec.name).notes[
                        deferred(N_("{field}: re-pointed to a record created again"), field=name)
                    ] += len(items)
                    self.sender.update(spec, items, len(items))

    def _pointing_at(self, spec: ObjectSpec, name: str, new_id: dict[str, str]):
        old_ids = sorted(new_id)
        for start in range(0, len(old_ids), self.tuning.ids_per_query):
            part = ", ".join(
                soql_quote(i) for i in old_ids[start : start + self.tuning.ids_per_query]
            )
            soql = f"SELECT Id, {name} FROM {spec.name} WHERE {name} IN ({part})"
            rows = self.client.call(lambda sf, q=soql: sf.query_all(q), f"the {spec.name} lookup")
            for row in rows["records"]:
                yield row["Id"], row["Id"], {name: new_id[row[name]]}

    def _inserts(self, spec: ObjectSpec):
        rows = (payload for _, payload in self.progress.ops(spec.name, "insert"))
        for batch in batched(rows, self.tuning.read_rows):
            refs = references_in(spec, batch, spec.insert_fields)
            ids = self.progress.mapped([r["Id"] for r in batch] + list(refs))
            remap = self.remap(ids)
            for row in batch:
                values = insert_values(row, spec, remap, spec.deferred)
                if row["Id"] not in ids and not missing_required(values, spec):
                    yield row["Id"], values

    def _updates(self, spec: ObjectSpec):
        for batch in batched(self.progress.ops(spec.name, "update"), self.tuning.read_rows):
            refs = {v for _, changes in batch for f, v in changes.items() if f in spec.references}
            remap = self.remap(self.progress.mapped(refs))
            for record_id, changes in batch:
                values = {f: remap.value(spec, f, v) for f, v in changes.items()}
                yield record_id, record_id, values


def _by_id(rows, fields: list[str]):
    """Rows with their Id moved to the front, for joined()."""
    at = fields.index("Id")
    for row in rows:
        yield [row[at], *row]
