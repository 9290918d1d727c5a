"""What both kinds of restore share: choosing the objects, reading the target's describe into
what may be written (target.py), the order to write in (order.py), record types, owners, the
second pass of references, and the Sender (sender.py) with the progress file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..config import Profile
from ..errors import UsageError
from ..i18n import N_, _, deferred
from ..salesforce.client import SalesforceClient
from ..salesforce.identity import OrgIdentity
from .backup_files import BackupFiles, records_of
from .order import dependency_order
from .owners import DEFAULT, Match, OwnerResolver, UserDirectory
from .progress import Progress
from .remap import Remap
from .report import RestoreReport
from .sender import Sender, batched
from .target import (
    NEVER_RESTORED,
    SOURCE_ID_FIELD,
    ObjectSpec,
    check_required,
    describe_objects,
    narrow_inserts,
    object_spec,
)
from .tuning import RestoreTuning


@dataclass
class RestoreRequest:
    backup: BackupFiles
    mode: str  # update | copy
    target: Profile
    objects: list[str] | None = None
    fields: list[str] | None = None
    default_owner: str | None = None
    allow_nonempty: bool = False
    source_id_field: str = SOURCE_ID_FIELD
    dry_run: bool = False
    tuning: RestoreTuning | None = None


def is_converted(row: dict) -> bool:
    return (row.get("IsConverted") or "").lower() == "true"


class RestoreJob:
    same_org = False

    def __init__(
        self,
        request: RestoreRequest,
        client: SalesforceClient,
        identity: OrgIdentity,
        progress: Progress,
        report: RestoreReport,
        tell: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.request, self.client, self.identity = request, client, identity
        self.progress, self.report = progress, report
        self.tuning = request.tuning or RestoreTuning.from_environment()
        self.sender = Sender(client, progress, self.tuning, identity.user_id, tell)
        self.specs: dict[str, ObjectSpec] = {}
        self.owners: OwnerResolver | None = None
        self.record_types: dict[str, str] | None = None

    # --- before anything is planned -------------------------------------------------------
    def prepare(self) -> None:
        names = self._objects()
        describes = describe_objects(self.client, names)
        chosen = {f.lower() for f in self.request.fields} if self.request.fields else None
        backup = self.request.backup
        for name in names:
            spec = object_spec(
                backup.object(name), describes[name], chosen, self.request.source_id_field
            )
            if not self.same_org:
                narrow_inserts(spec, chosen)
            check_required(spec)
            self.specs[name] = spec
        self._check_fields(chosen)
        references = [
            r for s in self.specs.values() for r in s.references_for_order(describes[s.name])
        ]
        order = dependency_order(names, references)
        for spec in self.specs.values():
            spec.deferred = order.deferred_fields(spec.name)
        report = self.report
        report.order = order.objects
        report.deferred = {n: f for n, f in order.deferred.items() if f}
        report.fields_skipped = {n: s.skipped for n, s in self.specs.items() if s.skipped}
        report.source_id_fields = {
            n: s.source_id_field for n, s in self.specs.items() if s.source_id_field
        }
        if not self.request.dry_run:
            report.settled = self.sender.settle_pending(self.specs)
            self.progress.clear_failures()

    def _objects(self) -> list[str]:
        requested = self.request.objects
        names = self.request.backup.chosen(requested)
        refused = [n for n in names if n in NEVER_RESTORED]
        if requested and refused:
            raise UsageError(
                _(
                    "--objects: {names} is never restored (users are matched by username; the rest "
                    "is the org's setup)."
                ).format(names=", ".join(refused)),
                _("leave it out of --objects."),
            )
        return [n for n in names if n not in NEVER_RESTORED]

    def _check_fields(self, chosen: set[str] | None) -> None:
        if not chosen:
            return
        known = {f.lower() for s in self.specs.values() for f in s.backup.fields}
        unknown = sorted(f for f in self.request.fields if f.lower() not in known)
        if unknown:
            raise UsageError(
                _("--fields: no object restored has {names} in the backup.").format(
                    names=", ".join(unknown)
                ),
                _("give API names of the backup's columns (see its manifest.json)."),
            )

    # --- owners and record types -------------------------------------------------------------
    def load_owners(self) -> None:
        """Source user ids to target users, through User.csv of the backup."""
        source = {}
        users = self.request.backup.object("User")
        if users is not None:
            with records_of(users) as rows:
                source = {r["Id"]: r.get("Username", "") for r in rows if r.get("Id")}
        rows = self.client.call(
            lambda sf: sf.query_all("SELECT Id, Username, IsActive FROM User"), "the target's users"
        )["records"]
        directory = UserDirectory.of((r["Id"], r["Username"], r["IsActive"]) for r in rows)
        default = None
        if self.request.default_owner:
            default = directory.find(self.request.default_owner)
            if default.user_id is None or default.how != "same username":
                raise UsageError(
                    _("--default-owner {default_owner}: {how}.").format(
                        default_owner=self.request.default_owner, how=default.how
                    ),
                    _("give the username of an active user of the target org."),
                )
            default = Match(default.user_id, default.username, DEFAULT)
        self.owners = OwnerResolver(source, directory, default)

    def load_record_types(self) -> None:
        """Source record type ids to the target's, by developer name (RecordType.csv)."""
        needed = [s for s in self.specs.values() if "RecordTypeId" in s.insert_fields]
        if self.same_org or not needed:
            return
        source = self.request.backup.object("RecordType")
        if source is None:
            raise UsageError(
                _(
                    "{names}: the backup holds record type ids but no RecordType.csv to match them "
                    "by name in the target."
                ).format(names=", ".join(s.name for s in needed)),
                _("take a backup with --objects ...,RecordType (or --all), then restore that."),
            )
        self.record_types = {}
        with records_of(source) as rows:
            for row in rows:
                spec = self.specs.get(row.get("SobjectType", ""))
                info = spec.record_types.get(row.get("DeveloperName", "")) if spec else None
                if info and info.get("available", True):
                    self.record_types[row["Id"]] = info["recordTypeId"]

    def remap(self, ids: dict[str, str]) -> Remap:
        return Remap(ids, self.same_org, self.owners, self.record_types)

    def record_type_problem(self, spec: ObjectSpec, row: dict) -> str | None:
        """A backup row's record type the target lacks: refused before writing, never silently
        replaced by the default one."""
        text = row.get("RecordTypeId")
        if not text or "RecordTypeId" not in spec.insert_fields:
            return None
        if self.same_org:
            known = {i["recordTypeId"] for i in spec.record_types.values()}
            return (
                None
                if text in known
                else deferred(N_("record type {id} is not available in the org"), id=text)
            )
        if text not in (self.record_types or {}):
            return deferred(
                N_("record type {id} has no match by developer name in the target"), id=text
            )
        return None

    # --- references set once every record exists ---------------------------------------------
    def second_pass(self, spec: ObjectSpec, rows: Iterable[dict], count: int) -> None:
        if not spec.deferred:
            return
        self.sender.update(
            spec,
            self._deferred_items(spec, rows),
            count,
            done=lambda sids: [self.progress.mark_deferred(sids, f) for f in spec.deferred],
        )

    def _deferred_items(self, spec: ObjectSpec, rows: Iterable[dict]) -> Iterator[tuple]:
        plan = self.report.plan(spec.name)
        for batch in batched(rows, self.tuning.read_rows):
            batch = [r for r in batch if any(r.get(f) for f in spec.deferred)]
            ids = self.progress.mapped(
                [r["Id"] for r in batch] + [r[f] for r in batch for f in spec.deferred if r.get(f)]
            )
            done = self.progress.deferred_done([r["Id"] for r in batch], spec.deferred[0])
            remap = self.remap(ids)
            for row in batch:
                target_id = ids.get(row["Id"])
                if target_id is None or row["Id"] in done:
                    continue
                values = {f: remap.value(spec, f, row.get(f, "")) for f in spec.deferred}
                values = {f: v for f, v in values.items() if v}
                if values:
                    yield row["Id"], target_id, values
            for (name, why), n in remap.notes.items():
                plan.notes[deferred("{field}: {why}", field=name, why=why)] += n
