"""Sending a restore's writes: creates, updates and undeletes, through sObject Collections (200
a call) or, above a threshold, Bulk API 2.0 ingest (bulk_sender.py). Every batch of creates is
journaled in the progress file before it leaves; its answer maps source ids to the new ids in
the same transaction that closes the journal entry. A batch whose answer is lost is looked up
(lookup.py) before anything is sent again: a restore never creates a record twice."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import islice

from ..errors import OutcomeUnknown
from ..salesforce import collections, soap
from ..salesforce.client import SalesforceClient
from ..salesforce.describe import soql_quote
from .bulk_sender import BulkSender
from .lookup import find_created
from .progress import Progress
from .target import ObjectSpec
from .tuning import RestoreTuning
from .values import sent_fingerprint, typed

LOST_ANSWER_ATTEMPTS = 3


def batched(items: Iterable, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Sender:
    def __init__(
        self,
        client: SalesforceClient,
        progress: Progress,
        tuning: RestoreTuning,
        integration_user_id: str | None,
        tell: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.client, self.progress, self.tuning, self.integration_user_id = (
            client,
            progress,
            tuning,
            integration_user_id,
        )
        self.tallies: dict[str, Counter] = defaultdict(Counter)
        self.tell = tell or (lambda *_: None)
        self.bulk = BulkSender(self)

    # --- what a create sends ------------------------------------------------------------------
    def since(self) -> str:
        """The org's clock at its last answer (Date header), before the next batch goes out."""
        moment = self.client.counter.server_time
        if moment is None:  # no answer seen yet: our clock, with an hour's margin
            moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def key(spec: ObjectSpec, source_id: str, values: dict[str, str]) -> str:
        return source_id if spec.source_id_field else sent_fingerprint(values, spec.types)

    @staticmethod
    def record(spec: ObjectSpec, source_id: str, values: dict[str, str]) -> dict:
        """REST JSON of a create: typed values, empty ones left out (a default may apply)."""
        record = {k: typed(v, spec.types.get(k, "string")) for k, v in values.items() if v}
        if spec.source_id_field:
            record[spec.source_id_field] = source_id
        return record

    def journal_row(self, spec: ObjectSpec, source_id: str, values: dict[str, str]):
        sent = None if spec.source_id_field else sorted(k for k, v in values.items() if v)
        return source_id, self.key(spec, source_id, values), sent

    # --- creates ----------------------------------------------------------------------------
    def create(self, spec: ObjectSpec, items: Iterable[tuple[str, dict]], count: int) -> None:
        """Create each (source id, field texts), mapping source ids to the new ids."""
        if count > self.tuning.bulk_threshold:
            self.bulk.create(spec, items)
            return
        for batch in batched(items, min(self.tuning.collection_size, collections.MAX_RECORDS)):
            self._create_batch(spec, batch, LOST_ANSWER_ATTEMPTS)
            self.tell(spec.name, "created", self.tallies[spec.name]["created"])

    def _create_batch(self, spec: ObjectSpec, batch: list, attempts: int) -> None:
        rows = [self.journal_row(spec, sid, values) for sid, values in batch]
        chunk = self.progress.journal(spec.name, "rest", self.since(), spec.insert_fields, rows)
        records = [self.record(spec, sid, values) for sid, values in batch]
        try:
            results = collections.create(self.client, spec.name, records)
        except OutcomeUnknown:
            found = self.settle_lost(spec, self.progress_chunk(chunk))
            rest = [(sid, values) for sid, values in batch if sid not in found]
            if rest and attempts > 1:
                self._create_batch(spec, rest, attempts - 1)
            elif rest:
                raise
            return
        with self.progress.transaction():
            self.progress.map_ids(
                (sid, spec.name, r.id, "inserted")
                for (sid, _), r in zip(batch, results, strict=True)
                if r.success
            )
            outcomes = [(sid, r) for (sid, _), r in zip(batch, results, strict=True)]
            self._failed(spec, "create", outcomes)
            self.progress.settle(chunk)
        self.tallies[spec.name]["created"] += sum(r.success for r in results)

    def progress_chunk(self, chunk_id: int) -> dict:
        return next(c for c in self.progress.pending() if c["id"] == chunk_id)

    def settle_lost(self, spec: ObjectSpec, chunk: dict) -> set[str]:
        """A journaled batch of creates whose answer never came: map what Salesforce made."""
        pairs = find_created(
            self.client,
            self.progress,
            spec,
            chunk,
            self.integration_user_id,
            self.tuning.ids_per_query,
        )
        with self.progress.transaction():
            self.progress.map_ids((sid, spec.name, tid, "inserted") for sid, tid in pairs)
            self.progress.settle(chunk["id"])
        self.tallies[spec.name]["created"] += len(pairs)
        return {sid for sid, _ in pairs}

    def settle_pending(self, specs: dict[str, ObjectSpec]) -> int:
        """Batches a killed or failed run left journaled: settled before anything else."""
        settled = 0
        for chunk in self.progress.pending():
            spec = specs.get(chunk["object"])
            if chunk["api"] == "rest" and spec is not None:
                self.settle_lost(spec, chunk)
            elif chunk["api"] == "bulk" and spec is not None:
                self.bulk.settle(spec, chunk)
            else:  # updates are planned again from what the org holds now
                self.progress.settle(chunk["id"])
            settled += 1
        return settled

    def _failed(self, spec: ObjectSpec, op: str, results) -> None:
        failed = [(sid, r) for sid, r in results if not r.success]
        self.progress.fail((sid, spec.name, op, r.code, r.message) for sid, r in failed)
        self.tallies[spec.name]["failed"] += len(failed)

    # --- updates ----------------------------------------------------------------------------
    def update(
        self,
        spec: ObjectSpec,
        items: Iterable[tuple[str, str, dict]],
        count: int,
        done: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Write (source id, target id, field texts): an empty text clears the field."""
        if count > self.tuning.bulk_threshold:
            self.bulk.update(spec, items, done)
            return
        for batch in batched(items, min(self.tuning.collection_size, collections.MAX_RECORDS)):
            records = [
                {"Id": tid, **{k: typed(v, spec.types.get(k, "string")) for k, v in vals.items()}}
                for _, tid, vals in batch
            ]
            results = collections.update(self.client, spec.name, records)
            outcomes = [(sid, r) for (sid, _, _), r in zip(batch, results, strict=True)]
            with self.progress.transaction():
                self._failed(spec, "update", outcomes)
                if done:
                    done([sid for sid, r in outcomes if r.success])
            self.tallies[spec.name]["updated"] += sum(r.success for r in results)
            self.tell(spec.name, "updated", self.tallies[spec.name]["updated"])

    # --- undeletes --------------------------------------------------------------------------
    def undelete(self, spec: ObjectSpec, ids: list[str]) -> None:
        """Bring records back from the recycle bin (with what their delete cascaded to)."""
        for batch in batched(ids, min(self.tuning.undelete_size, soap.MAX_UNDELETE)):
            results = soap.undelete(self.client, batch)
            refused = [r.id for r in results if not r.success]
            # Already back (with a parent undeleted just before, or by an earlier, killed run).
            back = self._live(spec, refused)
            self.tallies[spec.name]["undeleted"] += sum(r.success for r in results) + len(back)
            failed = [r for r in results if not r.success and r.id not in back]
            self.progress.fail((r.id, spec.name, "undelete", r.code, r.message) for r in failed)
            self.tallies[spec.name]["failed"] += len(failed)
            self.tell(spec.name, "undeleted", self.tallies[spec.name]["undeleted"])

    def _live(self, spec: ObjectSpec, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        soql = f"SELECT Id FROM {spec.name} WHERE Id IN ({', '.join(soql_quote(i) for i in ids)})"
        rows = self.client.call(lambda sf: sf.query_all(soql), f"the {spec.name} lookup")
        return {r["Id"] for r in rows["records"]}
