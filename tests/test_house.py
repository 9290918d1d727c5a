"""The rules of the house (issue 12, ARCHITECTURE.md's layout), checked on the source so that a
newcomer's first change is held to them too: short modules and functions, imports that flow one
way, the state tables touched only by store/, no test patching a module global, and ruff clean.

ruff has no rule for a module's or a function's length, nor for who may import what: those are
read here with `ast`. The emulator stands for the remote services and keeps its own shape (its
schema and seed are data tables): the size rules stop at its border, the import rule holds it."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lgcrm_sf"
TESTS = ROOT / "tests"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# The sync's own tables (store/migrations.py): only store/ runs SQL on them.
SYNC_TABLES = (
    "links",
    "mirror",
    "cursors",
    "journal",
    "journal_bodies",
    "conflicts",
    "sync_errors",
    "runs",
    "schema_cache",
    "engagement_switches",
    "engagements_sent",
    "skipped_records",
    "meta",
    "backups",
    "events",
    "migrated_records",
)
_TABLE = "|".join(SYNC_TABLES)
SQL_VERB = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|REPLACE|ALTER|DROP)\b")
SQL_ON_SYNC_TABLE = re.compile(
    rf"\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+(IF\s+(NOT\s+)?EXISTS\s+)?[\"`\[]?({_TABLE})\b", re.I
)
# sqlite-utils reaches a table by name: db["links"].insert(...), db.table("runs").
TABLE_METHODS = {
    "insert",
    "insert_all",
    "upsert",
    "upsert_all",
    "update",
    "delete",
    "delete_where",
    "rows",
    "rows_where",
    "get",
    "count",
    "lookup",
    "create",
    "drop",
}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def product_modules(include_emulator: bool = False) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if include_emulator or "emulator" not in path.relative_to(PACKAGE).parts
    ]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, full module name) of every import in a module, relative ones resolved, those
    inside functions included: a late import is still an import."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
            # `from . import credentials` imports a module too.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_no_module_is_over_the_limit():
    long = {
        relative(path): lines
        for path in product_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by job): {long}"


def test_no_function_is_over_the_limit():
    long = [
        f"{relative(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in product_modules()
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


# Who may import what: (the importing modules, the modules they may not import).
IMPORT_RULES = [
    ("only cli/ imports typer", lambda m: not m.startswith("lgcrm_sf.cli"), ("typer",)),
    (
        "only salesforce/ imports simple-salesforce",
        lambda m: not m.startswith("lgcrm_sf.salesforce"),
        ("simple_salesforce",),
    ),
    ("engine/ never imports cli/", lambda m: m.startswith("lgcrm_sf.engine"), ("lgcrm_sf.cli",)),
    (
        "salesforce/ never imports engine/ or cli/",
        lambda m: m.startswith("lgcrm_sf.salesforce"),
        ("lgcrm_sf.engine", "lgcrm_sf.cli"),
    ),
    (
        "leadgen/ never imports engine/ or cli/",
        lambda m: m.startswith("lgcrm_sf.leadgen"),
        ("lgcrm_sf.engine", "lgcrm_sf.cli"),
    ),
]


def _names(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("rule", IMPORT_RULES, ids=[rule[0] for rule in IMPORT_RULES])
def test_imports_flow_one_way(rule):
    _, applies_to, forbidden = rule
    broken = [
        f"{relative(path)}:{line} imports {name}"
        for path in product_modules(include_emulator=True)
        if applies_to(module_name(path))
        for line, name in imported_modules(path)
        if _names(name, forbidden)
    ]
    assert not broken, "\n".join(broken)


def test_the_emulator_imports_nothing_from_the_rest():
    """It stands for the two remote services and could be its own package."""
    broken = [
        f"{relative(path)}:{line} imports {name}"
        for path in sorted((PACKAGE / "emulator").rglob("*.py"))
        for line, name in imported_modules(path)
        if _names(name, ("lgcrm_sf",)) and not _names(name, ("lgcrm_sf.emulator",))
    ]
    assert not broken, "\n".join(broken)


def _strings(tree: ast.Module):
    """(line, text) of every string literal; an f-string's literal parts joined, so that
    f"SELECT * FROM links WHERE {x}" reads as SQL (and its parts are not read again alone)."""
    fstrings = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    parts = {id(part) for node in fstrings for part in node.values}
    for node in fstrings:
        text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        yield node.lineno, text
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            yield node.lineno, node.value


def _table_by_name(node: ast.AST) -> str | None:
    """The sync table a sqlite-utils call reaches by name, if any."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr in TABLE_METHODS
        and isinstance(node.value, ast.Subscript)
        and isinstance(node.value.slice, ast.Constant)
        and node.value.slice.value in SYNC_TABLES
    ):
        return node.value.slice.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "table"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in SYNC_TABLES
    ):
        return node.args[0].value
    if (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Constant)
        and node.left.value in SYNC_TABLES
        and any(
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "table_names"
            for c in node.comparators
        )
    ):
        return node.left.value
    return None


def test_only_store_touches_the_sync_tables():
    """store/ is the one door to the state tables (the emulator has a database of its own)."""
    found = []
    for path in product_modules():
        if relative(path).startswith("lgcrm_sf/store/"):
            continue
        tree = parsed(path)
        found += [
            f"{relative(path)}:{line} {' '.join(text.split())[:80]!r}"
            for line, text in _strings(tree)
            if SQL_VERB.search(text) and SQL_ON_SYNC_TABLE.search(text)
        ]
        found += [
            f"{relative(path)}:{node.lineno} reaches table {table!r} by name"
            for node in ast.walk(tree)
            if (table := _table_by_name(node))
        ]
    assert not found, "SQL on the sync's tables outside store/:\n" + "\n".join(found)


def test_the_sync_table_rule_sees_sql():
    """The check above would catch what it is meant to (and not a SOQL query on Event)."""
    sql = (
        "SELECT sf_id FROM links WHERE person_id = ?",
        'INSERT OR IGNORE INTO "events" (at) VALUES (?)',
        "UPDATE conflicts SET status = 'resolved'",
        " OR c.id IN (SELECT sf_id FROM links WHERE person_id = :p)",
    )
    not_sql = (
        "SELECT Id, Subject FROM Event WHERE WhoId = '00Q'",
        "SELECT id FROM lg_events WHERE person_id = ?",
        "the links from the last run",
    )
    hits = [t for t in sql + not_sql if SQL_VERB.search(t) and SQL_ON_SYNC_TABLE.search(t)]
    assert hits == list(sql)
    tree = ast.parse(
        'db["links"].insert({})\ndb.table("runs").count\nok = "meta" in db.table_names()\n'
        'counts["links"] += 1'
    )
    assert sorted(t for n in ast.walk(tree) if (t := _table_by_name(n))) == [
        "links",
        "meta",
        "runs",
    ]


def _our_modules(tree: ast.Module) -> dict[str, str]:
    """The names a test binds to one of our modules (`import lgcrm_sf.x`, `from lgcrm_sf import
    x`), and the module each stands for."""
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lgcrm_sf"):
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lgcrm_sf"):
            package = importlib.import_module(node.module)
            modules.update(
                {
                    a.asname or a.name: f"{node.module}.{a.name}"
                    for a in node.names
                    if inspect.ismodule(getattr(package, a.name, None))
                }
            )
    return modules


def _patched_module_globals(path: Path) -> list[str]:
    """monkeypatch.setattr / mock.patch(.object) aimed at one of our modules: by its dotted
    name, or through a module object imported from lgcrm_sf."""
    tree = parsed(path)
    modules = _our_modules(tree)
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("setattr", "patch", "object")
            and node.args
        ):
            continue
        target = node.args[0]
        root = target
        while isinstance(root, ast.Attribute):
            root = root.value
        by_name = isinstance(target, ast.Constant) and str(target.value).startswith("lgcrm_sf.")
        if by_name or (isinstance(root, ast.Name) and root.id in modules):
            found.append(f"{relative(path)}:{node.lineno} patches {ast.unparse(target)}")
    return found


def test_no_test_patches_a_module_global():
    """Sizes and thresholds a test needs changed come through the environment (LGCRM_SF_TUNING,
    LGCRM_SF_BACKUP_TUNING), as an operator would change them: not by patching the code."""
    found = [line for path in sorted(TESTS.rglob("*.py")) for line in _patched_module_globals(path)]
    assert not found, "\n".join(found)


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


needs_ruff = pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None,
    reason="ruff is not installed (it is a test extra: pip install -e '.[test]')",
)


@needs_ruff
def test_ruff_check_is_clean():
    """Lint rules in pyproject.toml: complexity at most 12 (C90), no unused argument (ARG), lines
    within 100 characters (E501) but for the emulator's data tables."""
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_ruff
def test_ruff_format_is_clean():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
