"""Checking a mapping against the connected org's describe data and our own fields: unknown
fields, type mismatches, writes Salesforce won't allow, picklist values it would reject, owners
that are unknown or inactive, fields mapped twice. Every problem has a line, a column and a fix."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..leadgen.fields import PERSON_FIELDS, field_type
from .loader import Problem
from .model import Mapping, Pos

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


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


class _Checker:
    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.problems: list[Problem] = []

    def add(self, pos: Pos | None, message: str, fix: str = "", severity: str = "error") -> None:
        pos = pos or Pos(1, 1)
        self.problems.append(
            Problem(self.mapping.source, pos.line, pos.column, message, fix, severity)
        )


def check_leadgen_side(mapping: Mapping, leadgen_users: set[str] | None = None) -> list[Problem]:
    """What can be checked without the org: our field names, fields mapped twice, owners."""
    check = _Checker(mapping)
    for obj in mapping.objects.values():
        seen_ours: dict[str, Pos] = {}
        seen_theirs: dict[str, Pos] = {}
        for fmap in obj.fields:
            if fmap.leadgen == "lead_score":
                check.add(
                    fmap.leadgen_pos,
                    "lead_score is pushed through the lead_score section, not the field list.",
                    f"remove this entry and set `lead_score: {{{obj.name}: FIELD}}`.",
                )
            elif field_type(fmap.leadgen, mapping.custom_fields) is None:
                hint = _suggest(fmap.leadgen, PERSON_FIELDS)
                check.add(
                    fmap.leadgen_pos,
                    f"{fmap.leadgen!r} is not a Lead Gen & CRM field.",
                    hint or f"use one of {', '.join(PERSON_FIELDS)} or custom.<name>.",
                )
            if fmap.leadgen in seen_ours:
                check.add(
                    fmap.leadgen_pos,
                    f"{fmap.leadgen} is mapped twice in objects.{obj.name} (first at line "
                    f"{seen_ours[fmap.leadgen].line}).",
                    "keep one entry per field.",
                )
            seen_ours.setdefault(fmap.leadgen, fmap.leadgen_pos)
            key = fmap.salesforce.lower()
            if key in seen_theirs:
                check.add(
                    fmap.salesforce_pos,
                    f"{obj.sobject}.{fmap.salesforce} is mapped twice (first at line "
                    f"{seen_theirs[key].line}).",
                    "map each Salesforce field from one Lead Gen & CRM field.",
                )
            seen_theirs.setdefault(key, fmap.salesforce_pos)
    _check_special_targets(check, mapping)
    seen_users: dict[str, Pos] = {}
    for owner in mapping.owners:
        if owner.user in seen_users:
            check.add(
                owner.pos,
                f"{owner.user} is mapped twice in owners (first at line {seen_users[owner.user].line}).",
                "each Lead Gen & CRM user maps to one Salesforce user.",
            )
        seen_users.setdefault(owner.user, owner.pos)
        if leadgen_users is not None and owner.user not in leadgen_users:
            check.add(
                owner.pos,
                f"{owner.user} is not a Lead Gen & CRM user.",
                "add it with `lgcrm-sf users add` or correct the e-mail.",
            )
    return check.problems


def _check_special_targets(check: _Checker, mapping: Mapping) -> None:
    """The score, the link and the owner have Salesforce fields of their own: a field list
    entry on the same field would send it twice in one write (DUPLICATE_FIELD)."""
    for name, obj in mapping.objects.items():
        special = {}
        if name in mapping.lead_score:
            special[mapping.lead_score[name].lower()] = "the lead_score section"
        if name == "lead" and mapping.lead_link:
            special[mapping.lead_link.salesforce_field.lower()] = "the lead_link section"
        if mapping.owners:
            special["ownerid"] = "the owners section (owner mapping)"
        for fmap in obj.fields:
            used_by = special.get(fmap.salesforce.lower())
            if used_by:
                check.add(
                    fmap.salesforce_pos,
                    f"{obj.sobject}.{fmap.salesforce} is already written by {used_by}.",
                    "remove this entry, or point it at another field.",
                )


def check_against_org(mapping: Mapping, schema: OrgSchema) -> list[Problem]:
    check = _Checker(mapping)
    for obj in mapping.objects.values():
        sf_fields = schema.fields.get(obj.sobject, {})
        lower = {name.lower(): f for name, f in sf_fields.items()}
        for fmap in obj.fields:
            described = lower.get(fmap.salesforce.lower())
            if described is None:
                hint = _suggest(fmap.salesforce, sf_fields)
                check.add(
                    fmap.salesforce_pos,
                    f"{obj.sobject}.{fmap.salesforce} does not exist or the integration "
                    "user cannot read it.",
                    hint
                    or f"check the field's API name in Setup > Object Manager > {obj.sobject}.",
                )
                continue
            ours = field_type(fmap.leadgen, mapping.custom_fields)
            theirs = described["type"]
            if theirs in COMPOUND_TYPES:
                parts = [
                    name
                    for name, f in sf_fields.items()
                    if f.get("compoundFieldName") == described["name"]
                ]
                check.add(
                    fmap.salesforce_pos,
                    f"{obj.sobject}.{described['name']} is a compound {theirs} field: Salesforce "
                    "reads it from its components and won't write it.",
                    f"map the components instead ({', '.join(parts)}).",
                )
                continue
            if ours and theirs not in COMPATIBLE.get(ours, set()):
                check.add(
                    fmap.salesforce_pos,
                    f"{fmap.leadgen} holds {ours} values but {obj.sobject}.{described['name']} "
                    f"is a {theirs} field.",
                    "map it to a field of a matching type.",
                )
            writes = fmap.direction in ("push", "bidirectional")
            if writes and not described.get("updateable"):
                check.add(
                    fmap.direction_pos,
                    f"Salesforce won't let the integration user write {obj.sobject}."
                    f"{described['name']} (read-only or not updateable), but the direction is {fmap.direction}.",
                    "use direction: pull, or give the user edit access to the field (field-level security).",
                )
            transform = fmap.transform
            if transform and transform.too_long == "truncate" and theirs not in TEXT_TYPES:
                check.add(
                    transform.pos,
                    f"too_long: truncate only applies to text fields; {described['name']} is {theirs}.",
                )
            picklist = [
                p["value"] for p in described.get("picklistValues") or [] if p.get("active", True)
            ]
            restricted = theirs in ("picklist", "multipicklist") and described.get(
                "restrictedPicklist"
            )
            if transform and transform.values is not None and picklist:
                for ours_value, theirs_value in transform.values.items():
                    if theirs_value not in picklist:
                        check.add(
                            transform.values_pos.get(ours_value),
                            f"{obj.sobject}.{described['name']} has no "
                            f"picklist value {theirs_value!r}; Salesforce would reject it.",
                            _suggest(theirs_value, picklist)
                            or f"use one of: {', '.join(picklist)}.",
                            "error" if restricted else "warning",
                        )
            elif restricted and writes:
                check.add(
                    fmap.salesforce_pos,
                    f"{obj.sobject}.{described['name']} is a restricted picklist: values "
                    "outside its list will be rejected record by record.",
                    "add transform: values: {our value: Salesforce value}.",
                    "warning",
                )
    for name, target in mapping.lead_score.items():
        sobject = "Lead" if name == "lead" else "Contact"
        described = {k.lower(): v for k, v in schema.fields.get(sobject, {}).items()}.get(
            target.lower()
        )
        pos = mapping.lead_score_pos.get(name)
        if described is None:
            check.add(
                pos,
                f"{sobject}.{target} does not exist or the integration user cannot read it.",
                f"create a Number field for the lead score on {sobject}, or fix the name.",
            )
        elif described["type"] not in NUMBER_TYPES:
            check.add(
                pos,
                f"the lead score is a number but {sobject}.{target} is a {described['type']} field.",
            )
        elif not described.get("updateable"):
            check.add(
                pos,
                f"Salesforce won't let the integration user write {sobject}.{target}.",
                "give the user edit access to the field.",
            )
    if mapping.lead_link:
        link = mapping.lead_link
        described = {k.lower(): v for k, v in schema.fields.get("Lead", {}).items()}.get(
            link.salesforce_field.lower()
        )
        if described is None:
            check.add(
                link.pos,
                f"Lead.{link.salesforce_field} does not exist or the integration user cannot read it.",
                "create a URL field on Lead for the marketing profile link, or fix the name.",
            )
        elif described["type"] not in ("url", "string", "textarea"):
            check.add(
                link.pos,
                f"the lead link is a URL but Lead.{link.salesforce_field} is a {described['type']} field.",
            )
        elif not described.get("updateable"):
            check.add(
                link.pos,
                f"Salesforce won't let the integration user write Lead.{link.salesforce_field}.",
            )
    for owner in mapping.owners:
        user = schema.user(owner.salesforce)
        if user is None:
            check.add(
                owner.salesforce_pos,
                f"no Salesforce user {owner.salesforce!r}.",
                "give the user's Salesforce username (user@company.com) or its 005... id.",
            )
        elif not user["IsActive"]:
            check.add(
                owner.salesforce_pos,
                f"Salesforce user {user['Username']} is inactive: records can't be assigned to it.",
                "map to an active user, or reactivate it in Setup > Users.",
            )
    return check.problems


def validate(
    mapping: Mapping, schema: OrgSchema | None, leadgen_users: set[str] | None
) -> list[Problem]:
    problems = check_leadgen_side(mapping, leadgen_users)
    if schema is not None:
        problems += check_against_org(mapping, schema)
    return sorted(problems, key=lambda p: (p.line, p.column))
