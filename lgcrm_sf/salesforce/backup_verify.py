"""backup verify: re-hash every file, re-count every row, check the manifest's structure, and
report each object ok or the exact mismatch. Reads only the backup directory. The files of
binary fields (backup_blobs.py) are checked like the CSVs: present, same size, same SHA-256."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _
from .backup import FORMAT

MANIFEST_KEYS = {
    "format": str,
    "org": dict,
    "user": dict,
    "api_version": str,
    "started_at": str,
    "finished_at": str,
    "include_deleted": bool,
    "compressed": bool,
    "complete": bool,
    "objects": list,
}
OBJECT_KEYS = {
    "name": str,
    "file": str,
    "api": str,
    "query": str,
    "fields": list,
    "rows": int,
    "bytes": int,
    "sha256": str,
    "status": str,
}

MESSAGES = {
    "no_manifest": N_("no manifest.json in {path}: not a backup directory, or it was interrupted"),
    "bad_json": N_("manifest.json is not valid JSON: {detail}"),
    "missing_key": N_("manifest.json: {where} lacks {key!r}"),
    "bad_type": N_("manifest.json: {where}.{key} should be {kind}"),
    "bad_format": N_("manifest.json: unknown format {value!r} (expected {FORMAT})"),
    "missing_file": N_("{file} is missing"),
    "size": N_("{file} has {actual} bytes, the manifest says {expected}"),
    "sha": N_("{file} SHA-256 is {actual}, the manifest says {expected}"),
    "rows": N_("{file} has {actual} rows, the manifest says {expected}"),
    "header": N_("{file} header does not match the manifest's field list"),
    "unreadable": N_("{file} cannot be read as CSV: {detail}"),
    "failed": N_("the backup of this object failed: {detail}"),
    "bad_blob": N_("manifest.json: objects[{index}].blobs has an entry that is not a file record"),
    "incomplete": N_("the manifest marks this backup incomplete"),
}


@dataclass
class ObjectCheck:
    name: str
    ok: bool
    detail: str = "ok"


@dataclass
class VerifyReport:
    path: Path
    ok: bool
    manifest: dict | None
    objects: list[ObjectCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _structure(manifest) -> list[str]:
    problems = []
    if not isinstance(manifest, dict):
        return [_(_(MESSAGES["bad_type"])).format(where="manifest", key="", kind="an object")]
    for key, kind in MANIFEST_KEYS.items():
        if key not in manifest:
            problems.append(_(MESSAGES["missing_key"]).format(where="the manifest", key=key))
        elif not isinstance(manifest[key], kind):
            problems.append(
                _(_(MESSAGES["bad_type"])).format(where="manifest", key=key, kind=kind.__name__)
            )
    if manifest.get("format") not in (None, FORMAT):
        problems.append(
            _(MESSAGES["bad_format"]).format(value=manifest.get("format"), FORMAT=FORMAT)
        )
    for i, obj in enumerate(manifest.get("objects") or []):
        for key, kind in OBJECT_KEYS.items():
            where = f"objects[{i}]"
            if not isinstance(obj, dict) or key not in obj:
                problems.append(_(MESSAGES["missing_key"]).format(where=where, key=key))
            elif not isinstance(obj[key], kind) or isinstance(obj[key], bool) and kind is int:
                problems.append(
                    _(_(MESSAGES["bad_type"])).format(where=where, key=key, kind=kind.__name__)
                )
        blobs = obj.get("blobs", []) if isinstance(obj, dict) else []
        if not isinstance(blobs, list) or not all(_blob_entry_ok(b) for b in blobs):
            problems.append(_(MESSAGES["bad_blob"]).format(index=i))
    if isinstance(manifest.get("org"), dict) and "id" not in manifest["org"]:
        problems.append(_(MESSAGES["missing_key"]).format(where="org", key="id"))
    return problems


def _blob_entry_ok(entry) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return False
    if entry.get("file") is None:  # a value Salesforce no longer had: recorded, not stored
        return isinstance(entry.get("missing"), str)
    return (
        isinstance(entry["file"], str)
        and isinstance(entry.get("bytes"), int)
        and isinstance(entry.get("sha256"), str)
    )


def _hash_and_size(path: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _count_rows(path: Path) -> tuple[list[str], int]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text, strict=True)
        header = next(reader, [])
        rows = sum(1 for _ in reader)
    return header, rows


def verify(path: Path) -> VerifyReport:
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        return VerifyReport(
            path, False, None, problems=[_(_(MESSAGES["no_manifest"])).format(path=path)]
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return VerifyReport(
            path, False, None, problems=[_(_(MESSAGES["bad_json"])).format(detail=exc)]
        )
    problems = _structure(manifest)
    report = VerifyReport(path, False, manifest, problems=problems)
    if problems:
        return report
    if not manifest["complete"]:
        report.problems.append(_(MESSAGES["incomplete"]))
    for obj in manifest["objects"]:
        report.objects.append(_check_object(path, obj))
    report.ok = not report.problems and all(o.ok for o in report.objects)
    return report


def _check_object(path: Path, obj: dict) -> ObjectCheck:
    """Every mismatch of one object's file, not only the first: a removed row shows as a row
    count, a size and a hash that all differ."""
    name, file = obj["name"], obj["file"]
    if obj["status"] != "ok":
        return ObjectCheck(name, False, _(_(MESSAGES["failed"])).format(detail=obj.get("error")))
    target = path / file
    if not target.is_file() or target.parent != path:
        return ObjectCheck(name, False, _(_(MESSAGES["missing_file"])).format(file=file))
    problems = []
    try:
        header, rows = _count_rows(target)
        if header != obj["fields"]:
            problems.append(_(MESSAGES["header"]).format(file=file))
        if rows != obj["rows"]:
            problems.append(
                _(MESSAGES["rows"]).format(file=file, actual=rows, expected=obj["rows"])
            )
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, gzip.BadGzipFile) as exc:
        problems.append(_(MESSAGES["unreadable"]).format(file=file, detail=exc))
        rows = None
    problems += _check_file(path, file, obj["bytes"], obj["sha256"])
    blobs = [b for b in obj.get("blobs", []) if b.get("file") is not None]
    for blob in blobs:
        problems += _check_file(path, blob["file"], blob["bytes"], blob["sha256"])
    if problems:
        return ObjectCheck(name, False, "; ".join(problems))
    files = _(", {count} binary files").format(count=len(blobs)) if blobs else ""
    return ObjectCheck(
        name, True, _("{rows} rows{files}, sha256 ok").format(rows=rows, files=files)
    )


def _check_file(path: Path, file: str, expected_bytes: int, expected_sha: str) -> list[str]:
    """Size and hash of one file of the backup; a name leading outside it is missing."""
    target = (path / file).resolve()
    if not target.is_file() or path.resolve() not in target.parents:
        return [_(_(MESSAGES["missing_file"])).format(file=file)]
    problems = []
    sha, size = _hash_and_size(target)
    if size != expected_bytes:
        problems.append(_(MESSAGES["size"]).format(file=file, actual=size, expected=expected_bytes))
    if sha != expected_sha:
        problems.append(_(MESSAGES["sha"]).format(file=file, actual=sha, expected=expected_sha))
    return problems
