"""`restore --mode copy`: every chosen object of a backup into another org (a new one, a sandbox,
a refreshed one), in dependency order, each reference remapped through the ids created; owners
by username (owners.py); self-references in a second pass. Rows are streamed from the backup
and the id map lives in the progress file: memory does not grow with the rows."""

from __future__ import annotations

from ..errors import UsageError
from ..i18n import N_, _, deferred
from .backup_files import records_of
from .job import RestoreJob, is_converted
from .remap import create_problem, insert_values, missing_required, references_in
from .sender import batched
from .target import ObjectSpec

ALREADY = deferred(N_("already restored (by an earlier run of this restore)"))
CONVERTED = deferred(
    N_("converted lead (its account, contact and opportunity are restored instead)")
)
PLANNED = "(to be created)"  # a planned record's id, while planning only


class CopyRestore(RestoreJob):
    same_org = False

    # --- the plan ---------------------------------------------------------------------------
    def plan(self) -> None:
        self._check_empty()
        self.load_owners()
        self.load_record_types()
        problems: list[str] = []
        for name in self.report.order:  # an object's ids are planned before the next reads them
            problems += self._plan_object(self.specs[name])
        self.report.owners = self.owners.summary()
        if self.owners.default is None:
            problems += [
                _("{object}: {count} records whose owner has no user in the target").format(
                    object=p.name, count=n
                )
                for p in self.report.objects.values()
                for note, n in p.notes.items()
                if note.startswith("OwnerId:")
            ]
        if problems:
            unresolved = ", ".join(f"{u} ({why})" for u, why in self.owners.unresolved().items())
            missing = (
                _(" Users not found: {users}.").format(users=unresolved[:400]) if unresolved else ""
            )
            raise UsageError(
                _("Nothing was written: {problems}.").format(problems="; ".join(problems[:8]))
                + missing,
                _(
                    "create the missing users (or record types) in the target org, or give "
                    "--default-owner USERNAME for records whose owner is not there."
                ),
            )

    def _check_empty(self) -> None:
        """A copy goes into an empty org: records already there would be mixed with the copy."""
        if self.request.allow_nonempty:
            return
        held = []
        for name in self.specs:
            total = self.client.call(
                lambda sf, n=name: sf.query(f"SELECT COUNT() FROM {n}"), f"the count of {name}"
            )["totalSize"]
            ours = self.progress.count_mapped(name)
            if total > ours:
                held.append(f"{name} ({total - ours:,})")
        if held:
            raise UsageError(
                _(
                    "The target org {org_name} ({org_id}) already holds records of {names}: a copy "
                    "would mix with them."
                ).format(
                    org_name=self.identity.org_name,
                    org_id=self.identity.org_id,
                    names=", ".join(held),
                ),
                _("copy into an empty org, or pass --allow-nonempty to add the copy beside them."),
            )

    def _plan_object(self, spec: ObjectSpec) -> list[str]:
        plan = self.report.plan(spec.name)
        plan.rows = spec.backup.rows
        problems = set()
        with records_of(spec.backup) as rows:
            for batch in batched(rows, self.tuning.read_rows):
                refs = references_in(spec, batch, spec.insert_fields)
                ids = self.progress.mapped([r["Id"] for r in batch] + list(refs))
                ids.update((p, PLANNED) for p in self.progress.planned(refs) if p not in ids)
                remap = self.remap(ids)
                for row in batch:
                    problem = self.record_type_problem(spec, row)
                    if problem:
                        problems.add(f"{spec.name}: {problem}")
                    reason = self._plan_row(spec, row, ids, remap)
                    if reason:
                        plan.skip[reason] += 1
                        continue
                    plan.create += 1
                    plan.second_pass += any(row.get(f) for f in spec.deferred)
                _add_notes(plan, remap)
                # What later objects point at: a reference they send (never a deferred one)
                # points at an object earlier in the order, this one or one planned before.
                self.progress.plan_ids(r["Id"] for r in batch if not is_converted(r))
        bulk = plan.create > self.tuning.bulk_threshold and not spec.binary_fields
        plan.api = "bulk" if bulk else "rest"  # Bulk ingest takes no base64 field
        return sorted(problems)

    def _plan_row(self, spec: ObjectSpec, row: dict, ids: dict, remap) -> str | None:
        """What `_row` says of a row, without building the values it would send."""
        if ids.get(row["Id"]) not in (None, PLANNED):
            return ALREADY
        if is_converted(row):
            return CONVERTED
        return create_problem(row, spec, remap, spec.deferred)

    def _row(self, spec: ObjectSpec, row: dict, ids: dict, remap) -> tuple[str | None, dict]:
        """(why the row is not created, or None; the field texts a create sends)."""
        if ids.get(row["Id"]) not in (None, PLANNED):
            return ALREADY, {}
        if is_converted(row):
            return CONVERTED, {}
        values = insert_values(row, spec, remap, spec.deferred)
        return missing_required(values, spec), values

    # --- the writes -------------------------------------------------------------------------
    def execute(self) -> None:
        for plan in self.report.objects.values():  # from now on: what happened, not the plan
            plan.skip.clear()
            plan.notes.clear()
        for name in self.report.order:
            spec = self.specs[name]
            self.sender.create(spec, self._creates(spec), self.report.plan(name).create)
        for name in self.report.order:
            spec = self.specs[name]
            with records_of(spec.backup) as rows:
                self.second_pass(spec, rows, self.report.plan(name).second_pass)
        for name, plan in self.report.objects.items():
            plan.done.update(self.sender.tallies[name])

    def _creates(self, spec: ObjectSpec):
        plan = self.report.plan(spec.name)
        with records_of(spec.backup) as rows:
            for batch in batched(rows, self.tuning.read_rows):
                refs = references_in(spec, batch, spec.insert_fields)
                ids = self.progress.mapped([r["Id"] for r in batch] + list(refs))
                remap = self.remap(ids)
                for row in batch:
                    reason, values = self._row(spec, row, ids, remap)
                    if reason:
                        plan.skip[reason] += 1
                        continue
                    yield row["Id"], values
                _add_notes(plan, remap)


def _add_notes(plan, remap) -> None:
    for (name, why), n in remap.notes.items():
        plan.notes[deferred("{field}: {why}", field=name, why=why)] += n
    remap.notes.clear()
