"""What every phase of one sync run works with: the two sides, the profile's state, the
mapping as checked against the org, the run's options and report, and the work the phases hand
each other (people to read by Id, people a Salesforce record matched, records a write found
gone). One object, passed explicitly: no phase keeps its own copy."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Profile, ProfileSettings
from ..i18n import translator
from ..leadgen.store import LeadGenStore
from ..mapping.model import Mapping
from ..salesforce.side import SalesforceSide
from ..store.sync_state import SyncState
from .fields import FieldSpec, OwnerConverter
from .options import SyncOptions, Tuning
from .report import Report

# Our kinds of people and the Salesforce object each syncs with.
OBJECTS = {"leads": ("lead", "Lead"), "contacts": ("contact", "Contact")}


@dataclass
class Work:
    """What a phase leaves for a later one, all by person id (or Salesforce id)."""

    to_read: dict[str, set[int]] = field(default_factory=dict)  # object -> read by Id, merge
    matched_here: dict[str, set[int]] = field(default_factory=dict)  # kind -> match by e-mail
    full_pull: dict[str, bool] = field(default_factory=dict)  # object -> read whole this run
    gone: dict[str, dict[str, int]] = field(default_factory=dict)  # object -> {sf id: person}
    query_started: dict = field(default_factory=dict)  # object -> the org's time of its query
    sales_cursors: dict[str, str] = field(default_factory=dict)
    links_checked: bool = False
    jobs_in_flight: list = field(default_factory=list)  # Bulk jobs sent early (early_jobs.py)
    memo: dict = field(default_factory=dict)  # what a phase works out once a run
    # A first account sync (account_first_sync.py): people matched to a Salesforce record while
    # the account was read, and people whose create went out early though their lead came again.
    matched_while_reading: set[int] = field(default_factory=set)
    after_early: set[int] = field(default_factory=set)
    throwaway: bool = False  # account mode's dry run: the state is a copy, thrown away after


@dataclass
class Sync:
    profile: Profile
    settings: ProfileSettings
    mapping: Mapping
    options: SyncOptions
    state: SyncState
    leadgen: LeadGenStore
    sf: SalesforceSide
    report: Report
    run_id: int = 0
    signpost: str = ""  # "now" for this run: our side's cursor never passes it
    sf_fields: dict[str, dict] = field(default_factory=dict)  # object -> described fields
    specs: dict[str, list[FieldSpec]] = field(default_factory=dict)  # object -> what syncs
    owners: OwnerConverter | None = None
    external_ids: dict[str, str] = field(default_factory=dict)  # object -> our external id
    work: Work = field(default_factory=Work)
    # The real Lead Gen & CRM account's API client (leadgen/api), None in local mode.
    account: object | None = None

    def written(self, text: str) -> str:
        """A text the sync writes into Salesforce (a Task's subject, a placeholder), in the
        profile's `language`: whoever runs cron, whatever their shell's LANG."""
        return translator(self.settings.language)(text)

    @property
    def tuning(self) -> Tuning:
        return self.options.tuning

    @property
    def dry_run(self) -> bool:
        return self.options.dry_run

    @property
    def integration_user_id(self) -> str | None:
        return self.settings.user_id

    def chosen(self) -> list[tuple[str, str]]:
        """(kind, object) pairs this run syncs, Lead before Contact."""
        return [OBJECTS[n] for n in ("leads", "contacts") if n in self.options.only]

    def progress(self, phase: str, records: int = 0) -> None:
        if self.options.progress is not None:
            self.options.progress(phase, records, self.sf.calls)

    def done(self, person_id: int) -> None:
        """This run has dealt with the person (a scratch table: memory stays flat)."""
        self.state.scratch.done(person_id)
