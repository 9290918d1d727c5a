"""No password, security token, session id or private key reaches a file under the home
directory, stdout, stderr or the logs. And the interactive connect never echoes them."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from .conftest import connect_args, password_env
from .test_emulator_auth import make_key_and_certificate


def all_text_under(path: Path) -> bytes:
    blob = b""
    for file in path.rglob("*"):
        if file.is_file():
            blob += file.read_bytes()
    return blob


def test_no_secret_leaks_after_connect_prereqs_and_a_failed_login(
    org, cli, home, keyring_file, emulator
):
    outputs = []
    outputs.append(cli(*connect_args(org), env=password_env(org)))
    outputs.append(cli("check-prereqs"))
    outputs.append(cli("check-prereqs", "--json"))
    outputs.append(
        cli(
            "--profile",
            "bad",
            *connect_args(org),
            env={
                "LGCRM_SF_PASSWORD": org["password"] + "x",
                "LGCRM_SF_SECURITY_TOKEN": org["security_token"],
            },
        )
    )
    assert outputs[-1].code != 0
    sessions = list(emulator.app.sessions._sessions)  # every session id the org handed out
    assert sessions
    secrets = [org["password"], org["security_token"], org["password"] + "x", *sessions]
    files = all_text_under(home)
    assert files  # settings, state database, logs exist
    for secret in secrets:
        assert secret.encode() not in files, "a secret reached a file under the home"
        for result in outputs:
            assert secret not in result.out and secret not in result.err


def test_private_key_never_leaves_its_file(org, cli, home, keyring_file, control, tmp_path):
    key_pem, cert_pem = make_key_and_certificate()
    control.register_jwt_certificate(org["consumer_key"], cert_pem)
    key_file = tmp_path / "server.key"
    key_file.write_text(key_pem)
    result = cli(
        *connect_args(
            org,
            "--auth",
            "jwt",
            "--consumer-key",
            org["consumer_key"],
            "--private-key-file",
            key_file,
        )
    )
    assert result.code == 0
    body = key_pem.splitlines()[5].encode()
    assert body not in all_text_under(home)
    assert body.decode() not in result.out + result.err


def test_interactive_connect_hides_input_and_requires_confirm(org, tmp_path):
    """Drive the real console script in a pseudo-terminal, as an admin would type."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGCRM_SF_")}
    env.update(
        LGCRM_SF_HOME=str(home),
        PYTHONPATH=str(Path(__file__).parents[1]),
        PYTHON_KEYRING_BACKEND="tests.keyring_backend.TestFileKeyring",
        LGCRM_SF_TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
    )
    args = [
        sys.executable,
        "-m",
        "lgcrm_sf.cli",
        "connect",
        "--login-url",
        org["login_url"],
        "--ca-bundle",
        org["ca_bundle"],
    ]
    # Answer only once a prompt is fully shown: for hidden input, getpass prints the last
    # space after turning echo off (and discards anything typed before).
    answers = [
        ("username: ", org["username"]),
        ("Password: ", org["password"]),
        ("trusted): ", org["security_token"]),
        ("Warning: ", "Confirm"),
    ]
    transcript = converse(args, env, answers)
    assert "Connected profile 'default'" in transcript, transcript
    assert "Type Confirm" in transcript
    assert org["password"] not in transcript and org["security_token"] not in transcript
    assert (home / "profiles" / "default" / "settings.json").exists()

    other = tmp_path / "home2"
    env["LGCRM_SF_HOME"] = str(other)
    answers[-1] = ("Warning: ", "no thanks")
    transcript = converse(args, env, answers)
    assert "Nothing was stored" in transcript
    assert not (other / "profiles" / "default" / "settings.json").exists()


def converse(args, env, answers, timeout=120) -> str:
    main, child = pty.openpty()
    process = subprocess.Popen(
        args, stdin=child, stdout=child, stderr=child, env=env, close_fds=True
    )
    os.close(child)
    transcript, pending = "", list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096).decode(errors="replace")
            except OSError:
                break
            transcript += chunk
        if pending and transcript.endswith(pending[0][0]):
            os.write(main, (pending.pop(0)[1] + "\n").encode())
        if process.poll() is not None and not ready:
            break
    try:
        # EIO on the pty comes as the child closes it, a moment before it is reaped.
        process.wait(timeout=max(deadline - time.monotonic(), 5))
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"the command did not finish; it printed: {transcript!r}") from None
    os.close(main)
    return transcript
