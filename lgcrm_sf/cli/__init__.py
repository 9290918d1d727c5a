"""The `lgcrm-sf` command line: the app, its global options, and `run`, which goes through the
one error ladder (_errors.py). Each command group lives in its own module and registers itself
with one line below; a command parses, calls one core function and renders (_render.py). The
only package that imports typer."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import backup, connect, emulator, leadgen, mapping, migrate, migrate_sales, sync
from ._errors import hoist_global_options, run_guarded

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Connect Lead Gen & CRM (formerly SharpSpring) with Salesforce.",
)

Home = Annotated[
    Path | None, typer.Option(envvar="LGCRM_SF_HOME", help="Where profiles, state and logs live.")
]
ProfileName = Annotated[
    str, typer.Option(envvar="LGCRM_SF_PROFILE", help="Which linked account/org to use.")
]
# Read by the error ladder from the arguments, before any parsing (an error may come first).
Traceback = Annotated[
    bool,
    typer.Option(
        "--traceback", help="Show the traceback of an unexpected error (also LGCRM_SF_DEBUG=1)."
    ),
]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"lgcrm-sf {version('lgcrm-sf')}\n")
        raise typer.Exit(0)


Version = Annotated[
    bool,
    typer.Option(
        "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
    ),
]


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Home = None,
    profile: ProfileName = "default",
    _traceback: Traceback = False,
    _version: Version = False,
) -> None:
    ctx.obj = {"home": home, "profile": profile}


# One line a command group; the order is the order of `lgcrm-sf --help`.
connect.register(app)
sync.register(app)
emulator.register(app)
leadgen.register(app)
mapping.register(app)
backup.register(app)
migrate.register(app)
migrate_sales.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code (see _errors.py for the one ladder). Everything
    the command creates is readable by its owner only."""
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    previous = os.umask(0o077)
    try:
        return run_guarded(
            lambda: app(args=args, standalone_mode=False, prog_name="lgcrm-sf"), args
        )
    finally:
        os.umask(previous)


def main() -> None:
    sys.exit(run())
