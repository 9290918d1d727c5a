"""The emulated org: SQLite tables per sObject, and the record operations Salesforce performs
(create, update, delete to the recycle bin, undelete, merge, lead conversion) with its checks.

One connection behind one re-entrant lock: the server is threaded, SQLite is not shared-safe.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
import sqlite3
import threading

from . import content
from .clock import Clock, sf_datetime
from .errors import ApiError, RecordError, not_found
from .ids import IdFactory, new_salt, to18
from .query import Compiled, compile_query
from .record_rules import RecordRules, exact_collation
from .recycle import RecycleBin
from .schema import SObject, custom_field, standard_objects
from .stages import StageBook
from .synthetic import SyntheticRecords
from .values import record_value

# What a write of these objects does besides its row (see insert and update): an insert's
# document (ContentVersion); an update's mirrored permissions (Profile, PermissionSet); the stage
# list reloaded (OpportunityStage).
INSERT_EXTRAS = ("ContentVersion",)
UPDATE_EXTRAS = ("Profile", "PermissionSet")
PLAIN_EXCEPTIONS = (*INSERT_EXTRAS, *UPDATE_EXTRAS, "OpportunityStage")

DEFAULT_SETTINGS = {
    "api_enabled": True,  # org-wide: Professional Edition without the API add-on is False
    "require_security_token": True,  # False when the caller's IP is in a trusted range
    "session_idle_seconds": 7200,
    "api_max": 15000,
    "api_used": 0,
    # Metadata-only settings, served by readMetadata (see metadata.py).
    "password_expiration": "Never",  # SecuritySettings.passwordPolicies.expiration
    "session_levels": {},  # profile name -> "HIGH_ASSURANCE" | "STANDARD"
    # Web-to-Lead auto-response: an active Lead auto-response rule mails every new web lead.
    "lead_auto_response_rules": [],  # [{"fullName", "active", "template"}]
    "fail_next_bulk_jobs": 0,
    # An active Lead assignment rule, as one owner (a user id) it assigns every lead to. The
    # REST API applies active rules on Lead create and update unless the request says
    # `Sforce-Auto-Assign: FALSE`; Bulk API 2.0 applies none unless the job names a rule.
    "lead_assignment_owner": None,
    "users": {},  # user id -> {"password", "security_token", "password_expired", "locked"}
    "connected_apps": {},  # consumer key -> {"secret", "certificate", "run_as"}
    "refresh_tokens": {},  # token -> user id
    "validation_rules": [],  # [{"object", "name", "condition", "message", "field", "active"}]
    "custom_fields": {},  # object -> [field spec]
    "id_counter": 1,
    "id_salt": 0,  # data files from before per-org salts keep their ids' spelling
    "seed_users": {},  # "admin" / "integration" -> user id, as seeding made them
    "downgrade_urls": [],  # see downgrade.py: "soap", "oauth", "redirect"
}


class Org(RecycleBin, RecordRules, SyntheticRecords):
    def __init__(self, path: str = ":memory:", copy_of: str | None = None) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if copy_of is not None:  # a snapshot (see snapshot()): the org exactly as it was then
            source = sqlite3.connect(copy_of)
            source.backup(self.conn)
            source.close()
        self.conn.execute(
            "PRAGMA journal_mode = WAL" if path != ":memory:" else "PRAGMA journal_mode = MEMORY"
        )
        self.conn.execute("PRAGMA synchronous = OFF")
        self.lock = threading.RLock()
        self.clock = Clock()
        self._savepoints = itertools.count()
        self.schema: dict[str, SObject] = standard_objects()
        self._by_lower = {k.lower(): v for k, v in self.schema.items()}
        self._by_prefix = {o.key_prefix: o for o in self.schema.values()}
        self.settings = json.loads(json.dumps(DEFAULT_SETTINGS))
        stored = self._load_meta()
        if stored is not None:
            self.settings.update(stored)
            for obj, specs in self.settings["custom_fields"].items():
                for spec in specs:
                    self.schema[obj].add(custom_field(spec))
            self._create_tables()  # objects added since the file was made
            self._upgrade_tables()  # and fields
        else:
            self.settings["id_salt"] = new_salt()  # a new org: ids of its own
            self._create_tables()
        self.ids = IdFactory(
            max(self.settings["id_counter"], self._id_high_water()),
            self.settings["id_salt"],
            self.lock,
            self._persist_id_high_water if path != ":memory:" else None,
        )
        # Per request: does this REST call let active assignment rules run? (app.py sets it)
        self.request = threading.local()
        self.stages = StageBook(self)  # OpportunityStage, read on every Opportunity write

    # --- persistence of settings (so `emulator serve --data FILE` survives restarts) -----
    def _load_meta(self):
        row = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='_meta'"
        ).fetchone()
        if not row:
            return None
        value = self.conn.execute("SELECT value FROM _meta WHERE key='settings'").fetchone()
        return json.loads(value[0]) if value else None

    def save_meta(self) -> None:
        with self.lock:
            self.settings["id_counter"] = self.ids.position
            self.conn.execute(
                "INSERT OR REPLACE INTO _meta VALUES ('settings', ?)", (json.dumps(self.settings),)
            )

    def _id_high_water(self) -> int:
        row = self.conn.execute("SELECT value FROM _meta WHERE key = 'id_high_water'").fetchone()
        return int(row[0]) if row else 0

    def _persist_id_high_water(self, until: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO _meta VALUES ('id_high_water', ?)", (until,))

    def snapshot(self, path: str) -> None:
        """Copy the whole org (records, schema, settings, id sequence) into a file that
        `Org(copy_of=path)` opens again: a test prepares a world once and copies it per case."""
        with self.lock:
            self.save_meta()
            self._persist_id_high_water(self.ids.position)
            target = sqlite3.connect(path)
            self.conn.backup(target)
            target.close()

    def close(self) -> None:
        """Save and close: the next start on this file continues the id sequence exactly."""
        with self.lock:
            self.save_meta()
            self._persist_id_high_water(self.ids.position)
            self.conn.close()

    def _create_tables(self) -> None:
        existing = {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        for obj in self.schema.values():
            if obj.name not in existing:
                self._create_table(obj)
        self.conn.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)")
        # The recycle bin: each deleted record and the record whose delete put it there (itself,
        # or the parent whose delete cascaded to it), so undelete restores what went together.
        self.conn.execute(
            'CREATE TABLE IF NOT EXISTS _recycle_bin ("Id" TEXT PRIMARY KEY, "RootId" TEXT)'
        )
        self.conn.execute('CREATE INDEX IF NOT EXISTS _recycle_bin_root ON _recycle_bin ("RootId")')

    def _upgrade_tables(self) -> None:
        """A data file written by an older emulator gets the objects and fields added since."""
        for obj in self.schema.values():
            have = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{obj.name}")')}
            if not have:
                self._create_table(obj)
                continue
            for f in obj.stored_fields:
                if f.name not in have:
                    collate = (
                        " COLLATE NOCASE" if f.is_text and f.type not in ("id", "reference") else ""
                    )
                    self.conn.execute(
                        f'ALTER TABLE "{obj.name}" ADD COLUMN "{f.name}" {f.sql_type}{collate}'
                    )

    def _create_table(self, obj: SObject) -> None:
        cols = []
        for f in obj.stored_fields:
            collate = " COLLATE NOCASE" if f.is_text and f.type not in ("id", "reference") else ""
            cols.append(f'"{f.name}" {f.sql_type}{collate}')
        c = self.conn
        c.execute(f'CREATE TABLE "{obj.name}" ({", ".join(cols)})')
        c.execute(f'CREATE UNIQUE INDEX "{obj.name}_Id" ON "{obj.name}" ("Id")')
        c.execute(f'CREATE INDEX "{obj.name}_Modstamp" ON "{obj.name}" ("SystemModstamp", "Id")')
        for f in obj.stored_fields:
            if (
                f.type == "reference"
                and f.name not in ("CreatedById", "LastModifiedById")
                or f.name in ("Email", "Username")
                or f.external_id
            ):
                self._index(obj, f.name)

    def _index(self, obj: SObject, name: str) -> None:
        self.conn.execute(
            f'CREATE INDEX IF NOT EXISTS "{obj.name}_{name}" ON "{obj.name}" ("{name}")'
        )

    def add_custom_field(self, object_name: str, spec: dict) -> None:
        with self.lock:
            obj = self.sobject(object_name)
            f = custom_field(spec)
            if obj.field(f.name):
                raise ApiError(400, "DUPLICATE_DEVELOPER_NAME", f"field {f.name} already exists")
            obj.add(f)
            collate = " COLLATE NOCASE" if f.is_text else ""
            self.conn.execute(
                f'ALTER TABLE "{obj.name}" ADD COLUMN "{f.name}" {f.sql_type}{collate}'
            )
            if f.external_id or f.unique:
                self._index(obj, f.name)
            if f.case_sensitive and f.is_text:  # its exact matches need an index of their own
                self.conn.execute(
                    f'CREATE INDEX IF NOT EXISTS "{obj.name}_{f.name}_exact" ON "{obj.name}" '
                    f'("{f.name}" COLLATE BINARY)'
                )
            self.settings["custom_fields"].setdefault(obj.name, []).append(spec)

    # --- lookups ------------------------------------------------------------------------
    def sobject(self, name: str) -> SObject:
        obj = self._by_lower.get(name.lower())
        if obj is None:
            raise not_found()
        return obj

    def object_for_id(self, record_id: str) -> SObject | None:
        return self._by_prefix.get(record_id[:3])

    def now(self) -> str:
        return sf_datetime(self.clock.now())

    def _atomic_if(self, needed):
        return self.atomic() if needed else contextlib.nullcontext()

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
                self.ids.forget_persisted()  # the id high-water mark may have gone with it
                raise
            self.conn.execute(f"RELEASE {name}")

    def row(self, obj: SObject, record_id: str, include_deleted: bool = True) -> dict | None:
        with self.lock:
            cur = self.conn.execute(f'SELECT * FROM "{obj.name}" WHERE "Id" = ?', (record_id,))
            values = cur.fetchone()
        if values is None:
            return None
        row = dict(zip([d[0] for d in cur.description], values, strict=True))
        if row["IsDeleted"] and not include_deleted:
            return None
        return row

    def record(
        self, obj: SObject, row: dict, version: str, fields: list[str] | None = None
    ) -> dict:
        """The REST form of a stored row."""
        out = {
            "attributes": {
                "type": obj.name,
                "url": f"/services/data/v{version}/sobjects/{obj.name}/{row['Id']}",
            }
        }
        names = fields or list(obj.fields)
        for name in names:
            f = obj.field(name)
            if f is None:
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{name}' on entity '{obj.name}'. If you are attempting to "
                    "use a custom field, be sure to append the '__c' after the custom field "
                    "name. Please reference your WSDL or the describe call for the appropriate "
                    "names.",
                )
            out[f.name] = record_value(obj, f, row, version)
        return out

    def find_ids(self, obj: SObject, field_name: str, value: object) -> list[str]:
        """Live records whose field equals `value` (text compares as the field's uniqueness
        does: ignoring case unless the field is case-sensitive)."""
        f = obj.field(field_name)
        with self.lock:
            return [
                r[0]
                for r in self.conn.execute(
                    f'SELECT "Id" FROM "{obj.name}" WHERE "{f.name}" = ?{exact_collation(f)} '
                    'AND "IsDeleted" = 0',
                    (value,),
                )
            ]

    def query(self, text: str, include_deleted: bool) -> Compiled:
        return compile_query(text, self.schema, self.clock.today(), include_deleted)

    # --- writes -------------------------------------------------------------------------
    def insert(self, object_name: str, values: dict, user_id: str, system: bool = False) -> str:
        obj = self.sobject(object_name)
        if not obj.createable and not system:
            raise RecordError(
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                f"entity type cannot be inserted: {obj.label}",
            )
        with self.lock:
            row = self._new_row(obj, user_id)
            given = self._coerce_values(obj, values, creating=True, system=system)
            record_id = (
                given.get("Id") if system and given.get("Id") else self.ids.next_id(obj.key_prefix)
            )
            self._prepare_new(obj, row, given, user_id)
            row["Id"] = record_id
            self._check_unique(obj, row)
            rules = self._rules(obj)
            # One INSERT is atomic on its own: a savepoint only when more can fail after it.
            with self._atomic_if(rules or obj.name in INSERT_EXTRAS):
                if obj.name == "ContentVersion":
                    content.new_version(self, row, user_id)
                names = filled(row)
                self.conn.execute(insert_sql(obj.name, names), [row[n] for n in names])
                self._check_rules(obj, row["Id"], rules)
            if obj.name == "OpportunityStage":
                self.stages.reload()
            return row["Id"]

    def update(
        self, object_name: str, record_id: str, values: dict, user_id: str, system: bool = False
    ) -> None:
        obj = self.sobject(object_name)
        with self.lock:
            row = self._live_row(obj, record_id)
            self._refuse_converted(obj, row, system)
            given = self._coerce_values(obj, values, creating=False, system=system)
            before = self._prepare_update(obj, row, given, user_id)
            self._check_unique(obj, row)
            rules = self._rules(obj)
            # One UPDATE is atomic on its own: a savepoint only when more can fail after it.
            with self._atomic_if(rules or obj.name in UPDATE_EXTRAS):
                self._write(obj, row, before)
                self._check_rules(obj, row["Id"], rules)
                self._mirror_profile_permissions(obj, row, given)
            if obj.name == "OpportunityStage":
                self.stages.reload()

    def writes_plainly(self, obj: SObject) -> bool:
        """Whether a write of `obj` is its row and nothing more: no validation rule to run after
        it, nothing written with it (INSERT_EXTRAS, UPDATE_EXTRAS), no stage list to reload. The
        Bulk ingest writes a chunk of such records at once (bulk_batch.py)."""
        return obj.name not in PLAIN_EXCEPTIONS and not self._rules(obj)

    def _mirror_profile_permissions(self, obj: SObject, row: dict, given: dict) -> None:
        """A profile and its profile-owned permission set are one record in Salesforce: a
        permission changed on either shows on both."""
        perms = {k: v for k, v in given.items() if k.startswith("Permissions")}
        if not perms:
            return
        if obj.name == "Profile":
            target, where, key = (
                "PermissionSet",
                '"ProfileId" = ? AND "IsOwnedByProfile" = 1',
                row["Id"],
            )
        elif obj.name == "PermissionSet" and row.get("IsOwnedByProfile"):
            target, where, key = "Profile", '"Id" = ?', row["ProfileId"]
        else:
            return
        sets = ", ".join(f'"{k}" = ?' for k in perms)
        self.conn.execute(f'UPDATE "{target}" SET {sets} WHERE {where}', [*perms.values(), key])

    def _write(self, obj: SObject, row: dict, before: dict) -> None:
        """Store an updated row: only the columns that changed from `before` (the stored row),
        so SQLite leaves alone the indexes of the columns that didn't."""
        names = changed(row, before)
        if names:  # nothing changed (a frozen clock, the same values): the row stays as it is
            self.conn.execute(update_sql(obj.name, names), [row[n] for n in names] + [row["Id"]])

    def _live_row(self, obj: SObject, record_id: str) -> dict:
        try:
            record_id = to18(record_id)
        except ValueError:
            raise RecordError("MALFORMED_ID", f"malformed id {record_id}", status=400) from None
        row = self.row(obj, record_id)
        if row is None:
            raise RecordError("NOT_FOUND", "The requested resource does not exist", status=404)
        if row["IsDeleted"]:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted", status=404)
        return row

    def _touch(self, obj: SObject, record_id: str, user_id: str, **changes) -> None:
        now = self.now()
        sets = {
            **changes,
            "LastModifiedDate": now,
            "SystemModstamp": now,
            "LastModifiedById": user_id,
        }
        self.conn.execute(
            f'UPDATE "{obj.name}" SET {", ".join(f"{chr(34)}{k}{chr(34)} = ?" for k in sets)} '
            'WHERE "Id" = ?',
            [*sets.values(), record_id],
        )

    # --- API usage ----------------------------------------------------------------------
    def spend_api_call(self) -> None:
        """Count one API request; 403 REQUEST_LIMIT_EXCEEDED once the daily quota is spent."""
        with self.lock:
            if self.settings["api_used"] >= self.settings["api_max"]:
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.settings["api_used"] += 1

    @property
    def api_usage(self) -> str:
        return f"api-usage={self.settings['api_used']}/{self.settings['api_max']}"


@functools.lru_cache(maxsize=512)
def insert_sql(table: str, names: tuple[str, ...], rows: int = 1) -> str:
    """INSERT of `rows` rows of the columns `names`."""
    columns = ", ".join(f'"{n}"' for n in names)
    one = f"({', '.join('?' * len(names))})"
    return f'INSERT INTO "{table}" ({columns}) VALUES {", ".join([one] * rows)}'


@functools.lru_cache(maxsize=512)
def update_sql(table: str, names: tuple[str, ...]) -> str:
    sets = ", ".join(f'"{n}" = ?' for n in names)
    return f'UPDATE "{table}" SET {sets} WHERE "Id" = ?'


def filled(row: dict) -> tuple[str, ...]:
    """A new row's columns that have a value: the others are null without binding them, which
    is most of an object's columns (and of the time a Bulk insert takes)."""
    return tuple([n for n, v in row.items() if v is not None])


def changed(row: dict, before: dict) -> tuple[str, ...]:
    """An updated row's columns that differ from `before` (the stored row): SQLite then leaves
    alone the indexes of the columns that didn't. `row` is a copy of `before` with values
    changed or added, so its keys come in before's order, any new ones after."""
    names = list(itertools.compress(row, map(operator.ne, row.values(), before.values())))
    names += list(row)[len(before) :]
    return tuple([n for n in names if n != "Id"]) if "Id" in names else tuple(names)
