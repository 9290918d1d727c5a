"""Finding and running the ecosystem's own tools (the Salesforce CLI, CumulusCI) unpatched.

They are looked for in the repository's .ecosystem/ (where .ci/install-ecosystem puts them),
then on PATH. Each runs with HOME in a temporary directory, telemetry and update checks off,
and the emulator's CA trusted through NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ECOSYSTEM = ROOT / ".ecosystem"
TOOL_TIMEOUT = 180


@dataclass
class Tools:
    node_dir: str | None  # a Node.js >= 22 bin directory to put first on PATH
    sf: str | None
    cci: str | None

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if getattr(self, n) is None]


def _node_major(node: str) -> int:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def find_tools() -> Tools:
    nodes = glob.glob(str(ECOSYSTEM / "node" / "node_modules" / "node-linux-*" / "bin" / "node"))
    node = nodes[0] if nodes else shutil.which("node")
    node_dir = os.path.dirname(node) if node and _node_major(node) >= 22 else None
    sf = ECOSYSTEM / "sf" / "node_modules" / ".bin" / "sf"
    sf_path = str(sf) if sf.exists() else shutil.which("sf")
    cci = ECOSYSTEM / "cci-venv" / "bin" / "cci"
    cci_path = str(cci) if cci.exists() else shutil.which("cci")
    return Tools(node_dir, sf_path if node_dir else None, cci_path)


def tool_env(home: Path, ca_bundle: str, tools: Tools) -> dict:
    """The environment every tool runs in: a throwaway home, nothing phoning out."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SF_", "SFDX_", "CUMULUSCI_", "REQUESTS_CA", "CURL_CA"))
    }
    path = [tools.node_dir] if tools.node_dir else []
    for tool in (tools.sf, tools.cci):
        if tool:
            path.append(os.path.dirname(tool))
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PATH=os.pathsep.join([*path, env.get("PATH", "")]),
        NODE_EXTRA_CA_CERTS=ca_bundle,
        REQUESTS_CA_BUNDLE=ca_bundle,
        # The Salesforce CLI: no telemetry, no update checks or autoupdate, plain output.
        SF_DISABLE_TELEMETRY="true",
        SFDX_DISABLE_TELEMETRY="true",
        SF_DISABLE_AUTOUPDATE="true",
        SFDX_DISABLE_AUTOUPDATE="true",
        SF_SKIP_NEW_VERSION_CHECK="true",
        SF_AUTOUPDATE_DISABLE="true",
        SF_USE_PROGRESS_BAR="false",
        SF_DISABLE_LOG_FILE="true",
        NO_COLOR="1",
        # CumulusCI: the OS keyring is never touched; the orgs it keeps in the throwaway home
        # are encrypted with a key of this run.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CUMULUSCI_KEY=secrets.token_hex(8),
    )
    # CumulusCI checks PyPI for a newer version at most once an hour, after this timestamp.
    cci_dir = home / ".cumulusci"
    cci_dir.mkdir(parents=True, exist_ok=True)
    (cci_dir / "cumulus_timestamp").write_text(str(time.time()))
    return env


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def __repr__(self) -> str:
        return (
            f"Run({self.args!r}, code={self.code}, out={self.out[-3000:]!r}, "
            f"err={self.err[-3000:]!r})"
        )


def run(args: list[str], env: dict, cwd: Path | None = None) -> Run:
    done = subprocess.run(
        args,
        env=env,
        cwd=str(cwd) if cwd else None,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    return Run(args, done.returncode, done.stdout, done.stderr)
