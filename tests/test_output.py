"""Readable at 80 columns and in pipes: keys are never cut short, wide tables turn vertical, a
dry run shows at most 50 plan lines and writes the whole plan to a file, a long sync shows its
progress only in a terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Console

from lgcrm_sf.cli import _render as ui

from .test_secrets import converse


def rendered(records: ui.Records, width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    records.show(console)
    return console.export_text()


def test_a_table_too_wide_for_80_columns_turns_vertical_and_cuts_no_key():
    email = "maria.aparecida.dos.santos.oliveira@distribuidora-regional-do-nordeste.example.com.br"
    path = "/home/consultor/clientes/acme-brasil/backups/00D5g000000023jEAA-20261128T101500Z"
    rows = [{"id": 123456789, "email": email, "path": path, "company": "Distribuidora"}]
    wide = rendered(ui.Records("People", rows, ["id", "email", "path", "company"]), 80)
    assert email in wide and path in wide and "123456789" in wide and "…" not in wide
    assert "email: " + email in wide  # one `column: value` line per field
    narrow = rendered(ui.Records("People", [{"id": 1, "email": "a@b.co"}], ["id", "email"]), 80)
    assert "a@b.co" in narrow and "┃" in narrow  # it fits: still a table


def test_a_dry_run_shows_50_plan_lines_and_writes_the_whole_plan(world, tmp_path):
    world.import_people(
        "email,first_name\n" + "".join(f"p{i:03d}@out.example,P{i}\n" for i in range(80))
    )
    plan = tmp_path / "plan.jsonl"
    result = world.cli("sync", "--dry-run", "--no-backup-check", "--plan-file", plan)
    assert result.code == 0, result
    shown = set(re.findall(r"\bp\d{3}@out\.example", result.out))
    assert len(shown) == 50
    assert "... and 30 more." in result.out and str(plan) in result.out
    lines = [json.loads(x) for x in plan.read_text().splitlines()]
    assert len(lines) == 80 and {x["side"] for x in lines} == {"salesforce"}
    report = world.cli("sync", "--dry-run", "--no-backup-check", "--json").json()
    assert len(report["plan"]) == 50 and report["plan_total"] == 80
    default = Path(report["plan_file"])
    assert default.parent.name == "plans" and len(default.read_text().splitlines()) == 80


def test_progress_shows_in_a_terminal_and_not_in_a_pipe(world):
    world.import_people("email,first_name\nana@out.example,Ana\n")
    piped = world.cli("sync", "--no-backup-check")
    assert "API calls so far" not in piped.out + piped.err
    env = world.subprocess_env()
    args = ["python3", "-m", "lgcrm_sf.cli", "sync", "--no-backup-check"]
    transcript = converse(args, env, [])
    assert "API calls so far" in transcript
