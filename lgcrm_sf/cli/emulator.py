"""`emulator serve` and `demo`: the built-in Salesforce- and Lead Gen & CRM-compatible servers,
and the whole story told on them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..i18n import _
from ._render import line, out

emulator_app = typer.Typer(
    no_args_is_help=True, help="The Salesforce-compatible API server used by tests and the demo."
)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.add_typer(emulator_app, name="emulator")


def demo(ctx: typer.Context) -> None:
    """See it all work on the built-in emulator: connect, prerequisites, backup, sync, conflicts."""
    from ..demo import run_demo
    from . import run

    if ctx.obj["home"]:
        line(
            _("The demo runs in a throwaway home of its own; {home} is not touched.").format(
                home=ctx.obj["home"]
            ),
            "yellow",
        )
    run_demo(run, out)


@emulator_app.command("serve")
def emulator_serve(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1; 0 picks a free one.")] = 0,
    data: Annotated[
        Path | None, typer.Option(help="SQLite file that keeps the org across restarts.")
    ] = None,
    seed: Annotated[str, typer.Option(help="Org to start with: empty or demo.")] = "empty",
    username: Annotated[
        str | None, typer.Option(help="The integration user's username (default: unique).")
    ] = None,
    org_name: Annotated[str | None, typer.Option(help="The org's name.")] = None,
    leadgen_rate: Annotated[
        int, typer.Option(min=1, help="Lead Gen & CRM API calls allowed per second.")
    ] = 10,
    leadgen_daily_limit: Annotated[
        int, typer.Option(min=1, help="Lead Gen & CRM API calls allowed per day.")
    ] = 50_000,
) -> None:
    """Serve Salesforce- and Lead Gen & CRM-compatible HTTPS APIs until Ctrl-C; prints one JSON
    line when ready."""
    from ..emulator.serve import serve

    if seed not in ("empty", "demo"):
        raise UsageError(
            _("--seed {seed!r} is not a seed.").format(seed=seed), _("use empty or demo.")
        )
    serve(
        port=port,
        data=str(data) if data else None,
        seed=seed,
        username=username,
        org_name=org_name,
        leadgen_rate=leadgen_rate,
        leadgen_daily_limit=leadgen_daily_limit,
    )
