"""`mapping init` in a profile connected to a Lead Gen & CRM account: the account's lead fields
(getFields, custom ones included) and deal stages (getDealStages) written at the end of the
starting mapping as comments, each under the name the mapping uses for it, so the administrator
can map them."""

from __future__ import annotations

from ..leadgen.api import values
from ..leadgen.api.names import API_NAMES, CUSTOM_PREFIX
from .account_checks import AccountSchema

# getFields dataType -> the value type a custom field holds in the mapping (custom_fields:)
CUSTOM_TYPES = {
    "boolean": "boolean", "checkbox": "boolean", "bit": "boolean",
    "date": "date", "datetime": "date", "int": "number", "decimal": "number", "number": "number",
}  # fmt: skip


def account_fields_section(schema: AccountSchema) -> str:
    lines = [
        f"# The Lead Gen & CRM account {schema.account_id}'s lead fields, as this file names them",
        "# (name: label, the account's type). Add an entry under objects: to sync one.",
    ]
    for system_name, row in sorted(schema.lead_fields.items()):
        ours = API_NAMES.get(system_name)
        if ours and ours != "owner_user_id":
            lines.append(f"#   {ours}: {_label(row)}")
    custom = sorted(schema.custom_fields.items())
    if custom:
        lines.append("# Its custom fields (by systemName: stable when the label is renamed):")
        lines += [f"#   {CUSTOM_PREFIX}{name}: {_label(row)}" for name, row in custom]
        lines.append("# e.g. under lead: fields:")
        lines.append(f"#      - {{leadgen: {CUSTOM_PREFIX}{custom[0][0]}, salesforce: FIELD__c, "
                     "direction: push}")  # fmt: skip
        lines.append("# custom_fields: (the value type of each custom field you map)")
        lines += [f"#   {name}: {_custom_type(row)}" for name, row in custom]
    lines.append("# Its deal stages, for the stages: section: " + ", ".join(schema.deal_stages))
    return "\n".join(lines) + "\n"


def _label(row: dict) -> str:
    return f"{values.text(row.get('label')) or ''} ({values.text(row.get('dataType')) or '?'})"


def _custom_type(row: dict) -> str:
    return CUSTOM_TYPES.get(values.text(row.get("dataType")) or "", "text")
