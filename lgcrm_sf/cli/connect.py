"""`connect`, `disconnect`, `check-prereqs` and `profiles`: linking a profile to an org, and
what an admin checks before the first sync. Core modules are imported where they are used:
a command pays only for its own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, ExitCode, UsageError
from ..i18n import _, ngettext
from ..salesforce.client import DEFAULT_API_VERSION
from . import _views as views
from ._context import profile_of
from ._render import err, line, out, show

profiles_app = typer.Typer(no_args_is_help=True, help="The profiles of this home.")

Username = Annotated[
    str | None, typer.Option(envvar="LGCRM_SF_USERNAME", help="The integration user's username.")
]
Auth = Annotated[
    str,
    typer.Option(
        help="password (username + password + security token), jwt or client_credentials."
    ),
]
Domain = Annotated[str | None, typer.Option(help="login, test, or a My Domain such as acme.my.")]
LoginUrl = Annotated[str | None, typer.Option(help="Any login URL (e.g. the emulator's).")]
CaBundle = Annotated[Path | None, typer.Option(help="CA certificates to trust for this org.")]
ConsumerKey = Annotated[
    str | None,
    typer.Option(
        envvar="LGCRM_SF_CONSUMER_KEY", help="Connected app consumer key (jwt, client_credentials)."
    ),
]
PrivateKeyFile = Annotated[
    Path | None,
    typer.Option(envvar="LGCRM_SF_PRIVATE_KEY_FILE", help="PEM private key for the JWT login."),
]
ApiVersion = Annotated[str, typer.Option(help="Salesforce API version.")]
Yes = Annotated[bool, typer.Option("--yes", help="Skip typing Confirm (for scripts).")]
Language = Annotated[
    str | None,
    typer.Option(
        "--language",
        help="Language of what the sync writes into Salesforce (Task subjects, placeholders): "
        "pt_BR or en (default: the org's language).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    app.command()(connect)
    app.command()(disconnect)
    app.command("check-prereqs")(check_prereqs)
    app.add_typer(profiles_app, name="profiles")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _typed_secret(prompt: str) -> str | None:
    """A secret typed with hidden input (never from argv); None without a terminal."""
    if not _interactive():
        return None
    return typer.prompt(prompt, hide_input=True, default="", show_default=False) or None


def _existing_file(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise UsageError(
            _("{option} {path}: no such file.").format(option=option, path=path),
            _("give the path of an existing file."),
        )
    return str(resolved)


def connect(
    ctx: typer.Context,
    username: Username = None,
    auth: Auth = "password",
    domain: Domain = None,
    login_url: LoginUrl = None,
    ca_bundle: CaBundle = None,
    consumer_key: ConsumerKey = None,
    private_key_file: PrivateKeyFile = None,
    api_version: ApiVersion = DEFAULT_API_VERSION,
    yes: Yes = False,
    as_json: AsJson = False,
    language: Language = None,
) -> None:
    """Log in to Salesforce, show the org and user, and link this profile to it."""
    from ..salesforce.client import LoginTarget, checked_api_version, login_url_for
    from ..salesforce.connection import connect as connect_profile

    profile = profile_of(ctx, creating=True)
    # Every value given is checked before anything is asked or sent.
    _check_auth(auth)
    url = login_url_for(domain, login_url)
    api_version = checked_api_version(api_version)
    written_language = _language(language)
    ca_path = _existing_file(ca_bundle, "--ca-bundle")
    key_path = _existing_file(private_key_file, "--private-key-file")
    username = _username(username, auth)
    secrets, from_env = _secrets(auth, key_path)
    target = LoginTarget(
        login_url=url,
        username=username or "",
        auth_method=auth,
        api_version=api_version,
        ca_bundle=ca_path,
        consumer_key=consumer_key,
    )
    result = connect_profile(
        profile,
        target,
        secrets,
        _confirmation(as_json, yes),
        from_env,
        key_path,
        language=written_language,
        timezone=ctx.obj.get("tz"),
    )
    show(result, as_json, views.connected, views.connected_json)


def _language(value: str | None) -> str | None:
    from ..i18n import parse_language

    if value is None:
        return None
    try:
        return parse_language(value)
    except ValueError:
        raise UsageError(
            _("--language {value!r} is not a language of the tool.").format(value=value),
            _("use pt_BR (or pt-BR) or en."),
        ) from None


def _check_auth(auth: str) -> None:
    from ..salesforce.client import AUTH_METHODS

    if auth not in AUTH_METHODS:
        raise UsageError(
            _("--auth {auth!r} is not a login method.").format(auth=auth),
            _("use {choices}.").format(choices=", ".join(AUTH_METHODS)),
        )


def _username(username: str | None, auth: str) -> str | None:
    if username or auth == "client_credentials":  # client credentials name their user
        return username
    if not _interactive():
        raise UsageError(
            _("A username is required."), _("pass --username or set LGCRM_SF_USERNAME.")
        )
    return typer.prompt(_("Salesforce username"))


def _secrets(auth: str, key_path: str | None):
    """The login's secrets, from the environment or typed, and whether they all came from the
    environment (then a missing keyring does not stop `connect`)."""
    from .. import credentials
    from ..salesforce.client import Secrets

    env = credentials.from_environment()
    if auth == "password":
        password = env.password or _typed_secret(_("Password"))
        token = env.security_token
        if token is None:
            token = _typed_secret(_("Security token (empty if your IP is trusted)"))
        return Secrets(password=password, security_token=token), bool(env.password)
    if auth == "jwt":
        # The key file's path (not a secret) comes from --private-key-file or its env var.
        key = credentials.read_private_key(key_path) if key_path else None
        return Secrets(private_key=key), True
    secret = env.consumer_secret or _typed_secret(_("Consumer secret"))
    return Secrets(consumer_secret=secret), bool(env.consumer_secret)


def _confirmation(as_json: bool, yes: bool):
    """Show who and where (not with --json), then the help article's warning: the word
    Confirm (or its Portuguese) typed, or --yes."""
    from ..salesforce.connection import CONFIRM_WORD, WARNING

    def confirm(identity) -> bool:
        if not as_json:
            out.print(views.identity_table(identity))
        if yes:
            return True
        if not _interactive():
            raise ConfigError(
                _("Connecting needs the word Confirm typed."), _("in scripts pass --yes.")
            )
        err.print(_(WARNING), markup=False)
        typed = typer.prompt(_("Warning")).strip().casefold()
        # the English word or the shown language's ("Confirmar"), in any case
        return typed in {CONFIRM_WORD.casefold(), _(CONFIRM_WORD).casefold(), "confirmar"}

    return confirm


def disconnect(ctx: typer.Context) -> None:
    """Remove this profile's secrets from the keyring and mark it disconnected (state is kept)."""
    from ..salesforce.connection import disconnect as disconnect_profile

    profile = profile_of(ctx)
    removed = disconnect_profile(profile)
    line(
        ngettext(
            "Disconnected profile '{profile}' ({count} secret removed from the keyring). The "
            "state database is kept.",
            "Disconnected profile '{profile}' ({count} secrets removed from the keyring). The "
            "state database is kept.",
            removed,
        ).format(profile=profile.name, count=removed)
    )


def check_prereqs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check every requirement of the help article against the connected org."""
    from ..engine.prereqs import check_profile

    report = check_profile(profile_of(ctx))
    show(report, as_json, views.prereqs)
    if not report.ok:
        raise typer.Exit(int(ExitCode.PREREQS_FAILED))


@profiles_app.command("list")
def profiles_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """The profiles of this home: which org each is linked to, and as whom."""
    from ..config import list_profiles

    listing = list_profiles(ctx.obj["home"])
    show(listing, as_json, views.profiles, lambda listing: listing.profiles)


@profiles_app.command("set")
def profiles_set(
    ctx: typer.Context,
    language: Language = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """Change the profile's language (of what is written into Salesforce from now on; Tasks
    already sent stay as they are) and, with --tz, its time zone."""
    from ..config import set_locale

    profile = profile_of(ctx)
    chosen = set_locale(profile, _language(language), ctx.obj.get("tz"))
    show(chosen, as_json, views.profile_locale)
