"""Opportunities, one way: Salesforce to Lead Gen & CRM. Each sync pulls the Accounts,
Opportunities and Opportunity Contact Roles changed since its cursors (deletions too) into the
store, where they are read-only while connected. Nothing flows back."""

from __future__ import annotations

import datetime

from ..leadgen.store import LeadGenStore
from .salesforce_side import SalesforceSide, sf_cursor
from .values import sf_native, utc_text

OVERLAP = datetime.timedelta(minutes=2)
SALES_OBJECTS = {
    "Account": ("Name", "Industry", "Website", "OwnerId"),
    "Opportunity": ("Name", "StageName", "Amount", "CloseDate", "OwnerId", "AccountId"),
    "OpportunityContactRole": ("OpportunityId", "ContactId", "Role"),
}
TYPES = {
    "Amount": "currency",
    "IsDeleted": "boolean",
    "CloseDate": "date",
    "SystemModstamp": "datetime",
}


def pull_sales(
    sf: SalesforceSide,
    store: LeadGenStore,
    cursors: dict[str, str | None],
    owners,
    summary,
    dry_run: bool,
) -> dict[str, str]:
    """Returns the highest SystemModstamp seen per object, for the cursors."""
    tops = {}
    for sobject, fields in SALES_OBJECTS.items():
        soql = f"SELECT Id, IsDeleted, SystemModstamp, {', '.join(fields)} FROM {sobject}"
        cursor = cursors.get(sobject)
        if cursor:
            since = datetime.datetime.fromisoformat(cursor.replace("Z", "+00:00")) - OVERLAP
            soql += f" WHERE SystemModstamp >= {since.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        soql += " ORDER BY SystemModstamp, Id"
        counts = summary[sobject]
        sf.last_query_started = None
        with store.db.conn:
            for record in sf.query_rows(soql, TYPES):
                row = {
                    k: sf_native(record.get(k), TYPES.get(k, "string"))
                    for k in ("Id", "IsDeleted", "SystemModstamp", *fields)
                }
                stamp = utc_text(row["SystemModstamp"])
                tops[sobject] = max(tops.get(sobject, stamp), stamp)
                if dry_run:
                    continue
                if row["IsDeleted"]:
                    if store.delete_from_salesforce(sobject, row["Id"]):
                        counts["deactivated"] += 1
                    continue
                values = _values(sobject, row, store, owners)
                if values is None:
                    counts["skipped"] += 1
                    continue
                outcome = store.upsert_from_salesforce(sobject, row["Id"], values)
                if outcome != "unchanged":
                    counts["created_here" if outcome == "created" else "updated_here"] += 1
        if sobject in tops or sf.last_query_started is not None:
            tops[sobject] = sf_cursor(sf.last_query_started, tops.get(sobject))
    return tops


def _owner(owners, sf_owner: str | None) -> int | None:
    return owners.to_leadgen(sf_owner) if owners is not None and sf_owner else None


def _values(sobject: str, row: dict, store: LeadGenStore, owners) -> dict | None:
    if sobject == "Account":
        return {
            "name": row["Name"],
            "industry": row["Industry"],
            "website": row["Website"],
            "owner_user_id": _owner(owners, row["OwnerId"]),
        }
    if sobject == "Opportunity":
        return {
            "name": row["Name"],
            "stage": row["StageName"],
            "amount": row["Amount"],
            "close_date": row["CloseDate"],
            "account_id": store.local_id("Account", row["AccountId"]),
            "owner_user_id": _owner(owners, row["OwnerId"]),
        }
    opportunity = store.local_id("Opportunity", row["OpportunityId"])
    if opportunity is None:
        return None  # its opportunity is not here (yet): the role comes with the next change
    return {"opportunity_id": opportunity, "sf_contact_id": row["ContactId"], "role": row["Role"]}
