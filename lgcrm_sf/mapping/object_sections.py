"""Reading the `objects` section of a mapping file: for lead and contact, the Salesforce object
they sync with and their field entries, each with its direction, conflict rule and transform."""

from __future__ import annotations

from yaml.nodes import SequenceNode

from ..i18n import _
from .model import CONFLICT_RULES, DIRECTIONS, OBJECTS, TOO_LONG, FieldMap, ObjectMap, Transform
from .yaml_nodes import NodeReader, pos, scalar

FIELD_KEYS = ("leadgen", "salesforce", "direction", "transform", "conflict_rule")
TRANSFORM_KEYS = ("values", "too_long")


def read_objects(reader: NodeReader, node) -> dict[str, ObjectMap]:
    objects = {}
    for name, (key_node, value_node) in (
        reader.mapping(node, "objects", tuple(OBJECTS)) or {}
    ).items():
        obj = _object(reader, name, key_node, value_node)
        if obj:
            objects[name] = obj
    return objects


def _object(reader: NodeReader, name: str, key_node, node) -> ObjectMap | None:
    parts = reader.mapping(node, f"objects.{name}", ("salesforce", "fields"))
    if parts is None:
        return None
    if "salesforce" not in parts:
        reader.problem(
            key_node,
            _("objects.{name} has no 'salesforce' object.").format(name=name),
            _("add `salesforce: {value}`.").format(value=OBJECTS[name]),
        )
        return None
    sobject = reader.string(parts["salesforce"][1], f"objects.{name}.salesforce")
    if sobject and sobject != OBJECTS[name]:
        reader.problem(
            parts["salesforce"][1],
            _("objects.{name} syncs with Salesforce {value}, not {sobject}.").format(
                name=name, value=OBJECTS[name], sobject=sobject
            ),
            _("use `salesforce: {value}`.").format(value=OBJECTS[name]),
        )
    obj = ObjectMap(name, OBJECTS[name], pos=pos(key_node), sobject_pos=pos(parts["salesforce"][1]))
    if "fields" not in parts:
        reader.problem(key_node, _("objects.{name} has no 'fields' list.").format(name=name))
        return obj
    fields_node = parts["fields"][1]
    if not isinstance(fields_node, SequenceNode):
        reader.problem(
            fields_node,
            _("objects.{name}.fields should be a list (lines starting with '- ').").format(
                name=name
            ),
        )
        return obj
    for item in fields_node.value:
        fmap = _field(reader, name, item)
        if fmap:
            obj.fields.append(fmap)
    return obj


def _field(reader: NodeReader, obj: str, node) -> FieldMap | None:
    what = f"a field of objects.{obj}"
    parts = reader.mapping(node, what, FIELD_KEYS)
    if parts is None:
        return None
    missing = [k for k in ("leadgen", "salesforce", "direction") if k not in parts]
    if missing:
        reader.problem(
            node,
            _("{what} lacks {names}.").format(what=what, names=", ".join(missing)),
            _("each field needs leadgen, salesforce and direction (push, pull or bidirectional)."),
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
        pos(node),
        pos(parts["leadgen"][1]),
        pos(parts["salesforce"][1]),
        pos(parts["direction"][1]),
    )


def _transform(reader: NodeReader, node) -> Transform | None:
    parts = reader.mapping(node, "transform", TRANSFORM_KEYS)
    if parts is None:
        return None
    transform = Transform(pos=pos(node))
    if "too_long" in parts:
        transform.too_long = reader.choice(parts["too_long"][1], "too_long", TOO_LONG) or "reject"
    if "values" in parts:
        values = reader.mapping(parts["values"][1], "transform.values", None)
        if values is not None:
            _transform_values(reader, values, transform)
    return transform


def _transform_values(reader: NodeReader, values: dict, transform: Transform) -> None:
    """Our value -> Salesforce's, each way unambiguous (the way back is the same table)."""
    transform.values = {}
    seen: dict[str, str] = {}
    for ours, (_key_node, value_node) in values.items():
        theirs = scalar(value_node)
        if not isinstance(theirs, str | int | float) or isinstance(theirs, bool):
            reader.problem(
                value_node,
                _("transform.values[{ours!r}] should be a text value.").format(ours=ours),
            )
            continue
        theirs = str(theirs)
        if theirs in seen:
            reader.problem(
                value_node,
                _(
                    "{ours!r} and {value!r} both map to {theirs!r}: the way back is ambiguous."
                ).format(ours=ours, value=seen[theirs], theirs=theirs),
                _("map each value to a different Salesforce value."),
            )
            continue
        seen[theirs] = ours
        transform.values[ours] = theirs
        transform.values_pos[ours] = pos(value_node)
