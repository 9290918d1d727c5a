"""An external merge sort of CSV rows by one column, on disk: rows are read in runs that fit a
memory budget, each run sorted and written to a temporary file, and the runs merged as they are
read back. Memory holds one run and one row per run file, whatever the number of rows; a file
that fits in one run is sorted in memory and never written."""

from __future__ import annotations

import csv
import heapq
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

RUN_BYTES = 16 * 1024 * 1024  # text held in memory per run (rows take ~3x that as Python objects)
ROW_OVERHEAD = 64


@contextmanager
def sorted_rows(
    rows: Iterable[list[str]], key_index: int, workdir: Path, run_bytes: int = RUN_BYTES
) -> Iterator[Iterator[list[str]]]:
    """Rows sorted by `row[key_index]` (plain string order: both sides of a join must use the
    same). The temporary run files live in `workdir` until the context ends."""
    key = itemgetter(key_index)
    with tempfile.TemporaryDirectory(prefix="sort-", dir=workdir) as scratch:
        runs, last = _write_runs(rows, key, Path(scratch), run_bytes)
        if not runs:
            yield iter(sorted(last, key=key))
            return
        if last:
            runs.append(_write_run(sorted(last, key=key), Path(scratch), len(runs)))
        handles = [open(path, encoding="utf-8", newline="") for path in runs]  # noqa: SIM115
        try:
            yield heapq.merge(*(csv.reader(h) for h in handles), key=key)
        finally:
            for handle in handles:
                handle.close()


def _write_runs(rows, key, scratch: Path, run_bytes: int) -> tuple[list[Path], list]:
    """Sorted run files of every full run; the last, partial run is handed back unsorted."""
    runs: list[Path] = []
    run: list[list[str]] = []
    size = 0
    for row in rows:
        run.append(row)
        size += sum(len(cell) for cell in row) + ROW_OVERHEAD
        if size >= run_bytes:
            run.sort(key=key)
            runs.append(_write_run(run, scratch, len(runs)))
            run, size = [], 0
    return runs, run


def _write_run(run: list[list[str]], scratch: Path, number: int) -> Path:
    path = scratch / f"run-{number:05d}.csv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(run)
    return path
