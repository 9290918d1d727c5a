"""Accounts and opportunities in the Lead Gen & CRM account. Once connected they are managed
in Salesforce (the help article: the marketing tool's Accounts, Opportunities, Pipeline and
Reports are switched off) and come one way, from Salesforce: this side keeps copies, which the
sync creates, updates and marks deleted, and a contact shows its opportunities."""

from __future__ import annotations

from ..errors import ConfigError
from ..i18n import N_, _
from .timestamps import now_iso

READ_ONLY = N_(
    "Accounts and opportunities are managed in Salesforce while this profile is connected "
    "(once connected, Lead Gen & CRM's Accounts, Opportunities, Pipeline and Reports are "
    "switched off). Change them in Salesforce; the next sync brings them here."
)


class SalesCopies:
    """LeadGenStore's accounts and opportunities (it provides `db` and `sales_read_only`)."""

    db: object
    sales_read_only: bool

    def _guard(self, from_salesforce: bool) -> None:
        if self.sales_read_only and not from_salesforce:
            raise ConfigError(_(READ_ONLY))

    def add_account(self, name: str, from_salesforce: bool = False, **values) -> int:
        self._guard(from_salesforce)
        with self.db.conn:
            cur = self.db.conn.execute(
                "INSERT INTO lg_accounts "
                "(name, salesforce_id, industry, website, owner_user_id, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    name,
                    values.get("salesforce_id"),
                    values.get("industry"),
                    values.get("website"),
                    values.get("owner_user_id"),
                    now_iso(),
                ],
            )
        return cur.lastrowid

    def add_opportunity(
        self, name: str, from_salesforce: bool = False, contact_ids: list[int] = (), **values
    ) -> int:
        self._guard(from_salesforce)
        with self.db.conn:
            cur = self.db.conn.execute(
                "INSERT INTO lg_opportunities (name, salesforce_id, stage, amount, close_date, "
                "account_id, owner_user_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    name,
                    values.get("salesforce_id"),
                    values.get("stage"),
                    values.get("amount"),
                    values.get("close_date"),
                    values.get("account_id"),
                    values.get("owner_user_id"),
                    now_iso(),
                ],
            )
            for person_id in contact_ids:
                self.db.conn.execute(
                    "INSERT INTO lg_opportunity_contacts (opportunity_id, person_id) VALUES (?, ?)",
                    [cur.lastrowid, person_id],
                )
        return cur.lastrowid

    # The sync's own path: Salesforce is where these live while connected.
    SALES_TABLES = {
        "Account": "lg_accounts",
        "Opportunity": "lg_opportunities",
        "OpportunityContactRole": "lg_opportunity_contacts",
    }

    def upsert_from_salesforce(self, sobject: str, sf_id: str, values: dict) -> str:
        """Create or update the copy of a Salesforce account, opportunity or contact role;
        returns created, updated or unchanged (a re-read record changes nothing)."""
        table = self.SALES_TABLES[sobject]
        columns = list(values)
        deleted = ", deleted" if sobject != "OpportunityContactRole" else ""
        row = self.db.execute(
            f"SELECT id, {', '.join(columns)}{deleted} FROM {table} WHERE salesforce_id = ?",
            [sf_id],
        ).fetchone()
        if row:
            current = dict(zip(columns, row[1 : len(columns) + 1], strict=True))
            revived = sobject != "OpportunityContactRole" and row[-1]
            if current == values and not revived:
                return "unchanged"
            if sobject != "OpportunityContactRole":
                values = {**values, "updated_at": now_iso(), "deleted": 0}
            self.db.conn.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                [*values.values(), row[0]],
            )
            return "updated"
        if sobject != "OpportunityContactRole":
            values = {**values, "updated_at": now_iso()}
        values = {**values, "salesforce_id": sf_id}
        self.db.conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
            list(values.values()),
        )
        return "created"

    def delete_from_salesforce(self, sobject: str, sf_id: str) -> bool:
        table = self.SALES_TABLES[sobject]
        if sobject == "OpportunityContactRole":
            return (
                self.db.conn.execute(
                    f"DELETE FROM {table} WHERE salesforce_id = ?", [sf_id]
                ).rowcount
                > 0
            )
        return (
            self.db.conn.execute(
                f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE salesforce_id = ? "
                "AND deleted = 0",
                [now_iso(), sf_id],
            ).rowcount
            > 0
        )

    def salesforce_ids(self, sobject: str) -> list[str]:
        """The Salesforce ids of the live copies of an object's records here."""
        table = self.SALES_TABLES[sobject]
        live = "" if sobject == "OpportunityContactRole" else " AND deleted = 0"
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT salesforce_id FROM {table} WHERE salesforce_id IS NOT NULL{live} "
                "ORDER BY salesforce_id"
            )
        ]

    def local_id(self, sobject: str, sf_id: str | None) -> int | None:
        if not sf_id:
            return None
        row = self.db.execute(
            f"SELECT id FROM {self.SALES_TABLES[sobject]} WHERE salesforce_id = ?", [sf_id]
        ).fetchone()
        return row[0] if row else None

    def accounts(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM lg_accounts WHERE deleted = 0 ORDER BY name"))

    def opportunities(self) -> list[dict]:
        return list(
            self.db.query(
                "SELECT o.*, a.name AS account_name FROM lg_opportunities o "
                "LEFT JOIN lg_accounts a ON a.id = o.account_id WHERE o.deleted = 0 ORDER BY o.name"
            )
        )

    def opportunities_of(self, person_id: int, sf_contact_id: str | None = None) -> list[dict]:
        """The person's opportunities: local ones, and Salesforce's whose contact role names
        `sf_contact_id`, the person's Salesforce record (the product's "Members" tab shows the
        Salesforce opportunity name). The caller knows the link: this side never reads it."""
        return list(
            self.db.query(
                "SELECT o.id, o.name, o.stage, o.amount, o.close_date, o.salesforce_id, c.role "
                "FROM lg_opportunity_contacts c JOIN lg_opportunities o ON o.id = c.opportunity_id "
                "WHERE (c.person_id = :p OR c.sf_contact_id = :sf) AND o.deleted = 0 "
                "ORDER BY o.name",
                {"p": person_id, "sf": sf_contact_id},
            )
        )

    # --- the account's own sales data (made here, never from Salesforce): migrate sales --------
    def own_accounts(self) -> list[dict]:
        """Accounts made here (not copies of Salesforce's), with their owner's e-mail."""
        return list(
            self.db.query(
                "SELECT a.id, a.name, a.industry, a.website, a.updated_at, u.email AS owner "
                "FROM lg_accounts a LEFT JOIN lg_users u ON u.id = a.owner_user_id "
                "WHERE a.salesforce_id IS NULL AND a.deleted = 0 ORDER BY a.id"
            )
        )

    def own_opportunities(self) -> list[dict]:
        return list(
            self.db.query(
                "SELECT o.id, o.name, o.stage, o.amount, o.close_date, o.account_id, "
                "o.updated_at, u.email AS owner FROM lg_opportunities o "
                "LEFT JOIN lg_users u ON u.id = o.owner_user_id "
                "WHERE o.salesforce_id IS NULL AND o.deleted = 0 ORDER BY o.id"
            )
        )

    def own_opportunity_people(self) -> list[dict]:
        """The people (leads or contacts here) linked to opportunities made here."""
        return list(
            self.db.query(
                "SELECT c.id, c.opportunity_id, c.person_id, p.email "
                "FROM lg_opportunity_contacts c "
                "JOIN lg_opportunities o ON o.id = c.opportunity_id "
                "JOIN lg_people p ON p.id = c.person_id "
                "WHERE c.salesforce_id IS NULL AND o.salesforce_id IS NULL AND o.deleted = 0 "
                "ORDER BY c.id"
            )
        )

    def adopt(self, sobject: str, local_id: int, sf_id: str) -> bool:
        """A record made here and migrated into Salesforce becomes the copy of the record it
        became (the first sync then updates it instead of copying that record in again)."""
        return (
            self.db.conn.execute(
                f"UPDATE {self.SALES_TABLES[sobject]} SET salesforce_id = ? "
                "WHERE id = ? AND salesforce_id IS NULL",
                [sf_id, local_id],
            ).rowcount
            > 0
        )
