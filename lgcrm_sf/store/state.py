"""Old names of the catalog module, kept while the command-line package moves to the new ones."""

from __future__ import annotations

from .catalog import Catalog as StateStore
from .clock import utc_now

__all__ = ["StateStore", "utc_now"]
