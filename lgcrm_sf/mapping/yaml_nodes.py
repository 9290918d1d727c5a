"""Reading composed YAML nodes (every value keeps its line and column) as the shapes a mapping
is made of: a mapping with known keys, a text, one of some choices, a boolean. Each reader
notes a problem where the node is and goes on, so one pass finds every mistake."""

from __future__ import annotations

import difflib

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode

from ..i18n import _
from .model import Pos
from .problems import Problem


def pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def scalar(node: Node):
    """A scalar node's value as YAML means it (a number, a boolean, a text), else None."""
    return (
        SafeConstructor().construct_object(node, deep=True)
        if isinstance(node, ScalarNode)
        else None
    )


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return _("did you mean {name!r}?").format(name=close[0])
    return _("use one of: {names}.").format(names=", ".join(choices))


class NodeReader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, node_or_pos, message: str, fix: str = "") -> None:
        where = node_or_pos if isinstance(node_or_pos, Pos) else pos(node_or_pos)
        self.problems.append(Problem(self.source, where.line, where.column, message, fix))

    def mapping(self, node: Node, what: str, keys) -> dict[str, tuple[Node, Node]] | None:
        """key -> (key node, value node); `keys` None takes any name."""
        if not isinstance(node, MappingNode):
            self.problem(
                node, _("{what} should be a mapping (key: value lines).").format(what=what)
            )
            return None
        out = {}
        for key_node, value_node in node.value:
            key = scalar(key_node)
            if not isinstance(key, str):
                self.problem(key_node, _("{what} has a key that is not a name.").format(what=what))
                continue
            if key in out:
                first = pos(out[key][0])
                self.problem(
                    key_node,
                    _("{key!r} appears twice in {what} (first at line {line}).").format(
                        key=key, what=what, line=first.line
                    ),
                    _("keep one of them."),
                )
                continue
            if keys is not None and key not in keys:
                self.problem(
                    key_node,
                    _("unknown key {key!r} in {what}.").format(key=key, what=what),
                    suggest(key, keys),
                )
                continue
            out[key] = (key_node, value_node)
        return out

    def string(self, node: Node, what: str) -> str | None:
        value = scalar(node)
        if not isinstance(value, str) or not value.strip():
            self.problem(node, _("{what} should be a text value.").format(what=what))
            return None
        return value.strip()

    def choice(self, node: Node, what: str, choices) -> str | None:
        value = self.string(node, what)
        if value is not None and value not in choices:
            self.problem(
                node,
                _("{what} {value!r} is not valid.").format(what=what, value=value),
                suggest(value, choices),
            )
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        value = scalar(node)
        if not isinstance(value, bool):
            self.problem(node, _("{what} should be true or false.").format(what=what))
            return None
        return value
