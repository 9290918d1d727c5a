"""backup: a complete, verifiable, streaming export of a Salesforce org.

One CSV per object (UTF-8, RFC 4180, every field quoted, header of API names), all fields the
describe call says are readable, next to a manifest.json with per-object query, API used, row
count, bytes and SHA-256. Compound fields (addresses, geolocations) are left out, their
components kept; binary fields are downloaded one file per value (backup_blobs.py), unless
`skip_binary` asks to record them in the manifest as skipped. Bulk API 2.0 query for objects and volumes it suits, REST
query/queryAll otherwise; either way result pages go to disk as they arrive, so memory is bounded
by one page whatever the row count. The backup is written into a hidden `.partial` directory and
renamed into place only when every object is done: an interrupted backup never looks complete.
"""

from __future__ import annotations

import csv
import datetime
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import write_atomically
from ..errors import LgcrmError, QuotaReserveReached, SalesforceApiError, UsageError
from .backup_blobs import fetch_blobs
from .bulk_jobs import fetch_results_page, wait_for_job
from .client import SalesforceClient
from .identity import OrgIdentity

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
REST_THRESHOLD = 10_000  # below this many rows a REST query costs fewer calls than a Bulk job
BULK_PAGE_ROWS = 100_000  # maxRecords per Bulk results page (fewer calls; pages are spooled)
SPOOL_BYTES = 8 * 1024 * 1024  # a results page is held in memory up to this, then on disk
CHUNK_BYTES = 1024 * 1024
# A compound field (address, geolocation) is only a view of its component fields, which are
# backed up; Bulk API refuses it. Binary (base64) fields come through their blob URLs instead.
COMPOUND_TYPES = {"address", "location"}
BINARY_TYPE = "base64"

MESSAGES = {
    "unknown_object": "--objects: Salesforce has no queryable object named {name!r}.",
    "no_fields": "{name}: the integration user cannot read any field of this object.",
}


class BackupProgress(Protocol):
    def object_started(self, name: str, total: int | None, api: str) -> None: ...
    def rows_written(self, name: str, rows: int) -> None: ...
    def object_finished(self, result: ObjectResult) -> None: ...


class _Quiet:
    def object_started(self, name, total, api):
        pass

    def rows_written(self, name, rows):
        pass

    def object_finished(self, result):
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
    skipped_binary: list[str] = field(
        default_factory=list
    )  # binary fields left out (--skip-binary)


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


class _HashingFile:
    """The file on disk, hashed and measured as it is written."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.raw = os.fdopen(fd, "wb")
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()


class CsvSink:
    """Where one object's CSV goes: plain or gzip, hashed as written.

    A plain file can be rolled back to a checkpoint (offset, hash state), so a results page
    that breaks off mid-way is retried without leaving half of it behind. A gzip stream can't,
    so compressed backups spool each page first."""

    def __init__(self, path: Path, compress: bool) -> None:
        self.file = _HashingFile(path)
        # mtime=0 keeps the gzip bytes (and so the SHA-256) independent of the clock.
        self.out = (
            gzip.GzipFile(fileobj=self.file, mode="wb", compresslevel=6, mtime=0)
            if compress
            else self.file
        )

    @property
    def can_roll_back(self) -> bool:
        return self.out is self.file

    def write(self, data: bytes) -> None:
        self.out.write(data)

    def checkpoint(self) -> tuple[int, object]:
        return self.file.size, self.file.sha.copy()

    def roll_back(self, point: tuple[int, object]) -> None:
        size, sha = point
        if size != self.file.size:
            self.file.raw.flush()
            self.file.raw.truncate(size)
            self.file.raw.seek(size)
            self.file.size, self.file.sha = size, sha.copy()

    def close(self) -> tuple[int, str]:
        if self.out is not self.file:
            self.out.close()
        self.file.close()
        return self.file.size, self.file.sha.hexdigest()


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(when: datetime.datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _Plan:
    """One object's export, decided before any data moves."""

    name: str
    file: str
    fields: list[str] = field(default_factory=list)
    query: str = ""
    total: int | None = None
    api: str = "none"
    job_id: str | None = None
    note: str | None = None
    error: str | None = None
    binary: list[str] = field(default_factory=list)


class Backup:
    def __init__(
        self,
        client: SalesforceClient,
        identity: OrgIdentity,
        progress: BackupProgress | None = None,
    ) -> None:
        self.client = client
        self.identity = identity
        self.progress = progress or _Quiet()

    # --- what to back up ------------------------------------------------------------------
    def object_names(self, requested: list[str] | None, everything: bool) -> list[str]:
        described = self.client.call(lambda sf: sf.describe(), "the global describe")["sobjects"]
        queryable = {o["name"].lower(): o["name"] for o in described if o.get("queryable")}
        if everything:
            return sorted(queryable.values())
        names = []
        for name in requested or DEFAULT_OBJECTS:
            if name.lower() not in queryable:
                if requested:
                    raise UsageError(
                        MESSAGES["unknown_object"].format(name=name),
                        "give API names such as Lead or My_Object__c (`lgcrm-sf backup --all` "
                        "takes every object).",
                    )
                continue  # a default object this org doesn't have (or can't read)
            names.append(queryable[name.lower()])
        return names

    def readable_fields(self, name: str) -> tuple[list[str], list[str]]:
        """(the CSV's fields, the binary fields) of an object, from its describe."""
        describe = self.client.call(
            lambda sf: getattr(sf, name).describe(), f"the describe of {name}"
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
        name, partial = _new_name(
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
            for name in objects:
                if name not in done:
                    results.append(
                        ObjectResult(name, "", "", "", [], status="failed", error=exc.message)
                    )
        complete = all(r.status == "ok" for r in results)
        manifest = {
            "format": FORMAT,
            "org": {
                "id": self.identity.org_id,
                "name": self.identity.org_name,
                "edition": self.identity.edition,
                "instance_url": self.identity.instance_url,
            },
            "user": {"id": self.identity.user_id, "username": self.identity.username},
            "api_version": self.client.target.api_version,
            "started_at": _iso(started),
            "finished_at": _iso(utc_now()),
            "include_deleted": include_deleted,
            "compressed": compress,
            "skip_binary": skip_binary,
            "complete": complete,
            "objects": [asdict(r) for r in results],
        }
        write_atomically(
            partial / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        final = out_dir / (name if complete else f"{name}-incomplete")
        release_work_lock(partial, work_lock)
        os.replace(partial, final)
        _fsync_dir(out_dir)
        if quota is not None:
            raise QuotaReserveReached(f"{quota.message} The backup so far is in {final}.")
        return BackupResult(
            final,
            complete,
            manifest,
            results,
            self.client.counter.calls - calls_before,
            time.perf_counter() - clock,
        )

    def _export_all(
        self, partial, objects, include_deleted, compress, skip_binary, results
    ) -> None:
        plans = [self._plan(obj, include_deleted, compress) for obj in objects]
        # Keep one Bulk job ahead: Salesforce runs the next query while this one downloads,
        # without a queue of finished results waiting on the server.
        bulk = [p for p in plans if p.api == "bulk2"]
        for plan in bulk[:2]:
            self._start_job(plan, include_deleted)
        for plan in plans:
            if plan in bulk:
                following = bulk.index(plan) + 2
                if following < len(bulk):
                    self._start_job(bulk[following], include_deleted)
            results.append(self._export(partial, plan, include_deleted, compress, skip_binary))
            self.progress.object_finished(results[-1])

    def _plan(self, name: str, include_deleted: bool, compress: bool) -> _Plan:
        plan = _Plan(name, f"{name}.csv" + (".gz" if compress else ""))
        try:
            plan.fields, plan.binary = self.readable_fields(name)
            if not plan.fields:
                plan.error = MESSAGES["no_fields"].format(name=name)
                return plan
            plan.query = f"SELECT {', '.join(plan.fields)} FROM {name}"
            plan.total = self._count(name, include_deleted)
            plan.api = "bulk2" if plan.total is None or plan.total > REST_THRESHOLD else "rest"
        except QuotaReserveReached:
            raise
        except LgcrmError as exc:
            plan.error = exc.message
        return plan

    def _start_job(self, plan: _Plan, include_deleted: bool) -> None:
        body = {
            "operation": "queryAll" if include_deleted else "query",
            "query": plan.query,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        try:
            job = self.client.call(
                lambda sf: sf.restful("jobs/query", method="POST", json=body),
                f"the Bulk API 2.0 job for {plan.name}",
            )
            plan.job_id = job["id"]
        except SalesforceApiError as exc:
            if (
                exc.code in ("INVALIDJOB", "FeatureNotEnabled", "INVALIDENTITY")
                or "not supported" in exc.message
            ):
                # Bulk API 2.0 doesn't serve every object: REST does, page by page.
                plan.api = "rest"
                plan.note = f"Bulk API 2.0 refused this object ({exc.message}); REST query used"
            else:
                plan.error = exc.message
        except QuotaReserveReached:
            raise
        except LgcrmError as exc:
            plan.error = exc.message

    def _export(
        self,
        directory: Path,
        plan: _Plan,
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
                result.rows = self._bulk(plan, sink)
            else:
                result.rows = self._rest(plan, include_deleted, sink)
            if plan.binary and skip_binary:
                result.skipped_binary = plan.binary
            elif plan.binary:
                result.blobs = fetch_blobs(
                    self.client, directory, plan.name, plan.binary, include_deleted
                )
        except QuotaReserveReached:
            result.status, result.error = "failed", "stopped: the daily API requests are spent"
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
                f"the row count of {name}",
            )["totalSize"]
        except SalesforceApiError:
            return None  # some objects refuse COUNT(); Bulk will tell

    # --- Bulk API 2.0 ---------------------------------------------------------------------
    def _bulk(self, plan: _Plan, sink: CsvSink) -> int:
        self._wait(plan.job_id, plan.total)
        rows, locator, first = 0, None, True
        while True:
            locator, count = self._page(plan.job_id, locator, sink, skip_header=not first)
            first = False
            rows += count
            self.progress.rows_written(plan.name, rows)
            if locator is None:
                break
        # Results stay on Salesforce for days unless deleted: don't leave a copy of the org there.
        self.client.call(
            lambda sf: sf.restful(f"jobs/query/{plan.job_id}", method="DELETE"),
            "deleting the Bulk job",
        )
        return rows

    def _wait(self, job_id: str, expected_rows: int | None) -> None:
        wait_for_job(self.client, f"jobs/query/{job_id}", expected_rows, eager=True)

    def _page(
        self, job_id: str, locator: str | None, sink: CsvSink, skip_header: bool
    ) -> tuple[str | None, int]:
        """Fetch one results page into the sink. A plain file gets it streamed (and rolled
        back if the connection breaks); a gzip file gets it from a spool."""
        point = sink.checkpoint()

        def fetch(sf):
            sink.roll_back(point)  # a retry starts the page again from its first byte
            target = (
                sink if sink.can_roll_back else tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
            )
            page = _PageWriter(target, skip_header)
            next_locator, count = fetch_results_page(
                sf, job_id, locator, BULK_PAGE_ROWS, page.write
            )
            return target, next_locator, count

        target, next_locator, count = self.client.call(fetch, "a Bulk results page")
        if target is not sink:
            with target:
                target.seek(0)
                while chunk := target.read(CHUNK_BYTES):
                    sink.write(chunk)
        return next_locator, count

    # --- REST fallback --------------------------------------------------------------------
    def _rest(self, plan: _Plan, include_deleted: bool, sink: CsvSink) -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(plan.fields)
        rows = 0
        page = self.client.call(
            lambda sf: sf.query(plan.query, include_deleted=include_deleted),
            f"the query of {plan.name}",
        )
        while True:
            for record in page["records"]:
                writer.writerow([_csv_value(record.get(f)) for f in plan.fields])
            rows += len(page["records"])
            sink.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            self.progress.rows_written(plan.name, rows)
            if page.get("done", True):
                return rows
            page = self.client.call(
                lambda sf, url=page["nextRecordsUrl"]: sf.query_more(
                    url, identifier_is_url=True, include_deleted=include_deleted
                ),
                f"the query of {plan.name}",
            )


class _BulkUnsupported(Exception):
    pass


class _PageWriter:
    """Passes a results page on; every page after the first repeats the header row (which has
    no embedded newline), so that row is dropped there."""

    def __init__(self, target, skip_header: bool) -> None:
        self.target, self.skip_header = target, skip_header

    def write(self, chunk: bytes) -> None:
        if self.skip_header:
            newline = chunk.find(b"\n")
            if newline < 0:
                return
            chunk, self.skip_header = chunk[newline + 1 :], False
        self.target.write(chunk)


def _csv_value(value) -> str:
    """REST JSON to the same text Bulk API 2.0 writes: empty for null, true/false, UTC 'Z'."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str) and len(value) == 28 and value.endswith("+0000") and value[10] == "T":
        return value[:-5] + "Z"
    return str(value)


def _new_name(out_dir: Path, base: str) -> tuple[str, Path]:
    """A name no backup in `out_dir` has (two backups in one second get -2, -3...), and its
    hidden work directory, created."""
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        taken = any((out_dir / candidate).exists() for candidate in (name, f"{name}-incomplete"))
        if taken:
            continue
        partial = out_dir / f".{name}.partial"
        try:
            partial.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return name, partial
    raise LgcrmError(f"Too many backups named {base} in {out_dir}.")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_partial(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# A backup at work holds a lock inside its hidden .partial directory: a backup killed midway
# leaves the directory but not the lock (the system frees it with the process), so the next
# backup knows which partial directories are abandoned and removes them.
WORK_LOCK = ".lock"
UNLOCKED_GRACE_SECONDS = 3600  # a .partial without a lock file: another backup may be starting


def hold_work_lock(partial: Path):
    handle = open(partial / WORK_LOCK, "a+")  # noqa: SIM115 - held until the rename
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def release_work_lock(partial: Path, handle) -> None:
    (partial / WORK_LOCK).unlink(missing_ok=True)
    handle.close()


def remove_abandoned_partials(out_dir: Path) -> list[Path]:
    removed = []
    for partial in sorted(out_dir.glob(".*.partial")):
        lock = partial / WORK_LOCK
        if not lock.exists():
            age = time.time() - partial.stat().st_mtime
            if age > UNLOCKED_GRACE_SECONDS:
                remove_partial(partial)
                removed.append(partial)
            continue
        with open(lock, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a backup is writing it right now
            remove_partial(partial)
            removed.append(partial)
    return removed
