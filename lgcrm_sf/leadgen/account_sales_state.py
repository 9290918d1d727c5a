"""Our copy's account side for Salesforce's sales objects (issue 14 §3): the account ids of our
copies of Salesforce's accounts, opportunities and contact roles, what is still to push, and the
links between them."""

from __future__ import annotations


class SalesCopyState:
    """The account ids of our copies of Salesforce's accounts, opportunities and contact roles
    (LeadGenStore provides `db`)."""

    db: object
    SALES_PUSH = {"Account": "lg_accounts", "Opportunity": "lg_opportunities"}

    def sales_to_push(self, sobject: str) -> list[dict]:
        """Copies of Salesforce records the account does not have as they are."""
        table = self.SALES_PUSH[sobject]
        return list(
            self.db.query(
                f"SELECT * FROM {table} WHERE salesforce_id IS NOT NULL AND account_dirty = 1 "
                "AND NOT (deleted = 1 AND account_remote_id IS NULL) ORDER BY id"
            )
        )

    def set_sales_remote(self, sobject: str, local_id: int, remote_id: int | None) -> None:
        self.db.conn.execute(
            f"UPDATE {self.SALES_PUSH[sobject]} SET account_remote_id = ?, account_dirty = 0 "
            "WHERE id = ?",
            [remote_id, local_id],
        )

    def remote_sales_ids(self, sobject: str) -> set[int]:
        table = self.SALES_PUSH[sobject]
        rows = self.db.execute(
            f"SELECT account_remote_id FROM {table} WHERE account_remote_id IS NOT NULL"
        )
        return {r[0] for r in rows}

    def remote_id_of(self, sobject: str, local_id: int | None) -> int | None:
        if local_id is None:
            return None
        row = self.db.execute(
            f"SELECT account_remote_id FROM {self.SALES_PUSH[sobject]} WHERE id = ?", [local_id]
        ).fetchone()
        return row[0] if row else None

    def roles_to_push(self) -> list[dict]:
        """Contact roles of opportunities the account has, not yet linked there."""
        return list(
            self.db.query(
                "SELECT c.id, c.person_id, c.sf_contact_id, o.account_remote_id AS opportunity "
                "FROM lg_opportunity_contacts c JOIN lg_opportunities o ON o.id = c.opportunity_id "
                "WHERE c.account_remote_id IS NULL AND o.account_remote_id IS NOT NULL "
                "AND o.deleted = 0 ORDER BY c.id"
            )
        )

    def first_role_people(self, opportunity_id: int) -> list[dict]:
        return list(
            self.db.query(
                "SELECT person_id, sf_contact_id FROM lg_opportunity_contacts "
                "WHERE opportunity_id = ? ORDER BY id",
                [opportunity_id],
            )
        )

    def set_role_remote(self, role_id: int, remote_id: int) -> None:
        self.db.conn.execute(
            "UPDATE lg_opportunity_contacts SET account_remote_id = ? WHERE id = ?",
            [remote_id, role_id],
        )

    def account_lead_id_of(self, person_id: int | None) -> int | None:
        if person_id is None:
            return None
        row = self.db.execute(
            "SELECT account_lead_id FROM lg_people WHERE id = ?", [person_id]
        ).fetchone()
        return row[0] if row else None
