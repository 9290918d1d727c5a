"""Only https: a plain http:// login URL is refused before anything is sent (exit 2 on the
command line, 3 from a stored profile), and so is any http:// address a server hands back (a
SOAP serverUrl, an OAuth instance_url, a redirect): nothing is sent there, nothing stored."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, password_env


class Listener:
    """A plain TCP listener that records every byte anyone sends it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            conn.close()

    def close(self) -> bytes:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()
        return self.received


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize("option", ["--login-url", "--domain"])
def test_an_http_login_url_is_refused_before_anything_is_sent(cli, home, org, listener, option):
    url = f"http://127.0.0.1:{listener.port}"
    args = ["connect", "--username", org["username"], option, url, "--yes"]
    result = cli(*args, env=password_env(org))
    assert result.code == ExitCode.USAGE, result
    assert result.err.count("\n") == 1 and option in result.err and "https://" in result.err
    assert "{content}" not in result.err
    assert listener.close() == b""
    assert not Profile(home).settings_path.exists()


def test_a_stored_http_login_url_is_refused_with_exit_3(world, home, listener):
    path = Profile(home).settings_path
    settings = json.loads(path.read_text())
    settings["login_url"] = f"http://127.0.0.1:{listener.port}"
    path.write_text(json.dumps(settings))
    result = world.cli("sync", "--no-backup-check")
    assert result.code == ExitCode.CONFIG and str(path) in result.err and "not https" in result.err
    assert listener.close() == b""


def test_a_soap_login_answering_an_http_server_url_is_refused(
    cli, home, org, control, keyring_file
):
    control.settings(downgrade_urls="soap")
    result = cli(*connect_args(org), env=password_env(org))
    assert result.code == ExitCode.CONNECTION, result
    assert "http:// address for the login's serverUrl" in result.err
    assert not Profile(home).settings_path.exists()


def test_an_oauth_instance_url_over_http_is_refused(cli, home, org, control, keyring_file):
    control.settings(downgrade_urls="oauth")
    result = cli(
        "connect",
        "--auth",
        "client_credentials",
        "--consumer-key",
        org["consumer_key"],
        "--login-url",
        org["login_url"],
        "--ca-bundle",
        org["ca_bundle"],
        "--yes",
        env={"LGCRM_SF_CONSUMER_SECRET": org["consumer_secret"]},
    )
    assert result.code == ExitCode.CONNECTION, result
    assert "instance URL" in result.err and "http://" in result.err
    assert not Profile(home).settings_path.exists()


def test_a_redirect_to_http_is_not_followed(world, control):
    control.settings(downgrade_urls="redirect")
    result = world.cli("sync", "--no-backup-check")
    assert result.code == ExitCode.CONNECTION, result
    assert "http:// address for a redirect" in result.err or "for a request" in result.err


def test_client_credentials_need_no_username(cli, home, org, keyring_file):
    result = cli(
        "connect",
        "--auth",
        "client_credentials",
        "--consumer-key",
        org["consumer_key"],
        "--login-url",
        org["login_url"],
        "--ca-bundle",
        org["ca_bundle"],
        "--yes",
        "--json",
        env={"LGCRM_SF_CONSUMER_SECRET": org["consumer_secret"]},
    )
    assert result.code == 0, result
    settings = json.loads(Profile(home).settings_path.read_text())
    assert (
        settings["username"] == org["username"] and settings["auth_method"] == "client_credentials"
    )
