"""`mapping init`: a sensible starting mapping written from the org's describe data. It keeps
the default mapping's pairs whose Salesforce field exists here, and finds a lead score field
and a profile link field among the org's custom fields."""

from __future__ import annotations

from pathlib import Path

from ..config import Profile
from ..salesforce.describe import describe_fields
from .account_checks import read_account_schema
from .loader import load_default
from .org_checks import NUMBER_TYPES
from .service import write_mapping


def init_mapping(profile: Profile, out: Path, force: bool, open_client) -> None:
    """Write a starting mapping to `out` from the connected org's Lead and Contact describes
    (`open_client` is connection.open_client: this package never logs in by itself)."""
    _, client = open_client(profile)
    fields = {sobject: describe_fields(client, sobject) for sobject in ("Lead", "Contact")}
    text = starting_mapping(fields)
    if profile.load().account_mode:  # the account's own fields, custom ones included
        from ..store.sync_state import SyncState
        from .account_init import account_fields_section
        from .account_side import account_client

        client = account_client(profile, profile.load(), SyncState(profile.state_path))
        text += account_fields_section(
            read_account_schema(client, profile.load().leadgen_account_id)
        )
    write_mapping(out, text, force)


def _find_custom(fields: dict[str, dict], words: tuple[str, ...], types: set[str]) -> str | None:
    for name, described in fields.items():
        lowered = name.lower()
        writable = described.get("custom") and described.get("updateable")
        if writable and described["type"] in types and any(w in lowered for w in words):
            return name
    return None


def _field_line(sobject: str, fmap, described: dict | None) -> str:
    """One default pair as this org allows it: commented out when the org lacks the field,
    pulled when the user can't write it, picklist values the org doesn't have left out."""
    if described is None:
        return f"      # {fmap.leadgen} -> {sobject}.{fmap.salesforce}: not in this org"
    direction = fmap.direction
    if direction != "pull" and not described.get("updateable"):
        direction = "pull"
    entry = (
        f"      - {{leadgen: {fmap.leadgen}, salesforce: {fmap.salesforce}, direction: {direction}"
    )
    transform = fmap.transform
    if transform and transform.values:
        picklist = {p["value"] for p in described.get("picklistValues") or []}
        values = {k: v for k, v in transform.values.items() if not picklist or v in picklist}
        if values:
            pairs = ", ".join(f"{k}: {v!r}" for k, v in values.items())
            entry += f", transform: {{values: {{{pairs}}}}}"
    elif transform and transform.too_long == "truncate":
        entry += ", transform: {too_long: truncate}"
    return entry + "}"


def starting_mapping(org_fields: dict[str, dict[str, dict]]) -> str:
    default = load_default()
    lines = [
        "# lgcrm-sf mapping, written by `lgcrm-sf mapping init` from this org's describe data.",
        "# Field directions: push (ours wins), pull (Salesforce wins), bidirectional (conflicts",
        "# settled by conflict_rule: latest_change, prefer_salesforce or prefer_leadgen).",
        "version: 1",
        "conflict_rule: latest_change",
        "match_by: email",
        "objects:",
    ]
    for name, obj in default.objects.items():
        fields = org_fields.get(obj.sobject, {})
        lines += [f"  {name}:", f"    salesforce: {obj.sobject}", "    fields:"]
        lines += [
            _field_line(obj.sobject, fmap, fields.get(fmap.salesforce)) for fmap in obj.fields
        ]
    score = {
        name: _find_custom(org_fields.get(sobject, {}), ("score", "pontua"), NUMBER_TYPES)
        for name, sobject in (("lead", "Lead"), ("contact", "Contact"))
    }
    if any(score.values()):
        lines.append("lead_score:")
        lines += [f"  {name}: {field}" for name, field in score.items() if field]
    else:
        lines.append("# lead_score: create a Number field on Lead and Contact, then name it here.")
    lines += [
        "owners: []",
        "#  - user: someone@your-company.example",
        "#    salesforce: someone@your-company.example",
        "# stages: each Opportunity stage (StageName) and the deal stage (by name) it is,",
        "# e.g.  Proposal/Price Quote: Proposta enviada",
        "stages: {}",
        "engagements:",
    ]
    lines += [f"  {k}: {str(v).lower()}" for k, v in default.engagements.items()]
    link = _find_custom(org_fields.get("Lead", {}), ("profile", "lgcrm", "link", "perfil"), {"url"})
    # The link needs the account's real address, which the org cannot tell: written commented
    # out, for the user to complete (a made-up address would land in every lead).
    lines += [
        "# lead_link: uncomment with your Lead Gen & CRM account's address for a contact.",
        "# lead_link:",
        f"#   salesforce_field: {link or 'LGCRM_Profile_URL__c'}",
        "#   url_template: https://YOUR-ACCOUNT-ADDRESS/contacts/{id}",
        "assignment_rules: false",
    ]
    return "\n".join(lines) + "\n"
