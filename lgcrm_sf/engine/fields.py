"""What syncs for one object pair: the mapped fields plus the pseudo-fields the sync handles
itself (owner, lead score, lead link), each with its direction and converter."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_
from ..leadgen.fields import field_type
from ..mapping.model import FieldMap, Mapping
from .values import Converter, lg_native

OWNER, SCORE, LINK = "owner", "lead_score", "lead_link"
REQUIRED_DEFAULTS = {
    "Lead": {"LastName": N_("[not provided]"), "Company": N_("[not provided]")},
    "Contact": {"LastName": N_("[not provided]")},
}


@dataclass
class FieldSpec:
    key: str  # the mirror key: our field name, or owner / lead_score / lead_link
    sf_field: str
    direction: str
    rule: str
    converter: Converter
    role: str = "field"  # field, owner (OwnerId by the owner map) or link (the lead link)

    def __post_init__(self) -> None:
        # Read per person and field (the sync's hottest lines): worked out once.
        custom = self.key.startswith("custom.")
        self.custom_name = self.key[len("custom.") :] if custom else None
        self.lg_type = self.converter.lg_type


class OwnerConverter:
    """OwnerId <-> our owner_user_id through the owner mapping; unmapped values pass as None
    and are reported, never guessed."""

    def __init__(self, ours_to_sf: dict[int, str], sf_to_ours: dict[str, int]) -> None:
        self.ours_to_sf, self.sf_to_ours = ours_to_sf, sf_to_ours
        self.lg_type, self.sf_type = "owner", "reference"

    @staticmethod
    def same_sf(a, b) -> bool:
        return (a or None) == (b or None)

    @staticmethod
    def same_lg(a, b) -> bool:
        return (None if a is None else int(a)) == (None if b is None else int(b))

    def to_salesforce(self, lg):
        return None if lg is None else self.ours_to_sf.get(int(lg))

    def to_leadgen(self, sf):
        return None if sf is None else self.sf_to_ours.get(sf)


def field_specs(
    mapping: Mapping, object_name: str, sf_fields: dict[str, dict], owners: OwnerConverter | None
) -> list[FieldSpec]:
    obj = mapping.objects.get(object_name)
    sobject = "Lead" if object_name == "lead" else "Contact"
    specs = []
    lower = {k.lower(): v for k, v in sf_fields.items()}
    for fmap in obj.fields if obj else []:
        described = lower.get(fmap.salesforce.lower())
        if described is None:
            continue  # mapping validate reports it; the sync skips what the org lacks
        lg_type = field_type(fmap.leadgen, mapping.custom_fields) or "text"
        specs.append(
            FieldSpec(
                fmap.leadgen,
                described["name"],
                fmap.direction,
                mapping.rule_for(fmap),
                Converter(fmap, lg_type, described),
            )
        )
    if owners is not None and "OwnerId" in sf_fields:
        specs.append(
            FieldSpec(OWNER, "OwnerId", "bidirectional", mapping.conflict_rule, owners, OWNER)
        )
    score = mapping.lead_score.get(object_name)
    if score and score.lower() in lower:
        described = lower[score.lower()]
        specs.append(
            FieldSpec(
                SCORE,
                described["name"],
                "push",
                mapping.conflict_rule,
                Converter(FieldMap("lead_score", described["name"], "push"), "number", described),
                SCORE,
            )
        )
    link = mapping.lead_link
    if link and sobject == "Lead" and link.salesforce_field.lower() in lower:
        described = lower[link.salesforce_field.lower()]
        specs.append(
            FieldSpec(
                LINK,
                described["name"],
                "push",
                mapping.conflict_rule,
                Converter(FieldMap("lead_link", described["name"], "push"), "text", described),
                LINK,
            )
        )
    return specs


def lg_value(spec: FieldSpec, person: dict, mapping: Mapping):
    """Our side's value of a spec, in our normal form."""
    role = spec.role
    if role == OWNER:
        return person.get("owner_user_id")
    if role == LINK:
        return mapping.lead_link.url_template.format(id=person["id"], email=person["email"])
    if spec.custom_name is not None:
        return lg_native(person["custom"].get(spec.custom_name), spec.lg_type)
    return lg_native(person.get(spec.key), spec.lg_type)
