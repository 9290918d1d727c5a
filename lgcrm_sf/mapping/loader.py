"""Reading a mapping file: YAML composed into nodes (so every value keeps its line and column),
then checked for shape section by section (sections.py). Problems are collected, not raised one
at a time, so a user fixes a file in one go."""

from __future__ import annotations

import datetime
import hashlib
from importlib import resources
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..i18n import _
from .model import Mapping
from .problems import MappingInvalid as MappingInvalid  # the engine imports it from here
from .problems import Problem as Problem
from .sections import read_sections
from .yaml_nodes import NodeReader

DEFAULT_NAME = "<built-in default mapping>"
# libyaml's loader where PyYAML has it (its wheels do): ten times faster on a big file, and the
# same nodes with the same positions.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOP_KEYS = (
    "version",
    "conflict_rule",
    "match_by",
    "custom_fields",
    "objects",
    "lead_score",
    "owners",
    "engagements",
    "lead_link",
    "assignment_rules",
    "stages",
)


def parse(text: str, source: str) -> tuple[Mapping | None, list[Problem]]:
    """The mapping and every problem found in the text (none: the mapping is usable)."""
    try:
        return _parse(text, source)
    except RecursionError:
        return None, [
            Problem(
                source,
                1,
                1,
                _("the file is nested too deeply to be a mapping."),
                _("write the mapping as in examples/mapping.yaml."),
            )
        ]


def _parse(text: str, source: str) -> tuple[Mapping | None, list[Problem]]:
    root, problem = _compose(text, source)
    if problem:
        return None, [problem]
    reader = NodeReader(source)
    top = reader.mapping(root, _("the mapping file"), TOP_KEYS)
    if top is None:
        return None, reader.problems
    mapping = Mapping(source=source)
    read_sections(reader, top, mapping)
    return mapping, reader.problems


def _compose(text: str, source: str) -> tuple[yaml.Node | None, Problem | None]:
    """The YAML's root node, or the one problem that keeps it from being YAML."""
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.reader.ReaderError as exc:
        return None, Problem(
            source,
            1,
            exc.position + 1,
            _("not valid YAML: {reason} (character {character!r}).").format(
                reason=exc.reason, character=exc.character
            ),
            _("remove control characters; save the file as UTF-8 text."),
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, Problem(
            source,
            line,
            column,
            _("not valid YAML: {problem}.").format(problem=exc.problem),
            _("check indentation, quotes and colons on this line."),
        )
    if root is None:
        empty = Problem(
            source, 1, 1, _("the mapping file is empty."), _("start from `lgcrm-sf mapping init`.")
        )
        return None, empty
    return root, None


def load(path: Path | str) -> Mapping:
    """Load and shape-check a mapping file; raises MappingInvalid with every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            _("The mapping file {path} does not exist.").format(path=path),
            _("put it back, or choose another with `lgcrm-sf mapping use FILE`."),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("The mapping file {path} cannot be read ({error}).").format(
                path=path, error=type(exc).__name__
            ),
            _("save it as UTF-8 text."),
        ) from None
    mapping, problems = parse(text, str(path))
    if problems:
        raise MappingInvalid(problems)
    mapping.text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
    mapping.modified_at = modified.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return mapping


def default_text() -> str:
    return resources.files("lgcrm_sf.mapping").joinpath("default.yaml").read_text(encoding="utf-8")


def load_default() -> Mapping:
    mapping, problems = parse(default_text(), DEFAULT_NAME)
    if problems:  # the shipped file is tested; this would be a packaging bug
        raise MappingInvalid(problems)
    mapping.is_default = True
    mapping.text_hash = hashlib.sha256(default_text().encode("utf-8")).hexdigest()
    return mapping
