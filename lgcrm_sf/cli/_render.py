"""How the CLI prints, with rich: the one table-or-JSON choice (`show`), tables whose keys are
never cut short, and lines of text. Text that comes from a remote service or a file (a record,
a name, an error) is printed with markup off, so it can't inject formatting. The human form of
each result is in _views.py; progress on stderr in _progress.py."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table as _RichTable
from rich.text import Text

from ..formats import amount, day, moment, number
from ..i18n import N_, Message, _, english

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class Table(_RichTable):
    """A rich Table whose cells wrap (fold), never cut with an ellipsis: keys stay whole."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


def json_form(result: Any) -> Any:
    """What a result is as JSON: its own `as_dict()`, a dataclass's fields, or itself."""
    if hasattr(result, "as_dict"):
        return result.as_dict()
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return result


def show(
    result: Any,
    as_json: bool,
    human: Callable[[Any], None],
    as_dict: Callable[[Any], Any] = json_form,
    one_line: bool = False,
) -> None:
    """The one table-or-JSON choice: with --json one JSON document on stdout (`one_line` for
    cron logs that must stay JSON Lines), else the human form."""
    if not as_json:
        human(result)
    elif one_line:
        print_json_line(as_dict(result))
    else:
        print_json(as_dict(result))


def for_machines(data):
    """`data` with every translated text back in its English: JSON is the same in every
    language, whichever text a report happened to build with `_()`."""
    if isinstance(data, Message):
        return english(data)
    if isinstance(data, dict):
        return {for_machines(k): for_machines(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [for_machines(v) for v in data]
    return data


def print_json(data) -> None:
    sys.stdout.write(
        json.dumps(for_machines(data), indent=2, ensure_ascii=False, default=str) + "\n"
    )
    sys.stdout.flush()


def print_json_line(data) -> None:
    """One compact line: a cron log of runs stays valid JSON Lines."""
    sys.stdout.write(json.dumps(for_machines(data), ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def failure(code: int, kind: str, message: str, fix: str | None) -> dict:
    """The head of a JSON report that failed, as the error ladder writes one (_errors.py)."""
    return {"ok": False, "exit_code": code, "error": {"kind": kind, "message": message, "fix": fix}}


def line(text: str, style: str | None = None) -> None:
    out.print(text, style=style, markup=False, soft_wrap=True)


def warn(text: str, style: str = "yellow") -> None:
    """A warning on stderr, so stdout stays the command's output."""
    err.print(text, style=style, markup=False, soft_wrap=True)


def human_bytes(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{number(size, 1)} {unit}"
        size /= 1024
    return f"{number(size, 1)} GB"


# Column headers are the rows' keys (as --json names them); each is a msgid whose English is
# the key itself, so a table reads the same in English as before and in Portuguese as words.
HEADERS = (
    N_("id"), N_("profile"), N_("connected"), N_("org_name"), N_("username"), N_("kind"),
    N_("email"), N_("first_name"), N_("last_name"), N_("company"), N_("active"), N_("name"),
    N_("stage"), N_("amount"), N_("close_date"), N_("role"), N_("occurred_at"), N_("details"),
    N_("from"), N_("to"), N_("object"), N_("field"), N_("side"), N_("rule"), N_("command"),
    N_("started_at"), N_("finished_at"), N_("status"), N_("exit_code"), N_("record_id"),
    N_("message"), N_("last_seen"), N_("attempts"), N_("stream"), N_("value"), N_("updated_at"),
    N_("sf_object"), N_("leadgen_value"), N_("salesforce_value"), N_("mirror_value"),
    N_("winner"), N_("at"), N_("mapping"), N_("org_id"), N_("owner"), N_("account"),
    N_("contacts"), N_("user"), N_("type"), N_("title"), N_("phone"), N_("mobile_phone"),
    N_("street"), N_("city"), N_("state"), N_("postal_code"), N_("country"), N_("website"),
    N_("industry"), N_("description"), N_("lead_status"), N_("lead_score"), N_("unsubscribed"),
    N_("account_name"), N_("salesforce_id"), N_("deal_stage"), N_("opportunities"),
    N_("closed"), N_("won"), N_("probability"),
)  # fmt: skip
# Cells shown in the chosen language's formats (the JSON keeps the stored values).
_CELL_FORMATS = {
    **dict.fromkeys(
        ("occurred_at", "started_at", "finished_at", "at", "last_seen", "updated_at"), moment
    ),
    "amount": amount,
    "close_date": day,
}


BOOLEANS = {True: N_("True"), False: N_("False")}


def header(column: str) -> str:
    return _(column) if column in HEADERS else column


def cell(column: str, value) -> str:
    """A value as people read it: times in the profile's zone, numbers and dates localized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _(BOOLEANS[value])
    shape = _CELL_FORMATS.get(column)
    try:
        if shape is not None:
            return shape(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value if column in ("id", "exit_code") else number(value)
    except (ValueError, TypeError):
        pass  # a value that is not what its column promises: shown as it is
    return str(value)


class Records:
    """Rows as a table when it fits the terminal, else one `column: value` line per field and a
    blank line between rows: a key (an e-mail, a path, an id, a number) is never cut short, at
    80 columns or in a pipe."""

    def __init__(self, title: str, rows: list[dict], columns: list[str]) -> None:
        self.title, self.rows, self.columns = title, rows, columns

    def _cells(self, row: dict) -> list[str]:
        return [str(cell(c, row.get(c))) for c in self.columns]

    def natural_width(self) -> int:
        widths = [len(header(c)) for c in self.columns]
        for row in self.rows:
            for i, cell in enumerate(self._cells(row)):
                widths[i] = max(widths[i], max((len(x) for x in cell.splitlines()), default=0))
        return sum(widths) + 3 * len(widths) + 1

    def table(self) -> Table:
        table = Table(title=self.title)
        for column in self.columns:
            table.add_column(header(column))
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in self._cells(row)))
        return table

    def show(self, console: Console) -> None:
        if self.natural_width() <= console.width:
            console.print(self.table())
            return
        console.print(Text(self.title, style="bold"))
        label = max(len(header(c)) for c in self.columns)
        for row in self.rows:
            console.print()
            for column, text in zip(self.columns, self._cells(row), strict=True):
                # Whole, on its line: the terminal may wrap it, nothing here cuts it.
                name = header(column).rjust(label)
                console.print(f"{name}: {text}", markup=False, soft_wrap=True)


def show_rows(title: str, rows: list[dict], columns: list[str], console=None) -> None:
    Records(title, rows, columns).show(console or out)


def rows_or(empty: str, title: str, columns: list[str]) -> Callable[[list[dict]], None]:
    """The human form of a list of rows: a table, or a line saying there are none."""

    def human(rows: list[dict]) -> None:
        if rows:
            show_rows(title, rows, columns)
        else:
            line(empty)

    return human
