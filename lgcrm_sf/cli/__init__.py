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

from . import account, backup, connect, emulator, leadgen, mapping, migrate, migrate_sales, sync
from ._errors import hoist_global_options, run_guarded
from ._i18n import LocalizedGroup, choose_language

app = typer.Typer(
    cls=LocalizedGroup,
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


# Read by the error ladder from the arguments too (Click's own errors come in this language).
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and help: pt_BR (or pt-BR) or en (also LGCRM_SF_LANG; "
        "default: the locale variables LANGUAGE, LC_ALL, LC_MESSAGES, LANG).",
    ),
]

Tz = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="Time zone people see times in (an IANA name such as America/Sao_Paulo; also "
        "LGCRM_SF_TZ; default: the profile's). With connect or profiles set, it is stored.",
    ),
]

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
    _lang: Lang = None,
    tz: Tz = None,
    _version: Version = False,
) -> None:
    ctx.obj = {"home": home, "profile": profile, "tz": tz}


# One line a command group; the order is the order of `lgcrm-sf --help`.
connect.register(app)
sync.register(app)
emulator.register(app)
leadgen.register(app)
account.register(app)
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
            lambda: app(args=args, standalone_mode=False, prog_name="lgcrm-sf"),
            args,
            choose_language,
        )
    finally:
        os.umask(previous)


def main() -> None:
    sys.exit(run())
