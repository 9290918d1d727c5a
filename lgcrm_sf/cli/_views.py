"""The human form of each command's result (and its JSON form where it is not the result's
own): what `_render.show` prints without --json. Remote text goes into `Text` or a line with
markup off; only our own words carry styles."""

from __future__ import annotations

from rich.table import Table as _RichTable
from rich.text import Text

from ..i18n import _
from ._render import Table, failure, human_bytes, line, out, show_rows

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "unknown": "magenta"}


def _pairs(rows) -> _RichTable:
    """Key and value, one pair a row, without a frame."""
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, Text(value))  # remote text: printed as is, never as markup
    return table


# --- connect, check-prereqs, profiles ---------------------------------------------------------
def identity_table(identity) -> _RichTable:
    return _pairs(
        [
            ("Org", f"{identity.org_name} ({identity.org_id})"),
            ("Edition", identity.edition + (" (sandbox)" if identity.is_sandbox else "")),
            ("User", f"{identity.user_name} <{identity.username}> ({identity.user_id})"),
            ("Instance", identity.instance_url),
        ]
    )


def connected(result) -> None:
    line(f"Connected profile '{result.profile}' to {result.identity.org_name}.", "green")
    if result.secrets_source == "environment":
        line(
            "No OS keyring is available: secrets were not stored. Later commands read them "
            "from the same environment variables.",
            "yellow",
        )
    else:
        line("Secrets are in the OS keyring. Next: `lgcrm-sf check-prereqs`.")


def connected_json(result) -> dict:
    return {
        "profile": result.profile,
        "connected": True,
        "secrets": result.secrets_source,
        **result.identity.as_dict(),
    }


def prereqs(report) -> None:
    table = Table(title="Salesforce prerequisites", show_lines=True)
    for column in ("Check", "Status", "Evidence", "How to fix"):
        table.add_column(column)
    for check in report.checks:
        style = STATUS_STYLE[check.status]
        table.add_row(
            check.title,
            f"[{style}]{check.status}[/]",
            Text(check.evidence),
            Text(check.remediation or ""),
        )
    out.print(table)
    line(
        "All prerequisites pass."
        if report.ok
        else "Some prerequisites need attention: see 'How to fix'.",
        "green" if report.ok else "red",
    )


def profiles(listing) -> None:
    if listing.profiles:
        show_rows(
            f"Profiles in {listing.home}",
            listing.profiles,
            ["profile", "connected", "org_name", "username"],
        )
    else:
        line(f"No profiles in {listing.home} yet: `lgcrm-sf connect` creates one.")


# --- the Lead Gen & CRM side ------------------------------------------------------------------
def import_report(report, noun: str = "rows") -> None:
    data = report.as_dict()
    counts = ", ".join(
        f"{k.replace('_', ' ')} {v:,}" for k, v in data.items() if isinstance(v, int) and k != "bad"
    )
    line(f"{report.file}: {counts}, bad {report.bad:,}")
    for warning in data.get("warnings", []):
        line(f"warning: {warning}", "yellow")
    for bad in report.bad_rows:
        line(f"{report.file} line {bad['line']}: {bad['reason']}", "red")
    if report.bad > len(report.bad_rows):
        line(f"... and {report.bad - len(report.bad_rows):,} more bad {noun}", "red")


def people(page) -> None:
    show_rows(
        "Leads and contacts",
        page.people,
        ["id", "kind", "email", "first_name", "last_name", "company", "active"],
    )
    if page.total > len(page.people):
        line(
            f"showing {len(page.people):,} of {page.total:,}; use --limit {page.total} to see "
            "them all."
        )


def person(view: dict) -> None:
    someone = view["person"]
    state = "active" if view["active"] else f"deactivated: {view['deactivation_reason']}"
    out.print(
        Text(
            f"{someone['first_name'] or ''} {someone['last_name'] or ''} <{view['email']}> "
            f"({view['kind']}, {state})",
            style="bold",
        )
    )
    out.print(_pairs((k, str(v)) for k, v in someone.items() if v not in (None, "", {})))
    link = view.get("salesforce")
    out.print(
        Text(f"Salesforce: {link['object']} {link['id']}" if link else "Salesforce: not linked")
    )
    account = view.get("account")
    if account:
        lead = account["lead_id"] or "not in the account"
        out.print(
            Text(
                _("Lead Gen & CRM account: lead {lead} (copy read {at})").format(
                    lead=lead, at=account["refreshed_at"]
                )
            )
        )
    if view["opportunities"]:
        show_rows(
            "Opportunities",
            view["opportunities"],
            ["name", "stage", "amount", "close_date", "role"],
        )
    if view["events"]:
        show_rows("Events", view["events"], ["occurred_at", "kind", "details"])


# --- backups ----------------------------------------------------------------------------------
def backup_table(result) -> _RichTable:
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


def backup(result) -> None:
    out.print(backup_table(result))
    line(
        f"{result.rows:,} rows in {result.seconds:.1f} s with {result.api_calls} API calls: "
        f"{result.path}"
    )
    if result.complete:
        line(f"Next: lgcrm-sf backup verify {result.path}")


def verified(report) -> None:
    if report.objects:
        table = Table(title=f"Verify {report.path}")
        table.add_column("Object")
        table.add_column("Result")
        for check in report.objects:
            table.add_row(check.name, Text(check.detail, style="green" if check.ok else "bold red"))
        out.print(table)
    for problem in report.problems:
        line(problem, "red")
    line(
        "Backup verified." if report.ok else "The backup does NOT verify.",
        "green" if report.ok else "bold red",
    )


def verified_json(report) -> dict:
    return {
        "path": str(report.path),
        "ok": report.ok,
        "problems": report.problems,
        "objects": [vars(o) for o in report.objects],
    }


BACKUP_COLUMNS = ("Id", "Org", "Finished", "Objects", "Rows", "Size", "Complete", "Verified")


def backups(rows: list[dict]) -> None:
    if not rows:
        line("No backups yet: run `lgcrm-sf backup`.")
        return
    table = Table(title="Backup catalog")
    for column in (*BACKUP_COLUMNS, "Path"):
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
    out.print(table)


def backup_json(result, code: int, incomplete: str) -> dict:
    head = failure(code, "salesforce", incomplete, None) if code else {"ok": True, "exit_code": 0}
    return {
        **head,
        "path": str(result.path),
        "complete": result.complete,
        "rows": result.rows,
        "bytes": result.bytes,
        "api_calls": result.api_calls,
        "seconds": round(result.seconds, 3),
        "objects": result.manifest["objects"],
    }
