"""Checking a mapping: what can be checked here (our field names, fields mapped twice, owners
that are not users here) and, given the org's describe data, what only the org can tell
(org_checks.py). Every problem has a line, a column and a fix."""

from __future__ import annotations

from ..i18n import _
from ..leadgen.fields import PERSON_FIELDS, field_type
from .model import Mapping, Pos
from .org_checks import OrgSchema, check_against_org, suggest
from .problems import Problem, Problems


def check_leadgen_side(mapping: Mapping, leadgen_users: set[str] | None = None) -> list[Problem]:
    """What can be checked without the org: our field names, fields mapped twice, owners."""
    check = Problems(mapping.source)
    for obj in mapping.objects.values():
        seen_ours: dict[str, Pos] = {}
        seen_theirs: dict[str, Pos] = {}
        for fmap in obj.fields:
            if fmap.leadgen == "lead_score":
                check.add(
                    fmap.leadgen_pos,
                    _("lead_score is pushed through the lead_score section, not the field list."),
                    _("remove this entry and set `lead_score: {{{name}: FIELD}}`.").format(
                        name=obj.name
                    ),
                )
            elif field_type(fmap.leadgen, mapping.custom_fields) is None:
                hint = suggest(fmap.leadgen, PERSON_FIELDS)
                check.add(
                    fmap.leadgen_pos,
                    _("{leadgen!r} is not a Lead Gen & CRM field.").format(leadgen=fmap.leadgen),
                    hint
                    or _("use one of {names} or custom.<name>.").format(
                        names=", ".join(PERSON_FIELDS)
                    ),
                )
            if fmap.leadgen in seen_ours:
                check.add(
                    fmap.leadgen_pos,
                    _("{leadgen} is mapped twice in objects.{name} (first at line {line}).").format(
                        leadgen=fmap.leadgen, name=obj.name, line=seen_ours[fmap.leadgen].line
                    ),
                    _("keep one entry per field."),
                )
            seen_ours.setdefault(fmap.leadgen, fmap.leadgen_pos)
            key = fmap.salesforce.lower()
            if key in seen_theirs:
                check.add(
                    fmap.salesforce_pos,
                    _("{sobject}.{salesforce} is mapped twice (first at line {line}).").format(
                        sobject=obj.sobject, salesforce=fmap.salesforce, line=seen_theirs[key].line
                    ),
                    _("map each Salesforce field from one Lead Gen & CRM field."),
                )
            seen_theirs.setdefault(key, fmap.salesforce_pos)
    _check_special_targets(check, mapping)
    _check_owners(check, mapping, leadgen_users)
    return check.problems


def _check_owners(check: Problems, mapping: Mapping, leadgen_users: set[str] | None) -> None:
    seen_users: dict[str, Pos] = {}
    for owner in mapping.owners:
        if owner.user in seen_users:
            check.add(
                owner.pos,
                _("{user} is mapped twice in owners (first at line {line}).").format(
                    user=owner.user, line=seen_users[owner.user].line
                ),
                _("each Lead Gen & CRM user maps to one Salesforce user."),
            )
        seen_users.setdefault(owner.user, owner.pos)
        if leadgen_users is not None and owner.user not in leadgen_users:
            check.add(
                owner.pos,
                _("{user} is not a Lead Gen & CRM user.").format(user=owner.user),
                _("add it with `lgcrm-sf users add` or correct the e-mail."),
            )


def _check_special_targets(check: Problems, mapping: Mapping) -> None:
    """The score, the link and the owner have Salesforce fields of their own: a field list
    entry on the same field would send it twice in one write (DUPLICATE_FIELD)."""
    for name, obj in mapping.objects.items():
        special = {}
        if name in mapping.lead_score:
            special[mapping.lead_score[name].lower()] = _("the lead_score section")
        if name == "lead" and mapping.lead_link:
            special[mapping.lead_link.salesforce_field.lower()] = _("the lead_link section")
        if mapping.owners:
            special["ownerid"] = _("the owners section (owner mapping)")
        for fmap in obj.fields:
            used_by = special.get(fmap.salesforce.lower())
            if used_by:
                check.add(
                    fmap.salesforce_pos,
                    _("{sobject}.{salesforce} is already written by {used_by}.").format(
                        sobject=obj.sobject, salesforce=fmap.salesforce, used_by=used_by
                    ),
                    _("remove this entry, or point it at another field."),
                )


def validate(
    mapping: Mapping, schema: OrgSchema | None, leadgen_users: set[str] | None
) -> list[Problem]:
    problems = check_leadgen_side(mapping, leadgen_users)
    if schema is not None:
        problems += check_against_org(mapping, schema)
    return sorted(problems, key=lambda p: (p.line, p.column))
