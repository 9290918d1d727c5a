"""Reading a mapping file: YAML composed into nodes (so every value keeps its line and column),
then checked for shape. Problems are collected, not raised one at a time, so a user fixes a
file in one go."""

from __future__ import annotations

import datetime
import difflib
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError
from ..leadgen.fields import CUSTOM_NAME, CUSTOM_TYPES, EMAIL
from .model import (
    CONFLICT_RULES,
    DIRECTIONS,
    ENGAGEMENTS,
    OBJECTS,
    TOO_LONG,
    FieldMap,
    LeadLink,
    Mapping,
    ObjectMap,
    OwnerMap,
    Pos,
    Transform,
)

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
)
FIELD_KEYS = ("leadgen", "salesforce", "direction", "transform", "conflict_rule")
TRANSFORM_KEYS = ("values", "too_long")
URL_PLACEHOLDERS = ("{id}", "{email}")


@dataclass
class Problem:
    file: str
    line: int
    column: int
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return text + (f" Fix: {self.fix}" if self.fix else "")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class MappingInvalid(ConfigError):
    """A mapping that must not be used: every problem listed, one a line, so the user fixes
    the file in one go."""

    SHOWN = 50  # problems listed; `mapping validate FILE --json` lists them all

    def __init__(self, problems: list[Problem], outcome: str = "nothing was done") -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        source = problems[0].file
        head = f"the mapping {source} has {len(errors)} error(s); {outcome}."
        lines = [f"  {p}" for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(f"  ... and {len(problems) - self.SHOWN} more")
        fix = f"correct the lines listed below (`lgcrm-sf mapping validate {source}` checks it again)."
        super().__init__(head, fix)
        self.details = lines  # printed after the error line, one a line


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: Node):
    return SafeConstructor().construct_object(node, deep=True)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(choices)}"


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, node_or_pos, message: str, fix: str = "") -> None:
        pos = node_or_pos if isinstance(node_or_pos, Pos) else _pos(node_or_pos)
        self.problems.append(Problem(self.source, pos.line, pos.column, message, fix))

    def mapping(self, node: Node, what: str, keys) -> dict[str, tuple[Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} should be a mapping (key: value lines).")
            return None
        out = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, f"{what} has a key that is not a name.")
                continue
            if key in out:
                first = _pos(out[key][0])
                self.problem(
                    key_node,
                    f"{key!r} appears twice in {what} (first at line {first.line}).",
                    "keep one of them.",
                )
                continue
            if keys is not None and key not in keys:
                self.problem(key_node, f"unknown key {key!r} in {what}.", _suggest(key, keys))
                continue
            out[key] = (key_node, value_node)
        return out

    def string(self, node: Node, what: str) -> str | None:
        value = _scalar(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            self.problem(node, f"{what} should be a text value.")
            return None
        return value.strip()

    def choice(self, node: Node, what: str, choices) -> str | None:
        value = self.string(node, what)
        if value is not None and value not in choices:
            self.problem(node, f"{what} {value!r} is not valid.", _suggest(value, choices))
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        value = _scalar(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            self.problem(node, f"{what} should be true or false.")
            return None
        return value


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
                "the file is nested too deeply to be a mapping.",
                "write the mapping as in examples/mapping.yaml.",
            )
        ]


def _parse(text: str, source: str) -> tuple[Mapping | None, list[Problem]]:
    reader = _Reader(source)
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.reader.ReaderError as exc:
        return None, [
            Problem(
                source,
                1,
                exc.position + 1,
                f"not valid YAML: {exc.reason} (character {exc.character!r}).",
                "remove control characters; save the file as UTF-8 text.",
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [
            Problem(
                source,
                line,
                column,
                f"not valid YAML: {exc.problem}.",
                "check indentation, quotes and colons on this line.",
            )
        ]
    if root is None:
        return None, [
            Problem(
                source, 1, 1, "the mapping file is empty.", "start from `lgcrm-sf mapping init`."
            )
        ]
    top = reader.mapping(root, "the mapping file", TOP_KEYS)
    if top is None:
        return None, reader.problems
    mapping = Mapping(source=source)
    if "version" not in top:
        reader.problem(Pos(1, 1), "the mapping has no 'version'.", "add `version: 1` at the top.")
    else:
        version = _scalar(top["version"][1]) if isinstance(top["version"][1], ScalarNode) else None
        if version != 1:
            reader.problem(
                top["version"][1], f"unsupported mapping version {version!r}.", "use `version: 1`."
            )
    if "conflict_rule" in top:
        mapping.conflict_rule = (
            reader.choice(top["conflict_rule"][1], "conflict_rule", CONFLICT_RULES)
            or mapping.conflict_rule
        )
    if "match_by" in top:
        mapping.match_by = reader.choice(top["match_by"][1], "match_by", ("email",)) or "email"
    if "custom_fields" in top:
        custom = reader.mapping(top["custom_fields"][1], "custom_fields", None) or {}
        for name, (key_node, value_node) in custom.items():
            if not CUSTOM_NAME.match(f"custom.{name}"):
                reader.problem(
                    key_node,
                    f"custom field name {name!r} is not valid.",
                    "use lower case letters, digits and _.",
                )
                continue
            kind = reader.choice(value_node, f"the type of custom field {name!r}", CUSTOM_TYPES)
            if kind:
                mapping.custom_fields[name] = kind
    if "objects" not in top:
        reader.problem(
            Pos(1, 1),
            "the mapping has no 'objects' section.",
            "add objects: lead: and contact: with their fields.",
        )
    else:
        objects = reader.mapping(top["objects"][1], "objects", tuple(OBJECTS)) or {}
        for name, (key_node, value_node) in objects.items():
            obj = _object(reader, name, key_node, value_node, mapping)
            if obj:
                mapping.objects[name] = obj
    if "lead_score" in top:
        scores = reader.mapping(top["lead_score"][1], "lead_score", tuple(OBJECTS)) or {}
        for name, (_, value_node) in scores.items():
            target = reader.string(value_node, f"lead_score.{name}")
            if target:
                mapping.lead_score[name] = target
                mapping.lead_score_pos[name] = _pos(value_node)
    if "owners" in top:
        _owners(reader, top["owners"][1], mapping)
    if "engagements" in top:
        switches = reader.mapping(top["engagements"][1], "engagements", ENGAGEMENTS) or {}
        for name, (_, value_node) in switches.items():
            value = reader.boolean(value_node, f"engagements.{name}")
            if value is not None:
                mapping.engagements[name] = value
    if "lead_link" in top:
        link = reader.mapping(
            top["lead_link"][1], "lead_link", ("salesforce_field", "url_template")
        )
        if link is not None:
            if "salesforce_field" not in link or "url_template" not in link:
                reader.problem(
                    top["lead_link"][1], "lead_link needs salesforce_field and url_template."
                )
            else:
                field = reader.string(link["salesforce_field"][1], "lead_link.salesforce_field")
                template = reader.string(link["url_template"][1], "lead_link.url_template")
                if template and not any(p in template for p in URL_PLACEHOLDERS):
                    reader.problem(
                        link["url_template"][1],
                        "url_template has no {id} or {email} placeholder.",
                        "e.g. https://app.example.com/contacts/{id}",
                    )
                elif template and not template.startswith(("https://", "http://")):
                    reader.problem(
                        link["url_template"][1], "url_template should be an http(s) URL."
                    )
                elif template and is_placeholder_host(template):
                    reader.problem(
                        link["url_template"][1],
                        f"url_template points at a placeholder host ({urlsplit(template).hostname}): "
                        "every synced lead would get a link that leads nowhere.",
                        "use your Lead Gen & CRM account's own address, or remove lead_link.",
                    )
                elif field and template:
                    mapping.lead_link = LeadLink(field, template, _pos(top["lead_link"][1]))
    if "assignment_rules" in top:
        value = reader.boolean(top["assignment_rules"][1], "assignment_rules")
        mapping.assignment_rules = bool(value)
    return mapping, reader.problems


def is_placeholder_host(url: str) -> bool:
    """example.com, example.org, *.example and the like are reserved for documentation
    (RFC 2606): a link there is invented data."""
    host = (urlsplit(url.replace("{id}", "1").replace("{email}", "x")).hostname or "").lower()
    labels = host.split(".")
    return "example" in (labels[0], labels[-1]) or (len(labels) >= 2 and labels[-2] == "example")


def _object(reader: _Reader, name: str, key_node, node, mapping: Mapping) -> ObjectMap | None:
    parts = reader.mapping(node, f"objects.{name}", ("salesforce", "fields"))
    if parts is None:
        return None
    if "salesforce" not in parts:
        reader.problem(
            key_node,
            f"objects.{name} has no 'salesforce' object.",
            f"add `salesforce: {OBJECTS[name]}`.",
        )
        return None
    sobject = reader.string(parts["salesforce"][1], f"objects.{name}.salesforce")
    if sobject and sobject != OBJECTS[name]:
        reader.problem(
            parts["salesforce"][1],
            f"Lead Gen & CRM {name}s sync with Salesforce {OBJECTS[name]}, not {sobject}.",
            f"use `salesforce: {OBJECTS[name]}`.",
        )
    obj = ObjectMap(
        name, OBJECTS[name], pos=_pos(key_node), sobject_pos=_pos(parts["salesforce"][1])
    )
    if "fields" not in parts:
        reader.problem(key_node, f"objects.{name} has no 'fields' list.")
        return obj
    fields_node = parts["fields"][1]
    if not isinstance(fields_node, SequenceNode):
        reader.problem(
            fields_node, f"objects.{name}.fields should be a list (lines starting with '- ')."
        )
        return obj
    for item in fields_node.value:
        fmap = _field(reader, name, item)
        if fmap:
            obj.fields.append(fmap)
    return obj


def _field(reader: _Reader, obj: str, node) -> FieldMap | None:
    what = f"a field of objects.{obj}"
    parts = reader.mapping(node, what, FIELD_KEYS)
    if parts is None:
        return None
    missing = [k for k in ("leadgen", "salesforce", "direction") if k not in parts]
    if missing:
        reader.problem(
            node,
            f"{what} lacks {', '.join(missing)}.",
            "each field needs leadgen, salesforce and direction (push, pull or bidirectional).",
        )
        return None
    leadgen = reader.string(parts["leadgen"][1], "leadgen")
    salesforce = reader.string(parts["salesforce"][1], "salesforce")
    direction = reader.choice(parts["direction"][1], "direction", DIRECTIONS)
    rule = (
        reader.choice(parts["conflict_rule"][1], "conflict_rule", CONFLICT_RULES)
        if "conflict_rule" in parts
        else None
    )
    transform = _transform(reader, parts["transform"][1]) if "transform" in parts else None
    if not (leadgen and salesforce and direction):
        return None
    return FieldMap(
        leadgen,
        salesforce,
        direction,
        transform,
        rule,
        _pos(node),
        _pos(parts["leadgen"][1]),
        _pos(parts["salesforce"][1]),
        _pos(parts["direction"][1]),
    )


def _transform(reader: _Reader, node) -> Transform | None:
    parts = reader.mapping(node, "transform", TRANSFORM_KEYS)
    if parts is None:
        return None
    transform = Transform(pos=_pos(node))
    if "too_long" in parts:
        transform.too_long = reader.choice(parts["too_long"][1], "too_long", TOO_LONG) or "reject"
    if "values" in parts:
        values = reader.mapping(parts["values"][1], "transform.values", None)
        if values is not None:
            transform.values = {}
            seen: dict[str, str] = {}
            for ours, (_key_node, value_node) in values.items():
                theirs = _scalar(value_node) if isinstance(value_node, ScalarNode) else None
                if not isinstance(theirs, str | int | float) or isinstance(theirs, bool):
                    reader.problem(
                        value_node, f"transform.values[{ours!r}] should be a text value."
                    )
                    continue
                theirs = str(theirs)
                if theirs in seen:
                    reader.problem(
                        value_node,
                        f"{ours!r} and {seen[theirs]!r} both map to {theirs!r}: the way back is ambiguous.",
                        "map each value to a different Salesforce value.",
                    )
                    continue
                seen[theirs] = ours
                transform.values[ours] = theirs
                transform.values_pos[ours] = _pos(value_node)
    return transform


def _owners(reader: _Reader, node, mapping: Mapping) -> None:
    if not isinstance(node, SequenceNode):
        reader.problem(node, "owners should be a list of `- user: ... salesforce: ...` entries.")
        return
    for item in node.value:
        parts = reader.mapping(item, "an owner", ("user", "salesforce"))
        if parts is None:
            continue
        if "user" not in parts or "salesforce" not in parts:
            reader.problem(
                item,
                "an owner needs user (the Lead Gen & CRM user's e-mail) and salesforce "
                "(a Salesforce username or user id).",
            )
            continue
        user = reader.string(parts["user"][1], "owners.user")
        target = reader.string(parts["salesforce"][1], "owners.salesforce")
        if user and not EMAIL.match(user):
            reader.problem(
                parts["user"][1],
                f"owners.user {user!r} is not an e-mail address.",
                "give the Lead Gen & CRM user's e-mail.",
            )
            continue
        if user and target:
            mapping.owners.append(
                OwnerMap(user.lower(), target, _pos(item), _pos(parts["salesforce"][1]))
            )


def load(path: Path | str) -> Mapping:
    """Load and shape-check a mapping file; raises MappingInvalid with every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"The mapping file {path} does not exist.",
            "put it back, or choose another with `lgcrm-sf mapping use FILE`.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The mapping file {path} cannot be read ({type(exc).__name__}).",
            "save it as UTF-8 text.",
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
