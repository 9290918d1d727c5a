"""Binary field values on their way from a backup's files to the target org.

A backup row holds, for a binary (base64) field, the SHA-256 of the record's file
(backup_files.py); the file itself is `<Object>.<Field>/<source id>` in the backup. A write
sends the bytes as base64 text in the JSON of a REST create or update, which Salesforce takes in
sObject Collections too; Bulk API 2.0 ingest does not take base64 fields, so objects written
with files always go through REST. The batches are cut by size as well as by count, and a record
whose files alone pass the batch size goes by itself, as multipart (salesforce/blob_writes.py)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .target import ObjectSpec


def encoded_bytes(size: int) -> int:
    """The length of `size` bytes as base64 text."""
    return 4 * ((size + 2) // 3)


def files(spec: ObjectSpec, source_id: str, values: dict[str, str]) -> dict[str, Path]:
    """The files a write of these values sends, by field."""
    return {
        name: spec.backup.blob_path(name, source_id)
        for name in spec.binary_fields
        if values.get(name)
    }


def inline(spec: ObjectSpec, source_id: str, values: dict[str, str]) -> dict[str, str]:
    """The files as base64 text, for the JSON of a write."""
    return {
        name: base64.b64encode(path.read_bytes()).decode("ascii")
        for name, path in files(spec, source_id, values).items()
    }


def size(spec: ObjectSpec, source_id: str, values: dict[str, str]) -> int:
    """The base64 text a write of these values carries."""
    return sum(
        encoded_bytes(spec.backup.blob_bytes(name, source_id))
        for name in spec.binary_fields
        if values.get(name)
    )


def sized_batches(
    items: Iterable, records: int, limit: int, size_of: Callable[[object], int]
) -> Iterator[list]:
    """Batches of at most `records` items and `limit` bytes of files (an item past the limit
    on its own makes a batch of one)."""
    batch: list = []
    total = 0
    for item in items:
        weight = size_of(item)
        if batch and (len(batch) == records or total + weight > limit):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += weight
    if batch:
        yield batch
