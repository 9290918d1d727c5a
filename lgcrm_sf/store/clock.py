"""The store's timestamps: UTC, one spelling (see lgcrm_sf/clock.py for the product's clock)."""

from __future__ import annotations

from ..clock import utc_now

__all__ = ["utc_now"]
