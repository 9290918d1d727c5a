"""Lead conversion, as the SOAP partner API's convertLead() does it; the control surface's
`convert` action goes through the same function.

https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
A lead becomes an Account and a Contact (new, or existing ones it is merged into: only their
empty fields are filled) and, unless told not to, an Opportunity. The lead stays, read-only, with
IsConverted, ConvertedDate, the Converted*Id fields and the converted status.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RecordError
from .ids import to18
from .store import Org

MAX_OPPORTUNITY_NAME = 80  # convertLead's own limit on opportunityName

# Standard lead fields and where conversion copies them (Salesforce maps these itself; custom
# fields map only as an admin sets it up, which the emulator does not model).
TO_ACCOUNT = {
    "Company": "Name",
    "Industry": "Industry",
    "Website": "Website",
    "Phone": "Phone",
    "Street": "BillingStreet",
    "City": "BillingCity",
    "State": "BillingState",
    "PostalCode": "BillingPostalCode",
    "Country": "BillingCountry",
    "NumberOfEmployees": "NumberOfEmployees",
    "AnnualRevenue": "AnnualRevenue",
}
TO_CONTACT = {
    "Salutation": "Salutation",
    "FirstName": "FirstName",
    "LastName": "LastName",
    "Title": "Title",
    "Email": "Email",
    "Phone": "Phone",
    "MobilePhone": "MobilePhone",
    "Street": "MailingStreet",
    "City": "MailingCity",
    "State": "MailingState",
    "PostalCode": "MailingPostalCode",
    "Country": "MailingCountry",
    "LeadSource": "LeadSource",
    "Description": "Description",
    "HasOptedOutOfEmail": "HasOptedOutOfEmail",
    "DoNotCall": "DoNotCall",
}


@dataclass
class LeadConvert:
    """One LeadConvert of the partner WSDL."""

    lead_id: str
    converted_status: str | None = None  # None: the org's first converted status
    account_id: str | None = None
    contact_id: str | None = None
    do_not_create_opportunity: bool = False
    opportunity_name: str | None = None
    owner_id: str | None = None
    overwrite_lead_source: bool = False
    send_notification_email: bool = False  # no e-mail leaves the emulator


def converted_statuses(org: Org) -> list[str]:
    """The org's LeadStatus values marked IsConverted, in their order."""
    with org.lock:
        rows = org.conn.execute(
            'SELECT "ApiName" FROM "LeadStatus" WHERE "IsConverted" = 1 AND "IsDeleted" = 0 '
            'ORDER BY "SortOrder"'
        ).fetchall()
    return [r[0] for r in rows]


def _invalid_reference(field: str) -> RecordError:
    return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field])


def _live(org: Org, object_name: str, record_id: str, field: str) -> dict:
    try:
        record_id = to18(record_id)
    except ValueError:
        raise RecordError("MALFORMED_ID", f"malformed id {record_id}", [field]) from None
    target = org.object_for_id(record_id)
    row = org.row(target, record_id) if target and target.name == object_name else None
    if row is None:
        raise _invalid_reference(field)
    if row["IsDeleted"]:
        raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [field])
    return row


def _status(org: Org, wanted: str | None) -> str:
    statuses = converted_statuses(org)
    if wanted is None and statuses:
        return statuses[0]
    if wanted not in statuses:
        raise RecordError("INVALID_STATUS", f"invalid convertedStatus: {wanted}", ["Status"])
    return wanted


def _fill_empty(org: Org, object_name: str, row: dict, mapping: dict, lead: dict, user_id: str):
    """Merging into an existing record fills only its empty fields."""
    values = {
        name: value
        for name, value in _copied(org, object_name, mapping, lead).items()
        if row.get(name) in (None, "") and value != ""
    }
    values.pop("Name", None)  # an existing account keeps its name
    if values:
        org.update(object_name, row["Id"], values, user_id)


def _copied(org: Org, object_name: str, mapping: dict, lead: dict) -> dict:
    obj = org.sobject(object_name)
    values = {}
    for source, target in mapping.items():
        value = lead.get(source)
        if value is None or obj.field(target) is None:
            continue
        if obj.fields[target].type == "boolean":
            value = bool(value)
        values[target] = value
    return values


def convert_lead(org: Org, request: LeadConvert, user_id: str) -> dict:
    """Convert one lead, all or nothing; raises RecordError as convertLead() reports it.
    Returns the LeadConvertResult's ids: leadId, accountId, contactId, opportunityId."""
    with org.lock, org.atomic():
        lead = _live(org, "Lead", request.lead_id, "leadId")
        if lead["IsConverted"]:
            raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        status = _status(org, request.converted_status)
        account = contact = None
        if request.account_id:
            account = _live(org, "Account", request.account_id, "accountId")
        if request.contact_id:
            if account is None:
                # "this contact must be associated with the specified accountId, and an
                # accountId must be specified"
                raise RecordError(
                    "REQUIRED_FIELD_MISSING", "Required fields are missing: [accountId]", []
                )
            contact = _live(org, "Contact", request.contact_id, "contactId")
            if contact["AccountId"] != account["Id"]:
                raise _invalid_reference("contactId")
        if request.overwrite_lead_source and contact is None:
            raise RecordError(
                "REQUIRED_FIELD_MISSING",
                "overwriteLeadSource requires a contactId: Required fields are missing: "
                "[contactId]",
                [],
            )
        if request.do_not_create_opportunity and request.opportunity_name:
            raise RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                "opportunityName must be blank when doNotCreateOpportunity is true",
                ["opportunityName"],
            )
        if len(request.opportunity_name or "") > MAX_OPPORTUNITY_NAME:
            raise RecordError(
                "STRING_TOO_LONG", "opportunityName: data value too large", ["opportunityName"]
            )
        owner = lead["OwnerId"]
        if request.owner_id:
            owner = _live(org, "User", request.owner_id, "ownerId")
            if not owner["IsActive"]:
                raise RecordError(
                    "INACTIVE_OWNER_OR_USER", "operation performed with inactive user", ["ownerId"]
                )
            owner = owner["Id"]

        if account is None:
            account_id = org.insert(
                "Account", {**_copied(org, "Account", TO_ACCOUNT, lead), "OwnerId": owner}, user_id
            )
        else:
            account_id = account["Id"]
            _fill_empty(org, "Account", account, TO_ACCOUNT, lead, user_id)
        if contact is None:
            values = _copied(org, "Contact", TO_CONTACT, lead)
            contact_id = org.insert(
                "Contact", {**values, "AccountId": account_id, "OwnerId": owner}, user_id
            )
        else:
            contact_id = contact["Id"]
            _fill_empty(org, "Contact", contact, TO_CONTACT, lead, user_id)
            if request.overwrite_lead_source and lead["LeadSource"]:
                org.update("Contact", contact_id, {"LeadSource": lead["LeadSource"]}, user_id)
        opportunity_id = None
        if not request.do_not_create_opportunity:
            opportunity_id = org.insert(
                "Opportunity",
                {
                    "Name": request.opportunity_name or lead["Company"],
                    "AccountId": account_id,
                    "StageName": "Prospecting",
                    "CloseDate": org.clock.today().isoformat(),
                    "OwnerId": owner,
                    "LeadSource": lead["LeadSource"],
                },
                user_id,
            )
            org.insert(
                "OpportunityContactRole",
                {"OpportunityId": opportunity_id, "ContactId": contact_id, "IsPrimary": True},
                user_id,
            )
        _move_related(org, lead["Id"], contact_id, user_id)
        org._touch(
            org.schema["Lead"],
            lead["Id"],
            user_id,
            IsConverted=1,
            ConvertedDate=org.clock.today().isoformat(),
            ConvertedAccountId=account_id,
            ConvertedContactId=contact_id,
            ConvertedOpportunityId=opportunity_id,
            Status=status,
        )
        return {
            "leadId": lead["Id"],
            "accountId": account_id,
            "contactId": contact_id,
            "opportunityId": opportunity_id,
        }


def _move_related(org: Org, lead_id: str, contact_id: str, user_id: str) -> None:
    """The lead's activities go to the contact; its campaign memberships gain the contact."""
    for child in ("Task", "Event"):
        for (child_id,) in org.conn.execute(
            f'SELECT "Id" FROM "{child}" WHERE "WhoId" = ?', (lead_id,)
        ).fetchall():
            org._touch(org.schema[child], child_id, user_id, WhoId=contact_id)
    for (member_id,) in org.conn.execute(
        'SELECT "Id" FROM "CampaignMember" WHERE "LeadId" = ? AND "IsDeleted" = 0', (lead_id,)
    ).fetchall():
        org._touch(org.schema["CampaignMember"], member_id, user_id, ContactId=contact_id)
