"""The Lead Gen & CRM side: `leads`, `events`, `users`, `accounts`, `opportunities`."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from ..i18n import _
from . import _views as views
from ._context import profile_of
from ._render import line, show, show_rows

leads_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM leads and contacts: import, list, show."
)
events_app = typer.Typer(
    no_args_is_help=True, help="Marketing events (form fills, e-mails, clicks, visits)."
)
users_app = typer.Typer(no_args_is_help=True, help="Lead Gen & CRM user accounts.")
accounts_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM accounts (read-only while connected)."
)
opportunities_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM opportunities (read-only while connected)."
)

AsJson = Annotated[bool, typer.Option("--json")]
ReportJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
Encoding = Annotated[str, typer.Option(help="The file's text encoding.")]


def register(app: typer.Typer) -> None:
    app.add_typer(leads_app, name="leads")
    app.add_typer(events_app, name="events")
    app.add_typer(users_app, name="users")
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(opportunities_app, name="opportunities")


def _account(ctx: typer.Context):
    from ..leadgen.account import open_account

    return open_account(profile_of(ctx))


def _encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(
            _("--encoding {name!r} is not a text encoding Python knows.").format(name=name),
            _("use e.g. utf-8, cp1252 or latin-1."),
        ) from None


def _kind(kind: str | None) -> str | None:
    if kind not in (None, "lead", "contact"):
        raise UsageError(
            _("--kind {kind!r} is not a kind of person.").format(kind=kind),
            _("use lead or contact."),
        )
    return kind


def _imported(report, as_json: bool) -> None:
    """An import's report; bad rows (the good ones are kept) exit 1."""
    show(report, as_json, views.import_report)
    if report.bad:
        raise typer.Exit(int(ExitCode.RECORD_ERRORS))


@leads_app.command("import")
def leads_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    kind: Annotated[str, typer.Option(help="lead or contact, for people not yet known.")] = "lead",
    columns: Annotated[
        Path | None,
        typer.Option(help="YAML map of 'CSV header: field' for headers not recognised."),
    ] = None,
    encoding: Encoding = "utf-8",
    as_json: ReportJson = False,
) -> None:
    """Import leads or contacts, upserting by e-mail; bad rows are reported, good ones kept."""
    from ..leadgen.importer import import_people, load_column_map

    _kind(kind)
    profile = profile_of(ctx)
    if profile.load().account_mode:  # through the API, into the real account
        from ..leadgen.account_import import import_into_account

        report = import_into_account(
            profile, file, kind, load_column_map(columns), _encoding(encoding)
        )
    else:
        report = import_people(
            _account(ctx), file, kind, load_column_map(columns), _encoding(encoding)
        )
    _imported(report, as_json)


def _offline_only(ctx: typer.Context, command: str) -> None:
    from ..leadgen.account_import import refuse_offline_only

    refuse_offline_only(profile_of(ctx), command)


@events_app.command("import")
def events_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or JSON lines: email, type, occurred_at, id, details.")
    ],
    encoding: Encoding = "utf-8",
    as_json: ReportJson = False,
) -> None:
    """Record marketing events; a form submission also re-activates a deactivated lead."""
    from ..leadgen.importer import import_events
    from ..leadgen.local_times import LocalTimes

    _offline_only(ctx, "events import")
    settings = profile_of(ctx).load()  # the profile's language and zone read its times
    times = LocalTimes.of(settings.language, settings.timezone)
    _imported(import_events(_account(ctx), file, _encoding(encoding), times), as_json)


@leads_app.command("list")
def leads_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="lead or contact.")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Only deactivated people.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: AsJson = False,
) -> None:
    """List leads and contacts."""
    from ..leadgen.account import list_people

    _kind(kind)
    if limit < 1:
        raise UsageError(
            _("--limit {limit} shows nothing.").format(limit=limit), _("give 1 or more.")
        )
    from ..engine.person import account_refreshed_at

    profile = profile_of(ctx)
    page = list_people(profile, kind, inactive, limit)
    show(page, as_json, views.people, lambda page: page.people)
    refreshed = account_refreshed_at(profile)
    if refreshed and not as_json:
        line(
            _("Our copy of the Lead Gen & CRM account, last read by a sync at {at}.").format(
                at=refreshed
            )
        )


@leads_app.command("show")
def leads_show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The person's e-mail.")],
    as_json: AsJson = False,
) -> None:
    """One lead or contact: fields, active or why not, Salesforce link, events, opportunities."""
    from ..engine.person import person_view

    show(person_view(profile_of(ctx), email), as_json, views.person)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The user's e-mail (their login).")],
    name: Annotated[str, typer.Option(help="Full name.")],
    inactive: Annotated[
        bool, typer.Option("--inactive", help="Add the account as inactive.")
    ] = False,
) -> None:
    """Add a Lead Gen & CRM user account (owners map these to Salesforce users)."""
    _offline_only(ctx, "users add")
    user_id = _account(ctx).add_user(name, email, active=not inactive)
    line(
        _("Added user {id}: {name} <{email}>").format(
            id=user_id, name=name, email=email.strip().lower()
        )
    )


@users_app.command("list")
def users_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the Lead Gen & CRM user accounts."""
    columns = ["id", "name", "email", "active"]
    show(_account(ctx).users(), as_json, lambda rows: show_rows(_("Users"), rows, columns))


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context, name: Annotated[str, typer.Option(help="Account name.")]
) -> None:
    """Add an account (refused while connected: accounts live in Salesforce then)."""
    _offline_only(ctx, "accounts add")
    account_id = _account(ctx).add_account(name)
    line(_("Added account {id}: {name}").format(id=account_id, name=name))


@accounts_app.command("list")
def accounts_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List accounts."""
    columns = ["id", "name", "salesforce_id"]
    show(_account(ctx).accounts(), as_json, lambda rows: show_rows(_("Accounts"), rows, columns))


@opportunities_app.command("add")
def opportunities_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Opportunity name.")],
    stage: Annotated[str | None, typer.Option(help="Stage.")] = None,
    amount: Annotated[float | None, typer.Option(help="Amount.")] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="E-mail of an associated contact (repeatable).")
    ] = None,
) -> None:
    """Add an opportunity (refused while connected: opportunities live in Salesforce then)."""
    from ..leadgen.account import add_opportunity

    _offline_only(ctx, "opportunities add")
    opportunity_id = add_opportunity(profile_of(ctx), name, stage, amount, contact or [])
    line(_("Added opportunity {id}: {name}").format(id=opportunity_id, name=name))


@opportunities_app.command("list")
def opportunities_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List opportunities."""
    columns = ["id", "name", "stage", "amount", "account_name"]
    show(
        _account(ctx).opportunities(),
        as_json,
        lambda rows: show_rows(_("Opportunities"), rows, columns),
    )
