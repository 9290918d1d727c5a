"""The `lgcrm-sf` command line. Parses, calls one core function, renders. The only module that
imports typer. Every LgcrmError becomes one line on stderr and its documented exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from . import ui
from .config import Profile
from .errors import ConfigError, ExitCode, LgcrmError, SalesforceApiError
from .salesforce.client import DEFAULT_API_VERSION

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Connect Lead Gen & CRM (formerly SharpSpring) with Salesforce.",
)
emulator_app = typer.Typer(
    no_args_is_help=True, help="The Salesforce-compatible API server used by tests and the demo."
)
app.add_typer(emulator_app, name="emulator")
backup_app = typer.Typer(help="Back up the connected Salesforce org, list and verify backups.")
app.add_typer(backup_app, name="backup")

err = Console(stderr=True, highlight=False)


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


def _profile(ctx: typer.Context) -> Profile:
    return Profile(ctx.obj["home"], ctx.obj["profile"])


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
    from . import credentials
    from .connection import CONFIRM_WORD, WARNING
    from .connection import connect as connect_profile
    from .salesforce.client import LoginTarget, Secrets, login_url_for

    profile = _profile(ctx)
    if not username:
        if not _interactive():
            raise ConfigError("A username is required: pass --username or set LGCRM_SF_USERNAME.")
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
        login_url=login_url_for(domain, login_url),
        username=username,
        auth_method=auth,
        api_version=api_version,
        ca_bundle=str(ca_bundle.expanduser().resolve()) if ca_bundle else None,
        consumer_key=consumer_key,
    )

    def confirm(identity) -> bool:
        if not as_json:
            ui.out.print(ui.identity_table(identity))
        if yes:
            return True
        if not _interactive():
            raise ConfigError("Connecting needs the word Confirm typed; in scripts pass --yes.")
        ui.err.print(WARNING, markup=False)
        return typer.prompt("Warning").strip() in (CONFIRM_WORD, "Confirmar")

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
    from .connection import disconnect as disconnect_profile

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
    from .connection import open_client
    from .salesforce.prereqs import all_pass
    from .salesforce.prereqs import check_prereqs as run_checks
    from .store.state import StateStore

    profile = _profile(ctx)
    settings, client = open_client(profile)
    backup = StateStore(profile.state_path).verified_backup(settings.org_id)
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
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export the org: one CSV per object and a manifest.json, written atomically."""
    if ctx.invoked_subcommand is not None:
        return
    from .connection import open_client
    from .salesforce.backup import Backup
    from .salesforce.identity import read_identity
    from .store.state import StateStore

    profile = _profile(ctx)
    settings, client = open_client(profile)
    identity = read_identity(client)
    target = out or profile.home / "backups" / profile.name
    names = [n.strip() for n in objects.split(",") if n.strip()] if objects else None
    bars = ui.BackupProgressBars(enabled=not as_json)
    job = Backup(client, identity, bars)
    chosen = job.object_names(names, all_objects)  # unknown names fail before anything is written
    with bars:
        result = job.run(target, chosen, include_deleted, compress)
    StateStore(profile.state_path).record_backup(str(result.path), result.manifest)
    if as_json:
        ui.print_json(
            {
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
        failed = [o.name for o in result.objects if o.status != "ok"]
        raise SalesforceApiError(
            f"The backup is incomplete: {', '.join(failed)} failed (see the manifest in {result.path}); the other objects were kept."
        )


@backup_app.command("verify")
def backup_verify(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A backup directory (it holds manifest.json).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-hash every file and re-count every row of a backup."""
    import hashlib

    from .salesforce.backup_verify import verify
    from .store.state import StateStore

    profile = _profile(ctx)
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
    from .store.state import StateStore

    rows = StateStore(_profile(ctx).state_path).backups()
    if as_json:
        ui.print_json(rows)
    elif rows:
        ui.out.print(ui.backups_table(rows))
    else:
        ui.line("No backups yet: run `lgcrm-sf backup`.")


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


def run(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code. One `except` ladder turns every error into
    one line on stderr; users never see a traceback for bad input or a refusing org."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="lgcrm-sf")
        return int(result) if isinstance(result, int) else 0
    except LgcrmError as exc:
        err.print(f"error: {exc.message}", markup=False, soft_wrap=True)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        return int(ExitCode.INTERRUPTED)
    except typer.Abort:
        err.print("aborted")
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: Typer prints them as Click would
        exc.show()
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
