"""What a sync run is asked to do (SyncOptions) and the sizes it works in (Tuning).

Tuning holds the batch sizes and thresholds; the defaults suit Salesforce's limits. The
environment variable LGCRM_SF_TUNING ("bulk_write_threshold=20,reconcile_scan_above=5") changes
them for one process: for tests that must reach the Bulk paths with a few records, and for
troubleshooting. Nothing patches module globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..salesforce.tuning import tuning_from_environment

SYNCABLE = ("leads", "contacts", "opportunities", "engagements")


@dataclass(frozen=True)
class Tuning:
    collection_size: int = 200  # sObject Collections take 200 records a call
    bulk_read_threshold: int = 10_000  # more changed rows: read through Bulk API 2.0
    bulk_write_threshold: int = 2_000  # more writes of one kind: Bulk API 2.0 ingest
    bulk_job_rows: int = 100_000  # rows per ingest job: well under the 150 MB upload limit
    early_job_rows: int = 20_000  # a first sync sends its creates while it reads from this many
    bulk_page_rows: int = 100_000  # rows per Bulk results page
    emails_per_query: int = 300  # e-mails per lookup query (the URL stays short)
    reconcile_scan_above: int = 10_000  # more links: read every Id once instead of by chunks
    chunk: int = 2_000  # rows handled per local transaction (each commit syncs to disk)
    settle_chunk: int = 2_000  # Bulk results settled per transaction (each commit syncs)

    @classmethod
    def from_environment(cls) -> Tuning:
        return tuning_from_environment(cls, "LGCRM_SF_TUNING")


@dataclass
class SyncOptions:
    dry_run: bool = False
    only: tuple[str, ...] = SYNCABLE
    # Send events since then, even of types switched on later.
    backfill_engagements: str | None = None
    no_backup_check: bool = False
    api_reserve: int | None = None  # absolute calls; None: reserve_percent of the daily limit
    reserve_percent: float = 5.0
    reconcile: bool = False  # check every linked id now (else once a day, by itself)
    plan_file: Path | None = None  # where a dry run writes its whole plan (JSON lines)
    # Told each phase, the records it has handled and the API calls so far (a terminal shows it).
    progress: Callable[[str, int, int], None] | None = None
    tuning: Tuning = field(default_factory=Tuning.from_environment)
