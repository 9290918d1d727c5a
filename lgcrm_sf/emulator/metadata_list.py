"""Metadata API `describeMetadata` and `listMetadata` (SOAP, /services/Soap/m/{version}).

`sf org list metadata-types` calls describeMetadata, `sf org list metadata -m TYPE` calls
listMetadata. The components listed are what the emulated org holds: its objects (standard ones
with the empty id and epoch dates Salesforce gives them), custom fields, profiles, roles, one
page layout per object, the settings and auto-response rules readMetadata serves. Types the org
has nothing of (Apex, flows...) list nothing.
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_listmetadata.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_describe.htm
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .store import Org

# xmlName -> (directoryName, suffix, inFolder, metaFile, childXmlNames)
TYPES = {
    "ApexClass": ("classes", "cls", False, True, ()),
    "ApexComponent": ("components", "component", False, True, ()),
    "ApexPage": ("pages", "page", False, True, ()),
    "ApexTrigger": ("triggers", "trigger", False, True, ()),
    "AuraDefinitionBundle": ("aura", None, False, False, ()),
    "AutoResponseRules": (
        "autoResponseRules",
        "autoResponseRules",
        False,
        False,
        ("AutoResponseRule",),
    ),
    "CustomApplication": ("applications", "app", False, False, ()),
    "CustomLabels": ("labels", "labels", False, False, ("CustomLabel",)),
    "CustomMetadata": ("customMetadata", "md", False, False, ()),
    "CustomObject": (
        "objects",
        "object",
        False,
        False,
        ("CustomField", "ListView", "RecordType", "ValidationRule", "WebLink", "FieldSet"),
    ),
    "CustomTab": ("tabs", "tab", False, False, ()),
    "Dashboard": ("dashboards", None, True, False, ()),
    "Document": ("documents", None, True, True, ()),
    "EmailTemplate": ("email", "email", True, True, ()),
    "FlexiPage": ("flexipages", "flexipage", False, False, ()),
    "Flow": ("flows", "flow", False, False, ()),
    "FlowDefinition": ("flowDefinitions", "flowDefinition", False, False, ()),
    "Layout": ("layouts", "layout", False, False, ()),
    "LightningComponentBundle": ("lwc", None, False, False, ()),
    "PermissionSet": ("permissionsets", "permissionset", False, False, ()),
    "PermissionSetGroup": ("permissionsetgroups", "permissionsetgroup", False, False, ()),
    "Profile": ("profiles", "profile", False, False, ()),
    "Queue": ("queues", "queue", False, False, ()),
    "RemoteSiteSetting": ("remoteSiteSettings", "remoteSite", False, False, ()),
    "Report": ("reports", "report", True, False, ()),
    "ReportType": ("reportTypes", "reportType", False, False, ()),
    "Role": ("roles", "role", False, False, ()),
    "Settings": ("settings", "settings", False, False, ()),
    "StaticResource": ("staticresources", "resource", False, True, ()),
    "Workflow": ("workflows", "workflow", False, False, ("WorkflowAlert", "WorkflowRule")),
}
# Child types listMetadata also answers for.
CHILD_TYPES = {"CustomField", "ValidationRule", "ListView", "RecordType", "WebLink", "FieldSet"}
# The API names of standard profiles differ from their labels.
PROFILE_NAMES = {
    "System Administrator": "Admin",
    "Standard User": "Standard",
    "Marketing User": "MarketingProfile",
}
EPOCH = "1970-01-01T00:00:00.000Z"


def describe(org: Org) -> str:
    """The body of a describeMetadataResponse."""
    objects = []
    for name, (directory, suffix, in_folder, meta_file, children) in sorted(TYPES.items()):
        kids = "".join(f"<childXmlNames>{c}</childXmlNames>" for c in children)
        suffix_xml = f"<suffix>{suffix}</suffix>" if suffix else ""
        objects.append(
            f"<metadataObjects>{kids}<directoryName>{directory}</directoryName>"
            f"<inFolder>{str(in_folder).lower()}</inFolder><metaFile>{str(meta_file).lower()}"
            f"</metaFile>{suffix_xml}<xmlName>{name}</xmlName></metadataObjects>"
        )
    namespace = org.conn.execute('SELECT "NamespacePrefix" FROM "Organization"').fetchone()[0]
    return (
        "<describeMetadataResponse><result>"
        + "".join(objects)
        + f"<organizationNamespace>{escape(namespace or '')}</organizationNamespace>"
        "<partialSaveAllowed>true</partialSaveAllowed><testRequired>false</testRequired>"
        "</result></describeMetadataResponse>"
    )


def known(kind: str) -> bool:
    return kind in TYPES or kind in CHILD_TYPES


def _xml_dt(value: str | None) -> str:
    return value[:-5] + "Z" if value else EPOCH


def _names(org: Org) -> dict[str, str]:
    return {r[0]: r[1] for r in org.conn.execute('SELECT "Id", "Name" FROM "User"')}


def components(org: Org, kind: str, folder: str | None) -> list[dict]:
    """FileProperties of every component of `kind` in the org."""
    users = _names(org)
    out = []

    def add(full_name, file_name, ident="", row=None, state="unmanaged"):
        created_by = (row or {}).get("CreatedById") or ""
        modified_by = (row or {}).get("LastModifiedById") or ""
        out.append(
            {
                "createdById": created_by,
                "createdByName": users.get(created_by, ""),
                "createdDate": _xml_dt((row or {}).get("CreatedDate")),
                "fileName": file_name,
                "fullName": full_name,
                "id": ident,
                "lastModifiedById": modified_by,
                "lastModifiedByName": users.get(modified_by, ""),
                "lastModifiedDate": _xml_dt((row or {}).get("LastModifiedDate")),
                "manageableState": state,
                "type": kind,
            }
        )
        if state is None:
            del out[-1]["manageableState"]

    def rows(sql: str) -> list[dict]:
        cur = org.conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    with org.lock:
        if kind == "CustomObject":
            for obj in sorted(org.schema):
                # Standard objects carry no manageable state (they come with the org).
                add(
                    obj,
                    f"objects/{obj}.object",
                    state=None if not org.schema[obj].custom else "unmanaged",
                )
        elif kind == "CustomField":
            for obj, specs in sorted(org.settings["custom_fields"].items()):
                for spec in specs:
                    add(f"{obj}.{spec['name']}", f"objects/{obj}.object")
        elif kind == "Layout":
            for obj in sorted(org.schema):
                if obj not in ("Organization", "PermissionSetAssignment"):
                    full = f"{obj}-{org.schema[obj].label} Layout"
                    add(full, f"layouts/{full}.layout")
        elif kind == "Profile":
            for row in rows('SELECT * FROM "Profile" WHERE "IsDeleted" = 0 ORDER BY "Name"'):
                full = PROFILE_NAMES.get(row["Name"], row["Name"])
                add(full, f"profiles/{full}.profile", row["Id"], row)
        elif kind == "PermissionSet":
            for row in rows(
                'SELECT * FROM "PermissionSet" WHERE "IsDeleted" = 0 AND "IsOwnedByProfile" = 0 '
                'ORDER BY "Name"'
            ):
                add(row["Name"], f"permissionsets/{row['Name']}.permissionset", row["Id"], row)
        elif kind == "Role":
            for row in rows('SELECT * FROM "UserRole" WHERE "IsDeleted" = 0 ORDER BY "Name"'):
                name = row["DeveloperName"] or row["Name"]
                add(name, f"roles/{name}.role", row["Id"], row)
        elif kind == "Settings":
            add("Security", "settings/Security.settings")
        elif kind == "AutoResponseRules" and org.settings["lead_auto_response_rules"]:
            add("Lead", "autoResponseRules/Lead.autoResponseRules")
    if folder is not None and TYPES.get(kind, (None, None, False))[2]:
        out = [c for c in out if c["fullName"].startswith(folder + "/")]
    return out


def list_body(org: Org, queries: list[tuple[str, str | None]]) -> str:
    """The body of a listMetadataResponse for up to three (type, folder) queries."""
    results = []
    for kind, folder in queries:
        for c in components(org, kind, folder):
            results.append(
                "<result>"
                + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in c.items())
                + "</result>"
            )
    return "<listMetadataResponse>" + "".join(results) + "</listMetadataResponse>"
