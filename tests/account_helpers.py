"""The product's API client pointed at the emulated account (tests of the client and of the
account-mode sync import this)."""

from __future__ import annotations

from lgcrm_sf.leadgen.api import LeadGenClient


def account_client(info: dict, per_second: int = 10_000, **kw) -> LeadGenClient:
    return LeadGenClient(
        info["leadgen_account_id"],
        info["leadgen_secret_key"],
        url=info["leadgen_url"],
        ca_bundle=info["ca_bundle"],
        per_second=per_second,
        **kw,
    )
