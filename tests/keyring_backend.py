"""A keyring backend for tests only: this machine and CI have no OS keyring. It stands in for
the OS keyring (kept outside the profile's home, in a file of the test's own), so tests can
check that secrets reach the keyring and nothing else. The product never writes secrets to a
file; this is the OS keyring's stand-in, selected by PYTHON_KEYRING_BACKEND in tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class TestFileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        """Viable only while a test names its file: keyring picks the most preferred viable
        backend among every class it knows, and a test's stand-in must never become the default
        of a later test that has no file."""
        if "LGCRM_SF_TEST_KEYRING_FILE" not in os.environ:
            raise RuntimeError("no LGCRM_SF_TEST_KEYRING_FILE: not a test with a keyring")
        return 1

    @property
    def path(self) -> Path:
        # keyring keeps the backend it chose for the rest of the process: a later test without
        # the `keyring` fixture meets it with no file named, and finds it locked, as an OS
        # keyring can be (never a KeyError the product would not meet).
        if "LGCRM_SF_TEST_KEYRING_FILE" not in os.environ:
            raise KeyringLocked("the test keyring has no file in this test")
        return Path(os.environ["LGCRM_SF_TEST_KEYRING_FILE"])

    def _read(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _write(self, data: dict) -> None:
        self.path.write_text(json.dumps(data))

    def get_password(self, service, username):
        return self._read().get(f"{service}|{username}")

    def set_password(self, service, username, password):
        data = self._read()
        data[f"{service}|{username}"] = password
        self._write(data)

    def delete_password(self, service, username):
        data = self._read()
        if f"{service}|{username}" not in data:
            raise PasswordDeleteError(username)
        del data[f"{service}|{username}"]
        self._write(data)
