"""`lgcrm-sf leadgen connect|disconnect`: the real Lead Gen & CRM account as the marketing side
(issue 14 §2). Without it a profile keeps the offline store (local mode)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..i18n import _
from ._context import profile_of, typed_confirmation
from ._render import Table, line, out, show

account_app = typer.Typer(
    no_args_is_help=True, help="The real Lead Gen & CRM account: connect, disconnect."
)

AccountId = Annotated[str, typer.Option(help="The account id (Settings > API Settings).")]
Url = Annotated[str | None, typer.Option(help="The API's v1.2 endpoint (https only).")]
CaBundle = Annotated[Path | None, typer.Option(help="CA certificates to trust for the API.")]
Yes = Annotated[bool, typer.Option("--yes", help="Skip typing Confirm (for scripts).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    app.add_typer(account_app, name="leadgen")


@account_app.command("connect")
def connect(
    ctx: typer.Context,
    account_id: AccountId,
    url: Url = None,
    ca_bundle: CaBundle = None,
    yes: Yes = False,
    as_json: AsJson = False,
) -> None:
    """Check the account's secret key with a real call, show its users, and link this
    profile's marketing side to the account."""
    from ..credentials import LEADGEN_ENV
    from ..leadgen.connection import checked_url, connect_account

    profile = profile_of(ctx, creating=True)
    checked_url(url)  # every value is checked before anything is asked
    ca_path = None
    if ca_bundle is not None:
        if not ca_bundle.expanduser().is_file():
            raise UsageError(
                _("--ca-bundle {path}: no such file.").format(path=ca_bundle),
                _("give the path of an existing file."),
            )
        ca_path = str(ca_bundle.expanduser().resolve())
    secret = os.environ.get(LEADGEN_ENV) or None
    from_env = secret is not None
    if secret is None and sys.stdin.isatty():
        secret = typer.prompt(_("Secret key"), hide_input=True, default="", show_default=False)
    result = connect_account(
        profile, account_id, url, ca_path, secret or None, _confirm(as_json, yes), from_env
    )
    show(result, as_json, _connected)


def _confirm(as_json: bool, yes: bool):
    def confirm(users: list[dict]) -> bool:
        if not as_json:
            table = Table(title=_("The account's users"))
            for name in (_("id"), _("name"), _("e-mail"), _("active")):
                table.add_column(name)
            for user in users:
                table.add_row(
                    str(user["account_user_id"]), user["name"], user["email"], str(user["active"])
                )
            out.print(table)
        if yes:
            return True
        return typed_confirmation(
            _(
                "From now on the sync reads and writes this Lead Gen & CRM account: leads and "
                "contacts both ways, opportunities from Salesforce. Type Confirm to go on."
            ),
            _("Connecting the account needs the word Confirm typed."),
            _("in scripts pass --yes."),
        )

    return confirm


def _connected(result) -> None:
    line(
        _("Profile '{profile}' is connected to Lead Gen & CRM account {account} ({users} users); "
          "the secret key is in the {source}.").format(
            profile=result.profile, account=result.account_id, users=len(result.users),
            source=result.secret_source,
        )
    )  # fmt: skip
    if result.people_to_adopt:
        line(
            _("{count} people of the local store will be matched to the account's leads by "
              "e-mail at the next sync (never duplicated).").format(count=result.people_to_adopt)
        )  # fmt: skip


@account_app.command("disconnect")
def disconnect(ctx: typer.Context) -> None:
    """Remove the account's secret key and go back to the local store (the state is kept)."""
    from ..leadgen.connection import disconnect_account

    profile = profile_of(ctx)
    removed = disconnect_account(profile)
    line(
        _("Profile '{name}' is no longer connected to a Lead Gen & CRM account ({removed} "
          "secret(s) removed from the keyring). The state database is kept.").format(
            name=profile.name, removed=removed
        )
    )  # fmt: skip
