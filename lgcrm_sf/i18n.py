"""The one translation layer: every user-facing string goes through `_` (or `N_` where it is
defined before the language is known, then `_` when shown), so each can be shown in Brazilian
Portuguese. Machine output (--json, log.jsonl, exit codes, ids) never goes through here.

Issue 13 fills in the catalogues (lgcrm_sf/locale/<lang>/LC_MESSAGES/lgcrm_sf.po) and the
choice of language; until a catalogue exists, English (the source language) is shown."""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "lgcrm_sf"
LOCALE_DIR = Path(__file__).with_name("locale")
_ENV_ORDER = ("LGCRM_SF_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current: gettext.NullTranslations | None = None


def language_from_environment() -> str:
    for name in _ENV_ORDER:
        value = os.environ.get(name, "").split(":")[0].split(".")[0].replace("-", "_")
        if value and value not in ("C", "POSIX"):
            return value
    return "en"


def use(language: str | None = None) -> None:
    """Show messages in `language` (pt_BR, pt-BR, en...), or the environment's."""
    global _current
    chosen = (language or language_from_environment()).replace("-", "_")
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen], fallback=True)


def _(message: str) -> str:
    if _current is None:
        use()
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current is None:
        use()
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet."""
    return message
