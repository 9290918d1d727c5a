"""Shared fixtures: one emulator per test session, reseeded per test, and a simple-salesforce
client logged in over HTTPS with the emulator's CA (set here, never from the environment)."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce, SalesforceLogin

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.emulator.server import Emulator
from lgcrm_sf.salesforce.session import PinnedSession

# A profile connected to the org and to the emulated account (account mode, issue 14).
from .account_world import account_world  # noqa: F401, E402

# One run of the demo a session in each language (test_demo.py, test_i18n_done.py).
from .demo_run import demo_runs  # noqa: F401

# The Lead Gen & CRM emulator's fixtures (lg: an API caller, lg_control: a fresh account).
from .leadgen_helpers import lg, lg_control  # noqa: F401


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Retries keep their count and order in tests, with waits short enough for a suite."""
    monkeypatch.setenv("LGCRM_SF_RETRY_BASE_SECONDS", "0.01")


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """The suite reads English messages whatever the machine's LANG (issue 13: the tool speaks
    the locale's language); the i18n tests choose pt_BR themselves."""
    monkeypatch.setenv("LGCRM_SF_LANG", "en")
    monkeypatch.delenv("LGCRM_SF_TZ", raising=False)


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


@pytest.fixture
def keyring_file(tmp_path, monkeypatch):
    """The stand-in OS keyring (see keyring_backend.py), in a file outside the home."""
    import keyring

    # The keyring in use before, taken before the stand-in's class is imported: keyring picks
    # its first backend lazily among the classes it knows, and would otherwise pick the stand-in
    # (its priority is higher than the fail backend's) and "restore" it after the test.
    previous = keyring.get_keyring()
    from .keyring_backend import TestFileKeyring

    # The backend to give back, read before the variables below: were this the session's first
    # look at the keyring, keyring would make it from them and a later test would inherit a
    # stand-in whose file variable is gone.
    previous = keyring.get_keyring()
    path = tmp_path / "os-keyring.json"
    monkeypatch.setenv("LGCRM_SF_TEST_KEYRING_FILE", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.TestFileKeyring")
    keyring.set_keyring(TestFileKeyring())
    yield path
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch):
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    monkeypatch.setenv("LGCRM_SF_HOME", str(path))
    for var in (
        "LGCRM_SF_PROFILE",
        "LGCRM_SF_PASSWORD",
        "LGCRM_SF_SECURITY_TOKEN",
        "LGCRM_SF_PRIVATE_KEY_FILE",
        "LGCRM_SF_CONSUMER_SECRET",
        "LGCRM_SF_USERNAME",
        "LGCRM_SF_CONSUMER_KEY",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    ):
        monkeypatch.delenv(var, raising=False)
    return path


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self):
        import json

        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


@pytest.fixture
def cli(capsys, monkeypatch, home):
    """Run `lgcrm-sf ARGS` in this process (same exit-code ladder as the console script)."""
    from lgcrm_sf.cli import run

    def invoke(*args, env: dict | None = None) -> CliResult:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        for key in env or {}:
            monkeypatch.delenv(key, raising=False)
        return CliResult(code, captured.out, captured.err)

    return invoke


def connect_args(info: dict, *extra) -> list:
    return [
        "connect",
        "--username",
        info["username"],
        "--login-url",
        info["login_url"],
        "--ca-bundle",
        info["ca_bundle"],
        # The suite's assertions read English and UTC; the emulator org's own language and zone
        # are pt_BR and America/Sao_Paulo, which a profile would otherwise take (test_i18n_*.py
        # choose them themselves).
        "--language",
        "en",
        "--tz",
        "UTC",
        "--yes",
        *extra,
    ]


def password_env(info: dict) -> dict:
    return {
        "LGCRM_SF_PASSWORD": info["password"],
        "LGCRM_SF_SECURITY_TOKEN": info["security_token"],
    }


@pytest.fixture
def world(control, cli, home, keyring_file, tmp_path):
    """An empty org with the demo's custom fields and a connected profile (see world.py)."""
    from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, LEAD_CUSTOM_FIELDS

    from .world import World, default_with_score_and_link

    info = control.reset(
        "empty", custom_fields={"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
    )
    assert cli(*connect_args(info), env=password_env(info)).code == 0
    world = World(info, cli, home, control, tmp_path)
    world.use_mapping(default_with_score_and_link())
    return world


# The second emulator a restore copies into (test_restore*.py); last, as its module imports the
# helpers above.
from .restore_helpers import second_emulator, target  # noqa: F401, E402
