"""A backup directory as restore and diff read it: verified first, then each object's CSV
(plain or gzip) streamed row by row. Nothing here writes into the backup.

Binary (base64) fields are not in the CSV: the backup keeps each value in a file of its own
(salesforce/backup_blobs.py). Rows read here carry, for each such field, the SHA-256 of the
record's file (empty when it has none), so a changed file is a changed value to diff and to
restore; `blob_path` gives the file to send. A field the backup skipped (--skip-binary) is not
a column at all: `skipped_binary` names it."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError, VerifyFailed
from ..i18n import _
from ..salesforce.backup_blobs import blob_dir
from ..salesforce.backup_verify import verify

# A field value may be large (a long text area); the csv module's default limit is 128 KiB.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class BackupObject:
    name: str
    path: Path
    fields: list[str]  # the CSV's columns, then the binary fields held as files
    rows: int
    blobs: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {id: sha256}
    skipped_binary: list[str] = field(default_factory=list)  # binary fields not in the backup

    def blob_path(self, name: str, record_id: str) -> Path:
        return self.path.parent / blob_dir(self.name, name) / record_id

    def blob_bytes(self, name: str, record_id: str) -> int:
        """The size of a record's file (0 when it has none)."""
        path = self.blob_path(name, record_id)
        return path.stat().st_size if record_id in self.blobs.get(name, {}) else 0


def _backup_object(directory: Path, entry: dict) -> BackupObject:
    skipped = list(entry.get("skipped_binary") or [])
    binary = [f for f in entry.get("binary_fields") or [] if f not in skipped]
    blobs: dict[str, dict[str, str]] = {name: {} for name in binary}
    for blob in entry.get("blobs") or []:
        if blob.get("file") and blob.get("field") in blobs:
            blobs[blob["field"]][blob["id"]] = blob["sha256"]
    fields = list(entry["fields"]) + binary
    return BackupObject(
        entry["name"], directory / entry["file"], fields, entry["rows"], blobs, skipped
    )


@dataclass
class BackupFiles:
    path: Path
    manifest: dict

    @property
    def org_id(self) -> str:
        return self.manifest["org"]["id"]

    @property
    def instance_url(self) -> str:
        return self.manifest["org"].get("instance_url") or ""

    def objects(self) -> dict[str, BackupObject]:
        """The objects backed up completely, by name."""
        return {
            o["name"]: _backup_object(self.path, o)
            for o in self.manifest["objects"]
            if o.get("status") == "ok"
        }

    def object(self, name: str) -> BackupObject | None:
        return self.objects().get(name)

    def chosen(self, requested: list[str] | None, option: str = "--objects") -> list[str]:
        """The objects asked for (API names, any case), each one the backup holds."""
        held = self.objects()
        if not requested:
            return list(held)
        by_lower = {name.lower(): name for name in held}
        missing = [name for name in requested if name.lower() not in by_lower]
        if missing:
            raise UsageError(
                _("{option}: the backup {path} holds no {names} (it holds {value}).").format(
                    option=option,
                    path=self.path,
                    names=", ".join(missing),
                    value=", ".join(sorted(held)) or "nothing",
                ),
                _("name objects the backup holds, or take a backup that holds them."),
            )
        return [by_lower[name.lower()] for name in requested]


def open_verified(path: Path) -> BackupFiles:
    """The backup at `path`, refused unless it verifies (every file re-hashed, every row
    re-counted): a restore or a diff must not trust a damaged copy."""
    report = verify(Path(path).resolve())
    if not report.ok:
        details = report.problems + [f"{o.name}: {o.detail}" for o in report.objects if not o.ok]
        raise VerifyFailed(
            _("The backup {path} does not verify: {names}.").format(
                path=report.path, names="; ".join(details[:5])
            ),
            _("see `lgcrm-sf backup verify {path}`; use another backup.").format(path=report.path),
        )
    return BackupFiles(report.path, report.manifest)


@contextmanager
def rows_of(obj: BackupObject) -> Iterator[Iterator[list[str]]]:
    """The CSV rows of an object (the header row left out), as lists in `obj.fields` order:
    each binary field's cell is the SHA-256 of the record's file."""
    opener = gzip.open if obj.path.name.endswith(".gz") else open
    with opener(obj.path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text, strict=True)
        next(reader, None)
        yield _with_blobs(obj, reader) if obj.blobs else reader


def _with_blobs(obj: BackupObject, rows: Iterator[list[str]]) -> Iterator[list[str]]:
    at = obj.fields.index("Id")
    hashes = list(obj.blobs.values())
    for row in rows:
        yield row + [by_id.get(row[at], "") for by_id in hashes]


@contextmanager
def records_of(obj: BackupObject) -> Iterator[Iterator[dict]]:
    """The rows of an object as {field: text}."""
    fields = obj.fields
    with rows_of(obj) as rows:
        yield (dict(zip(fields, row, strict=False)) for row in rows)
