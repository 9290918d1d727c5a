"""`mapping validate`, `mapping init`, `mapping use`: the field mapping a profile syncs with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, ExitCode
from ..i18n import _
from . import _views_sync as views
from ._context import profile_of
from ._render import line, show

mapping_app = typer.Typer(no_args_is_help=True, help="The field mapping: validate, init, use.")


def register(app: typer.Typer) -> None:
    app.add_typer(mapping_app, name="mapping")


@mapping_app.command("validate")
def mapping_validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Mapping file (default: the profile's, or the built-in one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Check a mapping against our fields and, when connected, the org's describe data."""
    from ..mapping.service import validate_mapping
    from ..salesforce.connection import open_client

    report = validate_mapping(profile_of(ctx), file, open_client)
    show(report, as_json, views.mapping_report, views.mapping_report_json)
    if report.errors:
        if as_json:  # the report above is the one JSON object, saying ok: false
            raise typer.Exit(int(ExitCode.CONFIG))
        raise ConfigError(
            views.mapping_errors_message(report),
            _("correct the lines listed above and validate it again."),
        )


@mapping_app.command("init")
def mapping_init(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Where to write the mapping.")] = Path("mapping.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a starting mapping from the connected org's describe data."""
    from ..mapping.init import init_mapping
    from ..salesforce.connection import open_client

    init_mapping(profile_of(ctx), out, force, open_client)
    line(
        _(
            "Wrote {path}. Review it, then `lgcrm-sf mapping validate {path}` and "
            "`lgcrm-sf mapping use {path}`."
        ).format(path=out)
    )


@mapping_app.command("use")
def mapping_use(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The mapping file this profile syncs with.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Make FILE the profile's mapping, once it is valid (against the org when connected)."""
    from ..mapping.service import use_mapping
    from ..salesforce.connection import open_client

    profile = profile_of(ctx)
    result = use_mapping(profile, file, open_client)
    show(
        result,
        as_json,
        lambda used: views.mapping_used(used, profile.name),
        views.mapping_used_json,
    )
