"""`lgcrm-sf` as its own process without paying for Python's start-up each time: one helper
process imports the program once, then forks a child for each command. The child is a
process of its own (its pid can be killed with SIGKILL, its memory is the freshly imported
program's), run exactly as `python -m lgcrm_sf.cli ARGS` with the environment it is given; only
the imports (about a second a command on a loaded machine) are shared. The kill -9 matrices run
hundreds of commands.

What the program reads from the environment while importing (rich's consoles read COLUMNS)
comes from the helper's own environment: a Zygote is started with the variables its commands
share, each command's own (home, secrets) are set in its child.

The helper is single-threaded (checked at start) so forking it is safe. It reads one JSON
request a line on stdin and answers one JSON line on stdout:
  {"start": [args], "env": {...}, "out": path, "err": path} -> {"pid": n}
  {"poll": pid} -> {"code": exit code or null}  (a signal's death is minus its number)
  {"wait": pid} -> {"code": exit code}"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import json
import os
import pkgutil
import runpy
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

# What the libraries import only when a command runs (typer's parameter adapters bring in
# pydantic: most of a second), found by comparing sys.modules before and after a sync.
LAZY_IMPORTS = ("typer._adapters", "typer._click.decorators", "rich._emoji_codes", "netrc")


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def _child(request: dict) -> int:
    """In the forked child: become `python -m lgcrm_sf.cli ARGS`; returns its exit code."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for fd, path in ((1, request["out"]), (2, request["err"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["lgcrm-sf", *request["start"]]
    try:
        runpy.run_module("lgcrm_sf.cli", run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return 0


def _end(code: int) -> None:
    """End the child as Python ends a process, without tearing down the hundreds of modules it
    holds one by one (that alone takes longer than most commands): exit handlers run, then what
    the teardown would do with what the command left - database cursors and connections close
    and its garbage is collected (the last connection to close checkpoints the WAL and removes
    -wal and -shm once no statement of it is left, as after a real process), files flush."""
    atexit._run_exitfuncs()
    for kind, act in (
        (sqlite3.Cursor, "close"),
        (sqlite3.Connection, "close"),
        (io.IOBase, "flush"),
    ):
        for thing in [sys.stdout, sys.stderr, *gc.get_objects()]:  # the command's (see serve)
            if isinstance(thing, kind):
                with contextlib.suppress(Exception):
                    getattr(thing, act)()
        del thing
        gc.collect()
    os._exit(code)


def serve() -> None:
    """Answer requests until stdin closes."""
    import lgcrm_sf

    # Every module of the program, not only the command line's: commands import the engine,
    # the migrations, the emulator (demo, `emulator serve`) when they run. Importing has no
    # effect beyond defining things, so a child is the program just after its imports (the
    # __main__ modules, which run a command, are left out).
    for module in pkgutil.walk_packages(lgcrm_sf.__path__, "lgcrm_sf."):
        if not module.name.endswith(".__main__"):
            importlib.import_module(module.name)
    for name in LAZY_IMPORTS:
        with contextlib.suppress(ImportError):  # another version of the library
            importlib.import_module(name)

    assert threading.active_count() == 1, "forking is only safe in a single-threaded process"
    # What is imported stays out of the collector's reach in the children (as pre-forking
    # servers do): their collections skip it, and gc.get_objects() lists only what a command
    # made itself.
    gc.freeze()
    for line in sys.stdin:
        request = json.loads(line)
        if "start" in request:
            pid = os.fork()
            if pid == 0:
                try:
                    code = _child(request)
                except BaseException:  # as Python does with an uncaught exception
                    traceback.print_exc()
                    code = 1
                _end(code)
            answer = {"pid": pid}
        elif "poll" in request:
            pid, status = os.waitpid(request["poll"], os.WNOHANG)
            answer = {"code": _exit_code(status) if pid else None}
        else:
            answer = {"code": _exit_code(os.waitpid(request["wait"], 0)[1])}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


@dataclass
class Command:
    """One `lgcrm-sf` process started by the helper."""

    zygote: Zygote
    pid: int
    out: Path
    err: Path
    code: int | None = None  # once the process has ended and been reaped

    def poll(self) -> int | None:
        if self.code is None:
            self.code = self.zygote.ask({"poll": self.pid})["code"]
        return self.code

    def wait(self, timeout: float = 300) -> subprocess.CompletedProcess:
        """Until the command ends; one that runs past `timeout` is killed and fails the test."""
        if self.code is None:
            self.zygote.send({"wait": self.pid})
            # One answer a request, each read before the next request: nothing can wait in
            # the reader's buffer, so the pipe itself tells when the answer has come.
            late = not select.select([self.zygote.process.stdout], [], [], timeout)[0]
            if late:
                os.kill(self.pid, signal.SIGKILL)
            self.code = self.zygote.answer()["code"]
            assert not late, f"the command ran past {timeout} s and was killed"
        out, err = (p.read_text(errors="replace") for p in (self.out, self.err))
        return subprocess.CompletedProcess([], self.code, out, err)

    def kill(self) -> int:
        """SIGKILL, unless it has already ended (its pid could be another's by now)."""
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        return self.wait().returncode


class Zygote:
    """The test side: start the helper once, then start commands through it."""

    def __init__(self, env: dict) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="lgcrm-sf-cli-"))
        self.count = 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_zygote"],
            env=env,
            cwd=str(Path(__file__).parents[1]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, request: dict) -> dict:
        self.send(request)
        return self.answer()

    def send(self, request: dict) -> None:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the command helper died (exit code {self.process.wait()})"
        return json.loads(line)

    def start(self, env: dict, *args) -> Command:
        self.count += 1
        out, err = self.dir / f"{self.count}.out", self.dir / f"{self.count}.err"
        request = {"start": [str(a) for a in args], "env": env, "out": str(out), "err": str(err)}
        return Command(self, self.ask(request)["pid"], out, err)

    def run(self, env: dict, *args) -> subprocess.CompletedProcess:
        return self.start(env, *args).wait()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


_shared: Zygote | None = None


def shared() -> Zygote:
    """The session's helper, started on first use in the environment the crash tests give
    their commands (no LGCRM_SF_* variable, no OS keyring), ended when the session ends."""
    global _shared
    if _shared is None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LGCRM_SF_")}
        env.update(
            PYTHONPATH=str(Path(__file__).parents[1]),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        _shared = Zygote(env)
        atexit.register(_shared.close)
    return _shared


if __name__ == "__main__":
    serve()
