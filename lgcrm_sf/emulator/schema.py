"""The emulated org's data model: objects, fields and the metadata describe returns.

Field metadata follows the REST describe shape
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm).
Only what clients read is modelled; the rest of describe's keys get Salesforce's usual defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPOUND_TYPES = ("address", "location")
SYSTEM_FIELDS = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)


@dataclass
class Field:
    name: str
    type: str = "string"  # describe type: id string email phone url textarea picklist boolean
    # int double currency percent date datetime reference
    length: int = 0
    label: str = ""
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    required: bool = False  # not nillable and no default: REQUIRED_FIELD_MISSING on create
    external_id: bool = False
    unique: bool = False
    # Unique text is case-insensitive unless the admin picks "case sensitive" (a unique field
    # option); matching an external id in upsert follows the same rule.
    case_sensitive: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    default: object = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    calculated: bool = False
    custom: bool = False
    precision: int = 0
    scale: int = 0
    compound_field: str | None = None  # describe's compoundFieldName: the compound it is part of
    components: tuple[tuple[str, str], ...] = ()  # a compound's (JSON key, component field)

    def __post_init__(self) -> None:
        if not self.label:
            self.label = _label(self.name)
        if (
            self.type in ("string", "textarea", "email", "phone", "url", "picklist")
            and not self.length
        ):
            self.length = 255
        if self.type == "id" or self.type == "reference":
            self.length = 18
        if self.type == "reference" and self.relationship_name is None:
            if self.name.endswith("__c"):
                self.relationship_name = self.name[:-3] + "__r"
            elif self.name.endswith("Id"):
                self.relationship_name = self.name[:-2]
        if self.type in ("currency", "double", "percent") and not self.precision:
            self.precision, self.scale = 18, 2

    @property
    def stored(self) -> bool:
        """Compound fields have no storage of their own: they are read from their components."""
        return self.type not in COMPOUND_TYPES

    @property
    def sql_type(self) -> str:
        if self.type in ("boolean", "int"):
            return "INTEGER"
        if self.type in ("double", "currency", "percent"):
            return "REAL"
        if self.type == "base64":
            return "BLOB"
        return "TEXT"

    @property
    def is_text(self) -> bool:
        return self.sql_type == "TEXT" and self.type not in ("date", "datetime", *COMPOUND_TYPES)

    def describe(self) -> dict:
        soap = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "int": "xsd:int",
            "double": "xsd:double",
            "currency": "xsd:double",
            "percent": "xsd:double",
            "date": "xsd:date",
            "datetime": "xsd:dateTime",
            "base64": "xsd:base64Binary",
            "address": "urn:address",
            "location": "urn:location",
        }.get(self.type, "xsd:string")
        whole = self.type in COMPOUND_TYPES or self.type == "base64"
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "soapType": soap,
            "length": self.length,
            "byteLength": self.length * 3,
            "precision": self.precision,
            "scale": self.scale,
            "digits": 9 if self.type == "int" else 0,
            "nillable": self.nillable,
            "createable": self.createable,
            "updateable": self.updateable,
            "defaultedOnCreate": self.default is not None or self.name in SYSTEM_FIELDS,
            "defaultValue": self.default if not isinstance(self.default, bool) else self.default,
            "externalId": self.external_id,
            "unique": self.unique,
            "caseSensitive": self.case_sensitive,
            "idLookup": self.type == "id" or self.external_id or self.name in ("Email", "Username"),
            "calculated": self.calculated,
            "custom": self.custom,
            "filterable": not whole,
            "sortable": self.sortable,
            "groupable": self.groupable,
            "nameField": self.name == "Name",
            "autoNumber": False,
            "htmlFormatted": False,
            "restrictedPicklist": self.restricted,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": value == self.default,
                    "label": value,
                    "validFor": None,
                    "value": value,
                }
                for value in self.picklist
            ],
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "polymorphicForeignKey": len(self.reference_to) > 1,
            "permissionable": self.nillable
            and not self.calculated
            and self.name not in SYSTEM_FIELDS,
            "compoundFieldName": self.compound_field,
        }

    @property
    def sortable(self) -> bool:
        if self.type in COMPOUND_TYPES or self.type == "base64":
            return False
        return self.type != "textarea" or self.length <= 255

    @property
    def groupable(self) -> bool:
        return self.type not in (
            *COMPOUND_TYPES,
            "base64",
            "textarea",
            "double",
            "currency",
            "percent",
        )


@dataclass
class SObject:
    name: str
    key_prefix: str
    fields: dict[str, Field] = field(default_factory=dict)
    label: str = ""
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    custom: bool = False
    mergeable: bool = False
    bulk_queryable: bool = True
    searchable: bool = False  # SOSL finds its records (see sosl.py)

    def __post_init__(self) -> None:
        self.label = self.label or _label(self.name)
        self._lower = {name.lower(): f for name, f in self.fields.items()}
        self._shape()

    def add(self, f: Field) -> None:
        self.fields[f.name] = f
        self._lower[f.name.lower()] = f
        self._shape()

    def _shape(self) -> None:
        """What every write of a record reads, worked out once per set of fields (a Bulk job
        writes each of its rows through these)."""
        fields = self.fields.values()
        self.stored_fields = [f for f in fields if f.stored]
        self.required_names = [f.name for f in fields if f.required]
        self.unique_fields = [f for f in fields if f.unique or f.name == "Username"]
        # A new record's stored fields before the values given: defaults, else null; the
        # fields defaulting to the creating user ("$user") are filled in per record.
        self.new_row = {
            f.name: None
            if f.default is None or f.default == "$user"
            else (int(f.default) if isinstance(f.default, bool) else f.default)
            for f in self.stored_fields
        }
        self.user_defaults = [f.name for f in self.stored_fields if f.default == "$user"]

    def field(self, name: str) -> Field | None:
        # Names are most often spelt as declared; any other case finds the same field.
        return self.fields.get(name) or self._lower.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        lowered = name.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == lowered:
                return f
        return None

    def describe(self, version: str) -> dict:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            **self.summary(version),
            "fields": [f.describe() for f in self.fields.values()],
            "childRelationships": [],
            "recordTypeInfos": [],
            "urls": {
                "sobject": base,
                "describe": base + "/describe",
                "rowTemplate": base + "/{ID}",
            },
        }

    def summary(self, version: str) -> dict:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label + "s",
            "keyPrefix": self.key_prefix,
            "custom": self.custom,
            "queryable": True,
            "retrieveable": True,
            "searchable": self.searchable,
            "createable": self.createable,
            "updateable": self.updateable,
            "deletable": self.deletable,
            "undeletable": self.deletable,
            "mergeable": self.mergeable,
            "replicateable": True,
            "triggerable": True,
            "layoutable": True,
            "urls": {
                "sobject": base,
                "describe": base + "/describe",
                "rowTemplate": base + "/{ID}",
            },
        }


def _label(name: str) -> str:
    name = name.removesuffix("__c").removesuffix("Id") if name != "Id" else "Record ID"
    out = ""
    for i, ch in enumerate(name):
        if ch == "_":
            out += " "
        elif ch.isupper() and i and not name[i - 1].isupper() and name[i - 1] != "_":
            out += " " + ch
        else:
            out += ch
    return out


def _system(prefix_object: str) -> list[Field]:
    ro = {"createable": False, "updateable": False}
    return [
        Field("Id", "id", nillable=False, **ro),
        Field("IsDeleted", "boolean", nillable=False, default=False, **ro),
        Field("CreatedDate", "datetime", nillable=False, **ro),
        Field("CreatedById", "reference", reference_to=("User",), nillable=False, **ro),
        Field("LastModifiedDate", "datetime", nillable=False, **ro),
        Field("LastModifiedById", "reference", reference_to=("User",), nillable=False, **ro),
        Field("SystemModstamp", "datetime", nillable=False, **ro),
    ]


def _obj(name: str, prefix: str, fields: list[Field], **kw) -> SObject:
    all_fields = {f.name: f for f in _system(name) + fields}
    return SObject(name, prefix, all_fields, **kw)


RO = {"createable": False, "updateable": False}
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
# A new org's opportunity stages, as its OpportunityStage rows give them: (ApiName, default
# probability, closed, won, forecast category name). Opportunity.StageName's values are these
# (stages.py keeps the picklist in step with the rows)
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitystage.htm
STANDARD_STAGES = (
    ("Prospecting", 10, False, False, "Pipeline"),
    ("Qualification", 10, False, False, "Pipeline"),
    ("Needs Analysis", 20, False, False, "Pipeline"),
    ("Value Proposition", 50, False, False, "Pipeline"),
    ("Id. Decision Makers", 60, False, False, "Pipeline"),
    ("Perception Analysis", 70, False, False, "Pipeline"),
    ("Proposal/Price Quote", 75, False, False, "Pipeline"),
    ("Negotiation/Review", 90, False, False, "Pipeline"),
    ("Closed Won", 100, True, True, "Closed"),
    ("Closed Lost", 0, True, False, "Omitted"),
)
STAGES = tuple(stage[0] for stage in STANDARD_STAGES)
# Forecast category: its name (ForecastCategoryName's value) -> its API value (ForecastCategory's).
FORECAST_CATEGORIES = {
    "Pipeline": "Pipeline",
    "Best Case": "BestCase",
    "Most Likely": "MostLikely",
    "Commit": "Forecast",
    "Closed": "Closed",
    "Omitted": "Omitted",
}
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
# The org-wide sharing defaults the Organization object reports, with their picklist values.
SHARING_DEFAULTS = (
    ("Account", ("None", "Read", "Edit")),
    ("Contact", ("None", "Read", "Edit", "ControlledByParent")),
    ("Opportunity", ("None", "Read", "Edit", "ControlledByParent")),
    ("Lead", ("None", "Read", "Edit", "ReadEditTransfer")),
    ("Case", ("None", "Read", "Edit", "ReadEditTransfer")),
    (
        "Calendar",
        ("HideDetails", "HideDetailsInsert", "ShowDetails", "ShowDetailsInsert", "AllowEdits"),
    ),
    ("Pricebook", ("None", "Read", "ReadSelect")),
    ("Campaign", ("None", "Read", "Edit", "All")),
)


def _closed_won() -> list[Field]:
    """Whether a stage (and an opportunity in it) is closed and won: read-only everywhere."""
    return [
        Field("IsClosed", "boolean", nillable=False, default=False, **RO),
        Field("IsWon", "boolean", nillable=False, default=False, **RO),
    ]


def _forecast(name_writable: bool) -> list[Field]:
    """A stage's forecast category (API value and name). Read-only on OpportunityStage; on
    Opportunity the name may be set (the API value follows it)."""
    return [
        Field(
            "ForecastCategory",
            "picklist",
            40,
            picklist=tuple(FORECAST_CATEGORIES.values()),
            restricted=True,
            **RO,
        ),
        Field(
            "ForecastCategoryName",
            "picklist",
            picklist=tuple(FORECAST_CATEGORIES),
            restricted=True,
            **({} if name_writable else RO),
        ),
    ]


def _opportunity_stage() -> SObject:
    """The org's stages: read-only through the API (Setup edits them); queryable and described.
    The key prefix is the emulator's own: a real org's 01J is LeadStatus's here."""
    return _obj(
        "OpportunityStage",
        "01S",
        [
            Field("MasterLabel", "string", 255, **RO),
            Field("ApiName", "string", 255, nillable=False, **RO),
            Field("Description", "string", 255, **RO),
            Field("IsActive", "boolean", nillable=False, default=True, **RO),
            *_closed_won(),
            Field(
                "DefaultProbability", "percent", precision=3, scale=0, label="Probability (%)", **RO
            ),
            *_forecast(name_writable=False),
            Field("SortOrder", "int", **RO),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )


def _recent() -> list[Field]:
    """Set by SOQL's FOR VIEW and FOR REFERENCE (see query.py), never by writes."""
    return [
        Field("LastViewedDate", "datetime", **RO),
        Field("LastReferencedDate", "datetime", **RO),
    ]


def _owner(*others: str) -> Field:
    """OwnerId; an activity can also be owned by a queue (Task) or a public calendar (Event),
    which makes Owner polymorphic there, as it is in a real org."""
    return Field(
        "OwnerId",
        "reference",
        reference_to=(*others, "User"),
        nillable=False,
        default="$user",
        relationship_name="Owner",
    )


GEOCODE_ACCURACIES = (
    "Address",
    "NearAddress",
    "Block",
    "Street",
    "ExtendedZip",
    "Zip",
    "Neighborhood",
    "City",
    "County",
    "State",
    "Unknown",
)


def address(prefix: str, compound: str) -> list[Field]:
    """A compound address as real orgs have it: its components are ordinary fields (each with
    compoundFieldName), the compound itself is read-only and served as one JSON object
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/compound_fields_address.htm).
    The components are listed in the JSON object's key order."""
    p = prefix
    parts = [
        ("city", Field(p + "City", "string", 40)),
        ("country", Field(p + "Country", "string", 80)),
        (
            "geocodeAccuracy",
            Field(
                p + "GeocodeAccuracy", "picklist", 40, picklist=GEOCODE_ACCURACIES, restricted=True
            ),
        ),
        ("latitude", Field(p + "Latitude", "double", precision=18, scale=15)),
        ("longitude", Field(p + "Longitude", "double", precision=18, scale=15)),
        ("postalCode", Field(p + "PostalCode", "string", 20)),
        ("state", Field(p + "State", "string", 80)),
        ("street", Field(p + "Street", "textarea", 255)),
    ]
    for _, f in parts:
        f.compound_field = compound
    # Listed as describe lists them: street first, the compound after its components.
    order = ["street", "city", "state", "postalCode", "country", "latitude", "longitude"]
    order.append("geocodeAccuracy")
    by_key = dict(parts)
    whole = Field(
        compound,
        "address",
        label=_label(prefix) + " Address" if prefix else "Address",
        components=tuple((key, f.name) for key, f in parts),
        **RO,
    )
    return [by_key[k] for k in order] + [whole]


def geolocation(name: str, label: str, scale: int = 7) -> list[Field]:
    """A custom geolocation field: NAME__Latitude__s, NAME__Longitude__s and the compound."""
    base = name.removesuffix("__c")
    lat = Field(base + "__Latitude__s", "double", label=label + " (Latitude)", custom=True)
    lon = Field(base + "__Longitude__s", "double", label=label + " (Longitude)", custom=True)
    for f in (lat, lon):
        f.precision, f.scale, f.compound_field = scale + 3, scale, name
    whole = Field(
        name,
        "location",
        label=label,
        custom=True,
        components=(("latitude", lat.name), ("longitude", lon.name)),
        **RO,
    )
    return [lat, lon, whole]


def _person(address_prefix: str, compound: str) -> list[Field]:
    return [
        Field("Salutation", "picklist", 40, picklist=SALUTATIONS),
        Field("FirstName", "string", 40),
        Field("LastName", "string", 80, nillable=False, required=True),
        Field("Name", "string", 121, calculated=True, **RO),
        Field("Title", "string", 128),
        Field("Email", "email", 80),
        Field("Phone", "phone", 40),
        Field("MobilePhone", "phone", 40),
        *address(address_prefix, compound),
        Field("LeadSource", "picklist", picklist=LEAD_SOURCES),
        Field("Description", "textarea", 32000),
        Field("HasOptedOutOfEmail", "boolean", nillable=False, default=False),
        Field("DoNotCall", "boolean", nillable=False, default=False),
        _owner(),
    ]


def standard_objects() -> dict[str, SObject]:
    objects = [
        _obj(
            "Organization",
            "00D",
            [
                Field("Name", "string", 80, **RO),
                Field(
                    "OrganizationType",
                    "picklist",
                    40,
                    picklist=(
                        "Team Edition",
                        "Professional Edition",
                        "Enterprise Edition",
                        "Developer Edition",
                        "Unlimited Edition",
                        "Performance Edition",
                        "Personal Edition",
                        "Base Edition",
                    ),
                    **RO,
                ),
                Field("IsSandbox", "boolean", nillable=False, **RO),
                Field("InstanceName", "string", 5, **RO),
                Field("Country", "string", 80, **RO),
                Field("DefaultLocaleSidKey", "string", 40, **RO),
                Field("LanguageLocaleKey", "string", 40, **RO),
                Field("TimeZoneSidKey", "string", 40, **RO),
                Field("TrialExpirationDate", "datetime", **RO),
                # Read by clients at login: `sf` (org display, login) and CumulusCI (org import)
                # select NamespacePrefix, null in an org without a namespace.
                Field("NamespacePrefix", "string", 15, **RO),
                Field("Division", "string", 80, **RO),
                Field("Street", "textarea", 255, **RO),
                Field("City", "string", 40, **RO),
                Field("State", "string", 80, **RO),
                Field("PostalCode", "string", 20, **RO),
                Field("Phone", "phone", 40, **RO),
                Field("Fax", "phone", 40, **RO),
                Field("PrimaryContact", "string", 80, **RO),
                Field("SignupCountryIsoCode", "string", 2, **RO),
                Field("ComplianceBccEmail", "email", 80, **RO),
                Field("UiSkin", "picklist", 40, picklist=("Theme1", "Theme2", "Theme3"), **RO),
                Field("FiscalYearStartMonth", "int", **RO),
                Field("UsesStartDateAsFiscalYearName", "boolean", nillable=False, **RO),
                Field("ReceivesInfoEmails", "boolean", nillable=False, **RO),
                Field("ReceivesAdminInfoEmails", "boolean", nillable=False, **RO),
                Field("PreferencesRequireOpportunityProducts", "boolean", nillable=False, **RO),
                Field("IsReadOnly", "boolean", nillable=False, **RO),
                Field("MonthlyPageViewsUsed", "int", **RO),
                Field("MonthlyPageViewsEntitlement", "int", **RO),
                *[
                    Field(f"Default{kind}Access", "picklist", 40, picklist=access, **RO)
                    for kind, access in SHARING_DEFAULTS
                ],
            ],
            createable=False,
            updateable=False,
            deletable=False,
            bulk_queryable=False,
        ),
        _obj(
            "Profile",
            "00e",
            [
                Field("Name", "string", 255, nillable=False, required=True),
                Field("UserType", "picklist", 40, picklist=("Standard", "PowerPartner", "CsnOnly")),
                Field("Description", "string", 255),
                Field("PermissionsApiEnabled", "boolean", nillable=False, default=False),
                Field("PermissionsApiUserOnly", "boolean", nillable=False, default=False),
                Field("PermissionsModifyAllData", "boolean", nillable=False, default=False),
                Field("PermissionsViewAllData", "boolean", nillable=False, default=False),
                Field("PermissionsPasswordNeverExpires", "boolean", nillable=False, default=False),
                Field("PermissionsViewSetup", "boolean", nillable=False, default=False),
            ],
            bulk_queryable=False,
        ),
        _obj(
            "PermissionSet",
            "0PS",
            [
                Field("Name", "string", 80, nillable=False, required=True),
                Field("Label", "string", 80, nillable=False, required=True),
                Field("IsOwnedByProfile", "boolean", nillable=False, default=False, **RO),
                Field("ProfileId", "reference", reference_to=("Profile",), **RO),
                Field("PermissionsApiEnabled", "boolean", nillable=False, default=False),
                Field("PermissionsApiUserOnly", "boolean", nillable=False, default=False),
                Field("PermissionsModifyAllData", "boolean", nillable=False, default=False),
                Field("PermissionsViewAllData", "boolean", nillable=False, default=False),
                Field("PermissionsPasswordNeverExpires", "boolean", nillable=False, default=False),
                Field("PermissionsViewSetup", "boolean", nillable=False, default=False),
            ],
        ),
        _obj(
            "PermissionSetAssignment",
            "0Pa",
            [
                Field(
                    "AssigneeId",
                    "reference",
                    reference_to=("User",),
                    nillable=False,
                    required=True,
                    updateable=False,
                ),
                Field(
                    "PermissionSetId",
                    "reference",
                    reference_to=("PermissionSet",),
                    nillable=False,
                    required=True,
                    updateable=False,
                ),
            ],
            updateable=False,
        ),
        _obj(
            "UserRole",
            "00E",
            [
                Field("Name", "string", 80, nillable=False, required=True),
                Field("DeveloperName", "string", 80),
                Field("ParentRoleId", "reference", reference_to=("UserRole",)),
            ],
        ),
        _obj(
            "User",
            "005",
            [
                Field("Username", "string", 80, nillable=False, required=True, unique=True),
                Field("Email", "email", 128, nillable=False, required=True),
                Field("FirstName", "string", 40),
                Field("LastName", "string", 80, nillable=False, required=True),
                Field("Name", "string", 121, calculated=True, **RO),
                Field("Alias", "string", 8, nillable=False, required=True),
                Field("IsActive", "boolean", nillable=False, default=True),
                Field(
                    "ProfileId",
                    "reference",
                    reference_to=("Profile",),
                    nillable=False,
                    required=True,
                ),
                Field("UserRoleId", "reference", reference_to=("UserRole",)),
                Field(
                    "UserType",
                    "picklist",
                    40,
                    picklist=("Standard", "AutomatedProcess"),
                    default="Standard",
                    **RO,
                ),
                Field("UserPermissionsMarketingUser", "boolean", nillable=False, default=False),
                Field("TimeZoneSidKey", "string", 40, default="America/Sao_Paulo"),
                Field("LocaleSidKey", "string", 40, default="pt_BR"),
                Field("LanguageLocaleKey", "string", 40, default="pt_BR"),
                Field("EmailEncodingKey", "string", 40, default="UTF-8"),
                Field("LastLoginDate", "datetime", **RO),
                Field("LastPasswordChangeDate", "datetime", **RO),
                *_recent(),
            ],
            deletable=False,
            searchable=True,
        ),
        _obj(
            "Account",
            "001",
            [
                Field("Name", "string", 255, nillable=False, required=True),
                Field(
                    "Type",
                    "picklist",
                    picklist=(
                        "Prospect",
                        "Customer - Direct",
                        "Customer - Channel",
                        "Partner",
                        "Other",
                    ),
                ),
                Field("Industry", "picklist", picklist=INDUSTRIES),
                Field("Website", "url", 255),
                Field("Phone", "phone", 40),
                *address("Billing", "BillingAddress"),
                *address("Shipping", "ShippingAddress"),
                Field("NumberOfEmployees", "int"),
                Field("AnnualRevenue", "currency"),
                Field("Description", "textarea", 32000),
                Field(
                    "ParentId", "reference", reference_to=("Account",), relationship_name="Parent"
                ),
                Field("MasterRecordId", "reference", reference_to=("Account",), **RO),
                *geolocation("Location__c", "Location"),
                _owner(),
                *_recent(),
            ],
            mergeable=True,
            searchable=True,
        ),
        _obj(
            "Contact",
            "003",
            [
                *_person("Mailing", "MailingAddress"),
                *address("Other", "OtherAddress"),
                Field("AccountId", "reference", reference_to=("Account",)),
                Field("Department", "string", 80),
                Field("Birthdate", "date"),
                Field("MasterRecordId", "reference", reference_to=("Contact",), **RO),
                *_recent(),
            ],
            mergeable=True,
            searchable=True,
        ),
        _obj(
            "Lead",
            "00Q",
            [
                *_person("", "Address"),
                Field("Company", "string", 255, nillable=False, required=True),
                Field("Website", "url", 255),
                Field("Industry", "picklist", picklist=INDUSTRIES),
                Field(
                    "Status",
                    "picklist",
                    255,
                    picklist=LEAD_STATUSES,
                    restricted=True,
                    nillable=False,
                    default="Open - Not Contacted",
                ),
                Field("Rating", "picklist", picklist=("Hot", "Warm", "Cold")),
                Field("NumberOfEmployees", "int"),
                Field("AnnualRevenue", "currency"),
                Field("IsConverted", "boolean", nillable=False, default=False, **RO),
                Field("ConvertedDate", "date", **RO),
                Field("ConvertedAccountId", "reference", reference_to=("Account",), **RO),
                Field("ConvertedContactId", "reference", reference_to=("Contact",), **RO),
                Field("ConvertedOpportunityId", "reference", reference_to=("Opportunity",), **RO),
                Field("IsUnreadByOwner", "boolean", nillable=False, default=True),
                Field("MasterRecordId", "reference", reference_to=("Lead",), **RO),
                *_recent(),
            ],
            mergeable=True,
            searchable=True,
        ),
        # The org's lead statuses: convertLead() takes only one marked IsConverted
        # (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm).
        _obj(
            "LeadStatus",
            "01J",
            [
                Field("MasterLabel", "string", 255, **RO),
                Field("ApiName", "string", 255, **RO),
                Field("SortOrder", "int", **RO),
                Field("IsDefault", "boolean", nillable=False, default=False, **RO),
                Field("IsConverted", "boolean", nillable=False, default=False, **RO),
            ],
            createable=False,
            updateable=False,
            deletable=False,
        ),
        _obj(
            "Opportunity",
            "006",
            [
                Field("Name", "string", 120, nillable=False, required=True),
                Field("AccountId", "reference", reference_to=("Account",)),
                Field(
                    "StageName",
                    "picklist",
                    picklist=STAGES,
                    restricted=True,
                    nillable=False,
                    required=True,
                ),
                Field("Amount", "currency"),
                Field("CloseDate", "date", nillable=False, required=True),
                Field("Probability", "percent", precision=3, scale=0),
                Field("Type", "picklist", picklist=("New Business", "Existing Business")),
                Field("LeadSource", "picklist", picklist=LEAD_SOURCES),
                Field("NextStep", "string", 255),
                Field("Description", "textarea", 32000),
                # Directly controlled by StageName (never written); Probability and the
                # forecast category are implied by it but may be set (see stages.py).
                *_closed_won(),
                *_forecast(name_writable=True),
                _owner(),
                *_recent(),
            ],
            searchable=True,
        ),
        _opportunity_stage(),
        _obj(
            "OpportunityContactRole",
            "00K",
            [
                Field(
                    "OpportunityId",
                    "reference",
                    reference_to=("Opportunity",),
                    nillable=False,
                    required=True,
                    updateable=False,
                ),
                Field(
                    "ContactId",
                    "reference",
                    reference_to=("Contact",),
                    nillable=False,
                    required=True,
                ),
                Field(
                    "Role",
                    "picklist",
                    picklist=(
                        "Business User",
                        "Decision Maker",
                        "Economic Buyer",
                        "Evaluator",
                        "Influencer",
                        "Technical Buyer",
                        "Other",
                    ),
                ),
                Field("IsPrimary", "boolean", nillable=False, default=False),
            ],
        ),
        _obj(
            "Task",
            "00T",
            [
                Field("Subject", "string", 255),
                Field(
                    "Status",
                    "picklist",
                    picklist=(
                        "Not Started",
                        "In Progress",
                        "Completed",
                        "Waiting on someone else",
                        "Deferred",
                    ),
                    nillable=False,
                    default="Not Started",
                ),
                Field(
                    "Priority",
                    "picklist",
                    picklist=("High", "Normal", "Low"),
                    nillable=False,
                    default="Normal",
                ),
                Field("ActivityDate", "date"),
                Field("Description", "textarea", 32000),
                Field(
                    "WhoId", "reference", reference_to=("Contact", "Lead"), relationship_name="Who"
                ),
                Field(
                    "WhatId",
                    "reference",
                    reference_to=("Account", "Opportunity", "Campaign"),
                    relationship_name="What",
                ),
                Field(
                    "TaskSubtype",
                    "picklist",
                    picklist=("Task", "Email", "Call"),
                    default="Task",
                    updateable=False,
                ),
                Field("Type", "picklist", picklist=("Call", "Email", "Meeting", "Other")),
                Field("IsClosed", "boolean", nillable=False, default=False, **RO),
                _owner("Group"),
            ],
            searchable=True,
        ),
        _obj(
            "Event",
            "00U",
            [
                Field("Subject", "string", 255),
                Field("StartDateTime", "datetime"),
                Field("EndDateTime", "datetime"),
                Field("ActivityDateTime", "datetime"),
                Field("DurationInMinutes", "int"),
                Field("Location", "string", 255),
                Field("Description", "textarea", 32000),
                Field(
                    "WhoId", "reference", reference_to=("Contact", "Lead"), relationship_name="Who"
                ),
                Field(
                    "WhatId",
                    "reference",
                    reference_to=("Account", "Opportunity", "Campaign"),
                    relationship_name="What",
                ),
                _owner("Calendar"),
            ],
            searchable=True,
        ),
        _obj(
            "Group",
            "00G",
            [
                Field("Name", "string", 40, nillable=False, required=True),
                Field("DeveloperName", "string", 80),
                Field(
                    "Type",
                    "picklist",
                    40,
                    picklist=("Regular", "Queue", "Role", "RoleAndSubordinates", "Organization"),
                    restricted=True,
                    nillable=False,
                    default="Regular",
                ),
                Field("Email", "email", 255),
                Field("DoesSendEmailToMembers", "boolean", nillable=False, default=False),
            ],
        ),
        _obj(
            "Calendar",
            "023",
            [
                Field("Name", "string", 80, nillable=False, **RO),
                Field(
                    "Type",
                    "picklist",
                    40,
                    picklist=("User", "Public", "Resource", "Holiday"),
                    **RO,
                ),
                Field("IsActive", "boolean", nillable=False, default=True, **RO),
            ],
            createable=False,
            updateable=False,
            deletable=False,
        ),
        _obj(
            "Campaign",
            "701",
            [
                Field("Name", "string", 80, nillable=False, required=True),
                Field("Type", "picklist", picklist=("Email", "Webinar", "Conference", "Other")),
                Field(
                    "Status",
                    "picklist",
                    picklist=("Planned", "In Progress", "Completed", "Aborted"),
                ),
                Field("StartDate", "date"),
                Field("EndDate", "date"),
                Field("IsActive", "boolean", nillable=False, default=False),
                Field("Description", "textarea", 32000),
                _owner(),
                *_recent(),
            ],
            searchable=True,
        ),
        _obj(
            "CampaignMember",
            "00v",
            [
                Field(
                    "CampaignId",
                    "reference",
                    reference_to=("Campaign",),
                    nillable=False,
                    required=True,
                    updateable=False,
                ),
                Field("LeadId", "reference", reference_to=("Lead",), updateable=False),
                Field("ContactId", "reference", reference_to=("Contact",), updateable=False),
                Field(
                    "Status",
                    "picklist",
                    picklist=("Planned", "Received", "Responded", "Sent"),
                    default="Sent",
                ),
            ],
        ),
        *content_objects(),
        attachment_object(),
    ]
    return {o.name: o for o in objects}


def attachment_object() -> SObject:
    """A file attached to a record (the classic Notes & Attachments). Body is a base64 field
    that, unlike ContentVersion.VersionData, can be updated in place; BodyLength is computed
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_attachment.htm)."""
    return _obj(
        "Attachment",
        "00P",
        [
            Field("Name", "string", 255, required=True, nillable=False),
            Field("Body", "base64", required=True, nillable=False),
            Field("BodyLength", "int", **RO),
            Field("ContentType", "string", 120),
            Field("Description", "textarea", 500),
            Field("IsPrivate", "boolean", nillable=False, default=False),
            Field(
                "ParentId",
                "reference",
                reference_to=("Account", "Contact", "Lead", "Opportunity"),
                required=True,
                nillable=False,
                updateable=False,
                relationship_name="Parent",
            ),
            _owner(),
        ],
    )


def content_objects() -> list[SObject]:
    """Files: a ContentDocument and its versions. VersionData is the base64 field REST serves as
    a blob URL (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_blob_retrieve.htm);
    store.py derives the read-only fields and the document when a version is inserted."""
    return [
        _obj(
            "ContentDocument",
            "069",
            [
                Field("Title", "string", 255, nillable=False),
                Field("FileType", "string", 20, **RO),
                Field("FileExtension", "string", 40, **RO),
                Field("ContentSize", "int", **RO),
                Field(
                    "LatestPublishedVersionId", "reference", reference_to=("ContentVersion",), **RO
                ),
                _owner(),
            ],
            createable=False,
        ),
        _obj(
            "ContentVersion",
            "068",
            [
                Field("Title", "string", 255, nillable=False),
                Field("Description", "textarea", 1000),
                Field(
                    "PathOnClient", "string", 500, required=True, nillable=False, updateable=False
                ),
                Field("VersionData", "base64", required=True, nillable=False, updateable=False),
                Field(
                    "ContentDocumentId",
                    "reference",
                    reference_to=("ContentDocument",),
                    updateable=False,
                ),
                Field("ContentSize", "int", **RO),
                Field("FileExtension", "string", 40, **RO),
                Field("FileType", "string", 20, **RO),
                Field("VersionNumber", "string", 20, **RO),
                Field("IsLatest", "boolean", nillable=False, default=True, **RO),
                Field("ReasonForChange", "string", 1000),
                _owner(),
            ],
            deletable=False,
            searchable=True,
        ),
    ]


CUSTOM_TYPES = (
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
)


def custom_field(spec: dict) -> Field:
    """A custom field declared at seeding: `{"name": "Score__c", "type": "double", ...}`."""
    name = spec["name"]
    if not name.endswith("__c"):
        raise ValueError(f"custom field names end in __c: {name}")
    ftype = spec.get("type", "string")
    if ftype not in CUSTOM_TYPES:
        raise ValueError(f"unsupported custom field type {ftype}")
    return Field(
        name,
        ftype,
        int(spec.get("length", 0)),
        label=spec.get("label", ""),
        custom=True,
        external_id=bool(spec.get("externalId", False)),
        unique=bool(spec.get("unique", False)),
        case_sensitive=bool(spec.get("caseSensitive", False)),
        picklist=tuple(spec.get("picklistValues", ())),
        restricted=bool(spec.get("restricted", False)),
        required=bool(spec.get("required", False)),
        nillable=not spec.get("required", False) and ftype != "boolean",
        default=False if ftype == "boolean" else spec.get("default"),
        createable=not spec.get("readOnly", False),
        updateable=not spec.get("readOnly", False),
    )
