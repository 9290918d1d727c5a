"""Progress on stderr, so a command's stdout (its JSON above all) stays clean: per-object bars
for a backup, and the phase of a sync on one line that rewrites itself, in a terminal only."""

from __future__ import annotations

from ..formats import number
from ..i18n import _
from ._render import err


class BackupProgressBars:
    """Per-object progress bars (rows and rows/s) on stderr, so --json stdout stays clean."""

    def __init__(self, enabled: bool = True) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(_("rows  {task.fields[rate]:>10} rows/s  {task.fields[api]}")),
            TimeElapsedColumn(),
            console=err,
            disable=not enabled,
        )
        self.tasks = {}

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()

    def object_started(self, name, total, api):
        self.tasks[name] = self.progress.add_task(name, total=total, rate="-", api=api)

    def rows_written(self, name, rows):
        task = self.tasks[name]
        elapsed = self.progress.tasks[task].elapsed or 0
        rate = number(round(rows / elapsed)) if elapsed > 0 else "-"
        self.progress.update(task, completed=rows, rate=rate)

    def object_finished(self, result):
        task = self.tasks.get(result.name)
        if task is None:
            task = self.progress.add_task(result.name, total=1, rate="-", api=result.api)
        self.progress.update(
            task,
            completed=result.rows,
            total=result.rows or 1,
            description=result.name + (_(" (failed)") if result.status != "ok" else ""),
        )


class SyncProgress:
    """The phase a sync is in, its records and API calls, on one line of stderr that rewrites
    itself: only in a terminal (a pipe or a cron log gets nothing extra), never with --json."""

    def __init__(self, wanted: bool) -> None:
        self.enabled = wanted and err.is_terminal
        self.status = None

    def __enter__(self) -> SyncProgress:
        if self.enabled:
            self.status = err.status(_("starting the sync"))
            self.status.__enter__()
        return self

    def update(self, phase: str, records: int, api_calls: int) -> None:
        if self.status is not None:
            done = _(", {count} records").format(count=number(records)) if records else ""
            self.status.update(
                _("{phase}{done} ({calls} API calls so far)").format(
                    phase=phase, done=done, calls=number(api_calls)
                )
            )

    def stop(self) -> None:
        if self.status is not None:
            self.status.__exit__(None, None, None)
            self.status = None

    def __exit__(self, *exc) -> None:
        self.stop()
