"""The human and JSON forms of the sync's commands: mapping checks, a sync run, conflicts and
status (the others are in _views.py)."""

from __future__ import annotations

from ..errors import ExitCode
from ..i18n import _
from ._render import Table, failure, line, out, show_rows

# --- mapping ----------------------------------------------------------------------------------


def mapping_errors_message(report) -> str:
    return f"the mapping {report.source} has {len(report.errors)} error(s)."


def mapping_report(report) -> None:
    for problem in report.problems:
        line(str(problem), "red" if problem.severity == "error" else "yellow")
    scope = (
        "our fields and the connected org"
        if report.checked_against_org
        else f"our fields only ({report.not_checked})"
    )
    verdict = "valid" if not report.errors else f"{len(report.errors)} error(s)"
    line(
        f"{report.source}: {verdict}; checked against {scope}.",
        "green" if not report.errors else "bold red",
    )


def mapping_report_json(report) -> dict:
    if report.errors:
        head = failure(
            int(ExitCode.CONFIG),
            "config",
            mapping_errors_message(report),
            "correct the lines listed in problems and validate it again.",
        )
    else:
        head = {"ok": True, "exit_code": 0}
    return {
        **head,
        "file": report.source,
        "checked_against_org": report.checked_against_org,
        "not_checked": report.not_checked,
        "problems": [p.as_dict() for p in report.problems],
    }


def mapping_used(result, profile_name: str) -> None:
    for problem in result.warnings:
        line(str(problem), "yellow")
    line(f"Profile '{profile_name}' now syncs with {result.path}.")
    if not result.checked_against_org:
        line(
            f"Not checked against Salesforce: {result.not_checked}. Field names, types and "
            "picklist values are checked before the next sync writes anything.",
            "yellow",
        )


def mapping_used_json(result) -> dict:
    return {
        "ok": True,
        "mapping": result.path,
        "checked_against_org": result.checked_against_org,
        "not_checked": result.not_checked,
        "warnings": [p.as_dict() for p in result.warnings],
    }


# --- sync -------------------------------------------------------------------------------------
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
MESSAGES_SHOWN = 20  # a run's messages in a terminal; the log and --json have them all


def sync_json(run) -> dict:
    """`run` is (the SyncResult, the exit code)."""
    result, code = run
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


def _dry_run_plan(result) -> None:
    show_rows(
        f"Dry run: {result.plan_total:,} planned change(s); nothing was written",
        result.plan,
        ["email", "object", "field", "from", "to", "side", "rule"],
    )
    if result.plan_total > len(result.plan):
        line(f"... and {result.plan_total - len(result.plan):,} more.")
    if result.plan_file:
        line(f"The whole plan, one JSON line per change: {result.plan_file}")


def sync_report(run) -> None:
    result, _code = run
    if result.mapping_source.startswith("<"):
        line(
            "Using the built-in default mapping (set your own with `lgcrm-sf mapping use FILE`).",
            "yellow",
        )
    if result.status == "dry_run":
        _dry_run_plan(result)
    table = Table(title=f"Sync run {result.run_id}: {result.status}")
    table.add_column("Object")
    for column in SUMMARY_LABELS:  # the engine's counters, in its order
        table.add_column(SUMMARY_LABELS[column], justify="right")
    for sobject, counts in result.summary.items():
        if sobject != "account":
            table.add_row(sobject, *(f"{counts[c]:,}" for c in SUMMARY_LABELS))
    out.print(table)
    account = result.summary.get("account")
    if account:  # the real Lead Gen & CRM account: its own counters
        shown = ", ".join(f"{k} {v:,}" for k, v in account.items() if v)
        line(_("Lead Gen & CRM account: {counts}.").format(counts=shown or _("nothing to do")))
    usage = (
        f"; org usage {result.api_used:,}/{result.api_max:,}" if result.api_used is not None else ""
    )
    line(f"{result.api_calls} API call(s){usage}; {result.seconds:.1f} s.")
    for message in result.messages[:MESSAGES_SHOWN]:
        line(message, "yellow")
    if len(result.messages) > MESSAGES_SHOWN:
        line(
            f"... and {len(result.messages) - MESSAGES_SHOWN} more messages (see the log or "
            "--json).",
            "yellow",
        )


# --- conflicts and status ---------------------------------------------------------------------
CONFLICT_COLUMNS = [
    "id",
    "email",
    "sf_object",
    "field",
    "leadgen_value",
    "salesforce_value",
    "mirror_value",
    "winner",
    "rule",
    "at",
    "status",
]


def status_report(data: dict) -> None:
    org = data["org"]
    state = "connected" if data["connected"] else "not connected"
    line(
        f"Profile {data['profile']}: {state} to {org['name'] or '-'} ({org['id'] or '-'}) as "
        f"{data['username'] or '-'}"
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
