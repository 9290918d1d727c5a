"""Where one object's CSV goes while a backup writes it: a private file, plain or gzip, hashed
and measured as the bytes arrive, so the manifest's size and SHA-256 cost no second read."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path


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
