"""A profile connected to both emulated services: the org (world.py) and the account (the Lead
Gen & CRM API emulator), for the account-mode sync tests."""

from __future__ import annotations

import pytest

from lgcrm_sf.config import Profile

from .account_helpers import account_client
from .test_leadgen_connect import connect_account_args, secret_env


class AccountWorld:
    def __init__(self, world, lg_control, info):
        self.world, self.lg, self.info = world, lg_control, info
        self.api = account_client(info)

    def sync(self, *args, code: int = 0) -> dict:
        return self.world.sync(*args, code=code)

    def lead(self, lead_id: int) -> dict | None:
        return self.lg.lg_get_lead(lead_id)

    def leads_by_email(self, email: str) -> list[dict]:
        return self.api.get_leads_by_email(email)

    def create(self, email: str, **values) -> int:
        result = self.api.create_leads([{"emailAddress": email, **values}])[0]
        assert result.success, result
        return result.id

    def sf_find(self, sobject: str, email: str, fields="Id, FirstName, LastName, Title"):
        return self.world.sf.query(f"SELECT {fields} FROM {sobject} WHERE Email = '{email}'")[
            "records"
        ]

    def copy(self):
        return self.world.leadgen

    @property
    def profile(self) -> Profile:
        return Profile(self.world.home)


@pytest.fixture
def account_world(world, lg_control, emulator, monkeypatch):
    monkeypatch.setenv("LGCRM_SF_LEADGEN_CALLS_PER_SECOND", "100000")
    info = emulator.info
    result = world.cli(*connect_account_args(info), env=secret_env(info))
    assert result.code == 0, result
    monkeypatch.setenv("LGCRM_SF_LEADGEN_SECRET_KEY", info["leadgen_secret_key"])
    lg_control.lg_reset_counters()
    return AccountWorld(world, lg_control, info)
