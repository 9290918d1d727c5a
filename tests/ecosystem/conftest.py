"""The ecosystem suite: the Salesforce CLI and CumulusCI, unpatched, against the emulator.

Run with `pytest -m ecosystem`. Without the tools installed (.ci/install-ecosystem) the tests
are skipped with the reason; with REQUIRE_ECOSYSTEM=1 they fail instead (as in CI).
Each test module gets its own emulator (demo seed) and its own throwaway HOME.
"""

from __future__ import annotations

import os

import pytest
import requests

from lgcrm_sf.emulator.server import Emulator

from .tools import Tools, find_tools, run, tool_env


@pytest.fixture(scope="session")
def tools() -> Tools:
    return find_tools()


def need(tools: Tools, *names: str) -> None:
    missing = tools.missing(*names)
    if not missing:
        return
    reason = (
        f"ecosystem tool(s) not installed: {', '.join(missing)} "
        "(run .ci/install-ecosystem; sf needs Node.js 22)"
    )
    if os.environ.get("REQUIRE_ECOSYSTEM") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def eco_emulator(tools):
    need(tools, "sf")  # every ecosystem test drives sf; no emulator is started for a skip
    with Emulator(seed="demo") as server:
        yield server


@pytest.fixture(scope="module")
def eco_info(eco_emulator) -> dict:
    return eco_emulator.info


@pytest.fixture(scope="module")
def eco_home(tmp_path_factory):
    return tmp_path_factory.mktemp("tool-home")


def access_token(info: dict) -> str:
    """A session for the integration user (OAuth username-password flow)."""
    response = requests.post(
        info["instance_url"] + "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": info["consumer_key"],
            "client_secret": info["consumer_secret"],
            "username": info["username"],
            "password": info["password"] + info["security_token"],
        },
        verify=info["ca_bundle"],
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def sf_org(tools, eco_info, eco_home):
    """The emulator's org logged in to the Salesforce CLI as alias `emu`; returns a runner."""
    need(tools, "sf")
    env = tool_env(eco_home, eco_info["ca_bundle"], tools)
    login = run(
        [
            tools.sf,
            "org",
            "login",
            "access-token",
            "--instance-url",
            eco_info["instance_url"],
            "--no-prompt",
            "--alias",
            "emu",
            "--json",
        ],
        {**env, "SF_ACCESS_TOKEN": access_token(eco_info)},
    )
    assert login.code == 0, login
    result = login.json()["result"]
    assert result["orgId"] == eco_info["org_id"], login
    assert result["username"] == eco_info["username"], login

    def sf(*args: str, cwd=None):
        return run([tools.sf, *args], env, cwd)

    sf.env = env
    return sf
