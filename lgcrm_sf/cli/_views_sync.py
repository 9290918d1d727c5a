"""The human and JSON forms of the sync's commands: mapping checks, a sync run, conflicts and
status (the others are in _views.py)."""

from __future__ import annotations

from ..engine import apply, engagements, matching
from ..errors import ExitCode
from ..formats import moment, number
from ..i18n import N_, Deferred, _, ngettext, reread, shown
from ._render import Table, failure, line, out, show_rows

# --- mapping ----------------------------------------------------------------------------------


def mapping_errors_message(report) -> str:
    count = len(report.errors)
    return ngettext(
        "the mapping {source} has {count} error.", "the mapping {source} has {count} errors.", count
    ).format(source=report.source, count=count)


def mapping_report(report) -> None:
    for problem in report.problems:
        line(str(problem), "red" if problem.severity == "error" else "yellow")
    scope = (
        _("our fields and the connected org")
        if report.checked_against_org
        else _("our fields only ({reason})").format(reason=report.not_checked)
    )
    if report.checked_against_account:
        scope = _("{scope} and the connected Lead Gen & CRM account").format(scope=scope)
    elif report.account_not_checked:
        scope = _("{scope}; not the account: {reason}").format(
            scope=scope, reason=report.account_not_checked
        )
    count = len(report.errors)
    verdict = (
        _("valid")
        if not count
        else ngettext("{count} error", "{count} errors", count).format(count=count)
    )
    line(
        _("{source}: {verdict}; checked against {scope}.").format(
            source=report.source, verdict=verdict, scope=scope
        ),
        "green" if not report.errors else "bold red",
    )


def mapping_report_json(report) -> dict:
    if report.errors:
        head = failure(
            int(ExitCode.CONFIG),
            "config",
            mapping_errors_message(report),  # print_json writes it in English
            _("correct the lines listed in problems and validate it again."),
        )
    else:
        head = {"ok": True, "exit_code": 0}
    return {
        **head,
        "file": report.source,
        "checked_against_org": report.checked_against_org,
        "not_checked": report.not_checked,
        "checked_against_account": report.checked_against_account,
        "account_not_checked": report.account_not_checked,
        "problems": [p.as_dict() for p in report.problems],
    }


def mapping_used(result, profile_name: str) -> None:
    for problem in result.warnings:
        line(str(problem), "yellow")
    line(
        _("Profile '{profile}' now syncs with {path}.").format(
            profile=profile_name, path=result.path
        )
    )
    if not result.checked_against_org:
        line(
            _(
                "Not checked against Salesforce: {reason}. Field names, types and picklist "
                "values are checked before the next sync writes anything."
            ).format(reason=result.not_checked),
            "yellow",
        )
    if result.account_not_checked:
        line(
            _("Not checked against the Lead Gen & CRM account: {reason}.").format(
                reason=result.account_not_checked
            ),
            "yellow",
        )


def mapping_used_json(result) -> dict:
    return {
        "ok": True,
        "mapping": result.path,
        "checked_against_org": result.checked_against_org,
        "not_checked": result.not_checked,
        "checked_against_account": result.checked_against_account,
        "account_not_checked": result.account_not_checked,
        "warnings": [p.as_dict() for p in result.warnings],
    }


# --- sync -------------------------------------------------------------------------------------
SUMMARY_LABELS = {
    "created_in_salesforce": N_("new SF"),
    "created_here": N_("new here"),
    "updated_in_salesforce": N_("upd SF"),
    "updated_here": N_("upd here"),
    "linked": N_("linked"),
    "deactivated": N_("deact"),
    "relinked": N_("relink"),
    "conflicts": N_("confl"),
    "errors": N_("errors"),
    "skipped": N_("skip"),
}
# A run's status (the JSON's `status`), as people read it.
STATUS_WORDS = {
    "ok": N_("ok"),
    "record_errors": N_("record errors"),
    "quota": N_("quota reserve reached"),
    "dry_run": N_("dry run"),
    "failed": N_("failed"),
    "interrupted": N_("interrupted"),
}
MESSAGES_SHOWN = 20  # a run's messages in a terminal; the log and --json have them all
# The record errors the sync itself words, stored in English and read again here.
STORED_ERRORS = (
    apply.UNPROCESSED,
    matching.MESSAGES["ambiguous_error"],
    engagements.MESSAGES["refused"],
)


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


def _plan_cell(key: str, value):
    """A plan's cell as the person reads it: the sync's own words translated (its rules are
    marked with N_ where they are decided), the data as it is."""
    if isinstance(value, Deferred):
        return value.shown()
    return _(value) if key == "rule" and isinstance(value, str) and value else value


def _dry_run_plan(result) -> None:
    show_rows(
        ngettext(
            "Dry run: {count} planned change; nothing was written",
            "Dry run: {count} planned changes; nothing was written",
            result.plan_total,
        ).format(count=number(result.plan_total)),
        [{k: _plan_cell(k, v) for k, v in item.items()} for item in result.plan],
        ["email", "object", "field", "from", "to", "side", "rule"],
    )
    if result.plan_total > len(result.plan):
        more = number(result.plan_total - len(result.plan))
        line(_("... and {count} more.").format(count=more))
    if result.plan_file:
        line(_("The whole plan, one JSON line per change: {path}").format(path=result.plan_file))


def sync_report(run) -> None:
    result = run[0]
    if result.mapping_source.startswith("<"):
        line(
            _(
                "Using the built-in default mapping (set your own with "
                "`lgcrm-sf mapping use FILE`)."
            ),
            "yellow",
        )
    if result.status == "dry_run":
        _dry_run_plan(result)
    status = _(STATUS_WORDS.get(result.status, result.status))
    table = Table(title=_("Sync run {run}: {status}").format(run=result.run_id, status=status))
    table.add_column(_("Object"))
    for column in SUMMARY_LABELS:  # the engine's counters, in its order
        table.add_column(_(SUMMARY_LABELS[column]), justify="right")
    for sobject, counts in result.summary.items():
        if sobject != "account":
            table.add_row(sobject, *(number(counts[c]) for c in SUMMARY_LABELS))
    out.print(table)
    account = result.summary.get("account")
    if account:  # the real Lead Gen & CRM account: its own counters
        done = ", ".join(f"{k} {number(v)}" for k, v in account.items() if v)
        line(_("Lead Gen & CRM account: {counts}.").format(counts=done or _("nothing to do")))
    usage = (
        _("; org usage {used}/{max}").format(
            used=number(result.api_used), max=number(result.api_max)
        )
        if result.api_used is not None
        else ""
    )
    calls = ngettext("{count} API call", "{count} API calls", result.api_calls)
    line(
        _("{calls}{usage}; {seconds} s.").format(
            calls=calls.format(count=number(result.api_calls)),
            usage=usage,
            seconds=number(result.seconds, 1),
        )
    )
    for message in result.messages[:MESSAGES_SHOWN]:
        line(shown(message), "yellow")
    if len(result.messages) > MESSAGES_SHOWN:
        line(
            _("... and {count} more messages (see the log or --json).").format(
                count=number(len(result.messages) - MESSAGES_SHOWN)
            ),
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


def _record_error(text: str | None) -> str | None:
    """A record error as status --json has it (`CODE: message`), the sync's own words
    translated: Salesforce's messages stay as Salesforce wrote them."""
    code, colon, message = (text or "").partition(": ")
    if colon and code.isupper():
        return f"{code}: {reread(message, STORED_ERRORS)}"
    return reread(text, STORED_ERRORS)


def status_report(data: dict) -> None:
    org = data["org"]
    state = _("connected") if data["connected"] else _("not connected")
    line(
        _("Profile {profile}: {state} to {org} ({org_id}) as {username}").format(
            profile=data["profile"],
            state=state,
            org=org["name"] or "-",
            org_id=org["id"] or "-",
            username=data["username"] or "-",
        )
    )
    mapping = data["mapping"]
    if mapping.startswith("<"):
        mapping = _("<built-in default mapping>")
    line(_("Mapping: {mapping}").format(mapping=mapping))
    line(_("Log: {path}").format(path=data["log_file"]))
    if data["api_usage"]:
        usage = data["api_usage"]
        line(
            _("API usage: {used}/{max} (as of {when})").format(
                used=number(usage["used"]), max=number(usage["max"]), when=moment(usage["as_of"])
            )
        )
    line(
        _("Pending record errors: {errors}; open conflicts: {conflicts}").format(
            errors=number(data["pending_errors"]), conflicts=number(data["open_conflicts"])
        )
    )
    if data["last_runs"]:
        show_rows(
            _("Last runs"),
            data["last_runs"],
            ["id", "command", "started_at", "finished_at", "status", "exit_code"],
        )
    if data["record_errors"]:
        show_rows(
            _("Record errors (retried at every sync)"),
            [{**e, "message": _record_error(e["message"])} for e in data["record_errors"]],
            ["object", "record_id", "email", "field", "message", "last_seen", "attempts"],
        )
    if data["cursors"]:
        show_rows(_("Cursors"), data["cursors"], ["stream", "value", "updated_at"])
