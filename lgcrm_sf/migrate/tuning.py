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
    bulk_job_rows: int = 50_000  # rows per ingest job (well under the 150 MB upload limit)
    read_rows: int = 500  # backup rows remapped at a time (one id-map lookup)
    undelete_size: int = 200  # ids per undelete() call
    ids_per_query: int = 300  # ids per lookup query (the URL stays short)

    @classmethod
    def from_environment(cls) -> RestoreTuning:
        return tuning_from_environment(cls, "LGCRM_SF_RESTORE_TUNING")
