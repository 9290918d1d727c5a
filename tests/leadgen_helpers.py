"""Talking to the emulated Lead Gen & CRM API in tests: plain `requests` over HTTPS with the
emulator's CA, exactly the envelope a client sends. Test files import the fixtures from here."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests

from lgcrm_sf.emulator.control import ControlClient


class LeadGenCaller:
    def __init__(self, info: dict) -> None:
        self.info = info
        self.url = info["leadgen_url"]
        self.session = requests.Session()
        self.session.trust_env = False  # never let REQUESTS_CA_BUNDLE or proxies interfere
        self.session.verify = info["ca_bundle"]
        self._ids = itertools.count(1)

    def credentials(self) -> dict:
        return {"accountID": self.info["leadgen_account_id"], "secretKey": self.secret}

    @property
    def secret(self) -> str:
        return self.info["leadgen_secret_key"]

    def raw(self, body, params: dict | None = None, **kw) -> requests.Response:
        data = body if isinstance(body, bytes) else None
        return self.session.post(
            self.url,
            params=self.credentials() if params is None else params,
            json=None if data is not None else body,
            data=data,
            timeout=60,
            **kw,
        )

    def call(self, method: str, params: dict | None = None, request_id=None) -> dict:
        """The whole response body; the request id is checked."""
        request_id = request_id or f"req-{next(self._ids)}"
        body = {"method": method, "params": {} if params is None else params, "id": request_id}
        response = self.raw(body)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["id"] == request_id
        return data

    def result(self, method: str, params: dict | None = None) -> dict:
        """The result of a call that must succeed (error null, or [] for writes)."""
        data = self.call(method, params)
        assert data["error"] in (None, []), data
        return data["result"]

    def create_leads(self, *leads: dict) -> list[int]:
        creates = self.result("createLeads", {"objects": list(leads)})["creates"]
        assert all(c["success"] is True for c in creates), creates
        return [c["id"] for c in creates]

    def lead(self, lead_id) -> dict | None:
        found = self.result("getLead", {"id": lead_id})["lead"]
        return found[0] if found else None


@pytest.fixture
def lg_control(emulator) -> Iterator[ControlClient]:
    """A fresh empty account (same credentials), the real clock, and a rate high enough that
    tests not about limits never meet error 107."""
    control = ControlClient(emulator.info)
    control.clock(real=True)
    control.lg_reset("empty")
    control.lg_settings(rate_per_second=100_000)
    yield control
    control.clock(real=True)


@pytest.fixture
def lg(emulator, lg_control) -> LeadGenCaller:
    return LeadGenCaller(emulator.info)
