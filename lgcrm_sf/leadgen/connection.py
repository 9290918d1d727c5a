"""Connecting a profile to the real Lead Gen & CRM account (issue 14 §2): the key checked with a
real call, the account's users shown, a typed confirmation, and only then the key stored (the
keyring, or the environment for cron) and the account named in the profile's settings. A
profile that synced in local mode keeps its people: the first sync adopts them by e-mail."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from .. import credentials
from ..clock import utc_now
from ..config import Profile, ProfileSettings
from ..errors import ConfigError, UsageError
from ..i18n import _
from ..salesforce.addresses import is_https, shown_url
from .api import DEFAULT_URL, LeadGenClient
from .api.names import decode_user

RATE_ENV = "LGCRM_SF_LEADGEN_CALLS_PER_SECOND"
DEFAULT_RATE = 10


@dataclass
class AccountConnectResult:
    profile: str
    account_id: str
    url: str
    users: list[dict]
    people_to_adopt: int
    secret_source: str


def checked_url(url: str | None) -> str:
    url = (url or DEFAULT_URL).strip()
    if not is_https(url):
        raise UsageError(
            _(
                "--url {url}: only an https:// address is accepted; the secret key travels in "
                "the query string."
            ).format(url=shown_url(url)),
            _("give the https:// address of the API, e.g. {default}").format(default=DEFAULT_URL),
        )
    return url if url.endswith("/") else url + "/"


def connect_account(
    profile: Profile,
    account_id: str,
    url: str | None,
    ca_bundle: str | None,
    secret: str | None,
    confirm: Callable[[list[dict]], bool],
    secret_from_environment: bool,
) -> AccountConnectResult:
    """Check the key with a real call, confirm, then store. Nothing is stored on a failure."""
    account_id = (account_id or "").strip()
    if not account_id:
        raise UsageError(_("--account-id is required."), _("see Settings > API Settings."))
    if not secret:
        raise UsageError(
            _("No secret key: set {env} or type it when asked.").format(env=credentials.LEADGEN_ENV)
        )
    usable, _backend = credentials.keyring_usable()
    if not usable and not secret_from_environment:
        credentials.require_keyring()
    url = checked_url(url)
    client = LeadGenClient(account_id, secret, url, ca_bundle, per_second=calls_per_second({}))
    users = [decode_user(u) for u in client.get_user_profiles()]
    if not confirm(users):
        raise ConfigError(_("Not connected: the confirmation was not typed."))
    if usable:
        credentials.store_leadgen_key(profile.name, account_id, secret)
    settings = profile.load()
    settings.leadgen_account_id, settings.leadgen_url = account_id, url
    settings.leadgen_ca_bundle, settings.leadgen_connected_at = ca_bundle, utc_now()
    profile.save(settings)
    from .store import LeadGenStore

    people = LeadGenStore(profile.state_path).count_people()
    source = "keyring" if usable else "environment"
    return AccountConnectResult(profile.name, account_id, url, users, people, source)


def disconnect_account(profile: Profile) -> int:
    """Forget the key and go back to local mode; the state (our copy, links) is kept."""
    settings = profile.load()
    if not settings.account_mode:
        raise ConfigError(
            _("Profile {name!r} is not connected to a Lead Gen & CRM account.").format(
                name=profile.name
            )
        )
    removed = credentials.forget_leadgen_key(profile.name, settings.leadgen_account_id)
    settings.leadgen_account_id = settings.leadgen_url = None
    settings.leadgen_ca_bundle = settings.leadgen_connected_at = None
    profile.save(settings)
    return removed


def calls_per_second(extra: dict) -> int:
    """The account's limit is 10 calls a second; a test or a benchmark against the emulator
    may set another (LGCRM_SF_LEADGEN_CALLS_PER_SECOND or the profile's extra settings)."""
    value = os.environ.get(RATE_ENV) or extra.get("leadgen_calls_per_second") or DEFAULT_RATE
    return max(1, int(value))


def open_account_client(profile: Profile, settings: ProfileSettings, budget=None):
    """A client for a profile connected to an account; the key from the environment or the
    keyring."""
    secret = credentials.load_leadgen_key(profile.name, settings.leadgen_account_id)
    if not secret:
        raise ConfigError(
            _(
                "No secret key for the Lead Gen & CRM account {account} of profile {name!r}: it "
                "is neither in the OS keyring nor in {env}."
            ).format(
                account=settings.leadgen_account_id, name=profile.name, env=credentials.LEADGEN_ENV
            ),
            _("run `lgcrm-sf leadgen connect` again or set {env}.").format(
                env=credentials.LEADGEN_ENV
            ),
        )
    return LeadGenClient(
        settings.leadgen_account_id,
        secret,
        settings.leadgen_url or DEFAULT_URL,
        settings.leadgen_ca_bundle,
        per_second=calls_per_second(settings.extra),
        budget=budget,
    )
