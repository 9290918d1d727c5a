"""Secrets: the OS keyring, or environment variables for automation. The only module that reads
or writes a secret. Never a plain file, never a command-line argument."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from .errors import ConfigError, KeyringUnavailable
from .i18n import N_, _


@dataclass
class Secrets:
    password: str | None = None
    security_token: str | None = None
    private_key: str | None = None  # PEM text for the JWT bearer flow
    consumer_secret: str | None = None

    def __repr__(self) -> str:  # never print a secret, even by accident
        present = [k for k, v in self.__dict__.items() if v]
        return f"Secrets(<{', '.join(present) or 'none'}>)"

    __str__ = __repr__


SERVICE = "lgcrm-sf"
KINDS = ("password", "security_token", "private_key", "consumer_secret")
ENV = {
    "password": "LGCRM_SF_PASSWORD",
    "security_token": "LGCRM_SF_SECURITY_TOKEN",
    "consumer_secret": "LGCRM_SF_CONSUMER_SECRET",
}
ENV_PRIVATE_KEY_FILE = "LGCRM_SF_PRIVATE_KEY_FILE"

MESSAGES = {
    "no_keyring": N_(
        "No usable OS keyring was found to keep the Salesforce secrets ({backend}). Either "
        "install a keyring backend (e.g. gnome-keyring or KWallet on Linux; macOS and Windows "
        "have one), or give the secrets in environment variables (LGCRM_SF_PASSWORD, "
        "LGCRM_SF_SECURITY_TOKEN, LGCRM_SF_PRIVATE_KEY_FILE, LGCRM_SF_CONSUMER_SECRET). Secrets "
        "are never written to a file."
    ),
    "keyring_failed": N_("The OS keyring refused to {action} the Salesforce secrets: {detail}."),
    "key_file": N_(
        "The private key file {path} cannot be read ({detail}); set LGCRM_SF_PRIVATE_KEY_FILE or "
        "--private-key-file to the PEM file of the key whose certificate is on the connected app."
    ),
    "missing": N_(
        "No {what} for profile {profile!r}: it is neither in the OS keyring nor in {env}. Run "
        "`lgcrm-sf connect` again or set {env}."
    ),
}


def keyring_usable() -> tuple[bool, str]:
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return False, name
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        return False, name
    return True, name


def require_keyring() -> None:
    usable, name = keyring_usable()
    if not usable:
        raise KeyringUnavailable(_(MESSAGES["no_keyring"]).format(backend=name))


def _key(profile: str, username: str, kind: str) -> str:
    return f"{profile}/{username}/{kind}"


def read_private_key(path: str | Path) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _(_(MESSAGES["key_file"])).format(path=path, detail=type(exc).__name__)
        ) from None


def from_environment() -> Secrets:
    values = {kind: os.environ.get(var) or None for kind, var in ENV.items()}
    key_file = os.environ.get(ENV_PRIVATE_KEY_FILE)
    if key_file:
        values["private_key"] = read_private_key(key_file)
    return Secrets(**values)


def store(profile: str, username: str, secrets: Secrets) -> None:
    require_keyring()
    try:
        for kind in KINDS:
            value = getattr(secrets, kind)
            if value:
                keyring.set_password(SERVICE, _key(profile, username, kind), value)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            _(_(MESSAGES["keyring_failed"])).format(action=_("store"), detail=type(exc).__name__)
        ) from None


def load(profile: str, username: str, private_key_file: str | None = None) -> Secrets:
    """Environment variables win over the keyring, so cron can override a stored secret."""
    env = from_environment()
    values = {}
    usable = keyring_usable()[0]
    for kind in KINDS:
        value = getattr(env, kind)
        if value is None and usable:
            try:
                value = keyring.get_password(SERVICE, _key(profile, username, kind))
            except keyring.errors.KeyringError:
                value = None
        values[kind] = value
    if values["private_key"] is None and private_key_file:
        values["private_key"] = read_private_key(private_key_file)
    return Secrets(**values)


def forget(profile: str, username: str) -> int:
    """Remove every stored secret of the profile; returns how many were removed."""
    usable = keyring_usable()[0]
    if not usable:
        return 0
    removed = 0
    for kind in KINDS:
        try:
            keyring.delete_password(SERVICE, _key(profile, username, kind))
            removed += 1
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                _(_(MESSAGES["keyring_failed"])).format(
                    action=_("remove"), detail=type(exc).__name__
                )
            ) from None
    return removed


# The Lead Gen & CRM account's secret key (issue 14): the keyring, or this variable for cron.
LEADGEN_ENV = "LGCRM_SF_LEADGEN_SECRET_KEY"


def _leadgen_key(profile: str, account_id: str) -> str:
    return f"{profile}/leadgen/{account_id}/secret_key"


def store_leadgen_key(profile: str, account_id: str, secret: str) -> None:
    require_keyring()
    try:
        keyring.set_password(SERVICE, _leadgen_key(profile, account_id), secret)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            MESSAGES["keyring_failed"].format(action="store", detail=type(exc).__name__)
        ) from None


def load_leadgen_key(profile: str, account_id: str) -> str | None:
    """The environment wins over the keyring, as for Salesforce's secrets."""
    value = os.environ.get(LEADGEN_ENV) or None
    if value is None and keyring_usable()[0]:
        try:
            value = keyring.get_password(SERVICE, _leadgen_key(profile, account_id))
        except keyring.errors.KeyringError:
            value = None
    return value


def forget_leadgen_key(profile: str, account_id: str) -> int:
    if not keyring_usable()[0]:
        return 0
    try:
        keyring.delete_password(SERVICE, _leadgen_key(profile, account_id))
        return 1
    except keyring.errors.PasswordDeleteError:
        return 0
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            MESSAGES["keyring_failed"].format(action="remove", detail=type(exc).__name__)
        ) from None
