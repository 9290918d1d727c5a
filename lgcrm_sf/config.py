"""Profiles and where their files live. A profile links one Lead Gen & CRM account to one
Salesforce org; each has its own settings file (non-secret values only), state database, lock
and log under `<home>/profiles/<name>/`."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from .errors import ConfigError, NotConnected, UsageError
from .i18n import N_, _

APP_NAME = "lgcrm-sf"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

MESSAGES = {
    "bad_profile": N_("--profile {name!r} is not a valid profile name."),
    "not_connected": N_(
        "Profile {name!r} is not connected to Salesforce: run `lgcrm-sf connect` first."
    ),
    "unreadable": N_("The settings file {path} cannot be read ({detail})."),
}


def profile_names(home: Path) -> list[str]:
    """The profiles under a home, by name."""
    base = Path(home) / "profiles"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and PROFILE_NAME.match(p.name))


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass
class ProfileSettings:
    """Everything about a profile that is not a secret. Secrets live in the OS keyring."""

    login_url: str = ""
    username: str = ""
    auth_method: str = "password"
    api_version: str = "59.0"
    ca_bundle: str | None = None
    consumer_key: str | None = None
    private_key_file: str | None = None  # a path, not the key: the file stays where it is
    secrets_source: str = "keyring"  # or "environment" when no keyring could be used
    mapping_file: str | None = None
    connected: bool = False
    org_id: str | None = None
    org_name: str | None = None
    edition: str | None = None
    user_id: str | None = None
    connected_at: str | None = None
    # What the sync writes into Salesforce (Task subjects, placeholders) is in this language,
    # and people see times in this zone; both default to the org's (LanguageLocaleKey,
    # TimeZoneSidKey), never to the shell of whoever runs cron.
    language: str | None = None
    timezone: str | None = None
    extra: dict = field(default_factory=dict)
    # The real Lead Gen & CRM account (issue 14); None keeps the offline store (local mode).
    leadgen_account_id: str | None = None
    leadgen_url: str | None = None
    leadgen_ca_bundle: str | None = None
    leadgen_connected_at: str | None = None

    @property
    def account_mode(self) -> bool:
        """The marketing side is the real account (else the local store)."""
        return bool(self.leadgen_account_id)


def _check_home(home: Path) -> None:
    """A home that is a file, or that could never be made because a file stands on its path,
    is refused before anything is written."""
    if home.exists() and not home.is_dir():
        raise UsageError(
            _("--home {home} is a file, not a directory (or LGCRM_SF_HOME names it).").format(
                home=home
            ),
            _("give a directory for the tool's profiles (it is created if needed)."),
        )
    for parent in home.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(
                    _(
                        "--home {home} cannot be made: {parent} is a file (or LGCRM_SF_HOME "
                        "names it)."
                    ).format(home=home, parent=parent),
                    _("give a directory for the tool's profiles (it is created if needed)."),
                )
            return


class Profile:
    def __init__(self, home: Path | str | None, name: str = "default") -> None:
        if not PROFILE_NAME.match(name):
            raise UsageError(
                _(_(MESSAGES["bad_profile"])).format(name=name),
                _("use letters, digits, '.', '_' or '-' (up to 64), e.g. --profile acme."),
            )
        if home is not None:
            _check_home(Path(home))
        self.home = Path(home) if home else default_home()
        self.name = name
        self.dir = self.home / "profiles" / name

    @property
    def settings_path(self) -> Path:
        return self.dir / "settings.json"

    @property
    def state_path(self) -> Path:
        return self.dir / "state.db"

    @property
    def lock_path(self) -> Path:
        return self.dir / "sync.lock"

    @property
    def log_path(self) -> Path:
        return self.dir / "log.jsonl"

    def ensure_dir(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def exists(self) -> bool:
        return self.settings_path.exists()

    def load(self) -> ProfileSettings:
        if not self.settings_path.exists():
            return ProfileSettings()
        try:
            data = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                _(_(MESSAGES["unreadable"])).format(path=self.settings_path, detail=exc),
                _("fix the file, or run `lgcrm-sf connect` again to write it afresh."),
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(
                _(_(MESSAGES["unreadable"])).format(
                    path=self.settings_path,
                    detail=_("it holds a JSON {kind}").format(kind=type(data).__name__),
                ),
                _("fix the file, or run `lgcrm-sf connect` again to write it afresh."),
            )
        known = {k: v for k, v in data.items() if k in ProfileSettings.__dataclass_fields__}
        return ProfileSettings(**known)

    def load_connected(self) -> ProfileSettings:
        settings = self.load()
        if not settings.connected:
            raise NotConnected(_(MESSAGES["not_connected"]).format(name=self.name))
        return settings

    def save(self, settings: ProfileSettings) -> None:
        self.ensure_dir()
        write_atomically(self.settings_path, json.dumps(asdict(settings), indent=2) + "\n")


@dataclass
class HomeProfiles:
    home: Path
    profiles: list[dict]  # one row a profile: which org it is linked to, and as whom


def list_profiles(home: Path | str | None) -> HomeProfiles:
    """The profiles of a home (the default home when None), each read from its settings."""
    home = Profile(home).home  # a --home that is a file is refused here
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
    return HomeProfiles(home, rows)


def set_locale(profile: Profile, language: str | None, timezone: str | None) -> dict:
    """Store a profile's `language` and `timezone` (either may be left as it is)."""
    if language is None and timezone is None:
        raise UsageError(_("Nothing to change."), _("give --language pt_BR|en and/or --tz ZONE."))
    settings = profile.load()
    if not profile.exists():
        raise NotConnected(_(_(MESSAGES["not_connected"])).format(name=profile.name))
    settings.language = language or settings.language
    settings.timezone = timezone or settings.timezone
    profile.save(settings)
    return {"profile": profile.name, "language": settings.language, "timezone": settings.timezone}


def write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
