"""The human form of each command's result (and its JSON form where it is not the result's
own): what `_render.show` prints without --json. Remote text goes into `Text` or a line with
markup off; only our own words carry styles."""

from __future__ import annotations

from rich.table import Table as _RichTable
from rich.text import Text

from ..engine import lifecycle
from ..formats import moment, number
from ..i18n import N_, _, reread
from ._render import Table, cell, failure, header, human_bytes, line, out, show_rows

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "unknown": "magenta"}
STATUS_WORDS = {
    "pass": N_("pass"),
    "warn": N_("warn"),
    "fail": N_("fail"),
    "unknown": N_("unknown"),
}


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
            (_("Org"), f"{identity.org_name} ({identity.org_id})"),
            (_("Edition"), identity.edition + (_(" (sandbox)") if identity.is_sandbox else "")),
            (_("User"), f"{identity.user_name} <{identity.username}> ({identity.user_id})"),
            (_("Instance"), identity.instance_url),
        ]
    )


def connected(result) -> None:
    line(
        _("Connected profile '{profile}' to {org}.").format(
            profile=result.profile, org=result.identity.org_name
        ),
        "green",
    )
    if result.secrets_source == "environment":
        line(
            _(
                "No OS keyring is available: secrets were not stored. Later commands read them "
                "from the same environment variables."
            ),
            "yellow",
        )
    else:
        line(_("Secrets are in the OS keyring. Next: `lgcrm-sf check-prereqs`."))


def connected_json(result) -> dict:
    return {
        "profile": result.profile,
        "connected": True,
        "secrets": result.secrets_source,
        **result.identity.as_dict(),
    }


def prereqs(report) -> None:
    table = Table(title=_("Salesforce prerequisites"), show_lines=True)
    for column in (_("Check"), _("Status"), _("Evidence"), _("How to fix")):
        table.add_column(column)
    for check in report.checks:
        style = STATUS_STYLE[check.status]
        table.add_row(
            check.title,
            f"[{style}]{_(STATUS_WORDS[check.status])}[/]",
            Text(check.evidence),
            Text(check.remediation or ""),
        )
    out.print(table)
    line(
        _("All prerequisites pass.")
        if report.ok
        else _("Some prerequisites need attention: see 'How to fix'."),
        "green" if report.ok else "red",
    )


def profiles(listing) -> None:
    if listing.profiles:
        show_rows(
            _("Profiles in {home}").format(home=listing.home),
            listing.profiles,
            ["profile", "connected", "org_name", "username"],
        )
    else:
        line(
            _("No profiles in {home} yet: `lgcrm-sf connect` creates one.").format(
                home=listing.home
            )
        )


# --- the Lead Gen & CRM side ------------------------------------------------------------------
# The counts an import reports (its JSON keys), as people read them.
COUNT_WORDS = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "recorded": N_("recorded"),
    "duplicates": N_("duplicates"),
    "reactivated": N_("reactivated"),
    "skipped": N_("skipped"),
    "rows": N_("rows"),
    "leads_created": N_("leads created"),
    "people": N_("people"),
}


def import_report(report, noun: str = N_("rows")) -> None:
    data = report.as_dict()
    counts = ", ".join(
        f"{_(COUNT_WORDS.get(k, k.replace('_', ' ')))} {number(v)}"
        for k, v in data.items()
        if isinstance(v, int) and k != "bad"
    )
    line(
        _("{file}: {counts}, bad {bad}").format(
            file=report.file, counts=counts, bad=number(report.bad)
        )
    )
    if data.get("time_zone"):
        zone = data["time_zone"]
        line(
            _("Times without an offset were read in {zone} (the profile's time zone).").format(
                zone=zone
            )
        )
    for warning in data.get("warnings", []):
        line(_("warning: {text}").format(text=warning), "yellow")
    for bad in report.bad_rows:
        line(
            _("{file} line {line}: {reason}").format(
                file=report.file, line=bad["line"], reason=bad["reason"]
            ),
            "red",
        )
    if report.bad > len(report.bad_rows):
        more = number(report.bad - len(report.bad_rows))
        line(_("... and {count} more bad {noun}").format(count=more, noun=_(noun)), "red")


def people(page) -> None:
    show_rows(
        _("Leads and contacts"),
        page.people,
        ["id", "kind", "email", "first_name", "last_name", "company", "active"],
    )
    if page.total > len(page.people):
        line(
            _("showing {shown} of {total}; use --limit {limit} to see them all.").format(
                shown=number(len(page.people)), total=number(page.total), limit=page.total
            )
        )


def person(view: dict) -> None:
    someone = view["person"]
    state = (
        _("active")
        if view["active"]
        else _("deactivated: {reason}").format(
            reason=reread(view["deactivation_reason"], lifecycle.MESSAGES.values())
        )
    )
    out.print(
        Text(
            f"{someone['first_name'] or ''} {someone['last_name'] or ''} <{view['email']}> "
            f"({view['kind']}, {state})",
            style="bold",
        )
    )
    shown = ((header(k), str(cell(k, v))) for k, v in someone.items() if v not in (None, "", {}))
    out.print(_pairs(shown))
    link = view.get("salesforce")
    out.print(
        Text(
            _("Salesforce: {object} {id}").format(object=link["object"], id=link["id"])
            if link
            else _("Salesforce: not linked")
        )
    )
    account = view.get("account")
    if account:
        lead = account["lead_id"] or _("not in the account")
        out.print(
            Text(
                _("Lead Gen & CRM account: lead {lead} (copy read {at})").format(
                    lead=lead, at=account["refreshed_at"]
                )
            )
        )
    if view["opportunities"]:
        show_rows(
            _("Opportunities"),
            view["opportunities"],
            ["name", "stage", "amount", "close_date", "role"],
        )
    if view["events"]:
        show_rows(_("Events"), view["events"], ["occurred_at", "kind", "details"])


# --- backups ----------------------------------------------------------------------------------
BACKUP_TABLE = (N_("Object"), "API", N_("Rows"), N_("Size"), "SHA-256", N_("Seconds"), N_("Status"))


def backup_table(result) -> _RichTable:
    table = Table(title=_("Backup {name}").format(name=result.path.name))
    for column in BACKUP_TABLE:
        table.add_column(
            _(column), justify="right" if column in ("Rows", "Size", "Seconds") else "left"
        )
    for obj in result.objects:
        status = f"[green]{_('ok')}[/]" if obj.status == "ok" else f"[bold red]{_('failed')}[/]"
        table.add_row(
            obj.name,
            obj.api,
            number(obj.rows),
            human_bytes(obj.bytes),
            obj.sha256[:12],
            number(obj.seconds, 1),
            status,
        )
    return table


def backup(result) -> None:
    out.print(backup_table(result))
    line(
        _("{rows} rows in {seconds} s with {calls} API calls: {path}").format(
            rows=number(result.rows),
            seconds=number(result.seconds, 1),
            calls=number(result.api_calls),
            path=result.path,
        )
    )
    if result.complete:
        line(_("Next: lgcrm-sf backup verify {path}").format(path=result.path))


def verified(report) -> None:
    if report.objects:
        table = Table(title=_("Verify {path}").format(path=report.path))
        table.add_column(_("Object"))
        table.add_column(_("Result"))
        for check in report.objects:
            style = "green" if check.ok else "bold red"
            table.add_row(check.name, Text(check.detail, style=style))
        out.print(table)
    for problem in report.problems:
        line(problem, "red")
    line(
        _("Backup verified.") if report.ok else _("The backup does NOT verify."),
        "green" if report.ok else "bold red",
    )


def verified_json(report) -> dict:
    return {
        "path": str(report.path),
        "ok": report.ok,
        "problems": report.problems,
        "objects": [vars(o) for o in report.objects],
    }


BACKUP_COLUMNS = (
    N_("Id"),
    N_("Org"),
    N_("Finished"),
    N_("Objects"),
    N_("Rows"),
    N_("Size"),
    N_("Complete"),
    N_("Verified"),
)


def backups(rows: list[dict]) -> None:
    if not rows:
        line(_("No backups yet: run `lgcrm-sf backup`."))
        return
    table = Table(title=_("Backup catalog"))
    for column in (*BACKUP_COLUMNS, N_("Path")):
        table.add_column(_(column))
    yes, no = _("yes"), _("no")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["org_id"] or "",
            moment(row["finished_at"]),
            number(row["objects"]),
            number(row["rows"] or 0),
            human_bytes(row["bytes"] or 0),
            yes if row["complete"] else no,
            yes if row["verified"] else no,
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


def profile_locale(chosen: dict) -> None:
    line(
        _("Profile '{profile}': language {language}, time zone {timezone}.").format(**chosen),
        "green",
    )
