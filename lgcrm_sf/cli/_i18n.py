"""The command line in the chosen language: which language (--lang, else the environment), and
the texts we do not write ourselves.

- Click marks its own messages (`Usage:`, `No such option ...`) with the stdlib's domain-less
  `gettext`, imported into each module as `_`/`ngettext`; that global domain would need `.mo`
  files and the process locale, so those names are pointed at our catalogue (their msgids are
  extracted from Click's source into it: README, "Translations").
- Typer 0.2x runs on its own copy of Click, without gettext: its messages are matched against
  msgids (_click_texts.py), its usage line gets a translated prefix through the context's
  formatter class, and each command's --help option its translated help.
- Typer's rich help panels take their titles from constants computed at import, set again here.
- Help strings (docstrings, `help=`) are English in the code and translated on the command tree
  just before Click parses, so `--lang` is already known when help is rendered."""

from __future__ import annotations

import os

import click
import typer
import typer.core
import typer.rich_utils

from .. import formats, i18n
from ..errors import UsageError
from ..i18n import _
from ._click_texts import translate

try:  # Typer's own copy of Click (Typer 0.2x); older Typers use Click itself
    import typer._click.core as _typer_click
    import typer._click.formatting as _typer_formatting
except ImportError:  # pragma: no cover - depends on the installed Typer
    _typer_click = _typer_formatting = None

# Click's and Typer's modules that call `_()`/`ngettext()` when they format a message.
_MARKED_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
    click.utils,
    typer.core,
)
# Typer's rich help: module constants made at import with gettext, English here.
_RICH_TEXTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def choose_language(argv: list[str]) -> str:
    """--lang (anywhere: it is a global option), else LGCRM_SF_LANG and the locale variables.
    Machine output never changes with the language: --json runs in English."""
    given = _option_value(argv, "--lang")
    chosen = _strict(given, "--lang") if given is not None else None
    if chosen is None and os.environ.get("LGCRM_SF_LANG"):  # the option's own variable
        chosen = _strict(os.environ["LGCRM_SF_LANG"], "LGCRM_SF_LANG")
    if "--json" in argv:
        chosen = i18n.SOURCE
    i18n.use(chosen)
    _hook_click()
    formats.use_zone(_option_value(argv, "--tz"))
    return i18n.current_language()


def _option_value(argv: list[str], name: str) -> str | None:
    value = None
    for i, token in enumerate(argv):
        if token == "--":
            break
        if token == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith(name + "="):
            value = token.split("=", 1)[1]
    return value


def _strict(value: str, where: str) -> str:
    try:
        return i18n.parse_language(value)
    except ValueError:
        i18n.use(None)
        raise UsageError(
            _("{where} {value!r} is not a language of the tool.").format(where=where, value=value),
            _("use pt_BR (or pt-BR) or en."),
        ) from None


def _hook_click() -> None:
    for module in _MARKED_MODULES:
        if hasattr(module, "_"):
            module._ = i18n._
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext
    for name, text in _RICH_TEXTS.items():
        setattr(typer.rich_utils, name, _(text))
    if _typer_click is not None:
        _typer_click.Context.formatter_class = _LocalizedFormatter


if _typer_formatting is not None:

    class _LocalizedFormatter(_typer_formatting.HelpFormatter):
        """`Usage: ` in the chosen language (Typer's Click writes it as a literal)."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)


def click_message(exc: click.ClickException) -> str:
    """Click's message for a usage error in the chosen language."""
    return translate(exc.format_message())


def translate_help(command: click.Command) -> None:
    """Each help text of the tree in the chosen language (Typer built it afresh, in English)."""
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    if _typer_click is not None and isinstance(command, _typer_click.Command):
        # Made here once and cached by Click: `--help`'s own help, in the chosen language.
        option = command.get_help_option(_typer_click.Context(command))
        if option is not None and option.help:
            option.help = translate(option.help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for child in getattr(command, "commands", {}).values():
        translate_help(child)


class LocalizedGroup(typer.core.TyperGroup):
    """The main command: its tree's help is translated before Click parses the arguments."""

    def main(self, *args, **kwargs):
        translate_help(self)
        return super().main(*args, **kwargs)
