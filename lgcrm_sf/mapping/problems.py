"""What is wrong with a mapping, each problem at its line and column with its fix; and the error
that refuses a mapping, listing every problem so the user fixes the file in one go."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from ..i18n import N_, _, shown

SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


@dataclass
class Problem:
    file: str
    line: int
    column: int
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        severity = _(SEVERITIES.get(self.severity, self.severity))
        text = f"{self.file}:{self.line}:{self.column}: {severity}: {shown(self.message)}"
        fix = _(" Fix: {fix}").format(fix=shown(self.fix)) if self.fix else ""
        return text + fix

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class MappingInvalid(ConfigError):
    """A mapping that must not be used: every problem listed, one a line, so the user fixes
    the file in one go."""

    SHOWN = 50  # problems listed; `mapping validate FILE --json` lists them all

    def __init__(self, problems: list[Problem], outcome: str | None = None) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        source = problems[0].file
        head = _("the mapping {file} has {count} error(s); {outcome}.").format(
            file=source, count=len(errors), outcome=outcome or _("nothing was done")
        )
        lines = [f"  {p}" for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append("  " + _("... and {count} more").format(count=len(problems) - self.SHOWN))
        fix = _(
            "correct the lines listed below (`lgcrm-sf mapping validate {file}` checks it again)."
        ).format(file=source)
        super().__init__(head, fix)
        self.details = lines  # printed after the error line, one a line


class Problems:
    """The problems found in one mapping, collected as a check goes (a problem without a
    position is put at the top of the file)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, pos, message: str, fix: str = "", severity: str = "error") -> None:
        line, column = (pos.line, pos.column) if pos else (1, 1)
        self.problems.append(Problem(self.source, line, column, message, fix, severity))
