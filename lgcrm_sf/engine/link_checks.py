"""Is every linked Salesforce record still there? `getDeleted` and the change query see a
deletion only while the record sits in the recycle bin (15 days, up to 30); a record purged
before the sync looked (a hard delete, the bin's own purge) shows up only as a write that
answers NOT_FOUND, or by looking its id up. Once a day (or with --reconcile) every linked id is
looked up; the ids a write found gone are looked up the same run."""

from __future__ import annotations

from ..clock import parse
from ..i18n import deferred
from .context import OBJECTS, Sync
from .lifecycle import MESSAGES, converted, deactivate, merged

DAILY = 24 * 3600
SALES_OBJECTS = ("Account", "Opportunity", "OpportunityContactRole")


def check_daily(sync: Sync) -> None:
    last = sync.state.cursors.get("reconcile:salesforce")
    age = (parse(sync.signpost) - parse(last)).total_seconds() if last else None
    if not (sync.options.reconcile or age is None or age >= DAILY):
        return
    for name in sync.options.only:
        if name in OBJECTS:
            sobject = OBJECTS[name][1]
            check_links(sync, sobject, sync.state.links.linked_ids(sobject))
    if "opportunities" in sync.options.only:
        for sobject in SALES_OBJECTS:
            _check_sales_copies(sync, sobject)
    sync.work.links_checked = True


def check_gone(sync: Sync) -> None:
    for sobject, missed in sync.work.gone.items():
        check_links(sync, sobject, missed)


def check_links(sync: Sync, sobject: str, person_by_sf: dict[str, int]) -> None:
    if not person_by_sf:
        return
    states = sync.sf.record_states(sobject, sorted(person_by_sf), sync.tuning.reconcile_scan_above)
    batch = []
    for sf_id, row in states:
        batch.append((sf_id, row))
        if len(batch) >= sync.tuning.chunk:
            _settle_states(sync, sobject, person_by_sf, batch)
            batch = []
    _settle_states(sync, sobject, person_by_sf, batch)


def _settle_states(sync: Sync, sobject: str, person_by_sf: dict, batch: list) -> None:
    with sync.state.conn:
        for sf_id, row in batch:
            person_id = person_by_sf[sf_id]
            if sync.state.links.person_of(sf_id) != person_id:
                continue  # already dealt with this run
            if row is not None and not row["IsDeleted"] and not row.get("IsConverted"):
                continue  # still there
            sync.done(person_id)
            if row is None:
                reason = deferred(MESSAGES["purged"], object=sobject, id=sf_id)
                deactivate(sync, person_id, sobject, reason)
            elif row["IsDeleted"] and row.get("MasterRecordId"):
                merged(sync, person_id, sobject, sf_id, row["MasterRecordId"])
            elif row["IsDeleted"]:
                reason = deferred(MESSAGES["deleted_recently"], object=sobject, id=sf_id)
                deactivate(sync, person_id, sobject, reason)
            elif row.get("ConvertedContactId"):
                converted(sync, person_id, row["ConvertedContactId"])


def _check_sales_copies(sync: Sync, sobject: str) -> None:
    """Accounts, opportunities and contact roles copied here: gone from Salesforce, gone here."""
    ids = sync.leadgen.salesforce_ids(sobject)
    states = sync.sf.record_states(sobject, ids, sync.tuning.reconcile_scan_above)
    gone = [sf_id for sf_id, row in states if row is None or row["IsDeleted"]]
    if sync.dry_run:
        sync.report.count(sobject, "deactivated", len(gone))
        return
    with sync.state.conn:
        for sf_id in gone:
            if sync.leadgen.delete_from_salesforce(sobject, sf_id):
                sync.report.count(sobject, "deactivated")
