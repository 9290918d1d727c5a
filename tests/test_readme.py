"""The README documents what the code does: its exit-code table is the ExitCode enum, its two
set-up lines are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from lgcrm_sf.errors import ExitCode

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_the_exit_code_table_is_the_enum():
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section("Exit codes"), re.M)
    documented = {int(code) for code, _ in rows}
    assert documented == {int(code) for code in ExitCode}
    assert len(rows) == len(documented)  # each code once


def test_the_cron_section_names_the_codes_cron_branches_on():
    sync = section("sync")
    for code in (ExitCode.OK, ExitCode.RECORD_ERRORS, ExitCode.LOCK_HELD, ExitCode.QUOTA_RESERVE):
        assert re.search(rf"\b{int(code)} ", sync), code
    assert "sync --json >> " in sync and "2>&1" in sync


def test_ci_runs_the_readmes_test_line():
    setup = re.findall(r"^python3 -m pip install .*$", README, re.M)[:2]
    assert setup[0] == "python3 -m pip install -e . && lgcrm-sf demo"
    ci = (ROOT / ".ci" / "run").read_text()
    assert setup[1] in ci.splitlines()


def test_the_migrations_section_has_the_consultants_checklist_in_order(cli):
    text = section("Migrations and restores")
    steps = re.findall(r"^\d\. \*\*(.+?)\*\*", text, re.M)
    assert steps == ["Back up", "Verify", "Migrate sales", "Connect", "First sync"]
    assert text.index("migrate sales --dry-run") < text.index("lgcrm-sf sync")
    # Every command it shows is one the CLI has.
    for line in re.findall(r"^lgcrm-sf (.+)$", text, re.M):
        words = [w for w in line.split() if w.isalpha()][:2]
        result = cli(*words, "--help")
        assert result.code == 0, (line, result)


def test_the_troubleshooting_table_names_messages_the_code_prints():
    """Each message the table quotes is one the product prints (ours) or Salesforce sends (the
    emulator answers with it): a renamed message must take its row along."""
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "lgcrm_sf").rglob("*.py")
    )
    rows = re.findall(r"^\| (.+?) \| .+ \|$", section("Troubleshooting by error message"), re.M)
    quoted = [q for row in rows[2:] for q in re.findall(r"`([^`]+)`", row)]
    assert len(quoted) >= 15
    for message in quoted:
        pieces = [p.strip() for p in re.split(r"\.\.\.|\b[NX]\b|\(JWT\)|\bLeads\b", message)]
        for piece in (p for p in pieces if len(p) >= 4):
            assert piece in source, f"README quotes {message!r}: {piece!r} is printed nowhere"
