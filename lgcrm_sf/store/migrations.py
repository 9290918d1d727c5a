"""Every shape the state database has had, as numbered steps. `PRAGMA user_version` holds the
last step a database has taken; opening it runs the steps after that, in order, each in its own
transaction. A step is never edited once released: a change of schema is a new step at the end.

Step 1 is the schema of the first release (commit 4ea3f2c), which set no user_version: its
statements say IF NOT EXISTS, so a database made by that release takes the step without change.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "the first release's schema (commit 4ea3f2c)",
        """
        CREATE TABLE IF NOT EXISTS "events" (
           "id" INTEGER PRIMARY KEY, "at" TEXT, "kind" TEXT, "detail" TEXT);
        CREATE TABLE IF NOT EXISTS "backups" (
           "id" INTEGER PRIMARY KEY, "org_id" TEXT, "path" TEXT, "started_at" TEXT,
           "finished_at" TEXT, "complete" INTEGER, "verified" INTEGER, "verified_at" TEXT,
           "objects" INTEGER, "rows" INTEGER, "bytes" INTEGER, "manifest_sha256" TEXT);
        CREATE TABLE IF NOT EXISTS lg_users (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
            active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS lg_people (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('lead', 'contact')),
            email TEXT NOT NULL UNIQUE,
            first_name TEXT, last_name TEXT, company TEXT, title TEXT, phone TEXT,
            mobile_phone TEXT, street TEXT, city TEXT, state TEXT, postal_code TEXT,
            country TEXT, website TEXT, industry TEXT, description TEXT, lead_status TEXT,
            lead_score REAL, unsubscribed INTEGER NOT NULL DEFAULT 0,
            owner_user_id INTEGER REFERENCES lg_users(id),
            custom TEXT NOT NULL DEFAULT '{}',
            active INTEGER NOT NULL DEFAULT 1, deactivation_reason TEXT, deactivated_at TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            field_changed_at TEXT NOT NULL DEFAULT '{}');
        CREATE INDEX IF NOT EXISTS lg_people_updated ON lg_people (updated_at, id);
        CREATE TABLE IF NOT EXISTS lg_events (
            id TEXT PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES lg_people(id),
            kind TEXT NOT NULL, occurred_at TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS lg_events_person ON lg_events (person_id, occurred_at);
        CREATE INDEX IF NOT EXISTS lg_events_recorded ON lg_events (recorded_at, id);
        CREATE TABLE IF NOT EXISTS lg_accounts (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, salesforce_id TEXT UNIQUE,
            industry TEXT, website TEXT, owner_user_id INTEGER REFERENCES lg_users(id),
            deleted INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS lg_opportunities (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, salesforce_id TEXT UNIQUE,
            stage TEXT, amount REAL, close_date TEXT,
            account_id INTEGER REFERENCES lg_accounts(id),
            owner_user_id INTEGER REFERENCES lg_users(id),
            deleted INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS lg_opportunity_contacts (
            id INTEGER PRIMARY KEY,
            opportunity_id INTEGER NOT NULL REFERENCES lg_opportunities(id),
            person_id INTEGER REFERENCES lg_people(id),
            sf_contact_id TEXT,  -- a Salesforce contact role: its person is found by the link
            role TEXT, salesforce_id TEXT UNIQUE);
        CREATE INDEX IF NOT EXISTS lg_opportunity_contacts_person
            ON lg_opportunity_contacts (person_id);
        CREATE INDEX IF NOT EXISTS lg_opportunity_contacts_sf
            ON lg_opportunity_contacts (sf_contact_id);
        CREATE TABLE IF NOT EXISTS links (
            person_id INTEGER PRIMARY KEY, sf_object TEXT NOT NULL, sf_id TEXT NOT NULL UNIQUE,
            sf_modstamp TEXT, linked_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS mirror (
            person_id INTEGER PRIMARY KEY, sf_object TEXT NOT NULL,
            fields TEXT NOT NULL DEFAULT '{}', synced_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS cursors (
            stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS journal (
            id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, op TEXT NOT NULL,
            sf_object TEXT NOT NULL, person_id INTEGER, sf_id TEXT, email TEXT,
            payload TEXT NOT NULL, mirror TEXT, state TEXT NOT NULL, batch TEXT, error TEXT,
            created_at TEXT NOT NULL, settled_at TEXT);
        CREATE INDEX IF NOT EXISTS journal_state ON journal (state, run_id);
        CREATE INDEX IF NOT EXISTS journal_email ON journal (email);
        CREATE INDEX IF NOT EXISTS journal_sf_id ON journal (sf_id);
        CREATE TABLE IF NOT EXISTS conflicts (
            id INTEGER PRIMARY KEY, run_id INTEGER, person_id INTEGER NOT NULL, email TEXT,
            sf_object TEXT NOT NULL, sf_id TEXT, field TEXT NOT NULL, leadgen_value TEXT,
            salesforce_value TEXT, mirror_value TEXT, winner TEXT NOT NULL, rule TEXT NOT NULL,
            at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', take TEXT, resolved_at TEXT);
        CREATE TABLE IF NOT EXISTS sync_errors (
            id INTEGER PRIMARY KEY, person_id INTEGER, email TEXT, sf_object TEXT, sf_id TEXT,
            operation TEXT, fields TEXT, code TEXT, message TEXT, first_at TEXT NOT NULL,
            last_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'open');
        CREATE INDEX IF NOT EXISTS sync_errors_open ON sync_errors (status, person_id);
        CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
            status TEXT NOT NULL, dry_run INTEGER NOT NULL DEFAULT 0, exit_code INTEGER,
            summary TEXT, api_calls INTEGER, api_used INTEGER, api_max INTEGER, message TEXT);
        CREATE TABLE IF NOT EXISTS schema_cache (
            key TEXT PRIMARY KEY, value TEXT NOT NULL, fetched_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS engagement_switches (
            type TEXT PRIMARY KEY, enabled INTEGER NOT NULL, since TEXT,
            changed_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS engagements_sent (
            event_id TEXT PRIMARY KEY, person_id INTEGER NOT NULL, who_id TEXT NOT NULL,
            task_id TEXT, state TEXT NOT NULL, run_id INTEGER NOT NULL, sent_at TEXT NOT NULL,
            settled_at TEXT, error TEXT);
        CREATE TABLE IF NOT EXISTS updated_by_us (
            sf_id TEXT PRIMARY KEY, sf_object TEXT NOT NULL, run_id INTEGER NOT NULL);
        """,
    ),
    (
        "a key-value table for the profile's own facts (store id, mapping hash)",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
        """,
    ),
    (
        "Salesforce records the sync left alone, so a re-read is not reported twice",
        """
        CREATE TABLE skipped_records (
            sf_id TEXT PRIMARY KEY, sf_object TEXT NOT NULL, modstamp TEXT, reason TEXT NOT NULL,
            at TEXT NOT NULL);
        """,
    ),
    (
        "echoes are known by the mirror, not by who modified a record: updated_by_us goes",
        """
        DROP TABLE IF EXISTS updated_by_us;
        """,
    ),
    (
        "the backup catalog names the objects each backup holds (the first-sync gate needs them)",
        """
        ALTER TABLE backups ADD COLUMN object_names TEXT;
        """,
    ),
    (
        "runs of every command (sync, backup, restore, migrate), with the process that ran them",
        """
        ALTER TABLE runs ADD COLUMN command TEXT NOT NULL DEFAULT 'sync';
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        """,
    ),
    (
        "the real Lead Gen & CRM account (issue 14): API calls per UTC day, the copy's account "
        "ids and what the account last had, a dirty flag set by triggers when the sync changes "
        "the copy, and the outbox that journals writes to the account",
        """
        CREATE TABLE account_api_calls (day TEXT PRIMARY KEY, calls INTEGER NOT NULL);
        ALTER TABLE lg_people ADD COLUMN account_lead_id INTEGER;
        ALTER TABLE lg_people ADD COLUMN account_values TEXT;
        ALTER TABLE lg_people ADD COLUMN account_dirty INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE lg_people ADD COLUMN account_stamp TEXT;
        CREATE UNIQUE INDEX lg_people_account ON lg_people (account_lead_id);
        CREATE INDEX lg_people_account_dirty ON lg_people (account_dirty)
            WHERE account_dirty = 1;
        ALTER TABLE lg_users ADD COLUMN account_user_id INTEGER;
        ALTER TABLE lg_accounts ADD COLUMN account_remote_id INTEGER;
        ALTER TABLE lg_accounts ADD COLUMN account_dirty INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE lg_opportunities ADD COLUMN account_remote_id INTEGER;
        ALTER TABLE lg_opportunities ADD COLUMN account_dirty INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE lg_opportunity_contacts ADD COLUMN account_remote_id INTEGER;
        CREATE TRIGGER lg_people_account_dirty AFTER UPDATE OF
            kind, first_name, last_name, company, title, phone, mobile_phone, street, city,
            state, postal_code, country, website, industry, description, lead_status,
            lead_score, unsubscribed, owner_user_id, custom, active
            ON lg_people WHEN NEW.account_lead_id IS NOT NULL AND NEW.account_dirty = 0
        BEGIN
            UPDATE lg_people SET account_dirty = 1 WHERE id = NEW.id;
        END;
        CREATE TRIGGER lg_accounts_account_dirty AFTER UPDATE OF
            name, industry, website, owner_user_id ON lg_accounts
        BEGIN
            UPDATE lg_accounts SET account_dirty = 1 WHERE id = NEW.id;
        END;
        CREATE TRIGGER lg_opportunities_account_dirty AFTER UPDATE OF
            name, stage, amount, close_date, account_id, owner_user_id, deleted
            ON lg_opportunities
        BEGIN
            UPDATE lg_opportunities SET account_dirty = 1 WHERE id = NEW.id;
        END;
        CREATE TABLE account_outbox (
            id INTEGER PRIMARY KEY, run_id INTEGER, op TEXT NOT NULL, local_id INTEGER NOT NULL,
            lookup TEXT NOT NULL DEFAULT '{}', state TEXT NOT NULL, remote_id INTEGER,
            error TEXT, created_at TEXT NOT NULL, settled_at TEXT);
        CREATE INDEX account_outbox_state ON account_outbox (state);
        """,
    ),
    (
        "the id map of `migrate sales`: each source record, the Salesforce record it became, "
        "what was last sent (journaled before a create goes out)",
        """
        CREATE TABLE migrated_records (
            sf_object TEXT NOT NULL, source TEXT NOT NULL, source_id TEXT NOT NULL,
            sf_id TEXT, state TEXT NOT NULL, sent TEXT, source_stamp TEXT, since TEXT,
            run_id INTEGER, error TEXT, updated_at TEXT NOT NULL,
            PRIMARY KEY (sf_object, source, source_id));
        CREATE INDEX migrated_records_sf ON migrated_records (sf_id);
        """,
    ),
    (
        "a journal row's payload and mirror in a table of their own: a row changes state three "
        "times after it is written (sent, its job's id, settled), and each change rewrote its "
        "kilobyte of JSON (a first sync of 100,000 people wrote the journal four times over)",
        """
        CREATE TABLE journal_bodies (
            journal_id INTEGER PRIMARY KEY, payload TEXT NOT NULL, mirror TEXT);
        INSERT INTO journal_bodies (journal_id, payload, mirror)
            SELECT id, payload, mirror FROM journal;
        CREATE TABLE journal_rows (
            id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, op TEXT NOT NULL,
            sf_object TEXT NOT NULL, person_id INTEGER, sf_id TEXT, email TEXT,
            state TEXT NOT NULL, batch TEXT, error TEXT, created_at TEXT NOT NULL,
            settled_at TEXT);
        INSERT INTO journal_rows
            SELECT id, run_id, op, sf_object, person_id, sf_id, email, state, batch, error,
                created_at, settled_at
            FROM journal;
        DROP TABLE journal;
        ALTER TABLE journal_rows RENAME TO journal;
        CREATE INDEX journal_state ON journal (state, run_id);
        CREATE INDEX journal_email ON journal (email);
        CREATE INDEX journal_sf_id ON journal (sf_id);
        """,
    ),
    (
        "the journal's index on sf_id holds updates only: they are the rows looked up by it (a "
        "Bulk update's results carry the Id), while every settled create wrote its new id into it",
        """
        DROP INDEX journal_sf_id;
        CREATE INDEX journal_sf_id ON journal (sf_id) WHERE op = 'update';
        """,
    ),
]
