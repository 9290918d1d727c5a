"""One sync run, as the order of its phases. Each phase says in its own module why it is safe
to be killed; in short: our side's writes and the mirror are committed together in SQLite; a
Salesforce write is journaled before it goes out and settled in one transaction after
Salesforce answers; cursors move only at the end of a run. A rerun after a crash re-reads the
same changes: what was applied merges to nothing, what was not is planned again, and a create
that may have reached Salesforce is looked up before it is retried."""

from __future__ import annotations

import time
from collections import Counter

from ..clock import utc_now
from ..config import Profile, ProfileSettings
from ..errors import ExitCode, LgcrmError, PrereqsFailed, QuotaReserveReached
from ..i18n import N_, _, deferred
from ..leadgen.store import LeadGenStore
from ..mapping.account_side import account_client
from ..mapping.model import Mapping
from ..salesforce.backup import FIRST_SYNC_OBJECTS
from ..salesforce.client import SalesforceClient
from ..salesforce.prereqs import backup_check
from ..salesforce.side import SalesforceSide, Sizes, cursor_after
from ..store.catalog import Catalog
from ..store.sync_state import SyncState
from .account_dry_run import plan_account_writes, throwaway_state
from .account_first_sync import PageMatcher, matches_while_reading
from .account_push import push_people
from .account_refresh import refresh_copy
from .account_sales import push_sales
from .apply import apply_journal, settle_early
from .context import OBJECTS, Sync
from .engagements import push_engagements
from .leadgen_changes import apply_leadgen_changes
from .link_checks import check_daily, check_gone
from .opportunities import SALES_OBJECTS, pull_sales
from .options import SYNCABLE, SyncOptions, Tuning  # noqa: F401 - re-exported
from .recovery import settle_leftovers
from .report import ACCOUNT, Report, SyncResult
from .salesforce_changes import apply_staged, stage
from .setup import prepare

MESSAGES = {
    "no_backup": N_(
        "This is the profile's first sync and it needs a complete, verified backup of "
        "org {org}: {why}."
    ),
    "no_backup_fix": N_(
        "run `lgcrm-sf backup` and `lgcrm-sf backup verify DIR` first (or pass "
        "--no-backup-check, at your own risk)."
    ),
}


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
        state = SyncState(profile.state_path, profile.log_path)
        tuning = options.tuning
        sizes = Sizes(tuning.bulk_read_threshold, tuning.bulk_page_rows, tuning.emails_per_query)
        objects = [sobject for name, (_, sobject) in OBJECTS.items() if name in options.only]
        objects += list(SALES_OBJECTS) if "opportunities" in options.only else []
        objects += ["Task"] if "engagements" in options.only else []
        self.context = Sync(
            profile=profile,
            settings=settings,
            mapping=mapping,
            options=options,
            state=state,
            leadgen=LeadGenStore(state.db, sales_read_only=True),
            sf=SalesforceSide(client, sizes, integration_user_id=settings.user_id),
            report=Report(objects, options.dry_run, options.plan_file),
        )
        if settings.account_mode:
            self.context.account = account_client(profile, settings, state)
            self.context.report.counts[ACCOUNT] = Counter()

    def sync(self) -> SyncResult:
        sync, started = self.context, time.perf_counter()
        calls_before = sync.sf.calls
        self._backup_gate()
        sync.run_id = sync.state.runs.start("sync", sync.dry_run)
        if self.record is not None:
            self.record.run_id = sync.run_id
        sync.report.plan_to(sync.profile.dir / "plans" / f"{sync.run_id}.jsonl")
        sync.signpost = utc_now()  # "now" for this run: our side's cursor never passes it
        status, message, code = "ok", None, 0
        try:
            self._phases()
            status = self._status()
        except QuotaReserveReached as exc:
            status, message, code = "quota", exc.message, int(exc.exit_code)
            sync.report.say(exc.message)
        except KeyboardInterrupt:
            self._finish(started, calls_before, "interrupted", int(ExitCode.INTERRUPTED), None)
            raise
        except LgcrmError as exc:
            self._finish(started, calls_before, "failed", int(exc.exit_code), exc.message)
            raise
        except BaseException as exc:
            self._finish(started, calls_before, "failed", 70, type(exc).__name__)
            raise
        if status == "record_errors":
            code = int(ExitCode.RECORD_ERRORS)
        return self._finish(started, calls_before, status, code, message)

    def _phases(self) -> None:
        sync = self.context
        prepare(sync)  # a mapping the org refuses stops the run before any write
        if sync.account is not None and sync.dry_run:
            # Account mode's dry run: the account read into a throwaway copy of the state,
            # the plan made against it (engine/account_dry_run.py).
            with throwaway_state(sync):
                refresh_copy(sync)
                self._sync_phases()
                if "engagements" in sync.options.only:
                    push_engagements(sync)  # planned from the account's events just read
                plan_account_writes(sync)
            return
        if matches_while_reading(sync):
            # A first account read: Salesforce read first, the people matched page by page
            # as the account is read (engine/account_first_sync.py).
            settle_leftovers(sync)
            self._read_salesforce()
            matcher = PageMatcher(sync)
            refresh_copy(sync, matcher)
            if sync.work.after_early:
                # Creates sent early for people whose lead came again: settled now, so that
                # the usual phases merge what changed since as for any linked person.
                settle_early(sync)
                with sync.state.conn:
                    sync.state.scratch.undo(sorted(sync.work.after_early))
            matcher.read_done()  # processed by Salesforce while the usual phases run
            self._sync_phases(staged=True)
        else:
            if sync.account is not None:
                refresh_copy(sync)  # account mode: our copy of the account brought up to date
            if not sync.dry_run:
                settle_leftovers(sync)
            self._sync_phases()
        if sync.account is not None and not sync.dry_run:
            push_people(sync)  # account mode: what the sync changed in the copy, to the account
            if "opportunities" in sync.options.only:
                push_sales(sync)
        if "engagements" in sync.options.only:
            sync.progress(_("sending engagements as Tasks"))
            push_engagements(sync)
        if not sync.dry_run:
            self._advance_cursors()

    def _read_salesforce(self) -> None:
        sync = self.context
        for _kind, sobject in sync.chosen():  # both read first: matching is Contact, then Lead
            stage(sync, sobject)
        sync.sf.reserve_from(sync.options.api_reserve, sync.options.reserve_percent)
        check_daily(sync)

    def _sync_phases(self, staged: bool = False) -> None:
        """Salesforce's changes and ours, merged (planned only in a dry run)."""
        sync = self.context
        chosen = sync.chosen()
        if not staged:
            self._read_salesforce()
        for kind, sobject in chosen:
            apply_staged(sync, kind, sobject)
        for kind, sobject in chosen:
            apply_leadgen_changes(sync, kind, sobject)
        if "opportunities" in sync.options.only:
            pull_sales(sync)
        if not sync.dry_run:
            apply_journal(sync)
            check_gone(sync)

    def _status(self) -> str:
        if self.context.dry_run:
            return "dry_run"
        return "record_errors" if self.context.report.any_errors() else "ok"

    def _backup_gate(self) -> None:
        sync = self.context
        if sync.options.no_backup_check or not sync.state.is_first_sync():
            return
        org = sync.settings.org_id
        catalog = Catalog(sync.state.db)
        check = backup_check(org, *catalog.backup_covering(org, FIRST_SYNC_OBJECTS))
        if check.status != "pass":
            raise PrereqsFailed(
                deferred(MESSAGES["no_backup"], org=org, why=check.evidence),
                deferred(MESSAGES["no_backup_fix"]),
            )

    def _advance_cursors(self) -> None:
        sync, cursors = self.context, self.context.state.cursors
        with sync.state.conn:
            for sobject, top in sync.work.sales_cursors.items():
                cursors.set(f"salesforce:{sobject}", top)
            for kind, sobject in sync.chosen():
                top = cursor_after(
                    sync.work.query_started.get(sobject),
                    sync.state.scratch.newest_modstamp(sobject),
                )
                if top:
                    cursors.set(f"salesforce:{sobject}", top)
                elif cursors.get(f"salesforce:{sobject}") is None:
                    cursors.set(f"salesforce:{sobject}", "1970-01-01T00:00:00.000Z")
                cursors.set(f"leadgen:{kind}", sync.signpost)
            if sync.work.links_checked:
                cursors.set("reconcile:salesforce", sync.signpost)

    def _finish(self, started, calls_before, status, code, message) -> SyncResult:
        sync = self.context
        if sync.account is not None:
            sync.report.counts[ACCOUNT]["api_calls"] = sync.account.calls
        sync.report.close({str(u["id"]): u["email"] for u in sync.leadgen.users()})
        counter = sync.sf.usage()
        result = SyncResult(
            sync.run_id,
            status,
            sync.report.summary(),
            counter.calls - calls_before,
            time.perf_counter() - started,
            sync.report.plan,
            sync.report.plan_total,
            sync.report.messages,
            counter.api_used,
            counter.api_max,
            sync.mapping.source,
            sync.report.plan_file,
        )
        if sync.run_id:
            sync.state.runs.record_outcome(
                sync.run_id,
                status,
                code,
                result.summary,
                result.api_calls,
                counter.api_used,
                counter.api_max,
                message,
            )
        return result
