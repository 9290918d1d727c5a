"""Linking a profile to a Salesforce org (connect, disconnect) and logging in from a stored
profile for every later command."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import credentials, i18n
from ..config import Profile, ProfileSettings
from ..errors import ConfigError, UsageError
from ..i18n import N_, _, deferred
from .addresses import is_https, shown_url
from .client import (
    AUTH_METHODS,
    LoginTarget,
    SalesforceClient,
    Secrets,
    checked_api_version,
)
from .identity import OrgIdentity, read_identity

MESSAGES = {
    "missing_secret": N_(
        "The {what} is required for the {method} login: type it when asked or set {env}."
    ),
    "consumer_key": N_(
        "The {method} login needs the connected app's consumer key (--consumer-key)."
    ),
    "declined": N_(
        "Not connected: the confirmation word (Confirm) was not typed. Nothing was stored."
    ),
    "bad_method": N_("Unknown auth method {method!r}: use one of {choices}."),
}

# The help article's warning, shown before an admin confirms the connection.
WARNING = N_(
    "Once connected, the Accounts, Opportunities, Pipeline and Reports sections of Lead Gen & CRM "
    "are switched off for this account: all sales work happens in Salesforce, and Salesforce "
    "opportunities show on the associated contacts. Back up your Salesforce data before the first "
    "sync (`lgcrm-sf backup`). Type Confirm to connect."
)
CONFIRM_WORD = N_("Confirm")


@dataclass
class ConnectResult:
    identity: OrgIdentity
    secrets_source: str  # keyring | environment
    profile: str


def required_secrets(target: LoginTarget, secrets: Secrets) -> None:
    method = target.auth_method
    if method not in AUTH_METHODS:
        raise ConfigError(
            _(MESSAGES["bad_method"]).format(method=method, choices=", ".join(AUTH_METHODS))
        )
    if method in ("jwt", "client_credentials") and not target.consumer_key:
        raise ConfigError(_(MESSAGES["consumer_key"]).format(method=method))
    needed = {
        "password": [("password", N_("password"), "LGCRM_SF_PASSWORD")],
        "jwt": [("private_key", N_("private key"), "LGCRM_SF_PRIVATE_KEY_FILE")],
        "client_credentials": [
            ("consumer_secret", N_("consumer secret"), "LGCRM_SF_CONSUMER_SECRET")
        ],
    }[method]
    for attr, what, env in needed:
        if not getattr(secrets, attr):
            raise ConfigError(
                _(MESSAGES["missing_secret"]).format(what=_(what), method=method, env=env)
            )


def connect(
    profile: Profile,
    target: LoginTarget,
    secrets: Secrets,
    confirm: Callable[[OrgIdentity], bool],
    secrets_from_environment: bool = False,
    private_key_file: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> ConnectResult:
    """Log in for real, read who and where, ask for confirmation, and only then store.

    A failed login, a refused confirmation or an unusable keyring stores nothing."""
    required_secrets(target, secrets)
    usable = credentials.keyring_usable()[0]
    if not usable and not secrets_from_environment:
        credentials.require_keyring()  # raises with the ways out
    client = SalesforceClient(target, secrets)
    client.login()
    identity = read_identity(client)
    if not target.username:  # client credentials: the connected app's run-as user
        target.username = identity.username
    if not confirm(identity):
        raise ConfigError(_(MESSAGES["declined"]))
    source = "keyring" if usable else "environment"
    if usable:
        credentials.store(profile.name, target.username, secrets)
    settings = profile.load()
    settings.login_url = target.login_url
    settings.username = target.username
    settings.auth_method = target.auth_method
    settings.api_version = target.api_version
    settings.ca_bundle = target.ca_bundle
    settings.consumer_key = target.consumer_key
    settings.private_key_file = private_key_file
    settings.secrets_source = source
    settings.connected = True
    settings.org_id = identity.org_id
    settings.org_name = identity.org_name
    settings.edition = identity.edition
    settings.user_id = identity.user_id
    settings.connected_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    settings.language = language or org_language(identity.language)
    settings.timezone = timezone or identity.timezone or "UTC"
    profile.save(settings)
    from ..store.catalog import Catalog

    Catalog(profile.state_path).record_event("connected", {"org_id": identity.org_id})
    return ConnectResult(identity, source, profile.name)


def org_language(locale_key: str | None) -> str:
    """The profile language an org's LanguageLocaleKey stands for (pt_BR -> pt_BR, en_US and
    any language without a catalogue -> en)."""
    return i18n.normalize(locale_key) or i18n.SOURCE


def settle_locale(
    profile: Profile, settings: ProfileSettings, client: SalesforceClient, save: bool = True
) -> ProfileSettings:
    """A profile connected before it had a `language` and `timezone` gets the org's at its
    next run (one query), kept in its settings from then on."""
    if settings.language and settings.timezone:
        return settings
    org = client.call(
        lambda sf: sf.query("SELECT LanguageLocaleKey, TimeZoneSidKey FROM Organization"),
        deferred(N_("the Organization query")),
    )["records"][0]
    settings.language = settings.language or org_language(org.get("LanguageLocaleKey"))
    settings.timezone = settings.timezone or org.get("TimeZoneSidKey") or "UTC"
    if save:
        profile.save(settings)
    return settings


def disconnect(profile: Profile) -> int:
    """Forget the secrets and mark the profile disconnected; the state database stays."""
    settings = profile.load_connected()
    removed = credentials.forget(profile.name, settings.username)
    settings.connected = False
    profile.save(settings)
    from ..store.catalog import Catalog

    Catalog(profile.state_path).record_event("disconnected", {"org_id": settings.org_id})
    return removed


def target_of(settings: ProfileSettings) -> LoginTarget:
    return LoginTarget(
        login_url=settings.login_url,
        username=settings.username,
        auth_method=settings.auth_method,
        api_version=settings.api_version,
        ca_bundle=settings.ca_bundle,
        consumer_key=settings.consumer_key,
    )


def stored_target(profile: Profile, settings: ProfileSettings) -> LoginTarget:
    """The login target a profile stored, checked: a value that went bad since `connect` is
    the settings file's problem (exit 3), named with the way out."""
    target = target_of(settings)
    where = profile.settings_path
    if not is_https(target.login_url):
        raise ConfigError(
            _(
                "The login URL {url} stored in {where} is not https: the password would travel "
                "in clear. Nothing was sent."
            ).format(url=shown_url(target.login_url), where=where),
            _("run `lgcrm-sf connect` again with an https:// --login-url (or --domain)."),
        )
    try:
        target.api_version = checked_api_version(target.api_version)
    except UsageError:
        raise ConfigError(
            _("The API version {version!r} stored in {where} is not one.").format(
                version=target.api_version, where=where
            ),
            _("run `lgcrm-sf connect` again (--api-version 59.0, for instance)."),
        ) from None
    if target.ca_bundle and not Path(target.ca_bundle).is_file():
        raise ConfigError(
            _("The CA bundle {path} named in {where} no longer exists.").format(
                path=target.ca_bundle, where=where
            ),
            _("put the file back, or run `lgcrm-sf connect` again with --ca-bundle FILE."),
        )
    return target


def open_client(profile: Profile) -> tuple[ProfileSettings, SalesforceClient]:
    """A client for a connected profile, secrets from the environment or the keyring. It logs
    in lazily and again once if the session expires."""
    settings = profile.load_connected()
    target = stored_target(profile, settings)
    secrets = credentials.load(profile.name, settings.username, settings.private_key_file)
    try:
        required_secrets(target, secrets)
    except ConfigError:
        credentials.require_keyring()  # no keyring at all: name the ways out
        raise ConfigError(
            _(credentials.MESSAGES["missing"]).format(
                what=_("secret"),
                profile=profile.name,
                env=_("the LGCRM_SF_* environment variables"),
            )
        ) from None
    return settings, SalesforceClient(target, secrets)
