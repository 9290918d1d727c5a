"""Objects and their fields: what a write may set, how a value is checked and stored, and the
string form every read returns (LEADGEN_API.md §6: all values are strings in reads, ids too).

Values are stored as the exact strings a read returns (NULL for null), so a read is a plain row
copy and "did this update change anything?" (error 302) is a string comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .errors import ObjectError

LEAD_STATUSES = ("open", "unqualified", "qualified", "contact", "contactWithOpp", "customer")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, int, bit, status, ref, date, decimal, readonly
    length: int | None = None
    nullable: bool = False  # "" is refused on nullable fields, null on the others (§7.3)
    required: bool = False
    default: str | None = None
    data_type: str = "string"  # what getFields reports
    ref: str | None = None  # the table a `ref` field points into

    @property
    def writable(self) -> bool:
        return self.kind != "readonly"


def _f(name, label, kind="text", length=None, **kw) -> Field:
    return Field(name, label, kind, length, **kw)


LEAD_FIELDS = [
    _f("id", "ID", "readonly", data_type="int"),
    _f("accountID", "Account", "ref", nullable=True, ref="account", data_type="int"),
    _f("ownerID", "Owner", "ref", nullable=True, ref="user_profile", data_type="int"),
    _f("campaignID", "Campaign", "ref", nullable=True, ref="campaign", data_type="int"),
    _f("leadStatus", "Lead Status", "status", default="unqualified", data_type="picklist"),
    _f("leadScore", "Lead Score", "int", default="0", data_type="int"),
    _f("leadScoreWeighted", "Weighted Lead Score", "readonly", default="0", data_type="int"),
    _f("persona", "Persona", length=128),
    _f("active", "Active", "bit", nullable=True, default="1", data_type="bit"),
    _f("firstName", "First Name", length=50),
    _f("lastName", "Last Name", length=50),
    _f("emailAddress", "Email", length=150, required=True, data_type="email"),
    _f("companyName", "Company Name", length=100),
    _f("title", "Title", length=100),
    _f("street", "Street", length=255),
    _f("city", "City", length=50),
    _f("country", "Country", length=50, data_type="country"),
    _f("state", "State", length=50, data_type="state"),
    _f("zipcode", "Zip", length=50),
    _f("website", "Website", length=255, data_type="url"),
    _f("phoneNumber", "Phone Number", length=50, data_type="phone"),
    _f("officePhoneNumber", "Office Phone Number", length=50, data_type="phone"),
    _f("phoneNumberExtension", "Extension", length=10),
    _f("mobilePhoneNumber", "Mobile Phone", length=50, data_type="phone"),
    _f("faxNumber", "Fax", length=50, data_type="phone"),
    _f("description", "Description", length=10000, data_type="textarea"),
    _f("industry", "Industry", length=100),
    _f("isUnsubscribed", "Is Unsubscribed?", "bit", nullable=True, data_type="bit"),
    _f("trackingID", "Tracking ID", "readonly", data_type="hidden"),
    _f("createTimestamp", "Create Date", "readonly", data_type="datetime"),
    _f("updateTimestamp", "Last Updated", "readonly", data_type="datetime"),
]

# getFields also lists these lead fields, which never appear on a lead (rmuit/sharpspring-restapi
# src/Lead.php: crmID, numBounces, hardBounced, hasOpportunity, isQualified, isContact).
LEAD_FIELDS_ONLY_IN_GETFIELDS = [
    _f("crmID", "CRM ID", "readonly", data_type="hidden"),
    _f("numBounces", "Number of Bounces", "readonly", data_type="int"),
    _f("hardBounced", "Hard Bounced Email Address", "readonly", data_type="bit"),
    _f("hasOpportunity", "Has an Opportunity", "readonly", data_type="bit"),
    _f("isQualified", "Is Qualified", "readonly", data_type="bit"),
    _f("isContact", "Is Contact", "readonly", data_type="bit"),
]

OPPORTUNITY_FIELDS = [
    _f("id", "ID", "readonly", data_type="int"),
    _f("ownerID", "Owner", "ref", nullable=True, ref="user_profile", data_type="int"),
    _f("dealStageID", "Deal Stage", "ref", required=True, ref="deal_stage", data_type="int"),
    _f("accountID", "Account", "ref", nullable=True, ref="account", data_type="int"),
    _f("campaignID", "Campaign", "ref", nullable=True, ref="campaign", data_type="int"),
    _f("opportunityName", "Opportunity Name", length=255, required=True),
    _f("probability", "Probability", "int", default="0", data_type="int"),
    _f("amount", "Amount", "decimal", default="0.00", data_type="decimal"),
    _f("isClosed", "Is Closed", "bit", default="0", data_type="bit"),
    _f("isWon", "Is Won", "bit", default="0", data_type="bit"),
    _f("closeDate", "Close Date", "date", required=True, data_type="date"),
    _f("originatingLeadID", "Originating Lead", "ref", nullable=True, ref="lead", data_type="int"),
    _f("primaryLeadID", "Primary Lead", "ref", nullable=True, ref="lead", data_type="int"),
    _f("isActive", "Is Active", "bit", default="1", data_type="bit"),
]

ACCOUNT_FIELDS = [
    _f("id", "ID", "readonly", data_type="int"),
    _f("ownerID", "Owner", "ref", nullable=True, ref="user_profile", data_type="int"),
    _f("accountName", "Account Name", length=255, required=True),
    _f("industry", "Industry", length=100),
    _f("phone", "Phone", length=50, data_type="phone"),
    _f("annualRevenue", "Annual Revenue", "decimal", nullable=True, data_type="decimal"),
    _f("numberOfEmployees", "Number of Employees", "int", nullable=True, data_type="int"),
    _f("website", "Website", length=255, data_type="url"),
    _f("yearStarted", "Year Started", "int", nullable=True, data_type="int"),
    _f("fax", "Fax", length=50, data_type="phone"),
    _f("billingStreetAddress", "Billing Street", length=255),
    _f("billingCity", "Billing City", length=50),
    _f("billingState", "Billing State", length=50, data_type="state"),
    _f("billingZipcode", "Billing Zip", length=50),
    _f("billingCountry", "Billing Country", length=50, data_type="country"),
    _f("shippingStreetAddress", "Shipping Street", length=255),
    _f("shippingCity", "Shipping City", length=50),
    _f("shippingState", "Shipping State", length=50, data_type="state"),
    _f("shippingZipcode", "Shipping Zip", length=50),
    _f("shippingCountry", "Shipping Country", length=50, data_type="country"),
]

STANDARD = {"lead": LEAD_FIELDS, "opportunity": OPPORTUNITY_FIELDS, "account": ACCOUNT_FIELDS}
TABLES = {"lead": "lead", "opportunity": "opportunity", "account": "account"}

# Custom field data types (getFields' list) whose values are 0/1 flags.
BIT_TYPES = {"bit", "boolean", "checkbox"}
DATA_TYPES = {
    "string",
    "text",
    "textarea",
    "hidden",
    "picklist",
    "country",
    "state",
    "boolean",
    "checkbox",
    "radio",
    "phone",
    "date",
    "datetime",
    "url",
    "bit",
    "upload",
    "attachment",
    "int",
    "decimal",
}

_INT = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def scalar_text(name: str, value) -> str:
    """The stored string of a scalar; arrays and hashes are refused with 210."""
    if isinstance(value, list | dict):
        raise ObjectError(210, {"params": [{"param": name, "message": "Expected a scalar"}]})
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check(field: Field, value) -> str | None:
    """Validate one written value and return what is stored (and read back)."""
    name = field.name
    if value is None:
        if not field.nullable:
            # Standard strings hold null until first written, but null is refused as input (§7.3).
            raise ObjectError.invalid(name, "Null is not allowed", _format(field))
        return None
    text = scalar_text(name, value)
    if text == "" and field.nullable:
        # Round-tripping getLead output ("" on accountID, ownerID, ...) bites here (§7.3).
        raise ObjectError.invalid(name, "Expected data of type integer", _format(field))
    if field.kind in ("int", "ref"):
        if not _INT.match(text) or abs(int(text)) >= 2**63:  # ids are int64
            raise ObjectError.invalid(name, "Expected data of type integer", _format(field))
        return str(int(text))
    if field.kind == "bit":
        if text not in ("0", "1"):
            raise ObjectError.invalid(name, "Expected 0 or 1", _format(field))
        return text
    if field.kind == "status":
        if text not in LEAD_STATUSES:
            raise ObjectError.invalid(name, "Invalid lead status", _format(field))
        return text
    if field.kind == "decimal":
        if not _DECIMAL.match(text):
            raise ObjectError.invalid(name, "Expected data of type decimal", _format(field))
        return f"{float(text):.2f}"
    if field.kind == "date":
        return parse_date(name, text)
    if field.length is not None and len(text) > field.length:
        raise ObjectError.invalid(name, f"Value longer than {field.length}", _format(field))
    return text


def check_custom(name: str, data_type: str, value) -> str:
    """Custom fields default to "" and are not nullable; flags are 0/1 (or "")."""
    if value is None:
        raise ObjectError.invalid(name, "Null is not allowed", {"type": "string"})
    text = scalar_text(name, value)
    if data_type in BIT_TYPES and text not in ("", "0", "1"):
        raise ObjectError.invalid(name, "Expected 0 or 1", {"type": "bit"})
    if data_type == "date" and text:
        return parse_date(name, text)[:10]
    return text


def parse_date(name: str, text: str) -> str:
    """closeDate is written `2016-11-26` and read back `2016-11-26 00:00:00` (§4 [1])."""
    for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).strftime(TIMESTAMP_FORMAT)
        except ValueError:
            continue
    raise ObjectError.invalid(name, "Expected a date (Y-m-d)", {"type": "date"})


def _format(field: Field) -> dict:
    fmt = {"type": {"int": "int", "ref": "int", "bit": "bit"}.get(field.kind, "string")}
    if field.length:
        fmt["length"] = field.length
    fmt["required"] = field.required
    return fmt
