"""`lgcrm-sf migrate sales`: the Lead Gen & CRM account's own accounts, opportunities and
opportunity-lead links into Salesforce, after `connect` and before the first sync. It reads the
org (sales_org.py), settles what a killed run left, plans every object (sales_plan.py), asks,
then writes accounts, opportunities, lead conversions and contact roles in that order
(sales_write.py), with every source id and the Salesforce id it became in the profile's state
(store/migrated.py), which the first sync reads to link them. The profile's sync lock is held
from the plan to the last write."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from ..clock import utc_now
from ..config import Profile
from ..engine.lock import ProfileLock
from ..errors import ConfigError
from ..i18n import N_, _
from ..leadgen.store import LeadGenStore
from ..mapping.service import mapping_for
from ..salesforce.connection import open_client
from ..salesforce.identity import read_identity
from ..salesforce.side import SalesforceSide
from ..store.sync_state import SyncState
from .sales_contacts import ContactResolver, Conversion, plan_links
from .sales_org import OrgFacts, check_stages, read_org_facts
from .sales_plan import ObjectPlan, Planner
from .sales_records import account_candidates, opportunity_candidates
from .sales_report import LEFT, OBJECT_CHOICES, SalesReport
from .sales_results import ResultsFile
from .sales_source import LocalSalesSource, SalesSource
from .sales_stages import stage_rows
from .sales_write import SalesWriter

DECLINED = N_("Not migrated: the confirmation word (Confirm) was not typed. Nothing was written.")


@dataclass
class SalesRequest:
    profile: Profile
    objects: list[str]  # keys of OBJECT_CHOICES
    convert_leads: bool = False
    dry_run: bool = False
    run_id: int = 0


def local_source(state: SyncState) -> LocalSalesSource:
    """The profile's own data, under the store id the sync's external ids name."""
    store_id = state.meta.get("leadgen_store_id")
    if store_id is None:
        store_id = uuid.uuid4().hex[:16]
        with state.conn:
            state.meta.set("leadgen_store_id", store_id)
    return LocalSalesSource(LeadGenStore(state.db), store_id)


def source_of(profile, state: SyncState) -> SalesSource:
    """The marketing side the profile syncs with: its Lead Gen & CRM account through the API
    when connected to one (its leads named by our copy's people), else the local store."""
    settings = profile.load()
    if not settings.leadgen_account_id:
        return local_source(state)
    from ..mapping.account_side import account_client
    from .sales_source_api import AccountSalesSource

    store = LeadGenStore(state.db)

    def person_of(lead_id: int) -> tuple[int, str] | None:
        person = store.by_account_id(lead_id)
        return (person["id"], person["email"]) if person else None

    client = account_client(profile, settings, state)
    return AccountSalesSource(client, settings.leadgen_account_id, person_of)


def migrate_sales(
    request: SalesRequest,
    confirm: Callable[[SalesReport], bool],
    tell: Callable[[str, str, int], None] | None = None,
    source: SalesSource | None = None,
) -> SalesReport:
    """Plan, ask, write. `confirm(report)` sees the plan before the first write. The source is
    the profile's marketing side (source_of) unless given."""
    started = time.perf_counter()
    _settings, client = open_client(request.profile)
    identity = read_identity(client)
    side = SalesforceSide(client, integration_user_id=identity.user_id)
    state = SyncState(request.profile.state_path)
    source = source or source_of(request.profile, state)
    report = SalesReport(request.dry_run, identity.org_id, identity.org_name, source.key)
    profile = request.profile
    lock = nullcontext() if request.dry_run else ProfileLock(profile.lock_path, profile.name)
    with lock:
        mapping = mapping_for(profile)
        facts = read_org_facts(side, identity.user_id, mapping, request.convert_leads)
        chosen = [OBJECT_CHOICES[name] for name in request.objects]
        if "Opportunity" in chosen:
            check_stages(mapping, facts, source.opportunities())
        if request.convert_leads and not facts.converted_status:
            raise ConfigError(
                _("--convert-leads: the org has no Lead Status marked Converted."),
                _("add one in Setup > Object Manager > Lead > Fields > Lead Status."),
            )
        writer = None
        if not request.dry_run:
            writer = _writer(request, side, state, source, facts, tell or tell_nothing)
            report.settled = sum(len(writer.settle_lost(s)) for s in OBJECT_CHOICES.values())
        job = _Job(side, state, source, facts, mapping, request, report)
        job.plan(chosen)
        if writer is not None:
            _write(job, writer, chosen, confirm)
    report.api_calls = client.counter.calls
    report.seconds = time.perf_counter() - started
    return report


def _write(job: _Job, writer: SalesWriter, chosen: list[str], confirm) -> None:
    """Ask, then write; the results file is closed (renamed into place) however it ends, with
    every record settled so far."""
    report = job.report
    try:
        if report.writes and not confirm(report):
            raise ConfigError(_(DECLINED))
        job.execute(writer, chosen)
    finally:
        report.results_file = str(writer.results.close())
        report.done = dict(writer.results.tally)


def _writer(request, side, state, source, facts: OrgFacts, tell) -> SalesWriter:
    stamp = utc_now().replace("-", "").replace(":", "")
    directory = request.profile.dir / "migrations" / f"sales-{stamp}-run{request.run_id}"
    results = ResultsFile(directory)
    return SalesWriter(side, state, source, facts, request.run_id, results, tell)


def tell_nothing(*_args) -> None:
    return None


class _Job:
    def __init__(self, side, state, source: SalesSource, facts, mapping, request, report):
        self.side, self.state, self.source, self.facts = side, state, source, facts
        self.mapping, self.request, self.report = mapping, request, report
        maps = {n: state.migrated.of_object(n, source.key) for n in OBJECT_CHOICES.values()}
        self.planner = Planner(side, maps)
        self.resolver = ContactResolver(side, state.links, request.convert_leads)

    def plan(self, chosen: list[str]) -> None:
        plans, planner = self.report.plans, self.planner
        if "Account" in chosen:
            notes = Counter()
            candidates = account_candidates(self.source.accounts(), self.facts, notes)
            plans["Account"] = planner.plan("Account", candidates, notes)
        if "Opportunity" in chosen:
            notes = Counter()
            opportunities = self.source.opportunities()
            defaults = {s.name: s.default_probability for s in self.source.deal_stages()}
            candidates = opportunity_candidates(
                opportunities, planner, self.mapping, self.facts, notes, defaults
            )
            plans["Opportunity"] = planner.plan("Opportunity", candidates, notes)
            self.report.stages = stage_rows(opportunities, candidates, self.facts)
        if "OpportunityContactRole" in chosen:
            links = self.source.opportunity_leads()
            plans["OpportunityContactRole"] = plan_links(planner, links, self.resolver)
            self.report.conversions = len(self._conversions())

    def _conversions(self) -> set[str]:
        plan = self.report.plans.get("OpportunityContactRole")
        return {
            value.lead_id
            for item in (plan.of("create") if plan else [])
            for value in item.values.values()
            if isinstance(value, Conversion)
        }

    def execute(self, writer: SalesWriter, chosen: list[str]) -> None:
        for sobject in chosen:
            plan = self.report.plans[sobject]
            if sobject == "OpportunityContactRole":
                writer.convert(self._accounts_of_conversions(plan))
                writer.link(sobject, plan.of("link"))
            writer.create(sobject, plan.of("create"))
            writer.update(sobject, plan.of("update"))
            for item in plan.of(*LEFT):
                writer.results.add(sobject, item.source_id, item.sf_id, item.action, item.reason)
            writer.results.flush()

    def _accounts_of_conversions(self, plan: ObjectPlan) -> dict[str, tuple[int, str | None]]:
        """{lead id: (person id, the account it joins: its opportunity's)}."""
        out = {}
        opportunities = self.state.migrated.of_object("Opportunity", self.source.key)
        for item in plan.of("create"):
            contact = item.values["ContactId"]
            if not isinstance(contact, Conversion) or contact.lead_id in out:
                continue
            opportunity = self.resolver.account_of.get(contact.lead_id)
            row = opportunities.get(opportunity) or {}
            out[contact.lead_id] = (contact.person_id, (row.get("sent") or {}).get("AccountId"))
        return out
