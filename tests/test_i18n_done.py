"""Issue 13's "done when": the demo and every command's --help, run under LANG=C and under
LANG=pt_BR.UTF-8 (no pt_BR locale needs to be installed: the tool never calls setlocale), differ
on every line that holds words. What may read the same in both languages is allow-listed: ids,
e-mails, URLs, paths, numbers, option and command names, Salesforce's own names (objects,
editions, API names) and the demo's data (people, companies, forms)."""

from __future__ import annotations

import ast
import re

import click
import pytest
import typer

from lgcrm_sf import demo
from lgcrm_sf.cli import app

from .demo_run import ENGLISH, PORTUGUESE, ROOT

TOKENS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|(?:/[\w.@+-]+)+/?|--?[a-z][\w-]*|\b[A-Z][A-Z0-9_]{2,}\b"
    r"|<[^>]*>|\[[A-Z]+\]|\b\w*\d\w*\b|\b\w+__c\b|\b\w+_\w+\b|\S+,\S+|\S+…"
)
# Salesforce's own names and the tool's, the same in every language.
NAMES = {
    "lgcrm-sf", "Salesforce", "Lead", "Gen", "CRM", "SharpSpring", "Contact", "Account",
    "Opportunity", "OpportunityContactRole", "User", "Task", "Event", "Campaign",
    "CampaignMember", "Enterprise", "Edition", "Unlimited", "Performance", "Professional",
    "rest", "bulk", "ok", "sha", "SHA", "id", "Id", "Org", "API", "CSV", "JSON", "YAML", "PEM",
    "TCP", "SQLite", "JWT", "IANA", "UTC", "Ctrl", "OPTIONS", "COMMAND", "ARGS", "Admin",
    "Integrations", "System", "Only", "Standard", "Ltda", "Brasil", "Acme", "leads", "contacts",
    "opportunities", "engagements", "lead", "contact", "salesforce", "leadgen", "update", "copy",
    "empty", "demo", "login", "test", "acme", "my", "password", "jwt", "backup", "backups",
}  # fmt: skip


def _demo_data_words() -> set[str]:
    """Words of the data the demo shows back: its files and the emulator's seed (strings)."""
    text = demo.LEADS + demo.CONTACTS + demo.EVENTS
    seed = ast.parse((ROOT / "lgcrm_sf/emulator/seed.py").read_text(encoding="utf-8"))
    text += " ".join(
        n.value for n in ast.walk(seed) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    return set(re.findall(r"[^\W\d_]+", text))


def _command_names() -> set[str]:
    names, todo = set(), [typer.main.get_command(app)]
    while todo:
        command = todo.pop()
        for name, child in getattr(command, "commands", {}).items():
            names.add(name)
            names.update(name.split("-"))
            todo.append(child)
    return names


ALLOWED = NAMES | _command_names()


def words(line: str, allowed: set[str]) -> list[str]:
    """The words of a line that should read differently in another language."""
    if line.lstrip().startswith("$ lgcrm-sf"):  # a command as typed: names and values only
        return []
    rest = TOKENS.sub(" ", line)
    return [w for w in re.findall(r"[^\W\d_]{2,}", rest) if w not in allowed]


def same_lines(english: str, portuguese: str, allowed: set[str]) -> list[str]:
    shown = {line.strip() for line in portuguese.splitlines()}
    return [
        line
        for line in english.splitlines()
        if line.strip() in shown and words(line, allowed | ALLOWED)
    ]


def _command_paths() -> list[list[str]]:
    paths, todo = [[]], [([], typer.main.get_command(app))]
    while todo:
        prefix, command = todo.pop()
        for name, child in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            if isinstance(child, click.Group):
                todo.append(([*prefix, name], child))
    return sorted(paths)


def test_the_allow_list_lets_words_through():
    assert words("│ Check   │ pass │ Enterprise Edition │", ALLOWED) == ["Check", "pass"]
    assert words("$ lgcrm-sf sync --dry-run", ALLOWED) == []
    assert words("  --home  <path>  Where state lives.", ALLOWED) == ["Where", "state", "lives"]


@pytest.mark.parametrize("command", _command_paths(), ids=lambda p: " ".join(p) or "lgcrm-sf")
def test_every_help_line_with_words_is_translated(cli, command):
    english = cli(*command, "--help", env=ENGLISH)
    portuguese = cli(*command, "--help", env=PORTUGUESE)
    assert english.code == portuguese.code == 0
    untranslated = same_lines(english.out, portuguese.out, set())
    assert not untranslated, "\n".join(untranslated)


def test_every_demo_line_with_words_is_translated(demo_runs):
    english, portuguese = (
        demo_runs[name].out + demo_runs[name].result.stderr for name in ("en", "pt_BR")
    )  # the English run is the one test_demo.py reads
    assert "Formulário enviado" in portuguese and "Form submitted" in english
    untranslated = same_lines(english, portuguese, _demo_data_words())
    assert not untranslated, "\n".join(untranslated)
