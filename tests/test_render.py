"""The CLI's one table-or-JSON choice: --json gives one JSON document (one line for a sync, for
cron logs), the human form otherwise; remote text is never read as rich markup; a failed
report's head is the error ladder's own shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lgcrm_sf.cli import _render, _views
from lgcrm_sf.cli._errors import report
from lgcrm_sf.errors import ExitCode


@dataclass
class Outcome:
    path: Path
    rows: int


def test_json_or_human_from_one_call(capsys):
    shown = []
    _render.show(Outcome(Path("/tmp/x"), 3), False, shown.append)
    assert shown == [Outcome(Path("/tmp/x"), 3)] and capsys.readouterr().out == ""

    _render.show(Outcome(Path("/tmp/x"), 3), True, shown.append)
    printed = capsys.readouterr().out
    assert json.loads(printed) == {"path": "/tmp/x", "rows": 3} and printed.count("\n") > 1
    assert len(shown) == 1  # the human form is not printed beside the JSON

    _render.show({"a": [1, 2]}, True, shown.append, lambda d: {"b": d["a"]}, one_line=True)
    assert capsys.readouterr().out == '{"b": [1, 2]}\n'


def test_remote_text_is_printed_as_it_is(capsys):
    name = "[bold red]Acme[/] [link=https://evil.example]click[/link]"
    _render.line(name)
    _render.show_rows("Accounts", [{"id": 1, "name": name}], ["id", "name"])
    _views.person(
        {
            "person": {"first_name": "[b]Ana[/b]", "last_name": None, "company": name},
            "email": "ana@x.example",
            "kind": "lead",
            "active": False,
            "deactivation_reason": "[i]deleted in Salesforce[/i]",
            "salesforce": None,
            "opportunities": [],
            "events": [],
        }
    )
    out = capsys.readouterr().out
    assert out.count("[bold red]Acme[/]") == 3
    assert "[b]Ana[/b]" in out and "[i]deleted in Salesforce[/i]" in out


def test_a_failed_report_starts_as_the_error_ladder_writes_one(capsys):
    report(int(ExitCode.SALESFORCE), "The backup is incomplete.", None, as_json=True)
    from_ladder = json.loads(capsys.readouterr().out)
    head = _render.failure(
        int(ExitCode.SALESFORCE), "salesforce", "The backup is incomplete.", None
    )
    assert head == from_ladder
