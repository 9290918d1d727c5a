"""Rendering for the CLI with rich: tables for people, JSON for machines. Text that comes from
Salesforce is printed with markup off, so a record can't inject formatting."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "unknown": "magenta"}


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
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
        table.add_row(key, value)
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


def _plain(text: str):
    from rich.text import Text

    return Text(text)
