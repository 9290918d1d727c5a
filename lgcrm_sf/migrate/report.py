"""What a restore did, or would do (--dry-run), per object and why: the counts, the reasons
rows were skipped, the fields never written (said once per object), how owners were found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ObjectPlan:
    name: str
    rows: int = 0  # in the backup
    create: int = 0
    update: int = 0
    undelete: int = 0
    second_pass: int = 0  # references set after every record exists (Account.ParentId)
    skip: Counter = field(default_factory=Counter)  # reason -> rows
    fields: Counter = field(default_factory=Counter)  # field -> rows an update changes
    notes: Counter = field(default_factory=Counter)  # "Field: why" -> rows
    api: str = "rest"
    done: Counter = field(default_factory=Counter)  # created, updated, undeleted, failed

    def as_dict(self) -> dict:
        data = {
            "rows": self.rows,
            "create": self.create,
            "update": self.update,
            "undelete": self.undelete,
            "second_pass": self.second_pass,
            "api": self.api,
            "skip": dict(self.skip.most_common()),
            "fields": dict(self.fields.most_common()),
            "notes": dict(self.notes.most_common()),
            "done": {k: self.done[k] for k in sorted(self.done)},
        }
        return data


@dataclass
class RestoreReport:
    mode: str
    dry_run: bool
    backup: str
    source_org: str
    target_profile: str
    target_org: str
    target_org_name: str
    order: list[str] = field(default_factory=list)
    objects: dict[str, ObjectPlan] = field(default_factory=dict)
    fields_skipped: dict[str, dict[str, str]] = field(default_factory=dict)
    deferred: dict[str, list[str]] = field(default_factory=dict)
    owners: list[dict] = field(default_factory=list)
    source_id_fields: dict[str, str] = field(default_factory=dict)
    settled: int = 0  # batches a killed run left, settled first
    failures: list[dict] = field(default_factory=list)
    links_repointed: int = 0
    progress_file: str | None = None
    api_calls: int = 0
    seconds: float = 0.0

    def plan(self, name: str) -> ObjectPlan:
        return self.objects.setdefault(name, ObjectPlan(name))

    @property
    def writes(self) -> int:
        return sum(p.create + p.update + p.undelete + p.second_pass for p in self.objects.values())

    @property
    def failed(self) -> int:
        return sum(p.done["failed"] for p in self.objects.values())

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "dry_run": self.dry_run,
            "backup": self.backup,
            "source_org": self.source_org,
            "target": {
                "profile": self.target_profile,
                "org_id": self.target_org,
                "org_name": self.target_org_name,
            },
            "order": self.order,
            "objects": {name: self.objects[name].as_dict() for name in self.order},
            "fields_skipped": self.fields_skipped,
            "second_pass_fields": self.deferred,
            "owners": self.owners,
            "source_id_fields": self.source_id_fields,
            "settled_from_an_earlier_run": self.settled,
            "failures": self.failures,
            "links_repointed": self.links_repointed,
            "progress_file": self.progress_file,
            "api_calls": self.api_calls,
            "seconds": round(self.seconds, 3),
        }
