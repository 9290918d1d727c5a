"""backup: a complete, verifiable, streaming export of a Salesforce org.

One CSV per object (UTF-8, RFC 4180, every field quoted, header of API names), all fields the
describe call says are readable, next to a manifest.json with per-object query, API used, row
count, bytes and SHA-256. Compound fields (addresses, geolocations) are left out, their
components kept; binary fields are downloaded one file per value (backup_blobs.py), unless
`skip_binary` asks to record them in the manifest as skipped. Bulk API 2.0 query for objects
and volumes it suits, REST query/queryAll otherwise (backup_pages.py). The backup is written into
a hidden `.partial` directory and renamed into place only when every object is done
(backup_dirs.py): an interrupted backup never looks complete.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import write_atomically
from ..errors import LgcrmError, QuotaReserveReached, SalesforceApiError, UsageError
from ..i18n import N_, _, deferred
from .backup_blobs import fetch_blobs
from .backup_dirs import (
    hold_work_lock,
    move_into_place,
    new_work_directory,
    release_work_lock,
    remove_abandoned_partials,
)
from .backup_pages import ObjectPlan, PageFetcher
from .backup_sink import CsvSink
from .client import SalesforceClient
from .identity import OrgIdentity
from .tuning import BackupTuning

FORMAT = "lgcrm-sf-backup/1"
DEFAULT_OBJECTS = (
    "Lead",
    "Contact",
    "Account",
    "Opportunity",
    "OpportunityContactRole",
    "User",
    "Task",
    "Event",
    "Campaign",
    "CampaignMember",
)
# What the first sync reads or writes: a backup must hold each before the first sync runs.
FIRST_SYNC_OBJECTS = (
    "Lead",
    "Contact",
    "Account",
    "Opportunity",
    "OpportunityContactRole",
    "Task",
    "User",
)
# A compound field (address, geolocation) is only a view of its component fields, which are
# backed up; Bulk API refuses it. Binary (base64) fields come through their blob URLs instead.
COMPOUND_TYPES = {"address", "location"}
BINARY_TYPE = "base64"

# An object the quota stopped: the manifest says it in English.
QUOTA_STOP = N_("stopped: the daily API requests are spent")
MESSAGES = {
    "unknown_object": N_("--objects: Salesforce has no queryable object named {name!r}."),
    "no_fields": N_("{name}: the integration user cannot read any field of this object."),
}


class BackupProgress(Protocol):
    def object_started(self, name: str, total: int | None, api: str) -> None: ...
    def rows_written(self, name: str, rows: int) -> None: ...
    def object_finished(self, result: ObjectResult) -> None: ...


class _Quiet:
    """No progress to show (a caller without a terminal)."""

    def object_started(self, *_) -> None:
        pass

    def rows_written(self, *_) -> None:
        pass

    def object_finished(self, *_) -> None:
        pass


@dataclass
class ObjectResult:
    name: str
    file: str
    api: str
    query: str
    fields: list[str]
    rows: int = 0
    bytes: int = 0
    sha256: str = ""
    status: str = "ok"
    error: str | None = None
    note: str | None = None  # e.g. why REST was used instead of Bulk API 2.0
    seconds: float = 0.0
    binary_fields: list[str] = field(default_factory=list)
    blobs: list[dict] = field(default_factory=list)  # one file per binary value (backup_blobs)
    # Binary fields left out (--skip-binary).
    skipped_binary: list[str] = field(default_factory=list)


@dataclass
class BackupResult:
    path: Path
    complete: bool
    manifest: dict
    objects: list[ObjectResult] = field(default_factory=list)
    api_calls: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(o.rows for o in self.objects)

    @property
    def bytes(self) -> int:
        return sum(o.bytes for o in self.objects)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(when: datetime.datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


class Backup:
    """One backup of one org: `object_names` picks what to export, `run` writes it."""

    def __init__(
        self,
        client: SalesforceClient,
        identity: OrgIdentity,
        progress: BackupProgress | None = None,
        tuning: BackupTuning | None = None,
    ) -> None:
        self.client = client
        self.identity = identity
        self.progress = progress or _Quiet()
        self.tuning = tuning or BackupTuning.from_environment()
        self.pages = PageFetcher(client, self.progress, self.tuning)

    # --- what to back up ------------------------------------------------------------------
    def object_names(self, requested: list[str] | None, everything: bool) -> list[str]:
        described = self.client.call(lambda sf: sf.describe(), deferred(N_("the global describe")))[
            "sobjects"
        ]
        queryable = {o["name"].lower(): o["name"] for o in described if o.get("queryable")}
        if everything:
            return sorted(queryable.values())
        names = []
        for name in requested or DEFAULT_OBJECTS:
            if name.lower() not in queryable:
                if requested:
                    raise UsageError(
                        deferred(MESSAGES["unknown_object"], name=name),
                        deferred(
                            N_(
                                "give API names such as Lead or My_Object__c (`lgcrm-sf backup "
                                "--all` takes every object)."
                            )
                        ),
                    )
                continue  # a default object this org doesn't have (or can't read)
            names.append(queryable[name.lower()])
        return names

    def readable_fields(self, name: str) -> tuple[list[str], list[str]]:
        """(the CSV's fields, the binary fields) of an object, from its describe."""
        describe = self.client.call(
            lambda sf: getattr(sf, name).describe(),
            deferred(N_("the describe of {name}"), name=name),
        )
        fields = describe["fields"]
        plain = [f["name"] for f in fields if f["type"] not in COMPOUND_TYPES | {BINARY_TYPE}]
        return plain, [f["name"] for f in fields if f["type"] == BINARY_TYPE]

    # --- the run --------------------------------------------------------------------------
    def run(
        self,
        out_dir: Path,
        objects: list[str],
        include_deleted: bool,
        compress: bool,
        skip_binary: bool = False,
    ) -> BackupResult:
        started = utc_now()
        clock = time.perf_counter()
        calls_before = self.client.counter.calls
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        remove_abandoned_partials(out_dir)
        name, partial = new_work_directory(
            out_dir, f"{self.identity.org_id}-{started.strftime('%Y%m%dT%H%M%SZ')}"
        )
        work_lock = hold_work_lock(partial)
        results, quota = [], None
        try:
            self._export_all(partial, objects, include_deleted, compress, skip_binary, results)
        except QuotaReserveReached as exc:
            # The day's API calls are spent: stop at once, keep what was written, and say so.
            quota = exc
            done = {r.name for r in results}
            results += [
                ObjectResult(name, "", "", "", [], status="failed", error=exc.message)
                for name in objects
                if name not in done
            ]
        complete = all(r.status == "ok" for r in results)
        options = {
            "include_deleted": include_deleted,
            "compressed": compress,
            "skip_binary": skip_binary,
        }
        manifest = self._manifest(started, options, complete, results)
        write_atomically(
            partial / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        final = out_dir / (name if complete else f"{name}-incomplete")
        release_work_lock(partial, work_lock)
        move_into_place(partial, final)
        if quota is not None:
            raise QuotaReserveReached(
                _("{message} The backup so far is in {final}.").format(
                    message=quota.message, final=final
                )
            )
        calls = self.client.counter.calls - calls_before
        return BackupResult(final, complete, manifest, results, calls, time.perf_counter() - clock)

    def _manifest(
        self, started: datetime.datetime, options: dict, complete: bool, results: list
    ) -> dict:
        identity = self.identity
        return {
            "format": FORMAT,
            "org": {
                "id": identity.org_id,
                "name": identity.org_name,
                "edition": identity.edition,
                "instance_url": identity.instance_url,
            },
            "user": {"id": identity.user_id, "username": identity.username},
            "api_version": self.client.target.api_version,
            "started_at": _iso(started),
            "finished_at": _iso(utc_now()),
            **options,
            "complete": complete,
            "objects": [asdict(r) for r in results],
        }

    def _export_all(
        self, partial, objects, include_deleted, compress, skip_binary, results
    ) -> None:
        plans = [self._plan(obj, include_deleted, compress) for obj in objects]
        # Keep one Bulk job ahead: Salesforce runs the next query while this one downloads,
        # without a queue of finished results waiting on the server.
        bulk = [p for p in plans if p.api == "bulk2"]
        for plan in bulk[:2]:
            self.pages.start_job(plan, include_deleted)
        for plan in plans:
            if plan in bulk:
                following = bulk.index(plan) + 2
                if following < len(bulk):
                    self.pages.start_job(bulk[following], include_deleted)
            results.append(self._export(partial, plan, include_deleted, compress, skip_binary))
            self.progress.object_finished(results[-1])

    def _plan(self, name: str, include_deleted: bool, compress: bool) -> ObjectPlan:
        plan = ObjectPlan(name, f"{name}.csv" + (".gz" if compress else ""))
        try:
            plan.fields, plan.binary = self.readable_fields(name)
            if not plan.fields:
                plan.error = deferred(MESSAGES["no_fields"], name=name)  # the manifest: English
                return plan
            plan.query = f"SELECT {', '.join(plan.fields)} FROM {name}"
            plan.total = self._count(name, include_deleted)
            rest = plan.total is not None and plan.total <= self.tuning.rest_threshold
            plan.api = "rest" if rest else "bulk2"
        except QuotaReserveReached:
            raise
        except LgcrmError as exc:
            plan.error = exc.message
        return plan

    def _export(
        self,
        directory: Path,
        plan: ObjectPlan,
        include_deleted: bool,
        compress: bool,
        skip_binary: bool = False,
    ) -> ObjectResult:
        started = time.perf_counter()
        result = ObjectResult(
            plan.name,
            plan.file,
            plan.api,
            plan.query,
            plan.fields,
            note=plan.note,
            binary_fields=plan.binary,
        )
        if plan.error:
            result.status, result.error = "failed", plan.error
            return result
        sink = CsvSink(directory / plan.file, compress)
        try:
            self.progress.object_started(plan.name, plan.total, plan.api)
            if plan.api == "bulk2":
                result.rows = self.pages.bulk(plan, sink)
            else:
                result.rows = self.pages.rest(plan, include_deleted, sink)
            if plan.binary and skip_binary:
                result.skipped_binary = plan.binary
            elif plan.binary:
                result.blobs = fetch_blobs(
                    self.client, directory, plan.name, plan.binary, include_deleted
                )
        except QuotaReserveReached:
            result.status, result.error = "failed", deferred(QUOTA_STOP)
            raise
        except LgcrmError as exc:
            result.status, result.error = "failed", exc.message
        finally:
            result.bytes, result.sha256 = sink.close()
            result.seconds = round(time.perf_counter() - started, 3)
        return result

    def _count(self, name: str, include_deleted: bool) -> int | None:
        soql = f"SELECT COUNT() FROM {name}"
        try:
            return self.client.call(
                lambda sf: sf.query(soql, include_deleted=include_deleted),
                deferred(N_("the row count of {name}"), name=name),
            )["totalSize"]
        except SalesforceApiError:
            return None  # some objects refuse COUNT(); Bulk will tell
