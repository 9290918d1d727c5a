"""The pt_BR catalogue is complete: every message the code marks (`_()`, `N_()`, `ngettext()`,
Typer's `help=` texts and command docstrings, extracted as `pybabel extract` does with
babel.cfg) has a translation, and no translation drops or adds a `{placeholder}`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lgcrm_sf import i18n
from lgcrm_sf.cli import _click_texts, _i18n

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "lgcrm_sf.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="pt_BR")


def _marked_in_code() -> set[str]:
    """What the extraction finds in our package (the emulator excluded, as babel.cfg says)."""
    method_map = [("emulator/**", "ignore"), ("**.py", "lgcrm_sf.babel_extract.extract")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "lgcrm_sf"), method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_marked_message_is_in_the_catalogue():
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = sorted(_marked_in_code() - known)
    assert not missing, (
        "messages not in lgcrm_sf.po (run the two pybabel commands of README "
        f"'Translations' and translate them): {missing[:20]}"
    )


def test_every_message_has_a_portuguese_translation():
    untranslated = []
    for message in _catalog():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(message.id)
    assert not untranslated, f"untranslated or fuzzy in lgcrm_sf.po: {untranslated[:20]}"


def test_translations_keep_every_placeholder():
    wrong = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for i, text in enumerate(strings):  # a plural: the first form is the singular's
            source = ids[0] if i == 0 else ids[-1]
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((source, text))
    assert not wrong, f"placeholders differ: {wrong[:10]}"


def test_the_catalogue_compiles_and_translates():
    shown = i18n.translation("pt_BR")
    assert shown.gettext("Usage: ") == "Uso: "
    assert i18n.translator("pt-BR")("Options") == "Opções"
    assert i18n.translator("en")("Options") == "Options"


def test_clicks_own_texts_are_marked():
    """The texts of Typer's Click copy and rich panels are msgids of the catalogue."""
    known = {m.id for m in _catalog() if isinstance(m.id, str)}
    assert set(_click_texts.TEXTS) <= known
    assert set(_i18n._RICH_TEXTS.values()) <= known


@pytest.mark.parametrize(
    ("english", "portuguese"),
    [
        ("No such option: --nope", "Opção inexistente: --nope"),
        ("Missing argument 'BACKUP'.", "Falta o argumento 'BACKUP'."),
        (
            "No such command 'synk'. Did you mean 'sync'?",
            "Comando 'synk' inexistente. Você quis dizer 'sync'?",
        ),
        ("something nobody wrote", "something nobody wrote"),
    ],
)
def test_click_messages_are_matched_and_translated(english, portuguese):
    i18n.use("pt_BR")
    try:
        assert _click_texts.translate(english) == portuguese
    finally:
        i18n.use("en")


def _shadowing(path: Path) -> list[str]:
    """Functions that call `_()` but also bind `_` (a throwaway loop variable, say): there the
    call would find the local name, not the translation."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        own = [n for n in ast.walk(node) if not isinstance(n, ast.comprehension)]
        binds = any(
            isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in own
        )
        calls = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
            for n in own
        )
        if binds and calls:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    return found


def test_no_function_hides_the_translation_function():
    modules = [p for p in (ROOT / "lgcrm_sf").rglob("*.py") if "emulator" not in p.parts]
    found = [hit for path in modules for hit in _shadowing(path)]
    assert not found, found


def _bare_error_texts(path: Path) -> list[str]:
    """Where an error of errors.py is raised with its message or fix written as a plain string
    or an f-string: text a person reads that `_()` never sees, so it stays English."""
    from lgcrm_sf import errors

    names = {n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, Exception)}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        for arg in node.args[:2] if name in names else []:
            words = (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) and " " in arg.value
            )
            if words or isinstance(arg, ast.JoinedStr):
                found.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {name}")
    return found


def test_every_error_text_goes_through_the_translation_layer():
    package = ROOT / "lgcrm_sf"
    found = [
        place
        for path in sorted(package.rglob("*.py"))
        if "emulator" not in path.relative_to(package).parts
        for place in _bare_error_texts(path)
    ]
    assert not found, "write these as _('English {name}').format(name=...):\n" + "\n".join(found)
