"""One exception tree for the product. Each class carries its exit code; the CLI turns any of
them into one line on stderr (no traceback) and exits with that code.

Exit codes are part of the interface (cron jobs branch on them), documented in README.md.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    RECORD_ERRORS = 1  # the run finished, but some records were rejected
    USAGE = 2  # bad command-line usage (Typer/Click's own code)
    CONFIG = 3  # a settings or mapping file is wrong, or the profile is not connected
    AUTH = 4  # Salesforce refused the login or the session
    CONNECTION = 5  # the org could not be reached (DNS, TCP, TLS)
    PREREQS_FAILED = 6  # check-prereqs found a failing requirement
    LOCK_HELD = 7  # another run of this profile holds the lock
    QUOTA_RESERVE = 8  # stopped cleanly: the org's API quota reached the reserve
    DATA = 9  # an input file (CSV, JSON lines) could not be used
    VERIFY_FAILED = 10  # a backup did not verify
    SALESFORCE = 11  # Salesforce rejected a request (not a login problem)
    KEYRING = 12  # no usable OS keyring for secrets
    INTERRUPTED = 130  # Ctrl-C
    INTERNAL = 70  # a bug: please report it


class LgcrmError(Exception):
    """Base of every error the CLI reports as one line (and, with --json, as a JSON object):
    what happened and, in `fix`, what to do about it."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class UsageError(LgcrmError):
    """A value given on the command line (or in an option's environment variable) is wrong."""

    exit_code = ExitCode.USAGE


class ConfigError(LgcrmError):
    exit_code = ExitCode.CONFIG


class NotConnected(ConfigError):
    pass


class AuthError(LgcrmError):
    exit_code = ExitCode.AUTH

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class ConnectionFailure(LgcrmError):
    exit_code = ExitCode.CONNECTION
    sent = False  # the request may have reached the server (the answer was lost, cut or late)
    tls = False  # a certificate that does not verify: retrying will not help


class InsecureUrl(ConnectionFailure):
    """A server handed back a plain http:// address (a login's serverUrl or instance_url, a
    redirect): nothing is sent there, and retrying will not make it safe."""

    tls = True


class OutcomeUnknown(ConnectionFailure):
    """A write that cannot be sent again blind: the server may have acted on it before the
    answer was lost. The caller settles it by looking the records up."""


class SalesforceApiError(LgcrmError):
    exit_code = ExitCode.SALESFORCE

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code, self.status = code, status


class QuotaReserveReached(LgcrmError):
    exit_code = ExitCode.QUOTA_RESERVE


class AccountDailyLimit(QuotaReserveReached):
    """The Lead Gen & CRM account's daily call budget is spent (106), or our count of it
    reached the reserve (the state database counts it, so the store raises it)."""


class LockHeld(LgcrmError):
    exit_code = ExitCode.LOCK_HELD


class DataError(LgcrmError):
    exit_code = ExitCode.DATA


class VerifyFailed(LgcrmError):
    """A backup that does not verify (a restore or a diff refuses to trust it)."""

    exit_code = ExitCode.VERIFY_FAILED


class PrereqsFailed(LgcrmError):
    exit_code = ExitCode.PREREQS_FAILED


class KeyringUnavailable(LgcrmError):
    exit_code = ExitCode.KEYRING
