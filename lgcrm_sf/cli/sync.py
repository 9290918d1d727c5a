"""`sync`, `status` and `conflicts`: the run cron makes, and what it left to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from . import _views_sync as views
from ._context import profile_of
from ._progress import SyncProgress
from ._render import err, line, rows_or, show
from ._runs import recorded

conflicts_app = typer.Typer(
    help="Conflicts the sync settled: list them, or choose the other value."
)

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Plan everything, write nothing, move no cursor.")
]
SyncJson = Annotated[bool, typer.Option("--json", help="Print the run summary as JSON (for cron).")]
Only = Annotated[
    str, typer.Option(help="Comma-separated: leads, contacts, opportunities, engagements.")
]
Backfill = Annotated[
    str | None,
    typer.Option(
        help="Also send engagements that occurred since this date (YYYY-MM-DD), "
        "even of types switched on later."
    ),
]
MappingFile = Annotated[Path | None, typer.Option(help="Use this mapping file for this run only.")]
NoBackupCheck = Annotated[
    bool, typer.Option("--no-backup-check", help="Allow a first sync without a verified backup.")
]
PlanFile = Annotated[
    Path | None,
    typer.Option(
        help="With --dry-run: write the whole plan here, one JSON line per change "
        "(default <profile>/plans/<run>.jsonl)."
    ),
]
Reconcile = Annotated[
    bool,
    typer.Option(
        "--reconcile",
        help="Look up every linked record now (done once a day by itself): finds records "
        "purged from Salesforce's recycle bin.",
    ),
]
ApiReserve = Annotated[
    str | None,
    typer.Option(
        envvar="LGCRM_SF_API_RESERVE",
        help=(
            "Stop when fewer API calls than this remain today: a number or a percentage "
            "(default 5%)."
        ),
    ),
]
AsJson = Annotated[bool, typer.Option("--json")]


def register(app: typer.Typer) -> None:
    app.command()(sync)
    app.command()(status)
    app.add_typer(conflicts_app, name="conflicts")


def sync(
    ctx: typer.Context,
    dry_run: DryRun = False,
    as_json: SyncJson = False,
    only: Only = "leads,contacts,opportunities,engagements",
    backfill_engagements: Backfill = None,
    mapping: MappingFile = None,
    no_backup_check: NoBackupCheck = False,
    plan_file: PlanFile = None,
    reconcile: Reconcile = False,
    api_reserve: ApiReserve = None,
) -> None:
    """Sync leads and contacts both ways; safe to run from cron every few minutes."""
    from ..engine.service import log_fields, run_sync, sync_options

    options = sync_options(
        only,
        backfill_engagements,
        api_reserve,
        dry_run=dry_run,
        no_backup_check=no_backup_check,
        reconcile=reconcile,
        plan_file=plan_file,
    )
    if no_backup_check and not as_json:
        err.print(
            _("WARNING: --no-backup-check: a first sync without a verified backup of the org."),
            style="bold red",
        )
    profile = profile_of(ctx)
    with recorded(profile, "sync") as record, SyncProgress(not as_json) as progress:
        options.progress = progress.update
        result, code = run_sync(profile, options, mapping, record)
        progress.stop()
        record.status, record.exit_code = result.status, code
        record.details = log_fields(result, result.mapping_source)
        show((result, code), as_json, views.sync_report, views.sync_json, one_line=True)
        if code:
            raise typer.Exit(code)


@conflicts_app.callback(invoke_without_command=True)
def conflicts(
    ctx: typer.Context,
    as_json: AsJson = False,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved conflicts.")] = False,
) -> None:
    """List conflicts: record, field, both values, mirror value, winner, rule, when."""
    if ctx.invoked_subcommand is not None:
        return
    from ..engine.service import conflicts as settled

    rows = settled(profile_of(ctx), include_resolved=all_)
    show(rows, as_json, rows_or(_("No open conflicts."), _("Conflicts"), views.CONFLICT_COLUMNS))


@conflicts_app.command("resolve")
def conflicts_resolve(
    ctx: typer.Context,
    conflict_id: Annotated[int, typer.Argument(help="The conflict's id.")],
    take: Annotated[str, typer.Option(help="salesforce or leadgen: whose value both sides get.")],
) -> None:
    """Apply the chosen side's value to both sides at the next sync."""
    from ..engine.service import resolve_conflict

    row = resolve_conflict(profile_of(ctx), conflict_id, take)
    line(
        _(
            "Conflict {id} ({email} {field}): the {side} value goes to both sides at the next sync."
        ).format(id=conflict_id, email=row["email"], field=row["field"], side=take)
    )


def status(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Connection, last runs, cursors, pending errors and conflicts, API usage, where the log is."""
    from ..engine.service import status as read_status

    show(read_status(profile_of(ctx)), as_json, views.status_report)
