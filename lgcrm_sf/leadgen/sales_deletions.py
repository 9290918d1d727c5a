"""Copies of Salesforce accounts and opportunities that Salesforce deleted while the account
still has them: the deletions the account-mode sync owes the account. The row itself is the
journal: the sync's copy marks it deleted (committed with the Salesforce read) while it still
holds the account's id, and the id is cleared only in the transaction that records the
account's answer; a run killed in between finds the row again and sends the delete again."""

from __future__ import annotations


class SalesDeletions:
    """LeadGenStore's pending deletions in the account (it provides `db` and SALES_PUSH)."""

    db: object
    SALES_PUSH: dict[str, str]

    def gone_from_salesforce(self, sobject: str) -> list[dict]:
        table = self.SALES_PUSH[sobject]
        return list(
            self.db.query(
                f"SELECT id, name, account_remote_id FROM {table} "
                "WHERE deleted = 1 AND account_remote_id IS NOT NULL ORDER BY id"
            )
        )
