"""Babel's extraction of our messages (babel.cfg names it): Babel's own Python extractor for
`_()`, `N_()` and `ngettext()`, plus the two kinds of text Typer shows that are not calls: a
`help="..."` keyword (options, arguments, command groups) and a command's docstring (Typer's
help for it). Both are translated when help is rendered (cli/_i18n.py), so the catalogue must
hold them exactly as Typer holds them: a docstring is cleaned as `inspect.getdoc` does.

Only our own files get the two extra kinds; Click's and Typer's sources (extracted too, for
their `Usage:`, `Options`... ) give their `_()` calls only."""

from __future__ import annotations

import ast
import inspect

from babel.messages.extract import extract_python


def extract(fileobj, keywords, comment_tags, options):
    yield from extract_python(fileobj, keywords, comment_tags, options)
    name = str(getattr(fileobj, "name", ""))
    if "lgcrm_sf" not in name.replace("\\", "/"):
        return
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for lineno, text in help_texts(tree):
        yield lineno, None, text, []


def help_texts(tree: ast.AST):
    """(line, text) of every `help=` string constant and every command's docstring."""
    commands = _command_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                if node.value.value:
                    yield node.value.lineno, node.value.value
        elif isinstance(node, ast.FunctionDef) and (
            node.name in commands or _decorated_as_command(node) or _takes_context(node)
        ):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield node.body[0].lineno, inspect.cleandoc(doc)


def _decorated_as_command(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ("command", "callback"):
            return True
    return False


def _takes_context(node: ast.FunctionDef) -> bool:
    """A function whose first argument is a `typer.Context` is a command (or a group's)."""
    first = node.args.args[0] if node.args.args else None
    note = first.annotation if first is not None else None
    return isinstance(note, ast.Attribute) and note.attr == "Context"


def _command_names(tree: ast.AST) -> set[str]:
    """Functions registered as `app.command(...)(name)` or `app.callback(...)(name)`."""
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and isinstance(node.func.func, ast.Attribute)
            and node.func.func.attr in ("command", "callback")
        ):
            names.update(a.id for a in node.args if isinstance(a, ast.Name))
    return names
