"""The one error ladder: every way a command can end becomes its documented exit code and one
line (`error: what. Fix: how.`) on stderr, or, with --json, one JSON object on stdout and
nothing on stderr, so a cron log stays valid JSON Lines. Bad input is the user's to fix (2 for
a command-line value, 3 for a file or the stored profile); only the unforeseen exits 70, with
the traceback on --traceback or LGCRM_SF_DEBUG=1."""

from __future__ import annotations

import contextvars
import errno
import json
import os
import re
import sqlite3
import sys
import traceback

import click
import typer
from rich.console import Console

from ..errors import ExitCode, LgcrmError
from ..i18n import _, english, shown
from ..store.db import busy_error, is_busy
from ._i18n import click_message

err = Console(stderr=True, highlight=False)

# Typer may carry its own copy of Click: catch both families.
# The file system said no (permissions, a read-only or full disk, a file where a directory
# should be): the path is named and the command exits 3, like any file it cannot use.
REFUSED_BY_THE_FILE_SYSTEM = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOTDIR,
    errno.EISDIR,
}
EXITS = tuple({click.exceptions.Exit, typer.Exit})
ABORTS = tuple({click.exceptions.Abort, typer.Abort})
USAGE = tuple(
    {
        click.ClickException,
        *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"),
    }
)

# Options of the main command that users also put after the subcommand.
GLOBAL_OPTIONS = {
    "--profile": True,
    "--home": True,
    "--traceback": False,
    "--lang": True,
    "--tz": True,
}
# The arguments of the command being run (for code that must know --json before it parses).
current_args: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "current_args", default=()
)
_URL_QUERY = re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*")


def hoist_global_options(argv: list[str]) -> list[str]:
    """`lgcrm-sf sync --profile acme` means `lgcrm-sf --profile acme sync`: the main command's
    options are moved in front of the subcommand, wherever they were typed."""
    front, rest, i = [], [], 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest += argv[i:]
            break
        name = token.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in token
            front += argv[i : i + (2 if takes_value else 1)]
            i += 2 if takes_value else 1
            continue
        rest.append(token)
        i += 1
    return front + rest


def redact(text: str) -> str:
    """No query string of a URL in a message: a secret key may travel there."""
    return _URL_QUERY.sub(r"\1?…", text)


def report(code: int, message: str, fix: str | None, as_json: bool, details=()) -> int:
    if as_json:  # machine output: the English, whatever language the person reads
        message, fix = redact(english(message)), redact(english(fix)) if fix else None
        kind = ExitCode(code).name.lower() if code in ExitCode._value2member_map_ else "error"
        error = {"kind": kind, "message": message, "fix": fix}
        if details:
            error["details"] = [d.strip() for d in details]
        sys.stdout.write(json.dumps({"ok": False, "exit_code": code, "error": error}) + "\n")
        sys.stdout.flush()
    else:
        message, fix = redact(shown(message)), redact(shown(fix)) if fix else None
        text = (
            message
            if not fix
            else _("{message} Fix: {fix}").format(message=message.rstrip(), fix=fix)
        )
        err.print(_("error: {text}").format(text=text), markup=False, soft_wrap=True)
    return code


def run_guarded(invoke, argv: list[str], choose_language=None) -> int:
    """Run `invoke()` (the Typer app) and return the exit code, whatever happens; the
    language is chosen first (`choose_language(argv)`), so every message below is in it."""
    current_args.set(tuple(argv))
    as_json = "--json" in argv
    debug = "--traceback" in argv or os.environ.get("LGCRM_SF_DEBUG") == "1"
    try:
        if choose_language is not None:
            choose_language(argv)
        result = invoke()
        return int(result) if isinstance(result, int) else 0
    except EXITS as exc:
        return exc.exit_code
    except LgcrmError as exc:
        details = getattr(exc, "details", ())
        code = report(int(exc.exit_code), exc.message, exc.fix, as_json, details)
        if not as_json:  # e.g. every problem of a mapping, one a line, under the error line
            for detail in getattr(exc, "details", ()):
                err.print(detail, markup=False, soft_wrap=True)
        return code
    except (*ABORTS, KeyboardInterrupt):
        return report(int(ExitCode.INTERRUPTED), _("interrupted."), None, as_json)
    except USAGE as exc:  # usage: Click's own checks of options and arguments
        command = exc.ctx.command_path if getattr(exc, "ctx", None) else "lgcrm-sf"
        return report(
            int(ExitCode.USAGE),
            click_message(exc),
            _("see `{command} --help`.").format(command=command),
            as_json,
        )
    except (sqlite3.OperationalError, OSError) as exc:
        return _refused(exc, debug, as_json)
    except Exception as exc:  # noqa: BLE001 - the last rung: never a bare traceback, never 1
        return _unforeseen(exc, debug, as_json)


def _refused(exc: sqlite3.OperationalError | OSError, debug: bool, as_json: bool) -> int:
    """The database busy past its wait (exit 7), or a path the file system refused (exit 3,
    named); any other such error is unforeseen."""
    if isinstance(exc, sqlite3.OperationalError):
        if is_busy(exc):
            error = busy_error()
            return report(int(error.exit_code), error.message, None, as_json)
    elif exc.filename and exc.errno in REFUSED_BY_THE_FILE_SYSTEM:
        return report(
            int(ExitCode.CONFIG),
            _("{path}: {reason}.").format(path=exc.filename, reason=exc.strerror),
            _(
                "give a path you can write to (--home, --out) or free some space, then run "
                "the command again; what was already stored is intact."
            ),
            as_json,
        )
    return _unforeseen(exc, debug, as_json)


def _unforeseen(exc: Exception, debug: bool, as_json: bool) -> int:
    if debug:
        traceback.print_exc()
    detail = f"{type(exc).__name__}: {exc}".strip()
    return report(
        int(ExitCode.INTERNAL),
        _("an unexpected error stopped the command ({detail}).").format(detail=detail[:300]),
        _(
            "run it again with --traceback (or LGCRM_SF_DEBUG=1) and report the output; what "
            "was already stored is intact."
        ),
        as_json,
    )
