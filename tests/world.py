"""A connected profile on a freshly seeded org, and helpers to act on both sides: the sync
scenario tests share it."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from pathlib import Path

from lgcrm_sf.config import Profile
from lgcrm_sf.leadgen.store import LeadGenStore

from . import cli_zygote
from .conftest import login

# The default mapping plus the two custom fields the test orgs have (the shipped default names
# none: a new org has no LGCRM_* fields).
SCORE_AND_LINK = """
lead_score:
  lead: LGCRM_Lead_Score__c
  contact: LGCRM_Lead_Score__c
lead_link:
  salesforce_field: LGCRM_Profile_URL__c
  url_template: https://mkt.acme.test/contacts/{id}
"""


def default_with_score_and_link() -> str:
    from lgcrm_sf.mapping.loader import default_text

    return default_text() + SCORE_AND_LINK


class World:
    """One org, one connected profile, and helpers to act on both sides."""

    def __init__(self, info, cli, home, control, tmp_path):
        self.info, self.cli, self.home, self.control, self.tmp = info, cli, home, control, tmp_path
        self.sf = login(info)

    @property
    def leadgen(self) -> LeadGenStore:
        return LeadGenStore(Profile(self.home).state_path)

    def sync(self, *args, code: int = 0) -> dict:
        result = self.cli("sync", "--json", "--no-backup-check", *args)
        assert result.code == code, result
        return result.json()

    def import_people(self, text: str, kind: str = "lead") -> dict:
        path = self.tmp / f"import-{abs(hash(text))}.csv"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return self.cli("leads", "import", path, "--kind", kind, "--json").json()

    def person(self, email: str) -> dict:
        return self.leadgen.by_email(email)

    def edit_here(self, email: str, **values) -> None:
        store = self.leadgen
        with store.db.conn:
            store.set_fields(store.by_email(email)["id"], values)

    def sf_find(
        self, sobject: str, email: str, fields: str = "Id, FirstName, LastName, Title, Company"
    ) -> list[dict]:
        if sobject == "Contact":
            fields = fields.replace(", Company", "")
        return self.sf.query(f"SELECT {fields} FROM {sobject} WHERE Email = '{email}'")["records"]

    def use_mapping(self, text: str) -> None:
        path = self.tmp / "mapping.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        assert self.cli("mapping", "use", path).code == 0

    def subprocess_env(self) -> dict:
        """The environment for running `lgcrm-sf` as its own process on this profile."""
        return {
            **os.environ,
            "LGCRM_SF_HOME": str(self.home),
            "PYTHONPATH": str(Path(__file__).parents[1]),
            "LGCRM_SF_PASSWORD": self.info["password"],
            "LGCRM_SF_SECURITY_TOKEN": self.info["security_token"],
        }


def kill_when_held(
    fired, env: dict, args, before_kill=None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Start `lgcrm-sf ARGS` in its own process (tests/cli_zygote.py) and SIGKILL it once
    `fired()` tells that the emulator holds the request a fault (with latency) has caught;
    `before_kill` runs in between. A command that ends before is left to end (code >= 0)."""
    command = cli_zygote.shared().start(env, *args)
    deadline = time.monotonic() + timeout
    while not fired():
        if command.poll() is not None:
            return command.wait()
        assert time.monotonic() < deadline, "the fault never fired"
        time.sleep(0.02)
    if before_kill:
        before_kill()
    command.kill()
    return command.wait()


def kill_sync_while_held(
    control, env: dict, before_kill=None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`lgcrm-sf sync` killed while the org holds the request its first fault caught."""
    return kill_when_held(
        lambda: control.call("GET", "faults")[0]["fired"] > 0,
        env,
        ("sync", "--no-backup-check"),
        before_kill,
        timeout,
    )


def wait_until_served(control, timeout: float = 60) -> None:
    """Until the server has finished every request (a held one completes on the server after
    its client was killed, as on Salesforce): a condition, not a fixed sleep."""
    deadline = time.monotonic() + timeout
    while control.inflight():
        assert time.monotonic() < deadline, "the emulator is still handling a request"
        time.sleep(0.02)
