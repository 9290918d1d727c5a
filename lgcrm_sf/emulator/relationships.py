"""Child relationships: the names by which a parent reaches its children (Account.Contacts).

Describe lists them under `childRelationships`, and the sObject Tree resource nests child
records under them (`"Contacts": {"records": [...]}`). Only lookups Salesforce names are listed;
a lookup with no child relationship name (OwnerId, MasterRecordId...) cannot nest records.
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#childrelationship
"""

from __future__ import annotations

from .schema import SObject

# (child object, lookup field) -> child relationship name on each parent the lookup points to.
STANDARD_NAMES = {
    ("Account", "ParentId"): "ChildAccounts",
    ("Contact", "AccountId"): "Contacts",
    ("Opportunity", "AccountId"): "Opportunities",
    ("OpportunityContactRole", "OpportunityId"): "OpportunityContactRoles",
    ("OpportunityContactRole", "ContactId"): "OpportunityContactRoles",
    ("Task", "WhoId"): "Tasks",
    ("Task", "WhatId"): "Tasks",
    ("Event", "WhoId"): "Events",
    ("Event", "WhatId"): "Events",
    ("CampaignMember", "CampaignId"): "CampaignMembers",
    ("CampaignMember", "LeadId"): "CampaignMembers",
    ("CampaignMember", "ContactId"): "CampaignMembers",
    ("User", "ProfileId"): "Users",
    ("User", "UserRoleId"): "Users",
    ("PermissionSetAssignment", "AssigneeId"): "PermissionSetAssignments",
    ("PermissionSetAssignment", "PermissionSetId"): "Assignments",
}
# Deleting the parent deletes these children (see Org.CASCADE).
CASCADE = {
    ("Contact", "AccountId"),
    ("Opportunity", "AccountId"),
    ("OpportunityContactRole", "OpportunityId"),
    ("OpportunityContactRole", "ContactId"),
    ("CampaignMember", "CampaignId"),
    ("CampaignMember", "LeadId"),
    ("CampaignMember", "ContactId"),
}


def children_of(schema: dict[str, SObject], parent: str) -> list[dict]:
    """Describe's childRelationships for `parent`: every lookup pointing at it, named or not."""
    out = []
    for child in schema.values():
        for f in child.fields.values():
            if f.type != "reference" or parent not in f.reference_to:
                continue
            out.append(
                {
                    "cascadeDelete": (child.name, f.name) in CASCADE,
                    "childSObject": child.name,
                    "deprecatedAndHidden": False,
                    "field": f.name,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": STANDARD_NAMES.get((child.name, f.name)),
                    "restrictedDelete": False,
                }
            )
    return out


def child_lookup(schema: dict[str, SObject], parent: str, name: str) -> tuple[str, str] | None:
    """(child object, lookup field) for the child relationship `name` of `parent`, or None."""
    lowered = name.lower()
    for (child, field), rel in STANDARD_NAMES.items():
        if rel.lower() == lowered and child in schema:
            f = schema[child].field(field)
            if f is not None and parent in f.reference_to:
                return child, f.name
    return None
