"""The per-record results of a `migrate sales` run, `<profile>/migrations/<run>/results.csv`
(object, source_id, salesforce_id, action, error): streamed to `results.csv.part` as each batch
settles, renamed to results.csv when the run ends (a run killed midway leaves the .part, with
every record it had settled)."""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from pathlib import Path

HEADER = ("object", "source_id", "salesforce_id", "action", "error")


class ResultsFile:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = directory / "results.csv"
        self.part = directory / "results.csv.part"
        fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.handle = os.fdopen(fd, "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(HEADER)
        self.tally: dict[str, Counter] = defaultdict(Counter)

    def add(self, sobject: str, source_id, sf_id, action: str, error: str = "") -> None:
        self.writer.writerow((sobject, source_id, sf_id or "", action, error or ""))
        self.tally[sobject][action] += 1

    def flush(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> Path:
        self.flush()
        self.handle.close()
        os.replace(self.part, self.path)
        return self.path
