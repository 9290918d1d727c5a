"""A backup directory as restore and diff read it: verified first, then each object's CSV
(plain or gzip) streamed row by row. Nothing here writes into the backup."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, VerifyFailed
from ..salesforce.backup_verify import verify

# A field value may be large (a long text area); the csv module's default limit is 128 KiB.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class BackupObject:
    name: str
    path: Path
    fields: list[str]
    rows: int


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
            o["name"]: BackupObject(o["name"], self.path / o["file"], o["fields"], o["rows"])
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
                f"{option}: the backup {self.path} holds no {', '.join(missing)} "
                f"(it holds {', '.join(sorted(held)) or 'nothing'}).",
                "name objects the backup holds, or take a backup that holds them.",
            )
        return [by_lower[name.lower()] for name in requested]


def open_verified(path: Path) -> BackupFiles:
    """The backup at `path`, refused unless it verifies (every file re-hashed, every row
    re-counted): a restore or a diff must not trust a damaged copy."""
    report = verify(Path(path).resolve())
    if not report.ok:
        details = report.problems + [f"{o.name}: {o.detail}" for o in report.objects if not o.ok]
        raise VerifyFailed(
            f"The backup {report.path} does not verify: {'; '.join(details[:5])}.",
            f"see `lgcrm-sf backup verify {report.path}`; use another backup.",
        )
    return BackupFiles(report.path, report.manifest)


@contextmanager
def rows_of(obj: BackupObject) -> Iterator[Iterator[list[str]]]:
    """The CSV rows of an object (the header row left out), as lists in `obj.fields` order."""
    opener = gzip.open if obj.path.name.endswith(".gz") else open
    with opener(obj.path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text, strict=True)
        next(reader, None)
        yield reader


@contextmanager
def records_of(obj: BackupObject) -> Iterator[Iterator[dict]]:
    """The rows of an object as {field: text}."""
    fields = obj.fields
    with rows_of(obj) as rows:
        yield (dict(zip(fields, row, strict=False)) for row in rows)
