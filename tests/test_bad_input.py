"""The bad-input sweep: every case runs the real command in its own process against a connected
home and checks, for each: no traceback, the documented exit code, one `error:` line naming the
offending path, option or value together with the fix, and the home byte-for-byte unchanged
apart from at most one line appended to the profile's log.jsonl (none for a usage error)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lgcrm_sf.emulator.control import ControlClient

from .cli_zygote import Zygote
from .conftest import connect_args

ROOT = Path(__file__).parents[1]


def common_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LGCRM_SF_", "PYTHON_KEYRING"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        LGCRM_SF_RETRY_BASE_SECONDS="0.01",
        COLUMNS="250",
    )
    return env


@pytest.fixture(scope="module")
def commands():
    """Each command in its own process, forked from one that imported the program once in the
    commands' common environment (tests/cli_zygote.py): a hundred commands here."""
    zygote = Zygote(common_env())
    yield zygote
    zygote.close()


def run_cli(commands: Zygote, home: Path, args: list[str], env: dict):
    full = {**common_env(), "LGCRM_SF_HOME": str(home)}
    full.update(env)  # a case may name the home through LGCRM_SF_HOME itself
    return commands.run(full, *args)


@pytest.fixture(scope="module")
def connected_home(emulator, commands, tmp_path_factory):
    """A home with a connected profile (secrets from the environment), made once."""
    control = ControlClient(emulator.info)
    info = control.reset("empty")
    home = tmp_path_factory.mktemp("bad-input") / "home"
    secrets = {
        "LGCRM_SF_PASSWORD": info["password"],
        "LGCRM_SF_SECURITY_TOKEN": info["security_token"],
    }
    result = run_cli(commands, home, connect_args(info), secrets)
    assert result.returncode == 0, result.stderr
    people = home.parent / "people.csv"
    people.write_text("email,first_name\nana@bad.example,Ana\n")
    assert run_cli(commands, home, ["leads", "import", str(people)], secrets).returncode == 0
    return home, secrets


def snapshot(home: Path) -> dict:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != "log.jsonl"
    }


def log_lines(home: Path) -> int:
    path = home / "profiles" / "default" / "log.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


@dataclass
class Case:
    name: str
    args: list[str]
    code: int
    names: str  # the offending path, option or value: it must appear in the error line
    env: dict = field(default_factory=dict)
    prepare: Callable[[Path, Path], None] | None = None  # (home, scratch dir)


def write(name: str, data: bytes | str):
    def prepare(home: Path, scratch: Path) -> None:
        (scratch / name).write_bytes(data if isinstance(data, bytes) else data.encode())

    return prepare


def settings_json(value: str):
    def prepare(home: Path, scratch: Path) -> None:
        (home / "profiles" / "default" / "settings.json").write_text(value)

    return prepare


def state_db(data: bytes):
    def prepare(home: Path, scratch: Path) -> None:
        (home / "profiles" / "default" / "state.db").write_bytes(data)

    return prepare


def stored(key: str, value):
    def prepare(home: Path, scratch: Path) -> None:
        path = home / "profiles" / "default" / "settings.json"
        data = json.loads(path.read_text())
        data[key] = value
        path.write_text(json.dumps(data))

    return prepare


def home_is_a_file(home: Path, scratch: Path) -> None:
    (scratch / "home-file").write_text("not a directory")


GOOD_CSV = write("people.csv", "email,first_name\nbia@bad.example,Bia\n")
MAPPING_HEAD = "version: 1\nobjects:\n  lead:\n    salesforce: Lead\n    fields:\n"
DUPLICATES = MAPPING_HEAD + "      - {leadgen: email, salesforce: Email, direction: push}\n" * 20000
DEEP = "a: " + "[" * 20000 + "]" * 20000 + "\n"

CASES = [
    Case(
        "connect missing --ca-bundle",
        ["connect", "--username", "u@x.com", "--ca-bundle", "/no/such/ca.pem", "--yes"],
        2,
        "/no/such/ca.pem",
    ),
    Case(
        "connect --api-version v59",
        ["connect", "--username", "u@x.com", "--api-version", "v59", "--yes"],
        2,
        "v59",
    ),
    Case(
        "connect http login url",
        ["connect", "--username", "u@x.com", "--login-url", "http://127.0.0.1:9", "--yes"],
        2,
        "--login-url",
    ),
    Case(
        "connect http domain",
        ["connect", "--username", "u@x.com", "--domain", "http://acme.my.salesforce.com", "--yes"],
        2,
        "--domain",
    ),
    Case(
        "connect unknown --auth",
        ["connect", "--username", "u@x.com", "--auth", "magic", "--yes"],
        2,
        "magic",
    ),
    Case(
        "connect missing key file",
        [
            "connect",
            "--username",
            "u@x.com",
            "--auth",
            "jwt",
            "--consumer-key",
            "K",
            "--private-key-file",
            "/no/such/key.pem",
            "--yes",
        ],
        2,
        "/no/such/key.pem",
    ),
    Case("connect without a username", ["connect", "--yes"], 2, "--username"),
    Case(
        "import unknown encoding",
        ["leads", "import", "{scratch}/people.csv", "--encoding", "klingon"],
        2,
        "klingon",
        prepare=GOOD_CSV,
    ),
    Case(
        "import unknown kind",
        ["leads", "import", "{scratch}/people.csv", "--kind", "robot"],
        2,
        "robot",
        prepare=GOOD_CSV,
    ),
    Case("import missing file", ["leads", "import", "{scratch}/nope.csv"], 2, "nope.csv"),
    Case(
        "import non-UTF-8 columns map",
        ["leads", "import", "{scratch}/people.csv", "--columns", "{scratch}/cols.yaml"],
        9,
        "cols.yaml",
        prepare=lambda h, s: (
            GOOD_CSV(h, s),
            write("cols.yaml", b"Nome: first_name\n\xff\xfe: x\n")(h, s),
        ),
    ),
    Case(
        "events file holding a bare string",
        ["events", "import", "{scratch}/events.json"],
        9,
        "events.json",
        prepare=write("events.json", '"just a string"'),
    ),
    Case(
        "backup --out at a file",
        ["backup", "--out", "{scratch}/afile"],
        2,
        "afile",
        prepare=write("afile", "x"),
    ),
    Case(
        "backup unknown object",
        ["backup", "--objects", "Widget__c", "--out", "{scratch}/b"],
        2,
        "Widget__c",
    ),
    Case("backup verify unknown id", ["backup", "verify", "999"], 2, "999"),
    Case("sync reserve over 100%", ["sync", "--api-reserve", "150%"], 2, "150%"),
    Case("sync reserve nan%", ["sync", "--api-reserve", "nan%"], 2, "nan%"),
    Case("sync reserve inf%", ["sync", "--api-reserve", "inf%"], 2, "inf%"),
    Case("sync reserve negative", ["sync", "--api-reserve", "-5"], 2, "-5"),
    Case("sync reserve negative share", ["sync", "--api-reserve", "-5%"], 2, "-5%"),
    Case(
        "sync reserve from the environment", ["sync"], 2, "abc", env={"LGCRM_SF_API_RESERVE": "abc"}
    ),
    Case("sync unknown --only", ["sync", "--only", "nothing"], 2, "nothing"),
    Case("sync bad backfill date", ["sync", "--backfill-engagements", "someday"], 2, "someday"),
    Case("sync missing --mapping", ["sync", "--mapping", "{scratch}/nope.yaml"], 2, "nope.yaml"),
    Case("conflicts resolve bad side", ["conflicts", "resolve", "1", "--take", "both"], 2, "both"),
    Case(
        "conflicts resolve unknown id",
        ["conflicts", "resolve", "999", "--take", "leadgen"],
        2,
        "999",
    ),
    Case(
        "leads show unknown person",
        ["leads", "show", "nobody@bad.example"],
        2,
        "nobody@bad.example",
    ),
    Case("leads list bad kind", ["leads", "list", "--kind", "robot"], 2, "robot"),
    Case("profile name with a path", ["--profile", "../escape", "status"], 2, "../escape"),
    Case("profile that does not exist", ["--profile", "acmee", "status"], 2, "acmee"),
    Case(
        "home is a file",
        ["--home", "{scratch}/home-file", "status"],
        2,
        "home-file",
        prepare=home_is_a_file,
    ),
    Case(
        "home under a file",
        ["--home", "{scratch}/home-file/sub", "status"],
        2,
        "home-file",
        prepare=home_is_a_file,
    ),
    Case(
        "LGCRM_SF_HOME is a file",
        ["status"],
        2,
        "home-file",
        env={"LGCRM_SF_HOME": "{scratch}/home-file"},
        prepare=home_is_a_file,
    ),
    Case("emulator unknown seed", ["emulator", "serve", "--seed", "nope"], 2, "nope"),
    Case(
        "mapping validate missing file",
        ["mapping", "validate", "{scratch}/nope.yaml"],
        2,
        "nope.yaml",
    ),
    Case(
        "mapping validate non-UTF-8",
        ["mapping", "validate", "{scratch}/m.yaml"],
        3,
        "m.yaml",
        prepare=write("m.yaml", b"version: 1\n# caf\xe9\n"),
    ),
    Case(
        "mapping validate control character",
        ["mapping", "validate", "{scratch}/m.yaml"],
        3,
        "m.yaml",
        prepare=write("m.yaml", "version: 1\x07\nobjects: {}\n"),
    ),
    Case(
        "mapping validate 20,000 levels",
        ["mapping", "validate", "{scratch}/m.yaml"],
        3,
        "m.yaml",
        prepare=write("m.yaml", DEEP),
    ),
    Case(
        "mapping use 20,000 copies of a field",
        ["mapping", "use", "{scratch}/m.yaml"],
        3,
        "m.yaml",
        prepare=write("m.yaml", DUPLICATES),
    ),
    Case(
        "sync with 20,000 copies of a field",
        ["sync", "--no-backup-check", "--mapping", "{scratch}/m.yaml"],
        3,
        "m.yaml",
        prepare=write("m.yaml", DUPLICATES),
    ),
    Case(
        "settings.json holding a list", ["status"], 3, "settings.json", prepare=settings_json("[]")
    ),
    Case(
        "settings.json holding a string",
        ["sync"],
        3,
        "settings.json",
        prepare=settings_json('"hello"'),
    ),
    Case("settings.json garbage", ["sync"], 3, "settings.json", prepare=settings_json("{not json")),
    Case(
        "state.db truncated: status",
        ["status"],
        3,
        "state.db",
        prepare=state_db(b"SQLite format 3\x00" + b"\x10" * 84),
    ),
    Case(
        "state.db garbage: leads list",
        ["leads", "list"],
        3,
        "state.db",
        prepare=state_db(b"garbage" * 1000),
    ),
    Case(
        "state.db garbage: sync",
        ["sync", "--no-backup-check"],
        3,
        "state.db",
        prepare=state_db(b"garbage" * 1000),
    ),
    Case(
        "state.db garbage: leads import",
        ["leads", "import", "{scratch}/people.csv"],
        3,
        "state.db",
        prepare=lambda h, s: (GOOD_CSV(h, s), state_db(b"garbage" * 1000)(h, s)),
    ),
    Case(
        "stored CA bundle gone",
        ["sync", "--no-backup-check"],
        3,
        "/gone/ca.pem",
        prepare=stored("ca_bundle", "/gone/ca.pem"),
    ),
    Case(
        "stored http login url",
        ["sync", "--no-backup-check"],
        3,
        "http://127.0.0.1:9",
        prepare=stored("login_url", "http://127.0.0.1:9"),
    ),
    Case(
        "stored API version garbage",
        ["sync", "--no-backup-check"],
        3,
        "v59",
        prepare=stored("api_version", "v59"),
    ),
]


def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, connected_home, commands, tmp_path):
    source, secrets = connected_home
    home = tmp_path / "home"
    shutil.copytree(source, home)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.prepare:
        case.prepare(home, scratch)
    before, lines_before = snapshot(home), log_lines(home)
    args = [a.replace("{scratch}", str(scratch)) for a in case.args]
    env = {k: v.replace("{scratch}", str(scratch)) for k, v in case.env.items()}
    result = run_cli(commands, home, args, {**secrets, **env})
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == case.code, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert case.names in errors[0] and "Fix:" in errors[0], errors[0]
    assert snapshot(home) == before
    appended = log_lines(home) - lines_before
    assert appended <= (0 if case.code == 2 else 1)
    # The same with --json: one JSON object on stdout, nothing on stderr.
    if case.args[0] not in ("emulator",):
        shutil.rmtree(home)
        shutil.copytree(source, home)
        if case.prepare:
            case.prepare(home, scratch)
        quiet = run_cli(commands, home, [*args, "--json"], {**secrets, **env})
        assert quiet.returncode == case.code and quiet.stderr == "", quiet.stderr
        error = json.loads(quiet.stdout)
        assert error["ok"] is False and error["exit_code"] == case.code
        assert error["error"]["fix"]
