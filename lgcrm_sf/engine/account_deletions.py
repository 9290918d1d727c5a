"""Account mode: opportunities and accounts deleted in Salesforce are deleted in the account
(issue 14 §3: they go one way, Salesforce to the account, whose copies are read-only mirrors;
LEADGEN_API.md §5 lists deleteOpportunities, deleteOpportunityLeads and deleteAccounts [2+]).

Salesforce's deletions arrive through pull_sales (queryAll's IsDeleted rows), which marks our
copy deleted in the same transaction as the rest of the read. A copy marked deleted that still
holds the account's id is a deletion owed (leadgen/sales_deletions.py): it is the journal. A run
killed at any call sends it again, and a delete of what is already gone (302 "No table rows
affected", or 404) counts as done, so a rerun converges without a second look-up.

An opportunity's lead links go first (the digest does not say whether deleteOpportunities
removes them; the emulator does), looked up by opportunity: Salesforce deletes the contact
roles with the opportunity, so our copy no longer knows their link ids. Opportunities go before
accounts: an account is deleted once nothing we sent points at it."""

from __future__ import annotations

from ..i18n import _
from ..leadgen.api.errors import AccountOutcomeUnknown
from .context import Sync
from .report import ACCOUNT

ALREADY_GONE = (302, 404)  # No table rows affected; A record with that ID does not exist
DELETE = {"Opportunity": "deleteOpportunities", "Account": "deleteAccounts"}
COUNT = {"Opportunity": "opportunities_deleted", "Account": "accounts_deleted"}


def delete_gone_sales(sync: Sync) -> None:
    for sobject in ("Opportunity", "Account"):
        rows = sync.leadgen.gone_from_salesforce(sobject)
        if not rows:
            continue
        try:
            if sobject == "Opportunity":
                _unlink(sync, rows)
            results = sync.account.write(
                DELETE[sobject], [{"id": str(r["account_remote_id"])} for r in rows]
            )
        except AccountOutcomeUnknown:
            sync.report.say(
                _("A {method} answer was lost; the next run sends it again.").format(
                    method=DELETE[sobject]
                )
            )
            return  # accounts wait for their opportunities
        _record(sync, sobject, rows, results)


def _unlink(sync: Sync, rows: list[dict]) -> None:
    links = [
        {"id": str(link["id"])}
        for row in rows
        for link in sync.account.get_opportunity_leads(
            {"opportunityID": str(row["account_remote_id"])}
        )
    ]
    if not links:
        return
    for result in sync.account.write("deleteOpportunityLeads", links):
        gone = result.success or result.code in ALREADY_GONE
        sync.report.count(ACCOUNT, "opportunity_leads_deleted" if gone else "errors")


def _record(sync: Sync, sobject: str, rows: list[dict], results: list) -> None:
    with sync.state.conn:
        for row, result in zip(rows, results, strict=True):
            if result.success or result.code in ALREADY_GONE:
                sync.leadgen.set_sales_remote(sobject, row["id"], None)
                sync.report.count(ACCOUNT, COUNT[sobject])
                continue
            sync.report.count(ACCOUNT, "errors")
            sync.report.say(
                _("{object} {name!r}: deleted in Salesforce, but the account refused to delete it: "
                  "{error}").format(object=sobject, name=row["name"], error=result.error_text)
            )  # fmt: skip
