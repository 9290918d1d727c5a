"""Rendering for the CLI with rich: tables for people, JSON for machines. Text that comes from
Salesforce is printed with markup off, so a record can't inject formatting."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table as _RichTable
from rich.text import Text


class Table(_RichTable):
    """A rich Table whose cells wrap (fold), never cut with an ellipsis: keys stay whole."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "unknown": "magenta"}


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_json_line(data) -> None:
    """One compact line: a cron log of runs stays valid JSON Lines."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def line(text: str, style: str | None = None) -> None:
    out.print(text, style=style, markup=False, soft_wrap=True)


def identity_table(identity) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("Org", f"{identity.org_name} ({identity.org_id})"),
        ("Edition", identity.edition + (" (sandbox)" if identity.is_sandbox else "")),
        ("User", f"{identity.user_name} <{identity.username}> ({identity.user_id})"),
        ("Instance", identity.instance_url),
    ]
    for key, value in rows:
        table.add_row(key, Text(value))  # remote text: printed as is, never as markup
    return table


def checks_table(checks) -> Table:
    table = Table(title="Salesforce prerequisites", show_lines=True)
    table.add_column("Check")
    table.add_column("Status")
    table.add_column("Evidence")
    table.add_column("How to fix")
    for check in checks:
        style = STATUS_STYLE[check.status]
        table.add_row(
            check.title,
            f"[{style}]{check.status}[/]",
            _plain(check.evidence),
            _plain(check.remediation or ""),
        )
    return table


def _plain(text: str) -> Text:
    return Text(text)


def human_bytes(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


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
            TextColumn("rows  {task.fields[rate]:>10} rows/s  {task.fields[api]}"),
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
        rate = f"{rows / elapsed:,.0f}" if elapsed > 0 else "-"
        self.progress.update(task, completed=rows, rate=rate)

    def object_finished(self, result):
        task = self.tasks.get(result.name)
        if task is None:
            task = self.progress.add_task(result.name, total=1, rate="-", api=result.api)
        self.progress.update(
            task,
            completed=result.rows,
            total=result.rows or 1,
            description=result.name + (" (failed)" if result.status != "ok" else ""),
        )


def backup_table(result) -> Table:
    table = Table(title=f"Backup {result.path.name}")
    for column in ("Object", "API", "Rows", "Size", "SHA-256", "Seconds", "Status"):
        table.add_column(
            column, justify="right" if column in ("Rows", "Size", "Seconds") else "left"
        )
    for obj in result.objects:
        status = "[green]ok[/]" if obj.status == "ok" else "[bold red]failed[/]"
        table.add_row(
            obj.name,
            obj.api,
            f"{obj.rows:,}",
            human_bytes(obj.bytes),
            obj.sha256[:12],
            f"{obj.seconds:.1f}",
            status,
        )
    return table


def verify_table(report) -> Table:
    table = Table(title=f"Verify {report.path}")
    table.add_column("Object")
    table.add_column("Result")
    for check in report.objects:
        style = "green" if check.ok else "bold red"
        table.add_row(check.name, Text(check.detail, style=style))
    return table


def backups_table(rows) -> Table:
    table = Table(title="Backup catalog")
    for column in (
        "Id",
        "Org",
        "Finished",
        "Objects",
        "Rows",
        "Size",
        "Complete",
        "Verified",
        "Path",
    ):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["org_id"] or "",
            row["finished_at"] or "",
            str(row["objects"]),
            f"{row['rows'] or 0:,}",
            human_bytes(row["bytes"] or 0),
            "yes" if row["complete"] else "no",
            "yes" if row["verified"] else "no",
            Text(row["path"] or ""),
        )
    return table


class SyncProgress:
    """The phase a sync is in, its records and API calls, on one line of stderr that rewrites
    itself: only in a terminal (a pipe or a cron log gets nothing extra), never with --json."""

    def __init__(self, wanted: bool) -> None:
        self.enabled = wanted and err.is_terminal
        self.status = None

    def __enter__(self) -> SyncProgress:
        if self.enabled:
            self.status = err.status("starting the sync")
            self.status.__enter__()
        return self

    def update(self, phase: str, records: int, api_calls: int) -> None:
        if self.status is not None:
            done = f", {records:,} records" if records else ""
            self.status.update(f"{phase}{done} ({api_calls:,} API calls so far)")

    def stop(self) -> None:
        if self.status is not None:
            self.status.__exit__(None, None, None)
            self.status = None

    def __exit__(self, *exc) -> None:
        self.stop()


class Records:
    """Rows as a table when it fits the terminal, else one `column: value` line per field and a
    blank line between rows: a key (an e-mail, a path, an id, a number) is never cut short, at
    80 columns or in a pipe."""

    def __init__(self, title: str, rows: list[dict], columns: list[str]) -> None:
        self.title, self.rows, self.columns = title, rows, columns

    def _cells(self, row: dict) -> list[str]:
        return ["" if row.get(c) is None else str(row.get(c)) for c in self.columns]

    def natural_width(self) -> int:
        widths = [len(c) for c in self.columns]
        for row in self.rows:
            for i, cell in enumerate(self._cells(row)):
                widths[i] = max(widths[i], max((len(x) for x in cell.splitlines()), default=0))
        return sum(widths) + 3 * len(widths) + 1

    def table(self) -> Table:
        table = Table(title=self.title)
        for column in self.columns:
            table.add_column(column)
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in self._cells(row)))
        return table

    def show(self, console: Console) -> None:
        if self.natural_width() <= console.width:
            console.print(self.table())
            return
        console.print(Text(self.title, style="bold"))
        label = max(len(c) for c in self.columns)
        for row in self.rows:
            console.print()
            for column, cell in zip(self.columns, self._cells(row), strict=True):
                # Whole, on its line: the terminal may wrap it, nothing here cuts it.
                console.print(f"{column.rjust(label)}: {cell}", markup=False, soft_wrap=True)


def show_rows(title: str, rows: list[dict], columns: list[str], console=None) -> None:
    Records(title, rows, columns).show(console or out)


def person_panel(view: dict) -> None:
    person = view["person"]
    state = "active" if view["active"] else f"deactivated: {view['deactivation_reason']}"
    out.print(
        Text(
            f"{person['first_name'] or ''} {person['last_name'] or ''} <{view['email']}> "
            f"({view['kind']}, {state})",
            style="bold",
        )
    )
    fields = Table(show_header=False, box=None)
    fields.add_column(style="bold")
    fields.add_column()
    for key, value in person.items():
        if value not in (None, "", {}):
            fields.add_row(key, Text(str(value)))
    out.print(fields)
    link = view.get("salesforce")
    out.print(
        Text(f"Salesforce: {link['object']} {link['id']}" if link else "Salesforce: not linked")
    )
    if view["opportunities"]:
        show_rows(
            "Opportunities",
            view["opportunities"],
            ["name", "stage", "amount", "close_date", "role"],
        )
    if view["events"]:
        show_rows("Events", view["events"], ["occurred_at", "kind", "details"])


SUMMARY_LABELS = {
    "created_in_salesforce": "new SF",
    "created_here": "new here",
    "updated_in_salesforce": "upd SF",
    "updated_here": "upd here",
    "linked": "linked",
    "deactivated": "deact",
    "relinked": "relink",
    "conflicts": "confl",
    "errors": "errors",
    "skipped": "skip",
}


def sync_json(result, code: int) -> dict:
    return {
        "run": result.run_id,
        "status": result.status,
        "exit_code": code,
        "summary": result.summary,
        "api_calls": result.api_calls,
        "api_used": result.api_used,
        "api_max": result.api_max,
        "seconds": round(result.seconds, 3),
        "mapping": result.mapping_source,
        "messages": result.messages,
        "plan": result.plan if result.status == "dry_run" else [],
        "plan_total": result.plan_total,
        "plan_file": result.plan_file,
    }


def sync_report(result) -> None:
    if result.mapping_source.startswith("<"):
        line(
            "Using the built-in default mapping (set your own with `lgcrm-sf mapping use FILE`).",
            "yellow",
        )
    if result.status == "dry_run":
        show_rows(
            f"Dry run: {result.plan_total:,} planned change(s); nothing was written",
            result.plan,
            ["email", "object", "field", "from", "to", "side", "rule"],
        )
        if result.plan_total > len(result.plan):
            line(f"... and {result.plan_total - len(result.plan):,} more.")
        if result.plan_file:
            line(f"The whole plan, one JSON line per change: {result.plan_file}")
    table = Table(title=f"Sync run {result.run_id}: {result.status}")
    table.add_column("Object")
    for column in SUMMARY_LABELS:  # the engine's counters, in its order
        table.add_column(SUMMARY_LABELS[column], justify="right")
    for sobject, counts in result.summary.items():
        table.add_row(sobject, *(f"{counts[c]:,}" for c in SUMMARY_LABELS))
    out.print(table)
    usage = (
        f"; org usage {result.api_used:,}/{result.api_max:,}" if result.api_used is not None else ""
    )
    line(f"{result.api_calls} API call(s){usage}; {result.seconds:.1f} s.")
    for message in result.messages[:20]:
        line(message, "yellow")
    if len(result.messages) > 20:
        line(
            f"... and {len(result.messages) - 20} more messages (see the log or --json).", "yellow"
        )


def status_report(data: dict) -> None:
    org = data["org"]
    state = "connected" if data["connected"] else "not connected"
    line(
        f"Profile {data['profile']}: {state} to {org['name'] or '-'} ({org['id'] or '-'}) as {data['username'] or '-'}"
    )
    line(f"Mapping: {data['mapping']}")
    line(f"Log: {data['log_file']}")
    if data["api_usage"]:
        usage = data["api_usage"]
        line(f"API usage: {usage['used']:,}/{usage['max']:,} (as of {usage['as_of']})")
    line(
        f"Pending record errors: {data['pending_errors']}; open conflicts: {data['open_conflicts']}"
    )
    if data["last_runs"]:
        show_rows(
            "Last runs",
            data["last_runs"],
            ["id", "command", "started_at", "finished_at", "status", "exit_code"],
        )
    if data["record_errors"]:
        show_rows(
            "Record errors (retried at every sync)",
            data["record_errors"],
            ["object", "record_id", "email", "field", "message", "last_seen", "attempts"],
        )
    if data["cursors"]:
        show_rows("Cursors", data["cursors"], ["stream", "value", "updated_at"])
