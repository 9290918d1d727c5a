"""Checking a mapping against the connected org's describe data: fields that don't exist or
can't be read, type mismatches, writes Salesforce won't allow, picklist values it would reject,
and owners that are unknown or inactive. Every problem has a line, a column and a fix."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..i18n import _
from ..leadgen.fields import field_type
from .model import FieldMap, Mapping, ObjectMap
from .problems import Problem, Problems
from .stages import active_stages, unknown_stage_targets

# Our value types and the Salesforce field types each can travel to and from.
COMPATIBLE = {
    "text": {
        "string",
        "textarea",
        "picklist",
        "multipicklist",
        "combobox",
        "email",
        "phone",
        "url",
    },
    "textarea": {"string", "textarea", "picklist", "combobox"},
    "email": {"email", "string"},
    "url": {"url", "string", "textarea"},
    "number": {"double", "currency", "percent", "int"},
    "boolean": {"boolean"},
    "date": {"date", "datetime"},
}
TEXT_TYPES = {
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "combobox",
    "picklist",
    "multipicklist",
}
NUMBER_TYPES = {"double", "currency", "percent", "int"}
COMPOUND_TYPES = {"address", "location"}  # read-only views of their component fields


@dataclass
class OrgSchema:
    """What the org told us: readable fields per object, and the Salesforce users owners name."""

    fields: dict[str, dict[str, dict]] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)  # lower-cased username or 18-char id

    def add_users(self, rows: list[dict]) -> None:
        for row in rows:
            self.users[row["Username"].lower()] = row
            self.users[row["Id"]] = row
            self.users[row["Id"][:15]] = row

    def user(self, name_or_id: str) -> dict | None:
        return self.users.get(name_or_id.lower()) or self.users.get(name_or_id)

    def field(self, sobject: str, name: str) -> dict | None:
        """A field's describe, its name in any case (Salesforce's API names are not)."""
        fields = self.fields.get(sobject, {})
        return {k.lower(): v for k, v in fields.items()}.get(name.lower())


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _("did you mean {name!r}?").format(name=close[0]) if close else ""


def check_against_org(mapping: Mapping, schema: OrgSchema) -> list[Problem]:
    check = Problems(mapping.source)
    for obj in mapping.objects.values():
        sf_fields = schema.fields.get(obj.sobject, {})
        lower = {name.lower(): f for name, f in sf_fields.items()}
        for fmap in obj.fields:
            described = lower.get(fmap.salesforce.lower())
            if described is None:
                check.add(
                    fmap.salesforce_pos,
                    _(
                        "{sobject}.{salesforce} does not exist or the integration user cannot "
                        "read it."
                    ).format(sobject=obj.sobject, salesforce=fmap.salesforce),
                    suggest(fmap.salesforce, sf_fields)
                    or _(
                        "check the field's API name in Setup > Object Manager > {sobject}."
                    ).format(sobject=obj.sobject),
                )
            elif described["type"] in COMPOUND_TYPES:
                _compound(check, obj, fmap, described, sf_fields)
            else:
                _check_field(check, mapping, obj, fmap, described)
    _check_lead_score(check, mapping, schema)
    _check_lead_link(check, mapping, schema)
    _check_owners(check, mapping, schema)
    _check_stages(check, mapping, schema)
    return check.problems


def _compound(check: Problems, obj: ObjectMap, fmap: FieldMap, described, sf_fields) -> None:
    parts = [
        name for name, f in sf_fields.items() if f.get("compoundFieldName") == described["name"]
    ]
    check.add(
        fmap.salesforce_pos,
        _(
            "{sobject}.{value} is a compound {value2} field: Salesforce reads it from its "
            "components and won't write it."
        ).format(sobject=obj.sobject, value=described["name"], value2=described["type"]),
        _("map the components instead ({names}).").format(names=", ".join(parts)),
    )


def _check_field(
    check: Problems, mapping: Mapping, obj: ObjectMap, fmap: FieldMap, described: dict
) -> None:
    """One field entry against the field Salesforce described: type, write access, length
    rule, picklist values."""
    name, theirs = f"{obj.sobject}.{described['name']}", described["type"]
    ours = field_type(fmap.leadgen, mapping.custom_fields)
    if ours and theirs not in COMPATIBLE.get(ours, set()):
        check.add(
            fmap.salesforce_pos,
            _("{leadgen} holds {ours} values but {name} is a {theirs} field.").format(
                leadgen=fmap.leadgen, ours=ours, name=name, theirs=theirs
            ),
            _("map it to a field of a matching type."),
        )
    writes = fmap.direction in ("push", "bidirectional")
    if writes and not described.get("updateable"):
        check.add(
            fmap.direction_pos,
            _(
                "Salesforce won't let the integration user write {name} (read-only or not "
                "updateable), but the direction is {direction}."
            ).format(name=name, direction=fmap.direction),
            _(
                "use direction: pull, or give the user edit access to the field (field-level "
                "security)."
            ),
        )
    transform = fmap.transform
    if transform and transform.too_long == "truncate" and theirs not in TEXT_TYPES:
        check.add(
            transform.pos,
            _("too_long: truncate only applies to text fields; {value} is {theirs}.").format(
                value=described["name"], theirs=theirs
            ),
        )
    _check_picklist(check, fmap, name, described, writes)


def _check_picklist(
    check: Problems, fmap: FieldMap, name: str, described: dict, writes: bool
) -> None:
    """Values a transform sends must be in the picklist; a restricted picklist without a
    transform rejects what is not (record by record)."""
    picklist = [p["value"] for p in described.get("picklistValues") or [] if p.get("active", True)]
    restricted = described["type"] in ("picklist", "multipicklist") and described.get(
        "restrictedPicklist"
    )
    transform = fmap.transform
    if transform and transform.values is not None and picklist:
        for ours_value, theirs_value in transform.values.items():
            if theirs_value not in picklist:
                check.add(
                    transform.values_pos.get(ours_value),
                    _(
                        "{name} has no picklist value {theirs_value!r}; Salesforce would reject it."
                    ).format(name=name, theirs_value=theirs_value),
                    suggest(theirs_value, picklist) or f"use one of: {', '.join(picklist)}.",
                    "error" if restricted else "warning",
                )
    elif restricted and writes:
        check.add(
            fmap.salesforce_pos,
            _(
                "{name} is a restricted picklist: values outside its list will be rejected "
                "record by record."
            ).format(name=name),
            _("add transform: values: {our value: Salesforce value}."),
            "warning",
        )


def _check_lead_score(check: Problems, mapping: Mapping, schema: OrgSchema) -> None:
    for name, target in mapping.lead_score.items():
        sobject = "Lead" if name == "lead" else "Contact"
        described = schema.field(sobject, target)
        pos = mapping.lead_score_pos.get(name)
        if described is None:
            check.add(
                pos,
                _(
                    "{sobject}.{target} does not exist or the integration user cannot read it."
                ).format(sobject=sobject, target=target),
                _("create a Number field for the lead score on {sobject}, or fix the name.").format(
                    sobject=sobject
                ),
            )
        elif described["type"] not in NUMBER_TYPES:
            check.add(
                pos,
                _("the lead score is a number but {sobject}.{target} is a {value} field.").format(
                    sobject=sobject, target=target, value=described["type"]
                ),
            )
        elif not described.get("updateable"):
            check.add(
                pos,
                _("Salesforce won't let the integration user write {sobject}.{target}.").format(
                    sobject=sobject, target=target
                ),
                _("give the user edit access to the field."),
            )


def _check_lead_link(check: Problems, mapping: Mapping, schema: OrgSchema) -> None:
    link = mapping.lead_link
    if not link:
        return
    described = schema.field("Lead", link.salesforce_field)
    if described is None:
        check.add(
            link.pos,
            _(
                "Lead.{salesforce_field} does not exist or the integration user cannot read it."
            ).format(salesforce_field=link.salesforce_field),
            _("create a URL field on Lead for the marketing profile link, or fix the name."),
        )
    elif described["type"] not in ("url", "string", "textarea"):
        check.add(
            link.pos,
            _("the lead link is a URL but Lead.{salesforce_field} is a {value} field.").format(
                salesforce_field=link.salesforce_field, value=described["type"]
            ),
        )
    elif not described.get("updateable"):
        check.add(
            link.pos,
            _("Salesforce won't let the integration user write Lead.{salesforce_field}.").format(
                salesforce_field=link.salesforce_field
            ),
        )


def _check_owners(check: Problems, mapping: Mapping, schema: OrgSchema) -> None:
    for owner in mapping.owners:
        user = schema.user(owner.salesforce)
        if user is None:
            check.add(
                owner.salesforce_pos,
                _("no Salesforce user {salesforce!r}.").format(salesforce=owner.salesforce),
                _("give the user's Salesforce username (user@company.com) or its 005... id."),
            )
        elif not user["IsActive"]:
            check.add(
                owner.salesforce_pos,
                _("Salesforce user {value} is inactive: records can't be assigned to it.").format(
                    value=user["Username"]
                ),
                _("map to an active user, or reactivate it in Setup > Users."),
            )


def _check_stages(check: Problems, mapping: Mapping, schema: OrgSchema) -> None:
    described = schema.field("Opportunity", "StageName")
    if not mapping.stages or described is None:
        return
    for deal_stage, target, hint in unknown_stage_targets(mapping, active_stages(described)):
        check.add(
            mapping.stages_pos.get(target),
            _(
                "Opportunity.StageName has no active value {target!r} (stages: {target}: "
                "{deal_stage}); Salesforce would reject it."
            ).format(target=target, deal_stage=deal_stage),
            hint,
        )
