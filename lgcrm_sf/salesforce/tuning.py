"""Sizes and thresholds read from an environment variable ("name=number,name=number"), for one
process: tests that must reach the Bulk paths with a few records, and troubleshooting. The
defaults suit Salesforce's limits; nothing patches module globals to change them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import TypeVar

from ..errors import ConfigError
from ..i18n import _

T = TypeVar("T")


def tuning_from_environment(cls: type[T], variable: str) -> T:
    """`cls()` with the values `variable` names changed. A field's metadata may give its
    `minimum` (1 unless said otherwise: a size of 0 would mean no work is ever done)."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return cls()
    minimum = {f.name: f.metadata.get("minimum", 1) for f in fields(cls)}
    values = {}
    for part in text.split(","):
        name, _sep, value = (piece.strip() for piece in part.partition("="))
        if name not in minimum or not value.isdigit() or int(value) < minimum[name]:
            raise ConfigError(
                _(
                    "{variable}: {part!r} is not valid; use name=number with names among {names}."
                ).format(variable=variable, part=part.strip(), names=", ".join(sorted(minimum)))
            )
        values[name] = int(value)
    return cls(**values)


@dataclass(frozen=True)
class BackupTuning:
    """The backup's sizes; LGCRM_SF_BACKUP_TUNING ("rest_threshold=0,bulk_page_rows=10")
    changes them."""

    # Up to this many rows a REST query costs fewer calls than a Bulk job (0: Bulk for any row).
    rest_threshold: int = field(default=10_000, metadata={"minimum": 0})
    # maxRecords per Bulk results page: fewer calls, and a page is spooled, never held whole.
    bulk_page_rows: int = 100_000

    @classmethod
    def from_environment(cls) -> BackupTuning:
        return tuning_from_environment(cls, "LGCRM_SF_BACKUP_TUNING")
