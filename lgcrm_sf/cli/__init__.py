"""The `lgcrm-sf` command line. Parses, calls one core function, renders. The only module that
imports typer. Every LgcrmError becomes one line on stderr and its documented exit code."""

from __future__ import annotations

import codecs
import difflib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .. import ui
from ..config import Profile
from ..errors import ConfigError, ExitCode, SalesforceApiError, UsageError
from ..salesforce.client import DEFAULT_API_VERSION
from ._errors import current_args, hoist_global_options, run_guarded
from ._runs import recorded

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Connect Lead Gen & CRM (formerly SharpSpring) with Salesforce.",
)
emulator_app = typer.Typer(
    no_args_is_help=True, help="The Salesforce-compatible API server used by tests and the demo."
)
app.add_typer(emulator_app, name="emulator")
leads_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM leads and contacts: import, list, show."
)
app.add_typer(leads_app, name="leads")
events_app = typer.Typer(
    no_args_is_help=True, help="Marketing events (form fills, e-mails, clicks, visits)."
)
app.add_typer(events_app, name="events")
profiles_app = typer.Typer(no_args_is_help=True, help="The profiles of this home.")
app.add_typer(profiles_app, name="profiles")
users_app = typer.Typer(no_args_is_help=True, help="Lead Gen & CRM user accounts.")
app.add_typer(users_app, name="users")
accounts_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM accounts (read-only while connected)."
)
app.add_typer(accounts_app, name="accounts")
opportunities_app = typer.Typer(
    no_args_is_help=True, help="Lead Gen & CRM opportunities (read-only while connected)."
)
app.add_typer(opportunities_app, name="opportunities")
mapping_app = typer.Typer(no_args_is_help=True, help="The field mapping: validate, init, use.")
app.add_typer(mapping_app, name="mapping")
backup_app = typer.Typer(help="Back up the connected Salesforce org, list and verify backups.")
app.add_typer(backup_app, name="backup")

err = Console(stderr=True, highlight=False)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"lgcrm-sf {version('lgcrm-sf')}\n")
        raise typer.Exit(0)


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
    show_traceback: Annotated[
        bool,
        typer.Option(
            "--traceback",
            help="Show the traceback of an unexpected error (also LGCRM_SF_DEBUG=1).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = {"home": home, "profile": profile}


def _profile(ctx: typer.Context, creating: bool = False) -> Profile:
    """The profile named by --profile. Only `connect` creates one: a name that does not exist
    (a typo) is refused rather than silently made. The default profile may be used before it
    is connected (the offline store)."""
    profile = Profile(ctx.obj["home"], ctx.obj["profile"])
    if not creating and profile.name != "default" and not profile.dir.exists():
        from ..config import profile_names

        known = profile_names(profile.home)
        close = difflib.get_close_matches(profile.name, known, n=1)
        raise UsageError(
            f"No profile named {profile.name!r} in {profile.home}"
            + (f" (did you mean {close[0]!r}?)." if close else "."),
            "only `lgcrm-sf connect` creates a profile; `lgcrm-sf profiles list` shows them.",
        )
    _warn_if_home_is_open(profile.home, ctx)
    return profile


def _warn_if_home_is_open(home: Path, ctx: typer.Context) -> None:
    """A home the user made is theirs to protect: say so when others can read it."""
    if ctx.obj.get("warned") or "--json" in current_args.get() or not home.exists():
        return
    ctx.obj["warned"] = True
    if home.stat().st_mode & 0o077:
        ui.err.print(
            f"warning: {home} is readable by other users: it holds the profile's state and "
            f"logs. chmod 700 {home}",
            style="yellow",
            markup=False,
            soft_wrap=True,
        )


def _encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(
            f"--encoding {name!r} is not a text encoding Python knows.",
            "use e.g. utf-8, cp1252 or latin-1.",
        ) from None


def _existing_file(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise UsageError(f"{option} {path}: no such file.", "give the path of an existing file.")
    return str(resolved)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _secret(value: str | None, prompt: str) -> str | None:
    """A secret from the environment, or typed with hidden input; never from argv."""
    if value:
        return value
    if not _interactive():
        return None
    return typer.prompt(prompt, hide_input=True, default="", show_default=False) or None


@app.command()
def connect(
    ctx: typer.Context,
    username: Annotated[
        str | None,
        typer.Option(envvar="LGCRM_SF_USERNAME", help="The integration user's username."),
    ] = None,
    auth: Annotated[
        str,
        typer.Option(
            help="password (username + password + security token), jwt or client_credentials."
        ),
    ] = "password",
    domain: Annotated[
        str | None, typer.Option(help="login, test, or a My Domain such as acme.my.")
    ] = None,
    login_url: Annotated[
        str | None, typer.Option(help="Any login URL (e.g. the emulator's).")
    ] = None,
    ca_bundle: Annotated[
        Path | None, typer.Option(help="CA certificates to trust for this org.")
    ] = None,
    consumer_key: Annotated[
        str | None,
        typer.Option(
            envvar="LGCRM_SF_CONSUMER_KEY",
            help="Connected app consumer key (jwt, client_credentials).",
        ),
    ] = None,
    private_key_file: Annotated[
        Path | None,
        typer.Option(envvar="LGCRM_SF_PRIVATE_KEY_FILE", help="PEM private key for the JWT login."),
    ] = None,
    api_version: Annotated[str, typer.Option(help="Salesforce API version.")] = DEFAULT_API_VERSION,
    yes: Annotated[bool, typer.Option("--yes", help="Skip typing Confirm (for scripts).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Log in to Salesforce, show the org and user, and link this profile to it."""
    from .. import credentials
    from ..connection import CONFIRM_WORD, WARNING
    from ..connection import connect as connect_profile
    from ..salesforce.client import (
        AUTH_METHODS,
        LoginTarget,
        Secrets,
        checked_api_version,
        login_url_for,
    )

    profile = _profile(ctx, creating=True)
    # Every value given is checked before anything is asked or sent.
    if auth not in AUTH_METHODS:
        raise UsageError(
            f"--auth {auth!r} is not a login method.", f"use {', '.join(AUTH_METHODS)}."
        )
    url = login_url_for(domain, login_url)
    api_version = checked_api_version(api_version)
    ca_path = _existing_file(ca_bundle, "--ca-bundle")
    _existing_file(private_key_file, "--private-key-file")
    if not username and auth != "client_credentials":  # client credentials name their user
        if not _interactive():
            raise UsageError("A username is required.", "pass --username or set LGCRM_SF_USERNAME.")
        username = typer.prompt("Salesforce username")
    env = credentials.from_environment()
    key_path = str(private_key_file.expanduser().resolve()) if private_key_file else None
    secrets_from_env = True
    if auth == "password":
        password = env.password or _secret(None, "Password")
        token = (
            env.security_token
            if env.security_token is not None
            else _secret(None, "Security token (empty if your IP is trusted)")
        )
        secrets_from_env = bool(env.password)
        secrets = Secrets(password=password, security_token=token)
    elif auth == "jwt":
        # The key file's path (not a secret) comes from --private-key-file or its env var.
        secrets = Secrets(private_key=credentials.read_private_key(key_path) if key_path else None)
    else:
        secret = env.consumer_secret or _secret(None, "Consumer secret")
        secrets_from_env = bool(env.consumer_secret)
        secrets = Secrets(consumer_secret=secret)
    target = LoginTarget(
        login_url=url,
        username=username or "",
        auth_method=auth,
        api_version=api_version,
        ca_bundle=ca_path,
        consumer_key=consumer_key,
    )

    def confirm(identity) -> bool:
        if not as_json:
            ui.out.print(ui.identity_table(identity))
        if yes:
            return True
        if not _interactive():
            raise ConfigError("Connecting needs the word Confirm typed.", "in scripts pass --yes.")
        ui.err.print(WARNING, markup=False)
        return typer.prompt("Warning").strip().casefold() in (
            CONFIRM_WORD.casefold(),
            "confirmar",
        )

    result = connect_profile(profile, target, secrets, confirm, secrets_from_env, key_path)
    if as_json:
        ui.print_json(
            {
                "profile": result.profile,
                "connected": True,
                "secrets": result.secrets_source,
                **result.identity.as_dict(),
            }
        )
        return
    ui.line(f"Connected profile '{result.profile}' to {result.identity.org_name}.", "green")
    if result.secrets_source == "environment":
        ui.line(
            "No OS keyring is available: secrets were not stored. Later commands read them from the same environment variables.",
            "yellow",
        )
    else:
        ui.line("Secrets are in the OS keyring. Next: `lgcrm-sf check-prereqs`.")


@app.command()
def disconnect(ctx: typer.Context) -> None:
    """Remove this profile's secrets from the keyring and mark it disconnected (state is kept)."""
    from ..connection import disconnect as disconnect_profile

    profile = _profile(ctx)
    removed = disconnect_profile(profile)
    ui.line(
        f"Disconnected profile '{profile.name}' ({removed} secret(s) removed from the keyring). The state database is kept."
    )


@app.command("check-prereqs")
def check_prereqs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check every requirement of the help article against the connected org."""
    from ..connection import open_client
    from ..salesforce.backup import FIRST_SYNC_OBJECTS
    from ..salesforce.prereqs import all_pass
    from ..salesforce.prereqs import check_prereqs as run_checks
    from ..store.state import StateStore

    profile = _profile(ctx)
    settings, client = open_client(profile)
    backup = StateStore(profile.state_path).backup_covering(settings.org_id, FIRST_SYNC_OBJECTS)
    checks = run_checks(client, settings.user_id, settings.org_id, backup)
    ok = all_pass(checks)
    if as_json:
        ui.print_json(
            {
                "profile": profile.name,
                "org_id": settings.org_id,
                "org_name": settings.org_name,
                "ok": ok,
                "checks": [c.as_dict() for c in checks],
            }
        )
    else:
        ui.out.print(ui.checks_table(checks))
        ui.line(
            "All prerequisites pass."
            if ok
            else "Some prerequisites need attention: see 'How to fix'.",
            "green" if ok else "red",
        )
    if not ok:
        raise typer.Exit(int(ExitCode.PREREQS_FAILED))


def _leadgen(ctx: typer.Context):
    from ..leadgen.store import LeadGenStore

    profile = _profile(ctx)
    return LeadGenStore(profile.state_path, sales_read_only=profile.load().connected)


def _import_summary(report, as_json: bool, noun: str) -> None:
    data = report.as_dict()
    if as_json:
        ui.print_json(data)
    else:
        counts = ", ".join(
            f"{k.replace('_', ' ')} {v:,}"
            for k, v in data.items()
            if isinstance(v, int) and k not in ("bad",)
        )
        ui.line(f"{report.file}: {counts}, bad {report.bad:,}")
        for warning in data.get("warnings", []):
            ui.line(f"warning: {warning}", "yellow")
        for bad in report.bad_rows:
            ui.line(f"{report.file} line {bad['line']}: {bad['reason']}", "red")
        if report.bad > len(report.bad_rows):
            ui.line(f"... and {report.bad - len(report.bad_rows):,} more bad {noun}", "red")


@leads_app.command("import")
def leads_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    kind: Annotated[str, typer.Option(help="lead or contact, for people not yet known.")] = "lead",
    columns: Annotated[
        Path | None,
        typer.Option(help="YAML map of 'CSV header: field' for headers not recognised."),
    ] = None,
    encoding: Annotated[str, typer.Option(help="The file's text encoding.")] = "utf-8",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import leads or contacts, upserting by e-mail; bad rows are reported, good ones kept."""
    from ..leadgen.importer import import_people, load_column_map

    if kind not in ("lead", "contact"):
        raise UsageError(f"--kind {kind!r} is not a kind of person.", "use lead or contact.")
    report = import_people(_leadgen(ctx), file, kind, load_column_map(columns), _encoding(encoding))
    _import_summary(report, as_json, "rows")
    if report.bad:
        raise typer.Exit(int(ExitCode.RECORD_ERRORS))


@events_app.command("import")
def events_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or JSON lines: email, type, occurred_at, id, details.")
    ],
    encoding: Annotated[str, typer.Option(help="The file's text encoding.")] = "utf-8",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Record marketing events; a form submission also re-activates a deactivated lead."""
    from ..leadgen.importer import import_events

    report = import_events(_leadgen(ctx), file, _encoding(encoding))
    _import_summary(report, as_json, "rows")
    if report.bad:
        raise typer.Exit(int(ExitCode.RECORD_ERRORS))


@profiles_app.command("list")
def profiles_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """The profiles of this home: which org each is linked to, and as whom."""
    from ..config import profile_names

    home = Profile(ctx.obj["home"], "default").home
    rows = []
    for name in profile_names(home):
        settings = Profile(home, name).load()
        rows.append(
            {
                "profile": name,
                "connected": settings.connected,
                "org_id": settings.org_id,
                "org_name": settings.org_name,
                "username": settings.username or None,
                "mapping": settings.mapping_file,
            }
        )
    if as_json:
        ui.print_json(rows)
    elif rows:
        ui.show_rows(f"Profiles in {home}", rows, ["profile", "connected", "org_name", "username"])
    else:
        ui.line(f"No profiles in {home} yet: `lgcrm-sf connect` creates one.")


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
    user_id = _leadgen(ctx).add_user(name, email, active=not inactive)
    ui.line(f"Added user {user_id}: {name} <{email.strip().lower()}>")


@users_app.command("list")
def users_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List the Lead Gen & CRM user accounts."""
    users = _leadgen(ctx).users()
    if as_json:
        ui.print_json(users)
    else:
        ui.show_rows("Users", users, ["id", "name", "email", "active"])


@leads_app.command("list")
def leads_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="lead or contact.")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Only deactivated people.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List leads and contacts."""
    if kind not in (None, "lead", "contact"):
        raise UsageError(f"--kind {kind!r} is not a kind of person.", "use lead or contact.")
    if limit < 1:
        raise UsageError(f"--limit {limit} shows nothing.", "give 1 or more.")
    store = _leadgen(ctx)
    active = False if inactive else None
    people = store.people(kind=kind, active=active, limit=limit)
    if as_json:
        ui.print_json(people)
        return
    ui.show_rows(
        "Leads and contacts",
        people,
        ["id", "kind", "email", "first_name", "last_name", "company", "active"],
    )
    total = store.count_people(kind=kind, active=active)
    if total > len(people):
        ui.line(f"showing {len(people):,} of {total:,}; use --limit {total} to see them all.")


@leads_app.command("show")
def leads_show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The person's e-mail.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One lead or contact: fields, active or why not, Salesforce link, events, opportunities."""
    from ..leadgen.profile_view import person_view

    view = person_view(_leadgen(ctx), email)
    if as_json:
        ui.print_json(view)
    else:
        ui.person_panel(view)


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context, name: Annotated[str, typer.Option(help="Account name.")]
) -> None:
    """Add an account (refused while connected: accounts live in Salesforce then)."""
    account_id = _leadgen(ctx).add_account(name)
    ui.line(f"Added account {account_id}: {name}")


@accounts_app.command("list")
def accounts_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List accounts."""
    rows = _leadgen(ctx).accounts()
    if as_json:
        ui.print_json(rows)
    else:
        ui.show_rows("Accounts", rows, ["id", "name", "salesforce_id"])


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
    store = _leadgen(ctx)
    ids = []
    for email in contact or []:
        person = store.by_email(email)
        if person is None:
            raise UsageError(
                f"--contact {email}: no lead or contact has this e-mail.",
                "see `lgcrm-sf leads list`.",
            )
        ids.append(person["id"])
    opportunity_id = store.add_opportunity(name, stage=stage, amount=amount, contact_ids=ids)
    ui.line(f"Added opportunity {opportunity_id}: {name}")


@opportunities_app.command("list")
def opportunities_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List opportunities."""
    rows = _leadgen(ctx).opportunities()
    if as_json:
        ui.print_json(rows)
    else:
        ui.show_rows("Opportunities", rows, ["id", "name", "stage", "amount", "account_name"])


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
    from ..connection import open_client
    from ..mapping.service import validate_mapping

    report = validate_mapping(_profile(ctx), file, open_client)
    if as_json:
        ui.print_json(
            {
                "ok": not report.errors,
                "exit_code": int(ExitCode.CONFIG) if report.errors else 0,
                **(
                    {
                        "error": {
                            "kind": "config",
                            "message": f"the mapping {report.source} has "
                            f"{len(report.errors)} error(s).",
                            "fix": "correct the lines listed in problems and validate it again.",
                        }
                    }
                    if report.errors
                    else {}
                ),
                "file": report.source,
                "checked_against_org": report.checked_against_org,
                "not_checked": report.not_checked,
                "problems": [p.as_dict() for p in report.problems],
            }
        )
    else:
        for problem in report.problems:
            ui.line(str(problem), "red" if problem.severity == "error" else "yellow")
        scope = (
            "our fields and the connected org"
            if report.checked_against_org
            else f"our fields only ({report.not_checked})"
        )
        verdict = "valid" if not report.errors else f"{len(report.errors)} error(s)"
        ui.line(
            f"{report.source}: {verdict}; checked against {scope}.",
            "green" if not report.errors else "bold red",
        )
    if report.errors:
        if as_json:  # the report above is the one JSON object, saying ok: false
            raise typer.Exit(int(ExitCode.CONFIG))
        raise ConfigError(
            f"the mapping {report.source} has {len(report.errors)} error(s).",
            "correct the lines listed above and validate it again.",
        )


@mapping_app.command("init")
def mapping_init(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Where to write the mapping.")] = Path("mapping.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a starting mapping from the connected org's describe data."""
    from ..connection import open_client
    from ..mapping.init import starting_mapping
    from ..mapping.service import write_mapping

    _, client = open_client(_profile(ctx))
    fields = {}
    for sobject in ("Lead", "Contact"):
        describe = client.call(
            lambda sf, name=sobject: getattr(sf, name).describe(), f"the describe of {sobject}"
        )
        fields[sobject] = {f["name"]: f for f in describe["fields"]}
    write_mapping(out, starting_mapping(fields), force)
    ui.line(
        f"Wrote {out}. Review it, then `lgcrm-sf mapping validate {out}` and `lgcrm-sf mapping use {out}`."
    )


@mapping_app.command("use")
def mapping_use(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The mapping file this profile syncs with.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Make FILE the profile's mapping, once it is valid (against the org when connected)."""
    from ..connection import open_client
    from ..mapping.service import use_mapping

    result = use_mapping(_profile(ctx), file, open_client)
    if as_json:
        ui.print_json(
            {
                "ok": True,
                "mapping": result.path,
                "checked_against_org": result.checked_against_org,
                "not_checked": result.not_checked,
                "warnings": [p.as_dict() for p in result.warnings],
            }
        )
        return
    for problem in result.warnings:
        ui.line(str(problem), "yellow")
    ui.line(f"Profile '{_profile(ctx).name}' now syncs with {result.path}.")
    if not result.checked_against_org:
        ui.line(
            f"Not checked against Salesforce: {result.not_checked}. Field names, types and "
            "picklist values are checked before the next sync writes anything.",
            "yellow",
        )


@app.command()
def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan everything, write nothing, move no cursor.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run summary as JSON (for cron).")
    ] = False,
    only: Annotated[
        str, typer.Option(help="Comma-separated: leads, contacts, opportunities, engagements.")
    ] = "leads,contacts,opportunities,engagements",
    backfill_engagements: Annotated[
        str | None,
        typer.Option(
            help="Also send engagements that occurred since this date (YYYY-MM-DD), "
            "even of types switched on later."
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Use this mapping file for this run only.")
    ] = None,
    no_backup_check: Annotated[
        bool,
        typer.Option("--no-backup-check", help="Allow a first sync without a verified backup."),
    ] = False,
    plan_file: Annotated[
        Path | None,
        typer.Option(
            help="With --dry-run: write the whole plan here, one JSON line per change "
            "(default <profile>/plans/<run>.jsonl)."
        ),
    ] = None,
    reconcile: Annotated[
        bool,
        typer.Option(
            "--reconcile",
            help="Look up every linked record now (done once a day by itself): finds records "
            "purged from Salesforce's recycle bin.",
        ),
    ] = False,
    api_reserve: Annotated[
        str | None,
        typer.Option(
            envvar="LGCRM_SF_API_RESERVE",
            help="Stop when fewer API calls than this remain today: a number or a percentage (default 5%).",
        ),
    ] = None,
) -> None:
    """Sync leads and contacts both ways; safe to run from cron every few minutes."""
    from ..engine.run import SyncOptions
    from ..engine.service import log_fields, parse_reserve, run_sync

    chosen = tuple(o.strip() for o in only.split(",") if o.strip())
    from ..engine.run import SYNCABLE

    if not chosen or any(o not in SYNCABLE for o in chosen):
        raise UsageError(
            f"--only {only!r} names no part of the sync.", f"use any of {', '.join(SYNCABLE)}."
        )
    if backfill_engagements:
        import datetime as _dt

        try:
            since = _dt.datetime.fromisoformat(backfill_engagements.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--backfill-engagements {backfill_engagements!r} is not a date.",
                "give a date such as 2026-11-01.",
            ) from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=_dt.UTC)
        backfill_engagements = (
            since.astimezone(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
    reserve, percent = parse_reserve(api_reserve)
    if no_backup_check and not as_json:
        ui.err.print(
            "WARNING: --no-backup-check: a first sync without a verified backup of the org.",
            style="bold red",
        )
    options = SyncOptions(
        dry_run=dry_run,
        only=chosen,
        no_backup_check=no_backup_check,
        api_reserve=reserve,
        reserve_percent=percent,
        backfill_engagements=backfill_engagements,
        reconcile=reconcile,
        plan_file=plan_file,
    )
    profile = _profile(ctx)
    with recorded(profile, "sync") as record, ui.SyncProgress(not as_json) as progress:
        options.progress = progress.update
        result, code = run_sync(profile, options, mapping, record)
        progress.stop()
        record.status, record.exit_code = result.status, code
        record.details = log_fields(result, result.mapping_source)
        if as_json:
            ui.print_json_line(ui.sync_json(result, code))
        else:
            ui.sync_report(result)
        if code:
            raise typer.Exit(code)


conflicts_app = typer.Typer(
    help="Conflicts the sync settled: list them, or choose the other value."
)
app.add_typer(conflicts_app, name="conflicts")


@conflicts_app.callback(invoke_without_command=True)
def conflicts(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved conflicts.")] = False,
) -> None:
    """List conflicts: record, field, both values, mirror value, winner, rule, when."""
    if ctx.invoked_subcommand is not None:
        return
    from ..store.sync_state import SyncState

    rows = SyncState(_profile(ctx).state_path).conflicts(None if all_ else "open")
    if as_json:
        ui.print_json(rows)
    elif rows:
        ui.show_rows(
            "Conflicts",
            rows,
            [
                "id",
                "email",
                "sf_object",
                "field",
                "leadgen_value",
                "salesforce_value",
                "mirror_value",
                "winner",
                "rule",
                "at",
                "status",
            ],
        )
    else:
        ui.line("No open conflicts.")


@conflicts_app.command("resolve")
def conflicts_resolve(
    ctx: typer.Context,
    conflict_id: Annotated[int, typer.Argument(help="The conflict's id.")],
    take: Annotated[str, typer.Option(help="salesforce or leadgen: whose value both sides get.")],
) -> None:
    """Apply the chosen side's value to both sides at the next sync."""
    from ..engine.service import resolve_conflict

    row = resolve_conflict(_profile(ctx), conflict_id, take)
    ui.line(
        f"Conflict {conflict_id} ({row['email']} {row['field']}): the {take} value goes to both sides at the next sync."
    )


@app.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Connection, last runs, cursors, pending errors and conflicts, API usage, where the log is."""
    from ..engine.service import status as read_status

    data = read_status(_profile(ctx))
    if as_json:
        ui.print_json(data)
    else:
        ui.status_report(data)


@backup_app.callback(invoke_without_command=True)
def backup(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory to write the backup into (default <home>/backups/<profile>)."),
    ] = None,
    objects: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated API names (default: Lead, Contact, Account, Opportunity, ...)."
        ),
    ] = None,
    all_objects: Annotated[
        bool, typer.Option("--all", help="Every queryable object the org lists.")
    ] = False,
    include_deleted: Annotated[
        bool, typer.Option("--include-deleted", help="Also rows in the recycle bin (queryAll).")
    ] = False,
    compress: Annotated[
        bool, typer.Option("--compress", help="Write Object.csv.gz files.")
    ] = False,
    skip_binary: Annotated[
        bool,
        typer.Option(
            "--skip-binary",
            help="Don't download binary fields (file contents); the manifest lists them as skipped.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export the org: one CSV per object and a manifest.json, written atomically."""
    if ctx.invoked_subcommand is not None:
        return
    from ..connection import open_client
    from ..salesforce.backup import Backup
    from ..salesforce.identity import read_identity
    from ..store.runs import RunLog
    from ..store.state import StateStore
    from ..store.sync_state import SyncState

    profile = _profile(ctx)
    target = out or profile.home / "backups" / profile.name
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"--out {out}: a file, not a directory.", "give a directory (it is created if needed)."
        )
    with recorded(profile, "backup") as record:
        settings, client = open_client(profile)
        identity = read_identity(client)
        names = [n.strip() for n in objects.split(",") if n.strip()] if objects else None
        bars = ui.BackupProgressBars(enabled=not as_json)
        job = Backup(client, identity, bars)
        chosen = job.object_names(names, all_objects)  # unknown names fail before any write
        catalog = StateStore(profile.state_path)
        record.run_id = RunLog(SyncState(catalog.db), profile.log_path).start("backup")
        with bars:
            result = job.run(target, chosen, include_deleted, compress, skip_binary)
        catalog.record_backup(str(result.path), result.manifest)
        record.status = "ok" if result.complete else "incomplete"
        record.exit_code = 0 if result.complete else int(ExitCode.SALESFORCE)
        record.details = {
            "path": str(result.path),
            "complete": result.complete,
            "objects": len(result.objects),
            "rows": result.rows,
            "api_calls": result.api_calls,
        }
        _backup_report(result, as_json)


def _backup_report(result, as_json: bool) -> None:
    failed = [o.name for o in result.objects if o.status != "ok"]
    incomplete = (
        f"The backup is incomplete: {', '.join(failed)} failed (see the manifest in "
        f"{result.path}); the other objects were kept."
    )
    if as_json:
        ui.print_json(
            {
                "ok": result.complete,
                "exit_code": 0 if result.complete else int(ExitCode.SALESFORCE),
                **(
                    {}
                    if result.complete
                    else {"error": {"kind": "salesforce", "message": incomplete, "fix": None}}
                ),
                "path": str(result.path),
                "complete": result.complete,
                "rows": result.rows,
                "bytes": result.bytes,
                "api_calls": result.api_calls,
                "seconds": round(result.seconds, 3),
                "objects": result.manifest["objects"],
            }
        )
    else:
        ui.out.print(ui.backup_table(result))
        ui.line(
            f"{result.rows:,} rows in {result.seconds:.1f} s with {result.api_calls} API calls: {result.path}"
        )
        if result.complete:
            ui.line(f"Next: lgcrm-sf backup verify {result.path}")
    if not result.complete:
        if as_json:  # the one JSON object above says it all
            raise typer.Exit(int(ExitCode.SALESFORCE))
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
    import hashlib

    from ..salesforce.backup_verify import verify
    from ..store.state import StateStore

    profile = _profile(ctx)
    directory = StateStore(profile.state_path).backup_path(backup_dir)
    report = verify(directory.resolve())
    store = StateStore(profile.state_path)
    if report.ok:
        manifest_sha = hashlib.sha256((report.path / "manifest.json").read_bytes()).hexdigest()
        store.mark_verified(str(report.path), report.manifest, manifest_sha)
    else:
        store.mark_unverified(str(report.path))
    if as_json:
        ui.print_json(
            {
                "path": str(report.path),
                "ok": report.ok,
                "problems": report.problems,
                "objects": [vars(o) for o in report.objects],
            }
        )
    else:
        if report.objects:
            ui.out.print(ui.verify_table(report))
        for problem in report.problems:
            ui.line(problem, "red")
        ui.line(
            "Backup verified." if report.ok else "The backup does NOT verify.",
            "green" if report.ok else "bold red",
        )
    if not report.ok:
        raise typer.Exit(int(ExitCode.VERIFY_FAILED))


@backup_app.command("list")
def backup_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON.")] = False,
) -> None:
    """The backups recorded in this profile's catalog."""
    from ..store.state import StateStore

    rows = StateStore(_profile(ctx).state_path).backups()
    if as_json:
        ui.print_json(rows)
    elif rows:
        ui.out.print(ui.backups_table(rows))
    else:
        ui.line("No backups yet: run `lgcrm-sf backup`.")


@app.command()
def demo(ctx: typer.Context) -> None:
    """See it all work on the built-in emulator: connect, prerequisites, backup, sync, conflicts."""
    from ..demo import run_demo

    if ctx.obj["home"]:
        ui.line(
            f"The demo runs in a throwaway home of its own; {ctx.obj['home']} is not touched.",
            "yellow",
        )
    run_demo(run, ui.out)


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
        raise UsageError(f"--seed {seed!r} is not a seed.", "use empty or demo.")
    serve(
        port=port,
        data=str(data) if data else None,
        seed=seed,
        username=username,
        org_name=org_name,
        leadgen_rate=leadgen_rate,
        leadgen_daily_limit=leadgen_daily_limit,
    )


from .migrate import register as _register_migrate  # noqa: E402 - needs the groups above

_register_migrate(app, backup_app, _profile)


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
