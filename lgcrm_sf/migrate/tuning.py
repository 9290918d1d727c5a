"""The sizes a restore works in. LGCRM_SF_RESTORE_TUNING ("bulk_threshold=20,bulk_job_rows=50")
changes them for one process: for tests that must reach the Bulk paths with a few records, and
for troubleshooting. Nothing patches module globals."""

from __future__ import annotations

from dataclasses import dataclass

from ..salesforce.tuning import tuning_from_environment


@dataclass(frozen=True)
class RestoreTuning:
    collection_size: int = 200  # sObject Collections take 200 records a call
    bulk_threshold: int = 2_000  # more writes of one kind to one object: Bulk API 2.0 ingest
    # Rows per ingest job: Salesforce makes a batch of every 10,000 rows of a job anyway (the
    # daily batch allocation counts those), and jobs this size let the next one be prepared
    # while one is processed (bulk_sender.py), with a flat memory.
    # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_understanding_bulk2_ingest.htm
    bulk_job_rows: int = 10_000
    read_rows: int = 500  # backup rows remapped at a time (one id-map lookup)
    undelete_size: int = 200  # ids per undelete() call
    ids_per_query: int = 300  # ids per lookup query (the URL stays short)
    # Base64 text per sObject Collections call: records with files go in batches under it, and
    # one whose files alone exceed it goes by itself as multipart through the sObject resource.
    blob_batch_bytes: int = 6 * 1024 * 1024

    @classmethod
    def from_environment(cls) -> RestoreTuning:
        return tuning_from_environment(cls, "LGCRM_SF_RESTORE_TUNING")
