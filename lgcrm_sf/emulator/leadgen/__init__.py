"""An emulator of the Lead Gen & CRM (formerly SharpSpring) Open API v1.2, served by the same
`lgcrm-sf emulator serve` process and TLS port as the Salesforce emulator, at /pubapi/v1.2/.

It stands for the vendor's service as /work/shared/LEADGEN_API.md describes it, quirks included;
it imports nothing from the product. Modules:

    app.py       the endpoint: path, credentials, envelope, limits, faults, dispatch
    store.py     the account in SQLite (credentials, ids, tables, custom field columns)
    schema.py    objects, fields, value checks and the string forms reads return
    params.py    shared parameter checks (where, limit/offset, objects, dates)
    reads.py     getLead, getLeads, getLeadsDateRange (page orders)
    leads.py     createLeads, updateLeads(V2), deleteLeads, edits made in the web app
    events.py    getEvents, getEventsByType, recording events
    sales.py     opportunities (+ lead links), deal stages, accounts, campaigns
    catalog.py   fields, user profiles, lists
    limits.py    calls per second / per day, counters
    faults.py    injected faults
    webapp.py    what marketers do in the web app (forms, campaigns, visits, imports)
    seed.py      the empty and demo accounts
    control.py   /_emulator/leadgen/... (the control surface)
"""

from __future__ import annotations

from collections.abc import Callable

from .app import PATH, LeadGenApi
from .control import LeadGenControl
from .limits import Limits
from .seed import seed as seed_account
from .store import Account


class LeadGen:
    """The emulated account, its API endpoint and its control surface, as the server runs them."""

    def __init__(
        self,
        path: str,
        clock_source: Callable,
        base_url: Callable[[], str],
        seed: str = "empty",
        rate: int | None = None,
        daily: int | None = None,
    ) -> None:
        self.clock_source = clock_source  # returns the emulator's Clock (the org's)
        self.base_url = base_url
        self.account = Account(path, clock_source)
        if self.account.meta.get("seed") is None:  # a new account (or a new data file)
            seed_account(self.account, seed, clock_source().now())
        self.limits = Limits(rate, daily)
        self.api = LeadGenApi(self.account, self.limits, clock_source)
        self.control = LeadGenControl(self)

    def reset(self, seed: str = "empty") -> None:
        """The same account (id and secret key), emptied and seeded afresh; default settings."""
        with self.account.lock:
            self.account.wipe()
            seed_account(self.account, seed, self.clock_source().now())
        self.api.restore()

    def info(self) -> dict:
        return {
            "url": self.base_url() + PATH,
            "account_id": self.account.account_id,
            "secret_key": self.account.secret_key,
            "seed": self.account.meta.get("seed"),
        }

    def close(self) -> None:
        self.account.close()


__all__ = ["LeadGen"]
