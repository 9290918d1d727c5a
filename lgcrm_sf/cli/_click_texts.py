"""Click's messages as the Click inside Typer writes them. Typer (0.2x) carries its own copy of
Click whose messages are plain f-strings, and it checks values with pydantic, whose messages
are English too: neither goes through gettext. Each message such a copy can show a user is a
msgid here, written with `{placeholders}`; a message is matched against them and shown
translated, its parts translated in turn (`Missing option '--x'. <detail>`). A message no
msgid matches is shown as it came (English), never mangled."""

from __future__ import annotations

import re
from functools import cache

from ..i18n import N_, _

TEXTS = (
    N_("No such option: {name}"),
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such command {name}."),
    N_("Missing option {name}."),
    N_("Missing option {name}. {detail}"),
    N_("Missing argument {name}."),
    N_("Missing argument {name}. {detail}"),
    N_("Missing parameter {name}."),
    N_("Missing parameter: {name}"),
    N_("Missing command."),
    N_("Invalid value for {name}: {detail}"),
    N_("Invalid value: {detail}"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {count} values."),
    N_("{value} is not one of {choices}."),
    N_("Value {value} is not a valid {kind}."),
    N_("{kind} {path} does not exist."),
    N_("{kind} {path} is a file."),
    N_("{kind} {path} is a directory."),
    N_("{kind} {path} is not readable."),
    N_("{kind} {path} is not writable."),
    N_("{value} does not match the formats {formats}."),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid number"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Input should be a valid date or datetime, {detail}"),
    N_("Input should be {choices}"),
    N_("Did you mean {suggestions}?"),
    N_("Usage: "),
    N_("Show this message and exit."),
    N_("Aborted!"),
)
# Words Click puts into the messages above ({kind} of a path, of a value).
WORDS = (N_("File"), N_("Directory"), N_("Path"), N_("integer"), N_("float"), N_("boolean"))
# Typer's ". Did you mean 'x'?" is added to another message (an unknown command).
_SUGGESTION = re.compile(r"^(?P<head>.+?)\. (?P<tail>Did you mean .+\?)$", re.S)


@cache
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    made = []
    for text in TEXTS:
        parts = re.split(r"\{(\w+)\}", text)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        made.append((re.compile(f"^{regex}$", re.S), text))
    # The more specific (longer) forms first: `Missing option X. detail` before `Missing ...`.
    return tuple(sorted(made, key=lambda pair: -len(pair[1])))


def translate(message: str) -> str:
    """`message` in the chosen language when it is one of Click's/Typer's/pydantic's own."""
    suggestion = _SUGGESTION.match(message)
    if suggestion and not _match(message):
        head, tail = suggestion["head"], suggestion["tail"]
        return translate(head + ".") + " " + translate(tail)
    return _match(message) or message


def _match(message: str) -> str | None:
    for regex, text in _patterns():
        found = regex.match(message)
        if found:
            parts = {k: _word(v) if k in ("kind",) else v for k, v in found.groupdict().items()}
            if "detail" in parts:
                parts["detail"] = translate(parts["detail"])
            return _(text).format(**parts)
    return None


def _word(word: str) -> str:
    return _(word) if word in WORDS else word
