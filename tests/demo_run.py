"""`lgcrm-sf demo` run as a newcomer runs it (its own process, a fresh home beside an existing
one it must leave alone), once a session in each language: test_demo.py reads the English run's
story and its home, test_i18n_done.py compares it line by line with the Portuguese run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# No language chosen but the locale's: LANG=C reads English, pt_BR.UTF-8 Portuguese (no pt_BR
# locale needs to be installed: the tool never calls setlocale).
ENGLISH = {"LANG": "C", "LGCRM_SF_LANG": "", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
PORTUGUESE = {**ENGLISH, "LANG": "pt_BR.UTF-8"}


def snapshot(root: Path) -> dict:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@dataclass
class DemoRun:
    result: subprocess.CompletedProcess
    mine: Path  # the user's own home, which the demo must not touch
    before: dict  # its files before the run

    @property
    def out(self) -> str:
        return self.result.stdout


def start_demo(tmp: Path, language: dict) -> tuple[subprocess.Popen, Path, dict]:
    # A user's real home (as cron users set LGCRM_SF_HOME): the demo must leave it alone.
    mine = tmp / "my-home"
    (mine / "profiles" / "default").mkdir(parents=True)
    (mine / "profiles" / "default" / "settings.json").write_text('{"connected": true}')
    before = snapshot(mine)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LGCRM_SF_", "PYTHON_KEYRING"))}
    env.update(language)
    env["COLUMNS"] = "200"  # keep each line whole for the checks
    env["LGCRM_SF_HOME"] = str(mine)
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "lgcrm_sf.cli", "--home", str(mine), "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, mine, before


def finish_demo(started: tuple[subprocess.Popen, Path, dict]) -> DemoRun:
    process, mine, before = started
    try:
        out, err = process.communicate(timeout=300)
    finally:
        process.kill()  # only if it ran past the timeout; a no-op once it has ended
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return DemoRun(result, mine, before)


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory) -> dict[str, DemoRun]:
    """The English and the Portuguese run, side by side: each is its own process with its own
    emulator and home, and a machine's second core would otherwise idle through them."""
    started = {
        name: start_demo(tmp_path_factory.mktemp(f"demo-{name}"), language)
        for name, language in (("en", ENGLISH), ("pt_BR", PORTUGUESE))
    }
    return {name: finish_demo(run) for name, run in started.items()}
