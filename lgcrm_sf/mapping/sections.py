"""Reading each top-level section of a mapping file into the model, in the file's documented
order; a section that is wrong is reported where it is, and the others are still read. The
objects section, with its field entries, is read by object_sections.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from yaml.nodes import SequenceNode

from ..i18n import _
from ..leadgen.fields import CUSTOM_NAME, CUSTOM_TYPES, EMAIL
from .model import CONFLICT_RULES, ENGAGEMENTS, OBJECTS, LeadLink, Mapping, OwnerMap, Pos
from .object_sections import read_objects
from .yaml_nodes import NodeReader, pos, scalar

URL_PLACEHOLDERS = ("{id}", "{email}")


def read_sections(reader: NodeReader, top: dict, mapping: Mapping) -> None:
    """`top`: key -> (key node, value node) of the file's top-level mapping."""
    if "version" not in top:
        reader.problem(
            Pos(1, 1), _("the mapping has no 'version'."), _("add `version: 1` at the top.")
        )
    elif (version := scalar(top["version"][1])) != 1:
        reader.problem(
            top["version"][1],
            _("unsupported mapping version {version!r}.").format(version=version),
            _("use `version: 1`."),
        )
    for key, read in SECTIONS:
        if key in top:
            read(reader, top[key][1], mapping)
        elif key == "objects":
            reader.problem(
                Pos(1, 1),
                _("the mapping has no 'objects' section."),
                _("add objects: lead: and contact: with their fields."),
            )


def _conflict_rule(reader: NodeReader, node, mapping: Mapping) -> None:
    rule = reader.choice(node, "conflict_rule", CONFLICT_RULES)
    mapping.conflict_rule = rule or mapping.conflict_rule


def _match_by(reader: NodeReader, node, mapping: Mapping) -> None:
    mapping.match_by = reader.choice(node, "match_by", ("email",)) or "email"


def _custom_fields(reader: NodeReader, node, mapping: Mapping) -> None:
    custom = reader.mapping(node, "custom_fields", None) or {}
    for name, (key_node, value_node) in custom.items():
        if not CUSTOM_NAME.match(f"custom.{name}"):
            reader.problem(
                key_node,
                _("custom field name {name!r} is not valid.").format(name=name),
                _("use lower case letters, digits and _."),
            )
            continue
        kind = reader.choice(
            value_node, _("the type of custom field {name!r}").format(name=name), CUSTOM_TYPES
        )
        if kind:
            mapping.custom_fields[name] = kind


def _objects(reader: NodeReader, node, mapping: Mapping) -> None:
    mapping.objects.update(read_objects(reader, node))


def _lead_score(reader: NodeReader, node, mapping: Mapping) -> None:
    scores = reader.mapping(node, "lead_score", tuple(OBJECTS)) or {}
    for name, (_key_node, value_node) in scores.items():
        target = reader.string(value_node, f"lead_score.{name}")
        if target:
            mapping.lead_score[name] = target
            mapping.lead_score_pos[name] = pos(value_node)


def _owners(reader: NodeReader, node, mapping: Mapping) -> None:
    if not isinstance(node, SequenceNode):
        reader.problem(node, _("owners should be a list of `- user: ... salesforce: ...` entries."))
        return
    for item in node.value:
        parts = reader.mapping(item, _("an owner"), ("user", "salesforce"))
        if parts is None:
            continue
        if "user" not in parts or "salesforce" not in parts:
            reader.problem(
                item,
                _(
                    "an owner needs user (the Lead Gen & CRM user's e-mail) and salesforce (a "
                    "Salesforce username or user id)."
                ),
            )
            continue
        user = reader.string(parts["user"][1], "owners.user")
        target = reader.string(parts["salesforce"][1], "owners.salesforce")
        if user and not EMAIL.match(user):
            reader.problem(
                parts["user"][1],
                _("owners.user {user!r} is not an e-mail address.").format(user=user),
                _("give the Lead Gen & CRM user's e-mail."),
            )
            continue
        if user and target:
            mapping.owners.append(
                OwnerMap(user.lower(), target, pos(item), pos(parts["salesforce"][1]))
            )


def _engagements(reader: NodeReader, node, mapping: Mapping) -> None:
    switches = reader.mapping(node, "engagements", ENGAGEMENTS) or {}
    for name, (_key_node, value_node) in switches.items():
        value = reader.boolean(value_node, f"engagements.{name}")
        if value is not None:
            mapping.engagements[name] = value


def _lead_link(reader: NodeReader, node, mapping: Mapping) -> None:
    link = reader.mapping(node, "lead_link", ("salesforce_field", "url_template"))
    if link is None:
        return
    if "salesforce_field" not in link or "url_template" not in link:
        reader.problem(node, _("lead_link needs salesforce_field and url_template."))
        return
    field = reader.string(link["salesforce_field"][1], "lead_link.salesforce_field")
    template_node = link["url_template"][1]
    template = reader.string(template_node, "lead_link.url_template")
    if not template:
        return
    if not any(p in template for p in URL_PLACEHOLDERS):
        reader.problem(
            template_node,
            _("url_template has no {id} or {email} placeholder."),
            _("e.g. https://app.example.com/contacts/{id}"),
        )
    elif not template.startswith(("https://", "http://")):
        reader.problem(template_node, _("url_template should be an http(s) URL."))
    elif is_placeholder_host(template):
        reader.problem(
            template_node,
            _(
                "url_template points at a placeholder host ({hostname}): every synced lead "
                "would get a link that leads nowhere."
            ).format(hostname=urlsplit(template).hostname),
            _("use your Lead Gen & CRM account's own address, or remove lead_link."),
        )
    elif field:
        mapping.lead_link = LeadLink(field, template, pos(node))


def is_placeholder_host(url: str) -> bool:
    """example.com, example.org, *.example and the like are reserved for documentation
    (RFC 2606): a link there is invented data."""
    host = (urlsplit(url.replace("{id}", "1").replace("{email}", "x")).hostname or "").lower()
    labels = host.split(".")
    return "example" in (labels[0], labels[-1]) or (len(labels) >= 2 and labels[-2] == "example")


def _stages(reader: NodeReader, node, mapping: Mapping) -> None:
    """Salesforce's StageName -> the Lead Gen & CRM account's deal stage name (opportunities go
    one way, into the account). A stage left out goes by its own name."""
    stages = reader.mapping(node, "stages", None) or {}
    for name, (key_node, value_node) in stages.items():
        target = reader.string(value_node, f"stages.{name}")
        if target:
            mapping.stages[str(name)] = target
            mapping.stages_pos[str(name)] = pos(key_node)


def _assignment_rules(reader: NodeReader, node, mapping: Mapping) -> None:
    mapping.assignment_rules = bool(reader.boolean(node, "assignment_rules"))


# The top-level sections after `version`, in the order they are read (and reported).
SECTIONS = (
    ("conflict_rule", _conflict_rule),
    ("match_by", _match_by),
    ("custom_fields", _custom_fields),
    ("objects", _objects),
    ("lead_score", _lead_score),
    ("owners", _owners),
    ("engagements", _engagements),
    ("lead_link", _lead_link),
    ("assignment_rules", _assignment_rules),
    ("stages", _stages),
)
