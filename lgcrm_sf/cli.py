"""The `lgcrm-sf` command line. Parses, calls one core function, renders. The only module that
imports typer. Every LgcrmError becomes one line on stderr and its documented exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import ExitCode, LgcrmError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Connect Lead Gen & CRM (formerly SharpSpring) with Salesforce.",
)
emulator_app = typer.Typer(
    no_args_is_help=True, help="The Salesforce-compatible API server used by tests and the demo."
)
app.add_typer(emulator_app, name="emulator")

err = Console(stderr=True, highlight=False, markup=False)


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(envvar="LGCRM_SF_HOME", help="Where profiles, state and logs live."),
    ] = None,
    profile: Annotated[
        str, typer.Option(envvar="LGCRM_SF_PROFILE", help="Which linked account/org to use.")
    ] = "default",
) -> None:
    ctx.obj = {"home": home, "profile": profile}


@emulator_app.command("serve")
def emulator_serve(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1; 0 picks a free one.")] = 0,
    data: Annotated[
        Path | None, typer.Option(help="SQLite file that keeps the org across restarts.")
    ] = None,
    seed: Annotated[str, typer.Option(help="Org to start with: empty or demo.")] = "empty",
) -> None:
    """Serve a Salesforce-compatible HTTPS API until Ctrl-C; prints one JSON line when ready."""
    from .emulator.serve import serve

    if seed not in ("empty", "demo"):
        raise typer.BadParameter("use empty or demo", param_hint="--seed")
    serve(port=port, data=str(data) if data else None, seed=seed)


def main() -> None:
    """Entry point: one `except` ladder turns errors into one line and an exit code."""
    try:
        app(standalone_mode=False)
    except LgcrmError as exc:
        err.print(f"error: {exc.message}")
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's usage errors and aborts
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            err.print("aborted")
            sys.exit(int(ExitCode.INTERRUPTED))
        raise


if __name__ == "__main__":
    main()
