"""What every command takes from the main command's options: the profile named by --profile
in the home named by --home."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import typer

from .. import formats
from ..config import Profile, profile_names
from ..errors import ConfigError, UsageError
from ..i18n import _
from ._errors import current_args
from ._render import err, warn

CONFIRM_WORDS = ("confirm", "confirmar")  # any case: what an admin types in either language


def profile_of(ctx: typer.Context, creating: bool = False) -> Profile:
    """The profile named by --profile. Only `connect` creates one: a name that does not exist
    (a typo) is refused rather than silently made. The default profile may be used before it
    is connected (the offline store)."""
    profile = Profile(ctx.obj["home"], ctx.obj["profile"])
    if not creating and profile.name != "default" and not profile.dir.exists():
        known = profile_names(profile.home)
        close = difflib.get_close_matches(profile.name, known, n=1)
        raise UsageError(
            _("No profile named {name!r} in {home}").format(name=profile.name, home=profile.home)
            + (_(" (did you mean {name!r}?).").format(name=close[0]) if close else "."),
            _("only `lgcrm-sf connect` creates a profile; `lgcrm-sf profiles list` shows them."),
        )
    _warn_if_home_is_open(profile.home, ctx)
    if profile.exists():  # times shown in the profile's zone, unless --tz/LGCRM_SF_TZ said
        try:
            formats.use_profile_zone(profile.load().timezone)
        except ConfigError:
            pass  # an unreadable settings file: the command says so when it reads it
    return profile


def _warn_if_home_is_open(home: Path, ctx: typer.Context) -> None:
    """A home the user made is theirs to protect: say so when others can read it."""
    if ctx.obj.get("warned") or "--json" in current_args.get() or not home.exists():
        return
    ctx.obj["warned"] = True
    if home.stat().st_mode & 0o077:
        warn(
            _(
                "warning: {home} is readable by other users: it holds the profile's state and "
                "logs. chmod 700 {home}"
            ).format(home=home)
        )


def typed_confirmation(question: str, refused: str, fix: str | None = None) -> bool:
    """The word Confirm (or Confirmar, any case) typed at a terminal after `question`; without
    a terminal the command stops with `refused` (scripts pass --yes after a --dry-run)."""
    if not sys.stdin.isatty():
        raise ConfigError(refused, fix or _("in scripts pass --yes (after a --dry-run)."))
    err.print(question, markup=False)
    return typer.prompt(_("Confirm")).strip().casefold() in CONFIRM_WORDS
