"""Logging in to Salesforce and holding a simple-salesforce client that logs in again, once,
when the session expires. Every call goes through one session (session.py) that counts it and
remembers the org's API usage; transient failures are retried (retry.py) and the others become
this product's errors (failures.py).

SOAP login goes through simple-salesforce (`SalesforceLogin(scratch_url=...)` takes any login
URL); the OAuth flows are posted by oauth.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
)

from ..credentials import Secrets
from ..errors import AuthError, UsageError
from ..i18n import N_, _, deferred
from .addresses import login_url_for  # noqa: F401 - the CLI imports it from here
from .failures import (
    TRANSIENT_LOGIN_CODES,
    api_error,
    auth_error,
    clean,
    login_unavailable,
    never_sent,
    session_lost,
    tls_failure,
    unreachable,
)
from .oauth import oauth_token
from .retry import RetryPolicy, with_retries
from .session import CallCounter, PinnedSession, refuse_insecure_login_answer

DEFAULT_API_VERSION = "59.0"
AUTH_METHODS = ("password", "jwt", "client_credentials")


@dataclass
class LoginTarget:
    """Where and how to log in: no secrets here."""

    login_url: str
    username: str
    auth_method: str = "password"
    api_version: str = DEFAULT_API_VERSION
    ca_bundle: str | None = None
    consumer_key: str | None = None


def checked_api_version(text: str) -> str:
    """`59` or `59.0` (what Salesforce names versions); anything else is a usage error."""
    match = re.fullmatch(r"\s*(\d{2})(?:\.0)?\s*", text or "")
    if not match or not 20 <= int(match.group(1)) <= 99:
        raise UsageError(
            _("--api-version {text!r} is not a Salesforce API version.").format(text=text),
            _("give its number, e.g. --api-version {version}.").format(version=DEFAULT_API_VERSION),
        )
    return f"{match.group(1)}.0"


T = TypeVar("T")


class SalesforceClient:
    """One logged-in connection to one org. `call(fn)` runs `fn(sf)` and, if Salesforce says
    the session expired, logs in again and runs it once more."""

    def __init__(self, target: LoginTarget, secrets: Secrets, timeout: float = 120) -> None:
        self.target = target
        self._secrets = secrets
        self.counter = CallCounter()
        self.http = PinnedSession()
        self.http.verify = target.ca_bundle or True
        self.http.hooks["response"].append(self.counter.hook)
        self.http.hooks["response"].append(refuse_insecure_login_answer)
        self.timeout = timeout
        self._sf: Salesforce | None = None
        self.logins = 0
        self.user_id: str | None = None
        self.org_id: str | None = None
        self.retry_policy = RetryPolicy.from_environment()
        self.retries = 0

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            self.login()
        return self._sf

    def login(self) -> Salesforce:
        t = self.target
        if t.auth_method not in AUTH_METHODS:
            raise AuthError(
                _("Unknown auth method {auth_method!r}: use one of {names}.").format(
                    auth_method=t.auth_method, names=", ".join(AUTH_METHODS)
                )
            )
        try:
            self._sf = self._soap_login() if t.auth_method == "password" else self._oauth_login()
        except SalesforceAuthenticationFailed as exc:
            if str(exc.code) in TRANSIENT_LOGIN_CODES:  # the service, not the credentials
                raise login_unavailable(t.login_url, exc.code) from None
            raise auth_error(str(exc.code), clean(exc.message)) from None
        except requests.exceptions.SSLError as exc:
            raise tls_failure(t.login_url, exc, final=False) from None
        except requests.exceptions.RequestException as exc:
            raise unreachable(t.login_url, exc) from None
        self.logins += 1
        return self._sf

    def _soap_login(self) -> Salesforce:
        t = self.target
        session_id, instance = SalesforceLogin(
            username=t.username,
            password=self._secrets.password or "",
            security_token=self._secrets.security_token or "",
            scratch_url=t.login_url,
            sf_version=t.api_version,
            session=self.http,
        )
        return Salesforce(
            instance=instance, session_id=session_id, version=t.api_version, session=self.http
        )

    def _oauth_login(self) -> Salesforce:
        token = oauth_token(self.http, self.target, self._secrets, self.timeout)
        ident = token.get("id", "").rstrip("/").split("/")
        if len(ident) >= 2:
            self.org_id, self.user_id = ident[-2], ident[-1]
        return Salesforce(
            instance_url=token["instance_url"],
            session_id=token["access_token"],
            version=self.target.api_version,
            session=self.http,
        )

    def call(
        self,
        fn: Callable[[Salesforce], T],
        what: str = deferred(N_("the request")),
        retry: bool = True,
        idempotent: bool = True,
    ) -> T:
        """Run `fn(sf)`: transient failures are retried with backoff (see retry.py), an
        expired session logs in again once. A call that is not idempotent (a create) is never
        sent again when Salesforce may have carried it out: OutcomeUnknown instead."""
        if not retry:
            return self._call_once(fn, what)
        return with_retries(
            lambda: self._call_once(fn, what), self.retry_policy, self._retried, idempotent
        )

    def _retried(self, *_failure_and_wait) -> None:
        self.retries += 1

    def _call_once(self, fn: Callable[[Salesforce], T], what: str) -> T:
        for attempt in (1, 2):
            try:
                return fn(self.sf)
            except SalesforceExpiredSession:
                if attempt == 2:
                    raise session_lost() from None
                self.login()
            except SalesforceError as exc:
                raise api_error(exc, what) from None
            except requests.exceptions.SSLError as exc:
                raise tls_failure(self.target.login_url, exc) from None
            except requests.exceptions.RequestException as exc:
                # Refused, reset, cut mid-body or timed out: all worth a retry, but only a
                # connection never made proves the request did not reach Salesforce.
                failure = unreachable(self.target.login_url, exc)
                failure.sent = not never_sent(exc)
                raise failure from None
        raise AssertionError("unreachable")

    @property
    def instance_url(self) -> str:
        return f"https://{self.sf.sf_instance}"
