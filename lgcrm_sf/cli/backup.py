"""`backup`, `backup verify`, `backup list`: the export the help article asks for, twice, before
integrating, and the proof that it is whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, SalesforceApiError
from . import _views as views
from ._context import profile_of
from ._progress import BackupProgressBars
from ._render import show
from ._runs import recorded

backup_app = typer.Typer(help="Back up the connected Salesforce org, list and verify backups.")

Out = Annotated[
    Path | None,
    typer.Option(help="Directory to write the backup into (default <home>/backups/<profile>)."),
]
Objects = Annotated[
    str | None,
    typer.Option(
        help="Comma-separated API names (default: Lead, Contact, Account, Opportunity, ...)."
    ),
]
Everything = Annotated[bool, typer.Option("--all", help="Every queryable object the org lists.")]
IncludeDeleted = Annotated[
    bool, typer.Option("--include-deleted", help="Also rows in the recycle bin (queryAll).")
]
Compress = Annotated[bool, typer.Option("--compress", help="Write Object.csv.gz files.")]
SkipBinary = Annotated[
    bool,
    typer.Option(
        "--skip-binary",
        help="Don't download binary fields (file contents); the manifest lists them as skipped.",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")


@backup_app.callback(invoke_without_command=True)
def backup(
    ctx: typer.Context,
    out: Out = None,
    objects: Objects = None,
    all_objects: Everything = False,
    include_deleted: IncludeDeleted = False,
    compress: Compress = False,
    skip_binary: SkipBinary = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export the org: one CSV per object and a manifest.json, written atomically."""
    if ctx.invoked_subcommand is not None:
        return
    from ..salesforce import backup_run

    names = [n.strip() for n in objects.split(",") if n.strip()] if objects else None
    request = backup_run.BackupRequest(
        out, names, all_objects, include_deleted, compress, skip_binary
    )
    profile = profile_of(ctx)
    with recorded(profile, "backup") as record:
        bars = BackupProgressBars(enabled=not as_json)
        result = backup_run.run_backup(profile, request, bars, record)
        record.status, record.exit_code, record.details = backup_run.outcome(result)
        _report(result, record.exit_code, as_json)


def _report(result, code: int, as_json: bool) -> None:
    """The backup's table or JSON; an incomplete one ends as an error (exit 11) after it."""
    from ..salesforce.backup_run import incomplete_message

    incomplete = incomplete_message(result) if code else None
    show(result, as_json, views.backup, lambda r: views.backup_json(r, code, incomplete))
    if code:
        if as_json:  # the one JSON object above says it all
            raise typer.Exit(code)
        raise SalesforceApiError(incomplete)


@backup_app.command("verify")
def backup_verify(
    ctx: typer.Context,
    backup_dir: Annotated[
        str,
        typer.Argument(
            metavar="BACKUP", help="A backup directory (it holds manifest.json) or its catalog id."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-hash every file and re-count every row of a backup."""
    from ..salesforce.backup_run import verify_backup

    report = verify_backup(profile_of(ctx), backup_dir)
    show(report, as_json, views.verified, views.verified_json)
    if not report.ok:
        raise typer.Exit(int(ExitCode.VERIFY_FAILED))


@backup_app.command("list")
def backup_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON.")] = False,
) -> None:
    """The backups recorded in this profile's catalog."""
    from ..salesforce.backup_run import catalog_of

    show(catalog_of(profile_of(ctx)), as_json, views.backups)
