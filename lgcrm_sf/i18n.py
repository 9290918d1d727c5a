"""The one translation layer: every user-facing string goes through `_` (or `N_` where it is
defined before the language is known, then `_` when shown), so each can be shown in Brazilian
Portuguese. Machine output (--json, log.jsonl, exit codes, ids) never goes through here: a
translated text remembers its English (`english()`) for the places that must stay machine-stable.

English is the source language. The catalogue is gettext's `.po`, kept current with Babel
(`pybabel extract`/`update`, see README "For contributors") and read at run time: it is
compiled in memory with Babel on first use, so `pip install` is the only build step and the
`.po` in the package is the only copy (no `.mo` that could go stale). The language is chosen
from `--lang`, else the environment, never through `locale.setlocale`: it works on a machine
with no pt_BR locale generated.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

DOMAIN = "lgcrm_sf"
LOCALE_DIR = Path(__file__).with_name("locale")
SOURCE = "en"
LANGUAGES = ("en", "pt_BR")  # what `--lang`, LGCRM_SF_LANG and a profile's `language` take
_ENV_ORDER = ("LGCRM_SF_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current: gettext.NullTranslations | None = None
_current_language = SOURCE


class Message(str):
    """A translated text that remembers its English: JSON and log.jsonl say `english(text)`,
    so a message built once serves both the person and the machine."""

    english: str

    def __new__(cls, text: str, source: str) -> Message:
        made = super().__new__(cls, text)
        made.english = source
        return made

    def format(self, *args, **kwargs) -> Message:
        sources = [english(a) for a in args]
        named = {k: english(v) for k, v in kwargs.items()}
        return Message(str.format(self, *args, **kwargs), self.english.format(*sources, **named))

    def __add__(self, other: str) -> Message:
        return Message(str.__add__(self, other), self.english + english(other))

    def __radd__(self, other: str) -> Message:
        return Message(str(other) + str(self), english(other) + self.english)


class Deferred(str):
    """English text that can show itself translated: for a message that may also be stored or
    logged (a backup's manifest, a run's messages, log.jsonl), which must stay English. It is
    the English everywhere a string goes; only `shown()` (the error line, a human view) reads
    it in the chosen language."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values) -> Deferred:
        sources = {k: english(v) for k, v in values.items()}
        made = super().__new__(cls, msgid.format(**sources) if values else msgid)
        made.msgid, made.values = msgid, values
        return made

    def shown(self) -> str:
        values = {k: shown(v) for k, v in self.values.items()}
        return _(self.msgid).format(**values) if values else _(self.msgid)


def deferred(msgid: str, **values) -> Deferred:
    """`msgid` (marked with N_ where it is written) filled in, translated only when shown."""
    return Deferred(msgid, **values)


def shown(text):
    """A text as the person reads it: a Deferred in the chosen language, any other as it is."""
    return text.shown() if isinstance(text, Deferred) else text


def english(text):
    """The English of a text made with `_` (itself for any other value)."""
    return getattr(text, "english", text)


def normalize(value: str | None) -> str | None:
    """`pt_BR`, `pt-BR`, `pt_BR.UTF-8`, `pt`, `en_US`... -> a language we have (pt_BR, en);
    None for no choice (empty, C, POSIX); English for a language we have no catalogue for."""
    value = (value or "").split(".")[0].split("@")[0].replace("-", "_").strip()
    if not value or value.upper() in ("C", "POSIX"):
        return None
    if value.lower().startswith("pt"):
        return "pt_BR"  # one Portuguese catalogue: the article's readers are Brazilian
    return SOURCE


def parse_language(value: str) -> str:
    """A language named on the command line or in a setting: pt_BR, pt-BR or en, strictly."""
    for known in LANGUAGES:
        if value.replace("-", "_").lower() == known.lower():
            return known
    raise ValueError(value)


def language_from_environment(environ=None) -> str:
    """LGCRM_SF_LANG, else gettext's own order (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): the first
    variable that names a locale decides; LANGUAGE may list several (`fr:pt_BR`)."""
    environ = os.environ if environ is None else environ
    for name in _ENV_ORDER:
        value = environ.get(name, "")
        choices = [normalize(part) for part in value.split(":")] if value else []
        choices = [c for c in choices if c]
        if choices:
            known = [c for c in choices if c != SOURCE or _names_english(value)]
            return known[0] if known else SOURCE
    return SOURCE


def _names_english(value: str) -> bool:
    return any(part.lower().startswith("en") for part in value.split(":"))


@functools.cache
def translation(language: str) -> gettext.NullTranslations:
    """The catalogue of a language, compiled in memory from the shipped `.po` (Babel)."""
    if language == SOURCE:
        return gettext.NullTranslations()
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def use(language: str | None = None) -> None:
    """Show messages in `language` (pt_BR, pt-BR, en...), or the environment's."""
    global _current, _current_language
    chosen = normalize(language) if language else language_from_environment()
    _current_language = chosen or SOURCE
    _current = translation(_current_language)


def current_language() -> str:
    if _current is None:
        use()
    return _current_language


def _(message: str) -> str:
    if _current is None:
        use()
    shown = _current.gettext(message)
    return message if shown == message else Message(shown, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current is None:
        use()
    shown = _current.ngettext(singular, plural, n)
    source = singular if n == 1 else plural
    return source if shown == source else Message(shown, source)


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet."""
    return message


def translator(language: str | None) -> Callable[[str], str]:
    """`gettext` of one language, whatever is shown to the person running the command: what
    the sync writes into Salesforce follows the profile's own `language`."""
    return translation(normalize(language) or SOURCE).gettext


@functools.cache
def _template(msgid: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", msgid)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern, re.DOTALL)


def reread(text, msgids):
    """A text stored in English (a database, a log) as the person reads it: the first of
    `msgids` (each marked with N_ where it is written) it was made from, filled in again and
    translated; any other text as it is."""
    if not isinstance(text, str) or isinstance(text, Deferred):
        return shown(text)
    for msgid in msgids:
        found = _template(msgid).fullmatch(text)
        if found:
            return deferred(msgid, **found.groupdict()).shown()
    return text
