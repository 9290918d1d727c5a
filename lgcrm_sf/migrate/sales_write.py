"""Writing the plan of `migrate sales`: creates and updates in sObject Collections of 200, each
batch of creates journaled in the id map before it goes out and settled with Salesforce's answer
in one transaction; a create is an upsert on our external-id field where the org has one (safe
to send again), else a lost answer is looked up (sales_lookup.py) before anything is sent again.
Leads to convert go through SOAP convertLead, whose lost answer is read back from the leads."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import islice

from ..errors import OutcomeUnknown
from ..i18n import _
from ..salesforce import soap
from ..salesforce.collections import MAX_RECORDS
from ..salesforce.side import SalesforceSide
from ..store.sync_state import SyncState
from .sales_contacts import Conversion
from .sales_lookup import find_created
from .sales_org import OrgFacts
from .sales_plan import Item, Ref
from .sales_results import ResultsFile
from .sales_source import SalesSource

LOST_ANSWER_ATTEMPTS = 3


def batched(items, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class SalesWriter:
    def __init__(
        self,
        side: SalesforceSide,
        state: SyncState,
        source: SalesSource,
        facts: OrgFacts,
        run_id: int,
        results: ResultsFile,
        tell: Callable[[str, str, int], None],
    ) -> None:
        self.side, self.state, self.source, self.facts = side, state, source, facts
        self.run_id, self.results, self.tell = run_id, results, tell
        self.converted: dict[str, str] = {}  # lead id -> its contact id
        self.done = 0

    # --- references ------------------------------------------------------------------------
    def resolved(self, values: dict) -> tuple[dict, str]:
        """The values with every reference made an id, or the reason one cannot be."""
        out = {}
        for name, value in values.items():
            if isinstance(value, Ref):
                sf_id = self.state.migrated.sf_id_of(
                    value.sobject, self.source.key, value.source_id
                )
                if not sf_id:
                    return {}, _("its {object} {id} was not created (see its result)").format(
                        object=value.sobject, id=value.source_id
                    )
                value = sf_id
            elif isinstance(value, Conversion):
                if value.lead_id not in self.converted:
                    return {}, _("its Lead {id} was not converted (see its result)").format(
                        id=value.lead_id
                    )
                value = self.converted[value.lead_id]
            out[name] = value
        return out, ""

    def org_clock(self) -> str:
        """The org's clock at its last answer (Date header), before a batch goes out."""
        moment = self.side.client.counter.server_time
        if moment is None:
            moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- creates -----------------------------------------------------------------------------
    def create(self, sobject: str, items: list[Item]) -> None:
        for batch in batched(items, MAX_RECORDS):
            ready = []
            for item in batch:
                values, why = self.resolved(item.values)
                if why:
                    self.results.add(sobject, item.source_id, None, "unresolved", why)
                else:
                    ready.append((item, values))
            if ready:
                self._create_batch(sobject, ready, LOST_ANSWER_ATTEMPTS)
            self.results.flush()

    def _create_batch(self, sobject: str, ready: list, attempts: int) -> None:
        field = self.facts.external_ids.get(sobject)
        since = self.org_clock()
        with self.state.conn:  # journaled before anything goes out
            self.state.migrated.journal_creates(
                sobject,
                self.source.key,
                [(item.source_id, values, item.stamp) for item, values in ready],
                since,
                self.run_id,
            )
        send = [
            (item.source_id, values | ({field: self.source.external_key(item.source_id)}))
            if field
            else (item.source_id, values)
            for item, values in ready
        ]
        try:
            answers = self.side.write_many(sobject, "create", send, False, field)
        except OutcomeUnknown:
            found = self.settle_lost(sobject)
            rest = [(item, values) for item, values in ready if item.source_id not in found]
            if rest and attempts > 1:
                self._create_batch(sobject, rest, attempts - 1)
            elif rest:
                raise
            return
        by_id = {item.source_id: (item, values) for item, values in ready}
        with self.state.conn:
            for answer in answers:
                item, values = by_id[answer.key]
                self._settled(sobject, item, values, answer, "created")
        self._progress(sobject, "created", len(answers))

    def _settled(self, sobject: str, item: Item, values: dict, answer, action: str) -> None:
        migrated, key = self.state.migrated, self.source.key
        if answer.success:
            migrated.settle(sobject, key, item.source_id, answer.sf_id, values, item.stamp)
            self.results.add(sobject, item.source_id, answer.sf_id, action)
            return
        error = f"{answer.code}: {answer.message}"
        migrated.fail(sobject, key, item.source_id, error)
        self.results.add(sobject, item.source_id, item.sf_id, "failed", error)

    def settle_lost(self, sobject: str) -> set[str]:
        """Creates journaled but never settled (this run's lost answer, or a killed run's):
        those Salesforce made are settled; the rest forgotten, to be created again."""
        rows = [
            r
            for r in self.state.migrated.of_object(sobject, self.source.key).values()
            if r["state"] == "sent" and not r["sf_id"]
        ]
        if not rows:
            return set()
        found = find_created(
            self.side,
            sobject,
            rows,
            self.facts.external_ids.get(sobject),
            self.source.external_key,
            self.state.migrated.sf_ids(sobject),
        )
        with self.state.conn:
            for row in rows:
                sid = row["source_id"]
                if sid in found:
                    self.state.migrated.settle(
                        sobject, self.source.key, sid, found[sid], row["sent"], row["source_stamp"]
                    )
                    self.results.add(sobject, sid, found[sid], "created")
            lost = [r["source_id"] for r in rows if r["source_id"] not in found]
            self.state.migrated.forget_unsent(sobject, self.source.key, lost)
        return set(found)

    # --- updates and links -------------------------------------------------------------------
    def update(self, sobject: str, items: list[Item]) -> None:
        for batch in batched(items, MAX_RECORDS):
            ready = []
            for item in batch:
                send, why = self.resolved(item.send or {})
                full, _why = self.resolved(item.values)
                if why:
                    self.results.add(sobject, item.source_id, item.sf_id, "unresolved", why)
                else:
                    ready.append((item, send, full))
            send = [(item.source_id, {"Id": item.sf_id, **s}) for item, s, _full in ready]
            answers = self.side.write_many(sobject, "update", send) if send else []
            by_id = {item.source_id: (item, full) for item, _s, full in ready}
            with self.state.conn:
                for answer in answers:
                    item, full = by_id[answer.key]
                    self._settled(sobject, item, full, answer, "updated")
            self._progress(sobject, "updated", len(answers))

    def link(self, sobject: str, items: list[Item]) -> None:
        """Records Salesforce already has (a contact role): mapped, not created again."""
        with self.state.conn:
            for item in items:
                values, _why = self.resolved(item.values)
                self.state.migrated.settle(
                    sobject, self.source.key, item.source_id, item.sf_id, values, item.stamp
                )
                self.results.add(sobject, item.source_id, item.sf_id, "linked")

    def _progress(self, sobject: str, action: str, count: int) -> None:
        self.done += count
        self.results.flush()
        self.tell(sobject, action, self.done)

    # --- lead conversion ---------------------------------------------------------------------
    def convert(self, conversions: dict[str, tuple[int, str | None]]) -> None:
        """{lead id: (person id, account id)}: each lead converted into a contact of that
        account (with the org's converted status); a lost answer is read back from the leads."""
        status = self.facts.converted_status
        for batch in batched(sorted(conversions), soap.MAX_CONVERT):
            leads = [(lead, conversions[lead][1]) for lead in batch]
            try:
                answers = soap.convert_leads(self.side.client, leads, status)
            except OutcomeUnknown:
                answers = self._read_back(batch)
            for answer in answers:
                person = conversions[answer.lead_id][0]
                if answer.success:
                    self.converted[answer.lead_id] = answer.contact_id
                    self.results.add("Lead", person, answer.contact_id, "converted")
                else:
                    error = f"{answer.code}: {answer.message}"
                    self.results.add("Lead", person, answer.lead_id, "failed", error)
            self.results.flush()

    def _read_back(self, leads: list[str]) -> list[soap.ConvertResult]:
        fields = ["Id", "IsConverted", "ConvertedContactId"]
        rows = {r["Id"]: r for r in self.side.records_by_id("Lead", fields, leads)}
        return [
            soap.ConvertResult(lead, True, rows[lead]["ConvertedContactId"])
            if rows.get(lead, {}).get("IsConverted")
            else soap.ConvertResult(lead, False, code="UNKNOWN", message=_("answer lost"))
            for lead in leads
        ]
