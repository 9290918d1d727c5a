"""One sync run: reconcile what a crashed run left, pull changes from both sides, merge, plan,
apply, advance cursors. See sync() for the order; every step says why it is safe to be killed.

Crash safety, in short: Lead Gen & CRM writes and the mirror are committed together in SQLite.
A Salesforce write is journaled ('sent') before it goes out and settled (link, mirror) in one
transaction after Salesforce answers. Cursors move only at the end of a run. A rerun after a
crash re-pulls the same changes; what was applied merges to nothing, what was not is planned
again, and a create that may have reached Salesforce is looked up by e-mail before it is retried.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from ..config import Profile, ProfileSettings
from ..errors import ExitCode, LgcrmError, OutcomeUnknown, PrereqsFailed, QuotaReserveReached
from ..leadgen.fields import normalise_email
from ..leadgen.store import LeadGenStore, now_iso
from ..mapping.model import Mapping
from ..mapping.service import check_against_org, org_schema
from ..salesforce.backup import FIRST_SYNC_OBJECTS
from ..salesforce.client import SalesforceClient
from ..salesforce.describe import EXTERNAL_ID_FIELD
from ..salesforce.prereqs import backup_check
from ..store.runs import RunLog
from ..store.state import StateStore
from ..store.sync_state import SyncState
from .engagements import EngagementPusher, task_for
from .fields import OWNER, REQUIRED_DEFAULTS, FieldSpec, OwnerConverter, field_specs, lg_value
from .merge import NONE, TO_LEADGEN, TO_SALESFORCE, Decision, merge_field
from .opportunities import SALES_OBJECTS, pull_sales
from .options import SYNCABLE, SyncOptions, Tuning  # noqa: F401 - re-exported
from .reconcile import DAILY, GONE_CODES, record_states
from .salesforce_side import (
    TRANSIENT_RECORD_CODES,
    SalesforceSide,
    WriteResult,
    sf_cursor,
    soql_quote,
)
from .values import sf_native, utc_text

OBJECTS = {"leads": ("lead", "Lead"), "contacts": ("contact", "Contact")}
OVERLAP = datetime.timedelta(minutes=2)  # re-read this much before the cursor: clocks and commits
BASE_FIELDS = ("Id", "IsDeleted", "MasterRecordId", "SystemModstamp", "LastModifiedById", "Email")

MESSAGES = {
    "no_backup": "This is the profile's first sync and it needs a complete, verified backup of org {org}: "
    "{why}. Run `lgcrm-sf backup` and `lgcrm-sf backup verify DIR` first (or pass --no-backup-check, "
    "at your own risk).",
    "deleted": "deleted in Salesforce ({object} {id}) on {when}",
    "purged": "no longer in Salesforce ({object} {id}): purged from the recycle bin or hard-deleted",
    "merged_taken": "merged in Salesforce into {master}, which is already linked to {other}",
    "converted_taken": "converted in Salesforce into contact {contact}, which is already linked to {other}",
}


@dataclass
class SyncResult:
    run_id: int
    status: str  # ok | record_errors | quota | dry_run
    summary: dict[str, dict]
    api_calls: int
    seconds: float
    plan: list[dict] = field(default_factory=list)
    plan_total: int = 0
    messages: list[str] = field(default_factory=list)
    api_used: int | None = None
    api_max: int | None = None
    mapping_source: str = ""
    plan_file: str | None = None  # a dry run's whole plan, one JSON line per change

    @property
    def errors(self) -> int:
        return sum(s["errors"] for s in self.summary.values())


COUNTERS = (
    "created_in_salesforce",
    "created_here",
    "updated_in_salesforce",
    "updated_here",
    "linked",
    "deactivated",
    "relinked",
    "conflicts",
    "errors",
    "skipped",
)
PLAN_SHOWN = 50  # plan lines a dry run shows; the whole plan goes to its plan file


class SyncEngine:
    def __init__(
        self,
        profile: Profile,
        settings: ProfileSettings,
        client: SalesforceClient,
        mapping: Mapping,
        options: SyncOptions,
        record=None,
    ) -> None:
        self.record = record  # the CLI's record of this run (cli/_runs.py), told the run id
        self.profile, self.settings, self.client, self.mapping, self.options = (
            profile,
            settings,
            client,
            mapping,
            options,
        )
        self.state = SyncState(profile.state_path)
        self.db = self.state.db
        self.conn = self.state.conn
        self.leadgen = LeadGenStore(self.db, sales_read_only=True)
        self.tuning: Tuning = options.tuning
        self.sf = SalesforceSide(client, tuning=self.tuning, me=settings.user_id)
        self.external_ids: dict[str, str] = {}  # object -> our external-id field, where it has one
        self.me = settings.user_id
        self.summary = {sobject: Counter() for _, (_, sobject) in OBJECTS.items()}
        if "opportunities" in options.only:
            for sobject in SALES_OBJECTS:
                self.summary[sobject] = Counter()
        self.sales_tops: dict[str, str] = {}
        if "engagements" in options.only:
            self.summary["Task"] = Counter()
        self.owner_gaps: Counter = Counter()  # (side, owner) -> records it could not reach
        self.query_started: dict[str, datetime.datetime | None] = {}  # object -> org's time
        self.gone: dict[str, dict[str, int]] = {}  # object -> {sf id: person} a write missed
        self.links_checked = False
        self.plan: list[dict] = []
        self.plan_out = None  # a dry run's plan file, opened at its first line
        self.plan_path: str | None = None
        self.plan_total = 0
        self.messages: list[str] = []
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS processed (person_id INTEGER PRIMARY KEY)"
        )
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS unlinked (person_id INTEGER PRIMARY KEY)"
        )
        self.conn.execute("DELETE FROM temp.processed")
        self.run_id = 0
        self.full_pull: dict[str, bool] = {}  # object -> this run read all of it (first sync)
        self.to_fetch: dict[str, set[int]] = {}  # object -> linked people whose record we must read
        self.deferred: dict[
            str, set[int]
        ] = {}  # kind -> unlinked people a new Salesforce record matched

    # --- the run ----------------------------------------------------------------------------
    def sync(self) -> SyncResult:
        started = time.perf_counter()
        calls_before = self.client.counter.calls
        first = self.state.is_first_sync()
        if first and not self.options.no_backup_check:
            catalog = StateStore(self.profile.state_path)
            check = backup_check(
                self.settings.org_id,
                *catalog.backup_covering(self.settings.org_id, FIRST_SYNC_OBJECTS),
            )
            if check.status != "pass":
                raise PrereqsFailed(
                    MESSAGES["no_backup"].format(org=self.settings.org_id, why=check.evidence)
                )
        self.run_id = RunLog(self.state, self.profile.log_path).start("sync", self.options.dry_run)
        if self.record is not None:
            self.record.run_id = self.run_id
        signpost = now_iso()  # "now" for this run: our side's cursor never passes it
        status, message, code = "ok", None, 0
        try:
            self._setup()  # a mapping the org refuses stops the run before any write
            if not self.options.dry_run:
                self._reconcile()
            chosen = [OBJECTS[n] for n in ("leads", "contacts") if n in self.options.only]
            specs = {
                sobject: field_specs(self.mapping, kind, self.sf_fields[sobject], self.owners)
                for kind, sobject in chosen
            }
            # Read both objects before deciding anything: matching is Contact first, then Lead.
            for _, sobject in chosen:
                self._stage(sobject, specs[sobject])
            self._reserve()
            self._check_links_daily(signpost)
            for kind, sobject in chosen:
                self._apply_salesforce_changes(kind, sobject, specs[sobject])
            for kind, sobject in chosen:
                self._from_leadgen(kind, sobject, specs[sobject], signpost)
            if "opportunities" in self.options.only:
                cursors = {o: self.state.cursor(f"salesforce:{o}") for o in SALES_OBJECTS}
                self.sales_tops = pull_sales(
                    self.sf, self.leadgen, cursors, self.owners, self.summary, self.options.dry_run
                )
            if not self.options.dry_run:
                self._apply()
                for sobject, missed in self.gone.items():
                    self._check_links(sobject, missed)
            if "engagements" in self.options.only:
                self._progress("sending engagements as Tasks")
                self._engagements(signpost)
            if not self.options.dry_run:
                self._advance_cursors(signpost)
            status = (
                "dry_run"
                if self.options.dry_run
                else ("record_errors" if any(s["errors"] for s in self.summary.values()) else "ok")
            )
        except QuotaReserveReached as exc:
            status, message, code = "quota", exc.message, int(exc.exit_code)
            self.messages.append(exc.message)
        except LgcrmError as exc:
            self._finish(started, calls_before, "failed", int(exc.exit_code), exc.message)
            raise
        except KeyboardInterrupt:
            self._finish(started, calls_before, "interrupted", int(ExitCode.INTERRUPTED), None)
            raise
        except BaseException as exc:
            self._finish(started, calls_before, "failed", 70, f"{type(exc).__name__}")
            raise
        if status == "record_errors":
            code = int(ExitCode.RECORD_ERRORS)
        return self._finish(started, calls_before, status, code, message)

    def _finish(self, started, calls_before, status, code, message) -> SyncResult:
        self._owner_gap_messages()
        if self.plan_out is not None:
            self.plan_out.close()
        summary = {k: {c: v.get(c, 0) for c in COUNTERS} for k, v in self.summary.items()}
        counter = self.client.counter
        result = SyncResult(
            self.run_id,
            status,
            summary,
            counter.calls - calls_before,
            time.perf_counter() - started,
            self.plan,
            self.plan_total,
            self.messages,
            counter.api_used,
            counter.api_max,
            self.mapping.source,
            self.plan_path,
        )
        if self.run_id:
            self.state.finish_run(
                self.run_id,
                status,
                code,
                summary,
                result.api_calls,
                counter.api_used,
                counter.api_max,
                message,
            )
        return result

    def _setup(self) -> None:
        """The mapping checked against the org before anything is written (describe data and
        owners' users cached a day: a quiet run costs no describe call), and the owner map."""
        schema = org_schema(self.client, self.state, self.mapping)
        problems = check_against_org(self.mapping, schema, self.state)
        self.messages += [str(p) for p in problems]  # warnings: the errors stopped the run
        self.sf_fields = {
            sobject: schema.fields[sobject]
            for name, (_, sobject) in OBJECTS.items()
            if name in self.options.only
        }
        self.external_ids = {
            sobject: EXTERNAL_ID_FIELD
            for sobject, fields in self.sf_fields.items()
            if (fields.get(EXTERNAL_ID_FIELD) or {}).get("externalId")
        }
        self.owners = None
        if self.mapping.owners:
            ours = {u["email"]: u["id"] for u in self.leadgen.users()}
            ours_to_sf, sf_to_ours = {}, {}
            for owner in self.mapping.owners:
                user = schema.user(owner.salesforce)
                our_id = ours.get(owner.user)
                if user and user["IsActive"] and our_id:
                    ours_to_sf[our_id] = user["Id"]
                    sf_to_ours[user["Id"]] = our_id
            self.owners = OwnerConverter(ours_to_sf, sf_to_ours)

    def _reserve(self) -> None:
        """The reserve in calls: given, or a share of the daily limit the org reported in the
        first answers' Sforce-Limit-Info (no extra call to `limits`)."""
        counter = self.client.counter
        if self.options.api_reserve is not None:
            self.sf.api_reserve = self.options.api_reserve
        elif counter.api_max:
            self.sf.api_reserve = int(counter.api_max * self.options.reserve_percent / 100)
        self.sf.check_quota()

    # --- one object pair ----------------------------------------------------------------------
    _stage_columns = (
        "sobject",
        "sf_id",
        "modstamp",
        "deleted",
        "master",
        "converted",
        "converted_contact",
        "email",
        "values",
    )

    def _apply_salesforce_changes(self, kind: str, sobject: str, specs: list[FieldSpec]) -> None:
        self._progress(f"merging {sobject} changes")
        offset = 0
        while True:  # in chunks, oldest change first: memory stays flat
            rows = self.conn.execute(
                "SELECT * FROM temp.stage WHERE sobject = ? ORDER BY modstamp, sf_id "
                "LIMIT ? OFFSET ?",
                [sobject, self.tuning.chunk, offset],
            ).fetchall()
            if not rows:
                return
            with self.conn:
                for row in rows:
                    self._from_salesforce(
                        dict(zip(self._stage_columns, row, strict=True)), kind, sobject, specs
                    )
            offset += self.tuning.chunk

    def _stage(self, sobject: str, specs: list[FieldSpec]) -> None:
        """Pull the object's changes into a staging table: memory stays flat however many."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS stage (sobject TEXT, sf_id TEXT, modstamp TEXT, "
            "deleted INTEGER, master TEXT, converted INTEGER, converted_contact TEXT, email TEXT, "
            "[values] TEXT, PRIMARY KEY (sobject, sf_id))"
        )
        self.conn.execute("CREATE INDEX IF NOT EXISTS temp.stage_email ON stage (sobject, email)")
        with self.conn:
            self.conn.execute("DELETE FROM temp.stage WHERE sobject = ?", [sobject])
        fields = list(BASE_FIELDS) + (
            ["IsConverted", "ConvertedContactId"] if sobject == "Lead" else []
        )
        fields += [s.sf_field for s in specs if s.sf_field not in fields]
        types = {name: d["type"] for name, d in self.sf_fields[sobject].items()}
        where = []
        cursor = self.state.cursor(f"salesforce:{sobject}")
        self.full_pull[sobject] = cursor is None
        if cursor:
            since = datetime.datetime.fromisoformat(cursor.replace("Z", "+00:00")) - OVERLAP
            where.append(f"SystemModstamp >= {since.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        # Whoever made a change, it is read: our own writes come back too, and are known as
        # echoes by the merge (every mapped field equals what the mirror says we sent). A
        # change by the integration user that is not ours (Data Loader, a script, a flow
        # running as it) is merged like any other; deletions, merges and conversions always.
        soql = (
            f"SELECT {', '.join(fields)} FROM {sobject}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY SystemModstamp, Id"
        )
        batch, read = [], 0
        self._progress(f"reading {sobject} changes from Salesforce")
        self.sf.last_query_started = None
        for record in self.sf.query_rows(soql, types):
            values = {f: sf_native(record.get(f), types.get(f, "string")) for f in fields}
            batch.append(
                (
                    sobject,
                    values["Id"],
                    utc_text(values["SystemModstamp"]),
                    int(bool(values["IsDeleted"])),
                    values.get("MasterRecordId"),
                    int(bool(values.get("IsConverted"))),
                    values.get("ConvertedContactId"),
                    (values.get("Email") or "").lower() or None,
                    json.dumps(values),
                )
            )
            if len(batch) >= self.tuning.chunk:
                self._insert_stage(batch)
                batch = []
                read += self.tuning.chunk
                self._progress(f"reading {sobject} changes from Salesforce", read)
        self._insert_stage(batch)
        self.query_started[sobject] = self.sf.last_query_started

    def _insert_stage(self, rows) -> None:
        if rows:
            with self.conn:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO temp.stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )

    def _progress(self, phase: str, records: int = 0) -> None:
        if self.options.progress is not None:
            self.options.progress(phase, records, self.client.counter.calls)

    def _count(self, sobject: str, key: str, n: int = 1) -> None:
        self.summary[sobject][key] += n

    # --- Salesforce -> here ---------------------------------------------------------------------
    def _from_salesforce(self, row: dict, kind: str, sobject: str, specs: list[FieldSpec]) -> None:
        values = json.loads(row["values"])
        sf_id, modstamp = row["sf_id"], row["modstamp"]
        person_id = self.state.person_of(sf_id)
        if row["deleted"]:
            if person_id is None:
                return
            self._done(person_id)
            if row["master"]:
                self._merged(person_id, sobject, sf_id, row["master"])
            else:
                self._deactivate(
                    person_id,
                    sobject,
                    MESSAGES["deleted"].format(object=sobject, id=sf_id, when=modstamp),
                )
            return
        if row["converted"]:
            if person_id is not None and row["converted_contact"]:
                self._done(person_id)
                self._converted(person_id, row["converted_contact"])
            return
        link = self.state.link_of(person_id) if person_id else None
        if link and link["sf_modstamp"] and modstamp and modstamp <= link["sf_modstamp"]:
            return  # seen before: the overlap window re-read it
        if person_id is None:
            email = row["email"]
            try:
                email = normalise_email(email)
            except ValueError:
                email = None
            if not email:
                self._skip(sobject, sf_id, modstamp, "no e-mail")
                return
            person = self.leadgen.by_email(email)
            if person is not None:
                other = self.state.link_of(person["id"])
                if other and other["sf_id"] != sf_id:
                    self._skip(
                        sobject,
                        sf_id,
                        modstamp,
                        f"{sobject} {sf_id} has the e-mail of {email}, already linked to "
                        f"{other['sf_object']} {other['sf_id']}: a duplicate in Salesforce, not linked.",
                        say=True,
                    )
                    return
                if not person["active"]:
                    self._skip(sobject, sf_id, modstamp, f"{email} is deactivated here")
                    return
                # Ours already: match it the one way (Contact first, then Lead; ambiguity
                # reported) along with the other unlinked people.
                self.deferred.setdefault(person["kind"], set()).add(person["id"])
                return
            self._create_here(email, kind, sobject, specs, values, sf_id, modstamp)
            return
        self._done(person_id)
        self.to_fetch.get(sobject, set()).discard(person_id)  # its record is here already
        person = self.leadgen.get(person_id)
        if not person["active"]:
            return
        self._merge(
            person, kind, sobject, specs, values, modstamp, self.state.mirror_of(person_id) or None
        )

    # --- is every linked record still there? -------------------------------------------------
    def _check_links_daily(self, signpost: str) -> None:
        """Once a day (or with --reconcile), look up every linked id: a record purged from the
        recycle bin is seen by nothing else."""
        last = self.state.cursor("reconcile:salesforce")
        age = None
        if last:
            age = datetime.datetime.fromisoformat(
                signpost.replace("Z", "+00:00")
            ) - datetime.datetime.fromisoformat(last.replace("Z", "+00:00"))
        if not (self.options.reconcile or age is None or age.total_seconds() >= DAILY):
            return
        for name in self.options.only:
            if name in OBJECTS:
                sobject = OBJECTS[name][1]
                self._check_links(sobject, self.state.linked_ids(sobject))
        if "opportunities" in self.options.only:
            for sobject in SALES_OBJECTS:
                self._check_sales_copies(sobject)
        self.links_checked = True

    def _check_links(self, sobject: str, person_by_sf: dict[str, int]) -> None:
        if not person_by_sf:
            return
        states = record_states(
            self.sf, sobject, sorted(person_by_sf), self.tuning.reconcile_scan_above
        )
        batch = []
        for sf_id, row in states:
            batch.append((sf_id, row))
            if len(batch) >= self.tuning.chunk:
                self._settle_link_states(sobject, person_by_sf, batch)
                batch = []
        self._settle_link_states(sobject, person_by_sf, batch)

    def _settle_link_states(self, sobject: str, person_by_sf: dict, batch: list) -> None:
        with self.conn:
            for sf_id, row in batch:
                person_id = person_by_sf[sf_id]
                if self.state.person_of(sf_id) != person_id:
                    continue  # already dealt with this run
                if row is None:
                    self._done(person_id)
                    self._deactivate(
                        person_id, sobject, MESSAGES["purged"].format(object=sobject, id=sf_id)
                    )
                elif row["IsDeleted"] and row.get("MasterRecordId"):
                    self._done(person_id)
                    self._merged(person_id, sobject, sf_id, row["MasterRecordId"])
                elif row["IsDeleted"]:
                    self._done(person_id)
                    self._deactivate(
                        person_id,
                        sobject,
                        MESSAGES["deleted"].format(object=sobject, id=sf_id, when="recently"),
                    )
                elif row.get("IsConverted") and row.get("ConvertedContactId"):
                    self._done(person_id)
                    self._converted(person_id, row["ConvertedContactId"])

    def _check_sales_copies(self, sobject: str) -> None:
        """Accounts, opportunities and contact roles copied here: gone from Salesforce, gone here."""
        ids = self.leadgen.salesforce_ids(sobject)
        gone = [
            sf_id
            for sf_id, row in record_states(self.sf, sobject, ids, self.tuning.reconcile_scan_above)
            if row is None or row["IsDeleted"]
        ]
        if self.options.dry_run:
            self._count(sobject, "deactivated", len(gone))
            return
        with self.conn:
            for sf_id in gone:
                if self.leadgen.delete_from_salesforce(sobject, sf_id):
                    self._count(sobject, "deactivated")

    def _skip(self, sobject: str, sf_id: str, modstamp: str, reason: str, say=False) -> None:
        """A Salesforce record left alone, counted (and `say`-ed) once per version of it: the
        overlap window reads it again, and that is not news."""
        if self.options.dry_run or self.state.note_skip(sobject, sf_id, modstamp, reason):
            self._count(sobject, "skipped")
            if say:
                self.messages.append(reason)

    def _engagements(self, signpost: str) -> None:
        pusher = EngagementPusher(
            self.state,
            self.sf,
            self.mapping.engagements,
            self.me,
            self.run_id,
            self.options.backfill_engagements,
        )
        if not self.options.dry_run and self.state.meta("mapping_hash") != self.mapping.text_hash:
            # The mapping changed since it was last seen (edited in place): its switches
            # changed when the file did.
            with self.conn:
                self.state.switch_engagements(
                    self.mapping.event_switches(), self.mapping.modified_at or signpost
                )
                self.state.set_meta("mapping_hash", self.mapping.text_hash)
        since = {k: at for k, (on, at) in self.state.engagement_switches().items() if on}
        if self.options.dry_run:
            for event in pusher.eligible(since, 10**9):
                self._count("Task", "created_in_salesforce")
                self._plan_item(
                    {"email": f"person {event['person_id']}"},
                    "Task",
                    event["kind"],
                    None,
                    task_for(event, event["who_id"])["Subject"],
                    "salesforce",
                    "engagement",
                )
            return
        pusher.reconcile()
        pusher.push(since)
        for key, value in pusher.counts.items():
            self._count("Task", key, value)
        if pusher.counts["errors"]:
            self.messages.append(
                f"{pusher.counts['errors']} engagement(s) were refused by Salesforce; they are "
                "retried on the next run (see `lgcrm-sf status`)."
            )

    def _done(self, person_id: int) -> None:
        """This run has dealt with the person (a temp table: memory stays flat)."""
        self.conn.execute("INSERT OR IGNORE INTO temp.processed VALUES (?)", [person_id])

    def _link(self, person: dict, sobject: str, sf_id: str, modstamp: str | None) -> None:
        """Link a person to a Salesforce record; its kind follows the record's object, so it
        syncs with the Lead or Contact field list from now on."""
        kind = "contact" if sobject == "Contact" else "lead"
        self._done(person["id"])
        self._count(sobject, "linked")
        self._plan_item(person, sobject, "link", None, sf_id, "salesforce", "matched by e-mail")
        if not self.options.dry_run:
            self.state.set_link(person["id"], sobject, sf_id, modstamp)
            if person["kind"] != kind:
                self.leadgen.set_kind(person["id"], kind)

    def _create_here(self, email, kind, sobject, specs, values, sf_id, modstamp) -> None:
        person_values, mirror = {}, {}
        for spec in specs:
            sf = values.get(spec.sf_field)
            lg = spec.converter.to_leadgen(sf)
            if spec.kind == OWNER:
                if sf is not None and lg is None:
                    self._owner_gap("salesforce", sf, sobject)
                person_values["owner_user_id"] = lg
            elif spec.kind == "field" and spec.key != "email":
                person_values[spec.key] = lg
            mirror[spec.key] = {"lg": lg if spec.kind in ("field", OWNER) else None, "sf": sf}
        self._count(sobject, "created_here")
        self._plan_item(
            {"email": email, "id": None},
            sobject,
            "create",
            None,
            sf_id,
            "leadgen",
            "new in Salesforce",
        )
        if self.options.dry_run:
            return
        person_id = self.leadgen.create_person(
            email, kind, {k: v for k, v in person_values.items() if v is not None}
        )
        self._done(person_id)
        self.state.set_link(person_id, sobject, sf_id, modstamp)
        person = self.leadgen.get(person_id)
        for spec in specs:  # pseudo-fields computed from the new person (the lead link)
            if spec.kind not in ("field", OWNER):
                mirror[spec.key]["lg"] = lg_value(spec, person, self.mapping)
        self.state.set_mirror(person_id, sobject, mirror)
        # The lead link and score may still need writing to Salesforce.
        self._merge(person, kind, sobject, specs, values, modstamp, self.state.mirror_of(person_id))

    def _deactivate(self, person_id: int, sobject: str, reason: str) -> None:
        person = self.leadgen.get(person_id)
        self._count(sobject, "deactivated")
        self._plan_item(
            person, sobject, "deactivate", None, reason, "leadgen", "deleted in Salesforce"
        )
        if not self.options.dry_run:
            if person["active"]:
                self.leadgen.deactivate(person_id, reason)
            self.state.unlink(person_id)

    def _merged(self, person_id: int, sobject: str, sf_id: str, master: str) -> None:
        other = self.state.person_of(master)
        if other is not None and other != person_id:
            other_email = self.leadgen.get(other)["email"]
            self._deactivate(
                person_id,
                sobject,
                MESSAGES["merged_taken"].format(master=master, other=other_email),
            )
            return
        self._count(sobject, "relinked")
        person = self.leadgen.get(person_id)
        self._plan_item(
            person, sobject, "relink", sf_id, master, "salesforce", "merged in Salesforce"
        )
        if not self.options.dry_run:
            self.state.set_link(person_id, sobject, master, None)

    def _converted(self, person_id: int, contact_id: str) -> None:
        other = self.state.person_of(contact_id)
        person = self.leadgen.get(person_id)
        if other is not None and other != person_id:
            other_email = self.leadgen.get(other)["email"]
            self._deactivate(
                person_id,
                "Lead",
                MESSAGES["converted_taken"].format(contact=contact_id, other=other_email),
            )
            return
        self._count("Lead", "relinked")
        self._plan_item(
            person, "Lead", "convert", None, contact_id, "leadgen", "lead converted in Salesforce"
        )
        if not self.options.dry_run:
            self.state.set_link(person_id, "Contact", contact_id, None)
            self.conn.execute("DELETE FROM mirror WHERE person_id = ?", [person_id])
            self.leadgen.set_kind(person_id, "contact")
            self.to_fetch.setdefault("Contact", set()).add(
                person_id
            )  # unless the Contact pull brings it

    # --- here -> Salesforce --------------------------------------------------------------------
    def _from_leadgen(self, kind: str, sobject: str, specs: list[FieldSpec], signpost: str) -> None:
        self._progress(f"merging our {kind} changes")
        since = self.state.cursor(f"leadgen:{kind}")
        # Changed here since the cursor, plus people whose last write failed (retried every run)
        # and conflicts resolved by hand since.
        retry = set(self.state.people_with_open_errors()) | {
            c["person_id"] for c in self.state.conflicts("resolving")
        }
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS candidates (person_id INTEGER PRIMARY KEY)"
        )
        self.conn.execute("DELETE FROM temp.candidates")
        sql = "INSERT OR IGNORE INTO temp.candidates SELECT id FROM lg_people WHERE kind = ? AND updated_at <= ?"
        params = [kind, signpost]
        if since:
            sql += " AND updated_at > ?"
            params.append(since)
        self.conn.execute(sql, params)
        self.conn.executemany(
            "INSERT OR IGNORE INTO temp.candidates SELECT id FROM lg_people WHERE id = ? AND kind = ?",
            [(pid, kind) for pid in retry | self.deferred.pop(kind, set())],
        )
        self.conn.execute("DELETE FROM temp.unlinked")
        last = 0
        while True:  # in chunks of ids, so memory stays flat however many changed
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT c.person_id FROM temp.candidates c WHERE c.person_id > ? AND c.person_id NOT IN "
                    "(SELECT person_id FROM temp.processed) ORDER BY c.person_id LIMIT ?",
                    [last, self.tuning.chunk],
                )
            ]
            if not ids:
                break
            last = ids[-1]
            with self.conn:
                for person_id in ids:
                    person = self.leadgen.get(person_id)
                    if not person["active"]:
                        continue
                    link = self.state.link_of(person_id)
                    if link is None:
                        self.conn.execute(
                            "INSERT OR IGNORE INTO temp.unlinked VALUES (?)", [person_id]
                        )
                        continue
                    if link["sf_object"] != sobject:
                        continue
                    self._done(person_id)
                    mirror = self.state.mirror_of(person_id)
                    if any(spec.key not in mirror for spec in specs):
                        self.to_fetch.setdefault(sobject, set()).add(person_id)
                        continue
                    values = {spec.sf_field: mirror[spec.key]["sf"] for spec in specs}
                    self._merge(person, kind, sobject, specs, values, link["sf_modstamp"], mirror)
        self._fetch_and_merge(kind, sobject, specs)
        self._match_or_create(kind, sobject, specs)
        # The pairs this run linked are merged in this run, whichever object they matched.
        for linked_kind, linked_object in OBJECTS.values():
            if self.to_fetch.get(linked_object) and linked_object in self.sf_fields:
                self._fetch_and_merge(
                    linked_kind,
                    linked_object,
                    field_specs(
                        self.mapping, linked_kind, self.sf_fields[linked_object], self.owners
                    ),
                )

    def _fetch_and_merge(self, kind: str, sobject: str, specs: list[FieldSpec]) -> None:
        """Linked people whose Salesforce values we don't hold here (a pair just matched, a new
        field in the mapping, a lead just converted): their records as this run read them, or
        read by Id, then merged."""
        person_ids = sorted(self.to_fetch.pop(sobject, set()))
        if not person_ids:
            return
        types = {name: d["type"] for name, d in self.sf_fields[sobject].items()}
        fields = ["Id", "SystemModstamp"] + [
            s.sf_field for s in specs if s.sf_field not in ("Id", "SystemModstamp")
        ]
        by_sf = {self.state.link_of(pid)["sf_id"]: pid for pid in person_ids}
        staged = self._staged_values(sobject, list(by_sf), fields)
        self._merge_records(kind, sobject, specs, by_sf, staged.values())
        ids = [i for i in by_sf if i not in staged]
        for start in range(0, len(ids), 300):
            chunk = ids[start : start + 300]
            soql = f"SELECT {', '.join(fields)} FROM {sobject} WHERE Id IN ({', '.join(soql_quote(i) for i in chunk)})"
            rows = self.sf.call(
                lambda sf, q=soql: sf.query_all(q), f"reading linked {sobject} records"
            )["records"]
            records = [
                {f: sf_native(r.get(f), types.get(f, "string")) for f in fields} for r in rows
            ]
            self._merge_records(kind, sobject, specs, by_sf, records)

    def _staged_values(self, sobject: str, sf_ids: list[str], fields: list[str]) -> dict:
        """Records this run already read (the change query), by Id, with every field wanted."""
        found = {}
        for start in range(0, len(sf_ids), self.tuning.chunk):
            chunk = sf_ids[start : start + self.tuning.chunk]
            marks = ", ".join("?" for _ in chunk)
            for sf_id, values in self.conn.execute(
                f"SELECT sf_id, [values] FROM temp.stage WHERE sobject = ? AND deleted = 0 "
                f"AND converted = 0 AND sf_id IN ({marks})",
                [sobject, *chunk],
            ):
                record = json.loads(values)
                if all(f in record for f in fields):
                    found[sf_id] = record
        return found

    def _merge_records(self, kind, sobject, specs, by_sf: dict, records) -> None:
        with self.conn:
            for values in records:
                person_id = by_sf[values["Id"]]
                self._done(person_id)
                self._merge(
                    self.leadgen.get(person_id),
                    kind,
                    sobject,
                    specs,
                    values,
                    utc_text(values["SystemModstamp"]),
                    self.state.mirror_of(person_id) or None,
                )

    def _match_or_create(self, kind: str, sobject: str, specs: list[FieldSpec]) -> None:
        """Unlinked people: matched by e-mail (Contact first, then Lead; several matches are an
        ambiguity to report, never a guess), or created in Salesforce. In chunks: memory stays
        flat, and each chunk's e-mails are looked up together."""
        last = 0
        while True:
            chunk = self.conn.execute(
                "SELECT u.person_id, p.email FROM temp.unlinked u JOIN lg_people p ON "
                "p.id = u.person_id WHERE u.person_id > ? ORDER BY u.person_id LIMIT ?",
                [last, self.tuning.chunk],
            ).fetchall()
            if not chunk:
                break
            last = chunk[-1][0]
            matches = self._matches(sorted({email for _, email in chunk}))
            with self.conn:
                for person_id, _ in chunk:
                    self._match_one(self.leadgen.get(person_id), matches, kind, sobject, specs)

    def _matches(self, emails: list[str]) -> dict[str, list[tuple[str, str]]]:
        matches: dict[str, list[tuple[str, str]]] = {}
        for candidate in ("Contact", "Lead"):
            if self.full_pull.get(candidate):  # read whole this run: look in the staging table
                marks = ", ".join("?" for _ in emails)
                for email, sf_id in self.conn.execute(
                    f"SELECT email, sf_id FROM temp.stage WHERE sobject = ? AND email IN ({marks}) "
                    "AND deleted = 0 AND converted = 0",
                    [candidate, *emails],
                ):
                    matches.setdefault(email, []).append((candidate, sf_id))
            else:
                extra = " AND IsConverted = false" if candidate == "Lead" else ""
                for email, rows in self.sf.find_by_emails(candidate, emails, extra).items():
                    for row in rows:
                        matches.setdefault(email, []).append((candidate, row["Id"]))
        return matches

    def _match_one(
        self, person: dict, matches, kind: str, sobject: str, specs: list[FieldSpec]
    ) -> None:
        found = [
            f
            for f in matches.get(person["email"], [])
            if self.state.person_of(f[1]) in (None, person["id"])
        ]
        contacts = [f for f in found if f[0] == "Contact"]
        chosen = contacts or [f for f in found if f[0] == "Lead"]
        if len(chosen) > 1:
            self._count(sobject, "skipped")
            self.messages.append(
                f"{person['email']} matches {len(chosen)} Salesforce {chosen[0][0]}s "
                f"({', '.join(c[1] for c in chosen)}): not linked; merge them in Salesforce."
            )
            if not self.options.dry_run:
                self.state.record_error(
                    person["id"],
                    person["email"],
                    chosen[0][0],
                    None,
                    "match",
                    [],
                    "AMBIGUOUS_EMAIL",
                    f"{len(chosen)} {chosen[0][0]}s have this e-mail",
                )
            return
        if chosen:
            match_object, sf_id = chosen[0]
            self._link(person, match_object, sf_id, None)
            if not self.options.dry_run:
                self.to_fetch.setdefault(match_object, set()).add(person["id"])
            return
        self._plan_create(person, kind, sobject, specs)

    def _plan_create(self, person: dict, kind: str, sobject: str, specs: list[FieldSpec]) -> None:
        payload, mirror = {}, {}
        for spec in specs:
            lg = lg_value(spec, person, self.mapping)
            if spec.direction == "pull":
                # Salesforce's to set (its default included): never sent; the next run's
                # change query brings Salesforce's value here.
                mirror[spec.key] = {"lg": lg, "sf": None}
                continue
            sf = spec.converter.to_salesforce(lg)
            if spec.kind == OWNER and sf is None:
                if lg is not None:
                    self._owner_gap("leadgen", lg, sobject)
                # Not sent: Salesforce makes the integration user the owner (assignment rules
                # are off for our writes), unless the mapping lets the org's rules assign it.
                mirror[spec.key] = {
                    "lg": lg,
                    "sf": None if self.mapping.assignment_rules else self.me,
                }
                continue
            if sf is not None and self.sf_fields[sobject][spec.sf_field].get("createable", True):
                payload[spec.sf_field] = sf
            mirror[spec.key] = {"lg": lg, "sf": sf if spec.sf_field in payload else None}
        payload["Email"] = payload.get("Email") or person["email"]
        if sobject in self.external_ids:  # makes the create an upsert: safe to send again
            payload[self.external_ids[sobject]] = self._external_key(person["id"])
        for name, default in REQUIRED_DEFAULTS[sobject].items():
            if not payload.get(name):
                payload[name] = default
                for spec in specs:
                    if spec.sf_field == name:
                        mirror[spec.key] = {"lg": mirror.get(spec.key, {}).get("lg"), "sf": default}
        self._count(sobject, "created_in_salesforce")
        self._plan_item(
            person,
            sobject,
            "create",
            None,
            payload.get("Email"),
            "salesforce",
            "new in Lead Gen & CRM",
        )
        if not self.options.dry_run:
            self._journal("create", sobject, person, None, payload, mirror)

    # --- the merge of one linked pair ------------------------------------------------------------
    def _merge(
        self,
        person: dict,
        kind: str,
        sobject: str,
        specs: list[FieldSpec],
        sf_values: dict,
        modstamp,
        mirror: dict | None,
    ) -> None:
        link = self.state.link_of(person["id"])
        sf_id = link["sf_id"] if link else None
        resolutions = {c["field"]: c for c in self.state.pending_resolutions(person["id"])}
        to_sf, to_lg, mirror_now, mirror_later = {}, {}, {}, {}
        for spec in specs:
            lg = lg_value(spec, person, self.mapping)
            sf = sf_values.get(spec.sf_field)
            conv = spec.converter
            previous = mirror.get(spec.key) if mirror else None
            if spec.key in resolutions:
                # `conflicts resolve --take`: the chosen value goes to both sides.
                conflict = resolutions[spec.key]
                value = (
                    conflict["salesforce_value"]
                    if conflict["take"] == "salesforce"
                    else conflict["leadgen_value"]
                )
                as_sf = conv.to_salesforce(value)
                rule = f"conflict {conflict['id']} resolved: take {conflict['take']}"
                if not conv.same_lg(lg, value):
                    to_lg[spec.key] = value
                    self._plan_item(person, sobject, spec.key, lg, value, "leadgen", rule)
                if not conv.same_sf(sf, as_sf):
                    to_sf[spec.sf_field] = as_sf
                    mirror_later[spec.key] = {"lg": value, "sf": as_sf}
                    self._plan_item(person, sobject, spec.key, sf, as_sf, "salesforce", rule)
                else:
                    mirror_now[spec.key] = {"lg": value, "sf": as_sf}
                continue
            decision = merge_field(
                spec.direction,
                spec.rule,
                lg,
                sf,
                previous,
                conv.to_salesforce,
                conv.to_leadgen,
                person["field_changed_at"].get(spec.key),
                modstamp,
                conv.same_sf,
                conv.same_lg,
            )
            if spec.kind == OWNER:
                decision = self._owner_reachable(decision, lg, sf, sobject)
            if decision.conflict:
                self._count(sobject, "conflicts")
                if not self.options.dry_run:
                    self.state.record_conflict(
                        self.run_id,
                        person["id"],
                        person["email"],
                        sobject,
                        sf_id,
                        spec.key,
                        lg,
                        conv.to_leadgen(sf),
                        previous.get("lg") if previous else None,
                        decision.winner,
                        decision.rule,
                    )
            if decision.action == TO_SALESFORCE:
                to_sf[spec.sf_field] = decision.value
                mirror_later[spec.key] = decision.mirror
                self._plan_item(
                    person,
                    sobject,
                    spec.key,
                    sf,
                    decision.value,
                    "salesforce",
                    decision.rule if decision.conflict else decision.reason,
                )
            elif decision.action == TO_LEADGEN:
                to_lg[spec.key] = decision.value
                mirror_now[spec.key] = decision.mirror
                self._plan_item(
                    person,
                    sobject,
                    spec.key,
                    lg,
                    decision.value,
                    "leadgen",
                    decision.rule if decision.conflict else decision.reason,
                )
            else:
                mirror_now[spec.key] = decision.mirror
        if self.options.dry_run:
            if to_lg:
                self._count(sobject, "updated_here")
            if to_sf:
                self._count(sobject, "updated_in_salesforce")
            return
        if "email" in to_lg and not self._email_is_free(person, to_lg["email"], sobject):
            del to_lg["email"]
            mirror_now.pop("email", None)
        if to_lg:
            values = {("owner_user_id" if k == OWNER else k): v for k, v in to_lg.items()}
            self.leadgen.set_fields(person["id"], values)
            self._count(sobject, "updated_here")
        self.state.set_mirror(person["id"], sobject, mirror_now)
        if modstamp:
            self.state.touch_link(person["id"], modstamp)
        for conflict in resolutions.values():
            self.conn.execute(
                "UPDATE conflicts SET status = 'resolved', resolved_at = ? WHERE id = ?",
                [now_iso(), conflict["id"]],
            )
        if to_sf:
            self._count(sobject, "updated_in_salesforce")
            self._journal("update", sobject, person, sf_id, {"Id": sf_id, **to_sf}, mirror_later)
        else:
            self.state.clear_errors(
                person["id"]
            )  # nothing left to send: an earlier failure is over

    def _owner_reachable(self, decision: Decision, lg, sf, sobject: str) -> Decision:
        """An owner goes to the other side only when the owner mapping names it there; a value
        the other side cannot map is reported (the side named) and never written."""
        if decision.action == TO_SALESFORCE and decision.value is None:
            if lg is not None:
                self._owner_gap("leadgen", lg, sobject)
            return Decision(
                NONE,
                mirror={"lg": lg, "sf": sf},
                conflict=decision.conflict,
                winner=decision.winner,
                rule=decision.rule,
            )
        if decision.action == TO_LEADGEN and decision.value is None and sf is not None:
            self._owner_gap("salesforce", sf, sobject)
            return Decision(
                NONE,
                mirror={"lg": lg, "sf": sf},
                conflict=decision.conflict,
                winner=decision.winner,
                rule=decision.rule,
            )
        return decision

    def _owner_gap(self, side: str, value, sobject: str) -> None:
        self._count(sobject, "skipped")
        self.owner_gaps[(side, str(value))] += 1

    def _owner_gap_messages(self) -> None:
        for (side, value), count in sorted(self.owner_gaps.items()):
            if side == "salesforce":
                text = f"Salesforce owner {value} is not in the owner mapping"
                outcome = "their owner here was left as it is"
            else:
                user = next((u for u in self.leadgen.users() if str(u["id"]) == value), None)
                text = f"our owner {user['email'] if user else value} is not in the owner mapping"
                outcome = "their Salesforce owner was left as it is"
            self.messages.append(
                f"{text}: {count} record(s), {outcome}. Map it under owners: in the mapping."
            )

    def _email_is_free(self, person: dict, email, sobject: str) -> bool:
        """An e-mail changed in Salesforce comes here only if it is valid and no other person
        has it: people are keyed by e-mail, and two must never become one by accident."""
        try:
            address = normalise_email(email)
        except ValueError:
            address = None
        other = self.leadgen.by_email(address) if address else None
        if address and (other is None or other["id"] == person["id"]):
            return True
        self._count(sobject, "skipped")
        self.messages.append(
            f"{person['email']}: Salesforce changed its e-mail to {email!r}, which "
            + ("another person here has" if address else "is not valid")
            + "; kept ours."
        )
        return False

    def _plan_item(self, person, sobject, field_name, old, new, side, rule) -> None:
        self.plan_total += 1
        if not self.options.dry_run:
            return
        item = {
            "email": person.get("email"),
            "object": sobject,
            "field": field_name,
            "from": old,
            "to": new,
            "side": side,
            "rule": rule,
        }
        if len(self.plan) < PLAN_SHOWN:
            self.plan.append(item)
        # The whole plan, streamed to its file: however many changes, memory stays flat.
        if self.plan_out is None:
            path = self.options.plan_file or self.profile.dir / "plans" / f"{self.run_id}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.plan_path = str(path)
            self.plan_out = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in _finish
        self.plan_out.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")

    # --- the journal and applying it -----------------------------------------------------------
    def _journal(self, op, sobject, person, sf_id, payload, mirror) -> None:
        self.conn.execute(
            "INSERT INTO journal (run_id, op, sf_object, person_id, sf_id, email, payload, mirror, state, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)",
            [
                self.run_id,
                op,
                sobject,
                person["id"],
                sf_id,
                person["email"],
                json.dumps(payload),
                json.dumps(mirror),
                now_iso(),
            ],
        )

    def _apply(self) -> None:
        """Send what was journaled: sObject Collections in batches of 200, or Bulk API 2.0
        ingest jobs above the threshold. Rows are read from the journal as they go, so memory
        does not grow with the number of writes."""
        for op in ("create", "update"):
            for sobject in ("Lead", "Contact"):
                where = "run_id = ? AND state = 'planned' AND op = ? AND sf_object = ?"
                params = [self.run_id, op, sobject]
                total = self.conn.execute(
                    f"SELECT COUNT(*) FROM journal WHERE {where}", params
                ).fetchone()[0]
                if total > self.tuning.bulk_write_threshold:
                    self._apply_bulk(sobject, op, where, params)
                    continue
                sent = 0
                while rows := self.conn.execute(
                    f"SELECT id, payload FROM journal WHERE {where} ORDER BY id LIMIT ?",
                    [*params, self.tuning.collection_size],
                ).fetchall():
                    self._progress(f"sending {sobject} {op}s to Salesforce", sent)
                    self._send(sobject, op, [(str(r[0]), json.loads(r[1])) for r in rows])
                    sent += len(rows)

    def _send(
        self,
        sobject: str,
        op: str,
        items: list[tuple[str, dict]],
        retry_locked: int = 2,
        unknown_left: int = 3,
    ) -> None:
        with self.conn:  # journaled as sent before anything goes out
            self.conn.executemany(
                "UPDATE journal SET state = 'sent' WHERE id = ?", [(k,) for k, _ in items]
            )
        try:
            results = self.sf.write_collection(
                sobject,
                op,
                items,
                self.mapping.assignment_rules,
                self.external_ids.get(sobject),
            )
        except OutcomeUnknown:
            if not unknown_left:
                raise  # the journal keeps them 'sent': the next run settles them first
            # Creates Salesforce may have made before the answer was lost: look them up
            # before anything is sent again, and send only what is not there.
            found = self._find_created(sobject, [int(k) for k, _ in items])
            with self.conn:
                for key, sf_id in found.items():
                    self._settle(sobject, op, WriteResult(str(key), True, sf_id))
            rest = [(k, p) for k, p in items if int(k) not in found]
            if rest:
                self._send(sobject, op, rest, retry_locked, unknown_left - 1)
            return
        locked = []
        with self.conn:
            for result in results:
                if not result.success and result.code in TRANSIENT_RECORD_CODES and retry_locked:
                    locked.append(result.key)  # a locked row frees up in a moment: try it again
                    continue
                self._settle(sobject, op, result)
        self.sf.check_quota()
        if locked:
            time.sleep(self.client.retry_policy.delay(1))
            self._send(
                sobject, op, [(k, p) for k, p in items if k in set(locked)], retry_locked - 1
            )

    def _external_key(self, person_id: int) -> str:
        """Our external id of a person: which marketing side, and the person in it."""
        store = self.state.meta("leadgen_store_id")
        if store is None:
            store = uuid.uuid4().hex[:16]
            with self.conn:
                self.state.set_meta("leadgen_store_id", store)
        return f"local-{store}:{person_id}"

    def _find_created(self, sobject: str, journal_ids: list[int]) -> dict[int, str]:
        """Journal rows (creates) whose record Salesforce has: {journal id: Salesforce id}.
        By our external id where the org has one (exact), else by e-mail among the records the
        integration user created since the rows were journaled."""
        rows = self.conn.execute(
            f"SELECT id, email, payload, created_at FROM journal WHERE id IN "
            f"({', '.join('?' for _ in journal_ids)})",
            journal_ids,
        ).fetchall()
        if not rows:
            return {}
        field = self.external_ids.get(sobject)
        found: dict[int, str] = {}
        if field:
            keys = {json.loads(r[2]).get(field): r[0] for r in rows}
            for key, record in self.sf.find_by_values(
                sobject, field, sorted(k for k in keys if k)
            ).items():
                found[keys[key]] = record["Id"]
            return found
        # Salesforce's clock and ours may differ: an hour's margin (our user's creates only).
        since = (
            datetime.datetime.fromisoformat(min(r[3] for r in rows).replace("Z", "+00:00"))
            - datetime.timedelta(hours=1)
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        extra = f" AND CreatedDate >= {since}" + (
            f" AND CreatedById = {soql_quote(self.me)}" if self.me else ""
        )
        hits = self.sf.find_by_emails(sobject, sorted({r[1] for r in rows}), extra)
        for journal_id, email, _, _ in rows:
            matches = hits.get(email, [])
            if matches:
                found[journal_id] = matches[0]["Id"]
        return found

    def _apply_bulk(self, sobject: str, op: str, where: str, params: list) -> None:
        while True:
            ids = [
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM journal WHERE {where} ORDER BY id LIMIT ?",
                    [*params, self.tuning.bulk_job_rows],
                )
            ]
            if not ids:
                return
            span = f"{where} AND id BETWEEN ? AND ?"
            span_params = [*params, ids[0], ids[-1]]
            with self.conn:
                self.conn.execute(f"UPDATE journal SET state = 'sent' WHERE {span}", span_params)
            sent = [
                "run_id = ? AND state = 'sent' AND op = ? AND sf_object = ? AND id BETWEEN ? AND ?",
                span_params,
            ]

            def payloads(sent=sent):
                for (payload,) in self.conn.execute(
                    f"SELECT payload FROM journal WHERE {sent[0]} ORDER BY id", sent[1]
                ):
                    yield json.loads(payload)

            def journal_job(job_id: str, sent=sent) -> None:
                with self.conn:  # a crash from here on is settled from the job's results
                    self.conn.execute(
                        f"UPDATE journal SET batch = ? WHERE {sent[0]}", [job_id, *sent[1]]
                    )

            job_id = self.sf.bulk_ingest(
                sobject, op, payloads, journal_job, self.external_ids.get(sobject)
            )
            key_column = "email" if op == "create" else "sf_id"
            batch = []
            key_of = (
                (lambda row: (row.get("Email") or "").lower())
                if op == "create"
                else (lambda row: row.get("Id") or row.get("sf__Id"))
            )
            for result in self.sf.bulk_results(job_id, key_of, len(ids)):
                row = self.conn.execute(
                    f"SELECT id FROM journal WHERE {sent[0]} AND {key_column} = ?",
                    [*sent[1], result.key],
                ).fetchone()
                if row is None:
                    continue
                result.key = str(row[0])
                batch.append(result)
                if len(batch) >= self.tuning.chunk:
                    self._settle_many(sobject, op, batch)
                    batch = []
            self._settle_many(sobject, op, batch)
            unprocessed = self.conn.execute(
                f"SELECT id FROM journal WHERE {sent[0]}", sent[1]
            ).fetchall()
            self._settle_many(
                sobject,
                op,
                [
                    WriteResult(
                        str(r[0]), False, None, "UNPROCESSED", "Salesforce did not process this row"
                    )
                    for r in unprocessed
                ],
            )
            self.sf.check_quota()

    def _settle_many(self, sobject: str, op: str, results: list[WriteResult]) -> None:
        with self.conn:
            for result in results:
                self._settle(sobject, op, result)

    def _settle(self, sobject: str, op: str, result: WriteResult) -> None:
        row = self.conn.execute(
            "SELECT person_id, email, mirror, payload FROM journal WHERE id = ?", [int(result.key)]
        ).fetchone()
        person_id, email, mirror, payload = (
            row[0],
            row[1],
            json.loads(row[2] or "{}"),
            json.loads(row[3]),
        )
        if result.success:
            self.conn.execute(
                "UPDATE journal SET state = 'settled', sf_id = ?, settled_at = ? WHERE id = ?",
                [result.sf_id, now_iso(), int(result.key)],
            )
            if op == "create":
                self.state.set_link(person_id, sobject, result.sf_id, None)
            self.state.set_mirror(person_id, sobject, mirror)
            self.state.clear_errors(person_id)
            return
        self.conn.execute(
            "UPDATE journal SET state = 'failed', error = ?, settled_at = ? WHERE id = ?",
            [f"{result.code}: {result.message}", now_iso(), int(result.key)],
        )
        if op == "update" and result.code in GONE_CODES and payload.get("Id"):
            # Deleted, merged away or purged since we read it: found out below, like any
            # deletion Salesforce reports (reconcile.py), not an error to retry forever.
            self.gone.setdefault(sobject, {})[payload["Id"]] = person_id
            self._count(sobject, "updated_in_salesforce", -1)
            return
        self.state.record_error(
            person_id,
            email,
            sobject,
            payload.get("Id"),
            op,
            result.fields or [],
            result.code,
            result.message,
        )
        self._count(sobject, "errors")
        self._count(
            sobject, "created_in_salesforce" if op == "create" else "updated_in_salesforce", -1
        )
        self.messages.append(
            f"{email}: Salesforce rejected the {op} ({result.code}: {result.message})."
        )

    def _advance_cursors(self, signpost: str) -> None:
        with self.conn:
            for sobject, top in self.sales_tops.items():
                self.state.set_cursor(f"salesforce:{sobject}", top)
            for name in self.options.only:
                if name not in OBJECTS:
                    continue
                kind, sobject = OBJECTS[name]
                top = sf_cursor(
                    self.query_started.get(sobject),
                    self.conn.execute(
                        "SELECT MAX(modstamp) FROM temp.stage WHERE sobject = ?", [sobject]
                    ).fetchone()[0],
                )
                if top:
                    self.state.set_cursor(f"salesforce:{sobject}", top)
                elif self.state.cursor(f"salesforce:{sobject}") is None:
                    self.state.set_cursor(f"salesforce:{sobject}", "1970-01-01T00:00:00.000Z")
                self.state.set_cursor(f"leadgen:{kind}", signpost)
            if self.links_checked:
                self.state.set_cursor("reconcile:salesforce", signpost)

    # --- after a crash ---------------------------------------------------------------------------
    def _reconcile(self) -> None:
        """Settle what an earlier run journaled but never settled. Planned rows never left: drop
        them (this run plans again). Sent updates are re-planned (sending a value twice is
        harmless) and their records re-read. A sent create may have reached Salesforce: look it
        up before retrying."""
        leftover = self.conn.execute(
            "SELECT id, op, sf_object, person_id, email, mirror, batch, state FROM journal "
            "WHERE state IN ('planned', 'sent') ORDER BY id"
        ).fetchall()
        if not leftover:
            return
        creates = [r for r in leftover if r[1] == "create" and r[7] == "sent"]
        for job_id in {r[6] for r in creates if r[6]}:
            self._finish_bulk_job(job_id)
        by_object: dict[str, list] = {}
        for row in creates:
            by_object.setdefault(row[2], []).append(row)
        for sobject, rows in by_object.items():
            pending = [r for r in rows if self.state.link_of(r[3]) is None]
            if not pending:
                continue
            found = self._find_created(sobject, [r[0] for r in pending])
            with self.conn:
                for row in pending:
                    if row[0] in found:
                        # Ours, created by the interrupted run: link it rather than create again.
                        self.state.set_link(row[3], sobject, found[row[0]], None)
                        self.state.set_mirror(row[3], sobject, json.loads(row[5] or "{}"))
        with self.conn:
            self.conn.executemany(
                "UPDATE journal SET state = 'abandoned', settled_at = ? WHERE id = ?",
                [(now_iso(), r[0]) for r in leftover],
            )

    def _finish_bulk_job(self, job_id: str) -> None:
        try:
            info = self.sf.call(
                lambda sf: sf.restful(f"jobs/ingest/{job_id}"), "an interrupted Bulk job"
            )
        except LgcrmError:
            return
        if info["state"] in ("Open",):
            self.sf.call(
                lambda sf: sf.restful(
                    f"jobs/ingest/{job_id}", method="PATCH", json={"state": "Aborted"}
                ),
                "aborting an interrupted Bulk job",
            )
            return
        if info["state"] in ("UploadComplete", "InProgress"):
            self.sf._wait(f"jobs/ingest/{job_id}")
