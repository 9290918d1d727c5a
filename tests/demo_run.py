"""`lgcrm-sf demo` run as a newcomer runs it (its own process, a fresh home beside an existing
one it must leave alone), once a session per language: test_demo.py reads the English run's
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


def run_demo(tmp: Path, language: dict) -> DemoRun:
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
    result = subprocess.run(
        [sys.executable, "-m", "lgcrm_sf.cli", "--home", str(mine), "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return DemoRun(result, mine, before)


@pytest.fixture(scope="session")
def english_demo(tmp_path_factory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-en"), ENGLISH)
