"""The emulated Lead Gen & CRM account: one SQLite database, its credentials and id counters.

`emulator serve --data org.sqlite` keeps the Salesforce org in that file and this account in the
sibling file `org.sqlite.leadgen`, so a restart finds the same account id, secret key and data.
Without --data the account lives in memory. A reset empties every table but keeps the account
id and secret key (the same account, wiped), so a client configured once keeps working.

Values are stored as the strings reads return (see schema.py). Each lead also carries `rev`
(bumped by every change) and `order_key` (a hash of salt, id and rev) used for the deliberately
unstable page order of offset paging (see reads.py).

One connection behind one re-entrant lock, as for the Salesforce org: the server is threaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import re
import secrets
import sqlite3
import threading
from collections.abc import Callable

from .schema import STANDARD, TIMESTAMP_FORMAT

# First id of each kind, spread like the vendor's (leads ~12 digits, users 9, ...).
ID_BASES = {
    "lead": 346_743_252_994,
    "event": 1_877_104_560,
    "user_profile": 313_361_052,
    "field": 489_210_882,
    "deal_stage": 297_601_026,
    "opportunity": 47_262_721_026,
    "opportunity_lead": 18_014_873_602,
    "account": 34_762_934_274,
    "campaign": 1_207_986_178,
    "active_list": 2_081_538_050,
    "list_member": 90_316_801,
    "email_job": 605_831_170,
    "form": 6_420_226,
}
ID_STEPS = {"lead": 1_026, "event": 3, "list_member": 2}

# Active leads. `active` may be written as null (it is nullable, LEADGEN_API.md §7.3); such a
# lead counts as inactive, like 0 [inf].
LIVE = "active = '1'"


def _columns(obj: str) -> list[str]:
    return [f.name for f in STANDARD[obj] if f.name != "id"]


def _table_sql(name: str, columns: list[str], extra: str = "") -> str:
    cols = ", ".join(f'"{c}" TEXT' for c in columns)
    return f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, {cols}{extra})'


SCHEMA = [
    _table_sql("lead", _columns("lead"), ", rev INTEGER NOT NULL DEFAULT 0, order_key INTEGER"),
    'CREATE UNIQUE INDEX lead_email ON lead ("emailAddress" COLLATE NOCASE)',
    # Covering indexes for the reads (reads.py): date ranges in either page order, all leads.
    'CREATE INDEX lead_update ON lead (active, "updateTimestamp", id, order_key)',
    'CREATE INDEX lead_create ON lead (active, "createTimestamp", id, order_key)',
    "CREATE INDEX lead_order ON lead (active, order_key)",
    "CREATE INDEX lead_active ON lead (active)",
    _table_sql("opportunity", _columns("opportunity") + ["createTimestamp", "updateTimestamp"]),
    'CREATE INDEX opportunity_update ON opportunity ("updateTimestamp", id)',
    _table_sql("account", _columns("account") + ["createTimestamp", "updateTimestamp"]),
    'CREATE INDEX account_update ON account ("updateTimestamp", id)',
    _table_sql(
        "user_profile",
        [
            "firstName",
            "lastName",
            "displayName",
            "emailAddress",
            "isActive",
            "isReadOnly",
            "timezone",
            "createTimestamp",
        ],
    ),
    'CREATE UNIQUE INDEX user_email ON user_profile ("emailAddress" COLLATE NOCASE)',
    _table_sql(
        "deal_stage",
        ["dealStageName", "description", "defaultProbability", "weight", "isEditable"],
    ),
    _table_sql(
        "campaign",
        [
            "campaignName",
            "campaignType",
            "campaignAlias",
            "campaignOrigin",
            "qty",
            "price",
            "goal",
            "otherCosts",
            "startDate",
            "endDate",
            "isActive",
            "ownerID",
            "createTimestamp",
        ],
    ),
    _table_sql("opportunity_lead", ["opportunityID", "leadID", "createTimestamp"]),
    'CREATE UNIQUE INDEX opportunity_lead_pair ON opportunity_lead ("opportunityID", "leadID")',
    'CREATE INDEX opportunity_lead_lead ON opportunity_lead ("leadID")',
    _table_sql(
        "event",
        [
            "leadID",
            "eventName",
            "whatID",
            "whatType",
            "eventData",
            "eventSource",
            "createTimestamp",
        ],
    ),
    'CREATE INDEX event_lead ON event ("leadID", "createTimestamp", id)',
    'CREATE INDEX event_time ON event ("createTimestamp", id)',
    'CREATE INDEX event_source ON event ("eventSource", "createTimestamp", id)',
    'CREATE INDEX event_lead_source ON event ("leadID", "eventSource", "createTimestamp", id)',
    _table_sql("active_list", ["name", "description", "isActive", "createTimestamp"]),
    _table_sql("list_member", ["listID", "leadID", "createTimestamp"]),
    'CREATE UNIQUE INDEX list_member_pair ON list_member ("listID", "leadID")',
    _table_sql(
        "field",
        [
            "relationship",
            "systemName",
            "label",
            "source",
            "dataType",
            "dataLength",
            "isRequired",
            "isCustom",
            "isActive",
            "createTimestamp",
        ],
    ),
    "CREATE TABLE counter (kind TEXT PRIMARY KEY, next INTEGER NOT NULL)",
]
TABLE_NAMES = [s.split('"')[1] for s in SCHEMA if s.startswith('CREATE TABLE "')] + ["counter"]


class Account:
    def __init__(self, path: str, clock_source: Callable) -> None:
        self.path = path
        self.clock_source = clock_source  # returns the emulator's Clock (shared with the org)
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute(
            "PRAGMA journal_mode = WAL" if path != ":memory:" else "PRAGMA journal_mode = MEMORY"
        )
        self.conn.execute("PRAGMA synchronous = OFF")
        self.lock = threading.RLock()
        self._savepoints = itertools.count()
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.meta = {k: json.loads(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}
        if "account_id" not in self.meta:
            # Real accounts show both as 32 upper-case hex characters.
            self.set_meta("account_id", secrets.token_hex(16).upper())
            self.set_meta("secret_key", secrets.token_hex(16).upper())
            self.set_meta("seed", None)
            self._create_tables()
        self.custom: dict[str, dict[str, str]] = {}
        self._load_custom_fields()
        # Bumped by every lead write; reads.py caches page orders per version.
        self.lead_version = 0
        self.page_cache: dict = {}

    # --- meta, credentials ------------------------------------------------------------------
    def set_meta(self, key: str, value) -> None:
        with self.lock:
            self.meta[key] = value
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    @property
    def account_id(self) -> str:
        return self.meta["account_id"]

    @property
    def secret_key(self) -> str:
        return self.meta["secret_key"]

    def rotate_secret(self) -> str:
        """A new secret key, as Settings > API Settings > regenerate does; the old one stops."""
        self.set_meta("secret_key", secrets.token_hex(16).upper())
        return self.secret_key

    # --- schema ------------------------------------------------------------------------------
    def _create_tables(self) -> None:
        with self.atomic():
            for statement in SCHEMA:
                self.conn.execute(statement)
            self.conn.executemany("INSERT INTO counter VALUES (?, ?)", list(ID_BASES.items()))
            # The salt of the unstable page order: fixed per data set so a run repeats exactly.
            self.set_meta("order_salt", "lgcrm-sf")

    def wipe(self) -> None:
        """Drop every table and create them empty; credentials stay."""
        with self.lock:
            for name in TABLE_NAMES:
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            self._create_tables()
            self._load_custom_fields()
            self.lead_version += 1

    def _load_custom_fields(self) -> None:
        self.custom = {obj: {} for obj in STANDARD}
        for relationship, name, data_type in self.conn.execute(
            'SELECT relationship, "systemName", "dataType" FROM field ORDER BY id'
        ):
            self.custom[relationship][name] = data_type

    def add_custom_field(
        self,
        relationship: str,
        label: str,
        data_type: str = "text",
        length: int | None = None,
        system_name: str | None = None,
    ) -> tuple[int, str]:
        """A custom field: a column named by the generated system name (label slug plus a PHP
        uniqid-style suffix, e.g. `favorite_color_5a0dd86e6e290`); existing rows hold ""."""
        with self.lock, self.atomic():
            name = system_name or self._system_name(label)
            if name in self.custom[relationship] or name in {
                f.name for f in STANDARD[relationship]
            }:
                raise ValueError(f"field {name} already exists")
            self.conn.execute(
                f'ALTER TABLE "{relationship}" ADD COLUMN "{name}" TEXT NOT NULL DEFAULT \'\''
            )
            field_id = self.insert(
                "field",
                {
                    "relationship": relationship,
                    "systemName": name,
                    "label": label,
                    "source": "sharpspring",
                    "dataType": data_type,
                    "dataLength": str(length or (10000 if data_type == "textarea" else 255)),
                    "isRequired": "0",
                    "isCustom": "1",
                    "isActive": "1",
                    "createTimestamp": self.now(),
                },
            )
            self.custom[relationship][name] = data_type
            return field_id, name

    def drop_custom_field(self, relationship: str, name: str, field_id: int) -> None:
        with self.lock, self.atomic():
            self.conn.execute(f'ALTER TABLE "{relationship}" DROP COLUMN "{name}"')
            self.conn.execute("DELETE FROM field WHERE id = ?", (field_id,))
            del self.custom[relationship][name]

    def _system_name(self, label: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "field"
        when = self.clock_source().now()
        seconds, micros = int(when.timestamp()), when.microsecond
        taken = set().union(*self.custom.values())
        while True:
            name = f"{slug}_{seconds:08x}{micros:05x}"
            if name not in taken:
                return name
            micros = (micros + 1) % 0x100000

    # --- time, ids, transactions -----------------------------------------------------------
    def now(self) -> str:
        return self.clock_source().now().strftime(TIMESTAMP_FORMAT)

    def allocate(self, kind: str, count: int = 1) -> list[int]:
        step = ID_STEPS.get(kind, 1)
        with self.lock:
            first = self.conn.execute(
                "UPDATE counter SET next = next + ? WHERE kind = ? RETURNING next - ?",
                (count * step, kind, count * step),
            ).fetchone()[0]
        return [first + i * step for i in range(count)]

    def order_key(self, lead_id: int, rev: int) -> int:
        digest = hashlib.sha1(f"{self.meta['order_salt']}:{lead_id}:{rev}".encode()).digest()
        return int.from_bytes(digest[:7], "big")

    @contextlib.contextmanager
    def atomic(self):
        """A transaction, nestable: each level is a SAVEPOINT that rolls back on error."""
        with self.lock:
            name = f"sp{next(self._savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")

    # --- generic rows ----------------------------------------------------------------------
    def insert(self, table: str, values: dict, row_id: int | None = None) -> int:
        row_id = row_id or self.allocate(table)[0]
        names = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        with self.lock:
            self.conn.execute(
                f'INSERT INTO "{table}" (id, {names}) VALUES (?, {marks})',
                (row_id, *values.values()),
            )
            if table == "lead":
                self.lead_version += 1
        return row_id

    def update(self, table: str, row_id: int, values: dict) -> None:
        if not values:
            return
        sets = ", ".join(f'"{k}" = ?' for k in values)
        with self.lock:
            self.conn.execute(
                f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), row_id)
            )
            if table == "lead":
                self.lead_version += 1

    def rows(self, sql: str, args=()) -> list[dict]:
        with self.lock:
            cur = self.conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def row(self, table: str, row_id) -> dict | None:
        found = self.rows(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,))
        return found[0] if found else None

    def exists(self, table: str, row_id) -> bool:
        with self.lock:
            return (
                self.conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
                is not None
            )

    def lead_by_email(self, email: str) -> dict | None:
        found = self.rows(
            'SELECT * FROM lead WHERE "emailAddress" = ? COLLATE NOCASE', (str(email),)
        )
        return found[0] if found else None

    def delete_lead(self, lead_id: int) -> bool:
        """Really delete: the lead, its events, list memberships and opportunity links."""
        with self.atomic():
            gone = self.conn.execute("DELETE FROM lead WHERE id = ?", (lead_id,)).rowcount
            self.lead_version += 1
            for table in ("event", "list_member", "opportunity_lead"):
                self.conn.execute(f'DELETE FROM "{table}" WHERE "leadID" = ?', (str(lead_id),))
        return bool(gone)

    def close(self) -> None:
        with self.lock:
            self.conn.close()
