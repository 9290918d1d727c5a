"""Shared fixtures: one emulator per test session, reseeded per test, and a simple-salesforce
client logged in over HTTPS with the emulator's CA (set here, never from the environment)."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce, SalesforceLogin

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.emulator.server import Emulator
from lgcrm_sf.salesforce.client import PinnedSession


@pytest.fixture(scope="session")
def emulator():
    with Emulator() as server:
        yield server


@pytest.fixture
def org(emulator):
    """A freshly seeded empty org; returns the emulator's info (URLs, credentials, CA)."""
    ControlClient(emulator.info).reset("empty")
    return emulator.info


@pytest.fixture
def demo_org(emulator):
    ControlClient(emulator.info).reset("demo")
    return emulator.info


@pytest.fixture
def control(emulator):
    return ControlClient(emulator.info)


def http_session(info: dict) -> PinnedSession:
    session = PinnedSession()
    session.verify = info["ca_bundle"]
    return session


def login(info: dict, version: str = "59.0") -> Salesforce:
    session = http_session(info)
    session_id, instance = SalesforceLogin(
        username=info["username"],
        password=info["password"],
        security_token=info["security_token"],
        scratch_url=info["login_url"],
        sf_version=version,
        session=session,
    )
    return Salesforce(instance=instance, session_id=session_id, version=version, session=session)


@pytest.fixture
def sf(org):
    return login(org)


@pytest.fixture
def demo_sf(demo_org):
    return login(demo_org)
