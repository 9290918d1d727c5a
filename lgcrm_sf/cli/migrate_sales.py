"""`lgcrm-sf migrate sales`: the Lead Gen & CRM account's accounts, opportunities and
opportunity-lead links into Salesforce, after `connect` and before the first sync. Parses, calls
lgcrm_sf.migrate.sales, renders. Registered on the app by `register()` (cli/__init__.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from ..formats import number
from ..i18n import _, shown
from . import _render as ui
from ._context import profile_of, typed_confirmation
from ._runs import recorded

migrate_app = typer.Typer(
    no_args_is_help=True, help="One-off moves of the account's own data into Salesforce."
)


def register(app: typer.Typer) -> None:
    app.add_typer(migrate_app, name="migrate")


ObjectsOpt = Annotated[
    str,
    typer.Option(help="Comma-separated, in this order: accounts, opportunities, links."),
]
ConvertOpt = Annotated[
    bool,
    typer.Option(
        "--convert-leads",
        help="Convert a linked Lead into a Contact (in the opportunity's account) to name it "
        "in a contact role.",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the plan per object; write nothing.")
]
YesOpt = Annotated[bool, typer.Option("--yes", help="Skip typing Confirm (scripts).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _objects(text: str) -> list[str]:
    from ..migrate.sales_report import OBJECT_CHOICES

    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in OBJECT_CHOICES]
    if not names or unknown:
        raise UsageError(
            _("--objects {text!r}: use accounts, opportunities and/or links.").format(text=text),
            _("e.g. --objects accounts,opportunities,links"),
        )
    return [n for n in OBJECT_CHOICES if n in names]  # always in dependency order


@migrate_app.command("sales")
def sales(
    ctx: typer.Context,
    objects: ObjectsOpt = "accounts,opportunities,links",
    convert_leads: ConvertOpt = False,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Move the account's accounts, opportunities (stages through the mapping's stages:) and
    opportunity-lead links (as contact roles) into Salesforce; a rerun changes nothing."""
    from ..migrate.sales import SalesRequest, migrate_sales
    from ..store.sync_state import SyncState

    chosen = _objects(objects)
    profile = profile_of(ctx)
    with recorded(profile, "migrate-sales") as record:
        state = SyncState(profile.state_path, profile.log_path)
        record.run_id = state.runs.start("migrate-sales", dry_run)
        request = SalesRequest(profile, chosen, convert_leads, dry_run, record.run_id)
        report = migrate_sales(request, _confirm(yes, as_json), _progress(as_json))
        code = int(ExitCode.RECORD_ERRORS) if report.failed else 0
        record.status = "dry_run" if dry_run else ("record_errors" if code else "ok")
        record.exit_code = code
        record.details = {
            "org": report.org_id,
            "objects": chosen,
            "writes": report.writes,
            "done": {k: dict(v) for k, v in report.done.items()},
            "failed": report.failed,
            "results": report.results_file,
            "api_calls": report.api_calls,
        }
        if as_json:
            ui.print_json({"ok": not code, "exit_code": code, **report.as_dict()})
        else:
            _show(report, planned=dry_run)
        if code:
            raise typer.Exit(code)


def _confirm(yes: bool, as_json: bool):
    def confirm(report) -> bool:
        if not as_json:
            _show(report, planned=True)
        if yes:
            return True
        return typed_confirmation(
            _("This writes {count} records to {org} ({id}). Type Confirm to go on.").format(
                count=number(report.writes), org=report.org_name, id=report.org_id
            ),
            _("Migrating writes to an org: it needs the word Confirm typed."),
        )

    return confirm


def _progress(as_json: bool):
    def tell(sobject: str, action: str, count: int) -> None:
        if not as_json and ui.err.is_terminal:
            ui.err.print(
                _("{object}: {count} {action}").format(object=sobject, count=count, action=action),
                markup=False,
            )

    return tell


STAGE_COLUMNS = ("stage", "deal_stage", "opportunities", "closed", "won", "probability")


def _show(report, planned: bool) -> None:
    """The plan (before the confirmation, or for --dry-run), or what was done."""
    title = _("Migrate sales into {org} ({id})").format(org=report.org_name, id=report.org_id)
    rows = report.plan_rows()
    columns = list(rows[0]) if rows else ["object"]
    if planned:
        ui.show_rows(title + _(": plan"), rows, columns)
        if report.stages:  # closed/won and the default probability as Salesforce derives them
            ui.show_rows(_("Opportunities by Salesforce stage"), report.stages, list(STAGE_COLUMNS))
        for name, plan in report.plans.items():
            for item in plan.of("unresolved", "conflict", "gone"):
                ui.line(f"{name} {item.source_id}: {item.reason}", "yellow")
            for note, count in plan.notes.most_common():
                ui.line(
                    _("{object}: {count} × {note}").format(
                        object=name, count=number(count), note=shown(note)
                    )
                )
        if report.conversions:
            ui.line(_("{count} leads to convert into contacts").format(count=report.conversions))
        return
    done = [{"object": name} | dict(counts) for name, counts in report.done.items()]
    ui.show_rows(title + _(": done"), done, sorted({k for r in done for k in r}, key=_order))
    ui.line(
        _("{failed} refused, {calls} API calls, {seconds} s. Results: {file}").format(
            failed=report.failed,
            calls=report.api_calls,
            seconds=f"{report.seconds:.1f}",
            file=report.results_file,
        )
    )


def _order(column: str) -> tuple:
    first = ("object", "created", "updated", "linked", "converted", "unchanged")
    return (first.index(column) if column in first else len(first), column)
