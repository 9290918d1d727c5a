"""Opportunities, one way: Salesforce to Lead Gen & CRM. Each sync pulls the Accounts,
Opportunities and Opportunity Contact Roles changed since its cursors (deletions too) into the
store, where they are read-only while connected. Nothing flows back. A record `migrate sales`
made from one of this account's own is linked to it (the id map), never copied in as new."""

from __future__ import annotations

import datetime

from ..salesforce import soql
from ..salesforce.side import cursor_after
from .context import Sync
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


def pull_sales(sync: Sync) -> None:
    """Sets the next cursor per object in sync.work.sales_cursors."""
    for sobject, fields in SALES_OBJECTS.items():
        cursor = sync.state.cursors.get(f"salesforce:{sobject}")
        where = [soql.since_clause(cursor, OVERLAP)]
        text = soql.select(
            ("Id", "IsDeleted", "SystemModstamp", *fields), sobject, where, "SystemModstamp, Id"
        )
        sync.sf.last_query_started = None
        newest = None
        with sync.leadgen.db.conn:
            for record in sync.sf.rows(text):
                row = {
                    k: sf_native(record.get(k), TYPES.get(k, "string"))
                    for k in ("Id", "IsDeleted", "SystemModstamp", *fields)
                }
                stamp = utc_text(row["SystemModstamp"])
                newest = max(newest or stamp, stamp)
                if not sync.dry_run or sync.work.throwaway:  # (a dry run's copy: planned)
                    _copy(sync, sobject, row)
        top = cursor_after(sync.sf.last_query_started, newest)
        if top:
            sync.work.sales_cursors[sobject] = top


def _copy(sync: Sync, sobject: str, row: dict) -> None:
    store, counts = sync.leadgen, sync.report.counts[sobject]
    if row["IsDeleted"]:
        if store.delete_from_salesforce(sobject, row["Id"]):
            counts["deactivated"] += 1
        return
    values = _values(sync, sobject, row)
    migrated = sync.state.migrated.local_of(sobject, row["Id"])
    if migrated is not None:  # ours, migrated: this copy is the record it came from
        store.adopt(sobject, migrated, row["Id"])
    if values is None:
        counts["skipped"] += 1
        return
    outcome = store.upsert_from_salesforce(sobject, row["Id"], values)
    if outcome != "unchanged":
        counts["created_here" if outcome == "created" else "updated_here"] += 1


def _owner(owners, sf_owner: str | None) -> int | None:
    return owners.to_leadgen(sf_owner) if owners is not None and sf_owner else None


def _values(sync: Sync, sobject: str, row: dict) -> dict | None:
    store, owners = sync.leadgen, sync.owners
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
