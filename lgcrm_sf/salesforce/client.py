"""Logging in to Salesforce and holding a simple-salesforce client that logs in again, once,
when the session expires. Counts every HTTP call it makes and remembers the org's API usage
from the `Sforce-Limit-Info` header.

SOAP login goes through simple-salesforce (`SalesforceLogin(scratch_url=...)` takes any login
URL). The OAuth flows are posted here: simple-salesforce only builds *.salesforce.com token
URLs, and My Domain, sandboxes and the emulator need others.
"""

from __future__ import annotations

import datetime
import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import jwt
import requests
import urllib3
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
)

from ..errors import (
    AuthError,
    ConnectionFailure,
    InsecureUrl,
    QuotaReserveReached,
    SalesforceApiError,
    UsageError,
)
from .retry import RetryPolicy, with_retries

DEFAULT_API_VERSION = "59.0"
LOGIN_URLS = {"login": "https://login.salesforce.com", "test": "https://test.salesforce.com"}
AUTH_METHODS = ("password", "jwt", "client_credentials")

# User-facing text of this module, one place (a pt-BR translation follows from here).
MESSAGES = {
    "INVALID_LOGIN": "Salesforce refused the login ({code}): check the username and password, and "
    "that the security token is the latest one (Settings > Reset My Security Token); the user may "
    "also be locked out after too many attempts.",
    "LOGIN_MUST_USE_SECURITY_TOKEN": "Salesforce asks for a security token (LOGIN_MUST_USE_SECURITY_TOKEN): "
    "set LGCRM_SF_SECURITY_TOKEN or type it when asked; reset it in Salesforce under Settings > "
    "Reset My Security Token.",
    "API_DISABLED_FOR_ORG": "API access is not enabled for this org (API_DISABLED_FOR_ORG): Enterprise, "
    "Unlimited and Performance editions include it; Professional Edition must buy it from Salesforce.",
    "API_CURRENTLY_DISABLED": "API access is disabled for this user (API_CURRENTLY_DISABLED): in Setup > "
    "Profiles, give the integration user's profile the 'API Enabled' permission.",
    "PASSWORD_EXPIRED": "The integration user's password has expired: log in to Salesforce as that user "
    "to set a new one, then set 'Password Never Expires' on its profile (Setup > Profiles).",
    "USER_LOCKED": "The user is locked out of Salesforce: an admin can unlock it in Setup > Users.",
    "invalid_grant": "Salesforce refused the OAuth login (invalid_grant: {detail}): check the username, "
    "that the connected app's certificate matches the private key, and that the user is pre-authorized "
    "for the app (Manage Connected Apps > Policies).",
    "invalid_client_id": "Salesforce does not know this consumer key (invalid_client_id): copy it "
    "again from the connected app (App Manager > View).",
    "invalid_client": "The consumer key or secret is wrong (invalid_client).",
    "OTHER_AUTH": "Salesforce refused the login ({code}): {detail}",
    "UNREACHABLE": "Cannot reach Salesforce at {url}: {detail}. Check the login URL (--domain, "
    "--login-url) and the network.",
    "TLS": "The TLS certificate of {url} could not be verified: {detail}. If this is a test "
    "server, pass its CA with --ca-bundle.",
    "SESSION_LOST": "Salesforce ended the session twice in a row; log in again with `lgcrm-sf connect`.",
    "API_ERROR": "Salesforce rejected {what} ({code}): {detail}",
    "LOGIN_UNAVAILABLE": "Salesforce could not log in at {url} just now ({code}); it was tried "
    "again with backoff. Run again later.",
    "QUOTA_SPENT": "Stopped: the org has spent its daily API requests (REQUEST_LIMIT_EXCEEDED: "
    "{detail}). Work done so far is saved; run again when the 24-hour window frees calls, or "
    "ask Salesforce for a higher limit.",
}


@dataclass
class LoginTarget:
    """Where and how to log in: no secrets here."""

    login_url: str
    username: str
    auth_method: str = "password"
    api_version: str = DEFAULT_API_VERSION
    ca_bundle: str | None = None
    consumer_key: str | None = None


@dataclass
class Secrets:
    password: str | None = None
    security_token: str | None = None
    private_key: str | None = None  # PEM text for the JWT bearer flow
    consumer_secret: str | None = None

    def __repr__(self) -> str:  # never print a secret, even by accident
        present = [k for k, v in self.__dict__.items() if v]
        return f"Secrets(<{', '.join(present) or 'none'}>)"

    __str__ = __repr__


def checked_api_version(text: str) -> str:
    """`59` or `59.0` (what Salesforce names versions); anything else is a usage error."""
    match = re.fullmatch(r"\s*(\d{2})(?:\.0)?\s*", text or "")
    if not match or not 20 <= int(match.group(1)) <= 99:
        raise UsageError(
            f"--api-version {text!r} is not a Salesforce API version.",
            f"give its number, e.g. --api-version {DEFAULT_API_VERSION}.",
        )
    return f"{match.group(1)}.0"


def login_url_for(domain: str | None = None, login_url: str | None = None) -> str:
    """`--domain login|test|acme.my` or `--login-url URL` to the base URL logins post to. Only
    https: a password and security token must never travel in clear (UsageError, exit 2)."""
    if login_url:
        url, option = login_url.strip().rstrip("/"), "--login-url"
    else:
        domain = (domain or "login").strip()
        option = "--domain"
        if domain in LOGIN_URLS:
            url = LOGIN_URLS[domain]
        elif re.match(r"^[a-z][a-z0-9+.-]*://", domain, re.I):
            url = domain.rstrip("/")
        else:
            url = f"https://{domain}.salesforce.com"
    if not is_https(url):
        raise UsageError(
            f"{option} {shown_url(url)}: only an https:// address is accepted; the password and "
            "security token would otherwise travel in clear.",
            f"give the https:// address (e.g. {option} https://{urlsplit(url).netloc or 'login.salesforce.com'}).",
        )
    return url


def is_https(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme.lower() == "https" and bool(parts.netloc)


def shown_url(url: str) -> str:
    """A URL fit for a message or a log: no query string (a secret may travel in it)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url


def refuse_insecure(url: str, what: str) -> None:
    if not is_https(url):
        raise InsecureUrl(
            f"Salesforce handed back a plain http:// address for {what} ({shown_url(url)}): "
            "refused, nothing was sent there. Check the login URL and any proxy in between.",
        )


class PinnedSession(requests.Session):
    """A requests session whose `verify` holds: requests lets REQUESTS_CA_BUNDLE and
    CURL_CA_BUNDLE replace Session.verify per request, which would bypass --ca-bundle.
    It also gives every request a timeout (simple-salesforce sets none)."""

    default_timeout: float = 300

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)

    def send(self, request, **kwargs):
        # Every request, redirects included (requests sends each hop through here): never
        # over plain http, where a session id or a password would travel in clear.
        refuse_insecure(request.url, "a request")
        return super().send(request, **kwargs)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        settings["verify"] = self.verify
        return settings


@dataclass
class CallCounter:
    calls: int = 0
    by_kind: dict = field(default_factory=dict)
    api_used: int | None = None
    api_max: int | None = None
    server_time: datetime.datetime | None = None  # the org's clock, from the last Date header

    def hook(self, response: requests.Response, *args, **kwargs) -> None:
        date = response.headers.get("Date")
        if date:
            try:
                self.server_time = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                pass
        path = requests.utils.urlparse(response.url).path
        kind = "login" if "/Soap/u/" in path or "/oauth2/token" in path else "api"
        if kind == "api":
            self.calls += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        usage = response.headers.get("Sforce-Limit-Info", "")
        match = re.search(r"api-usage=(\d+)/(\d+)", usage)
        if match:
            self.api_used, self.api_max = int(match.group(1)), int(match.group(2))


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
        self.http.hooks["response"].append(_refuse_insecure_login_answer)
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
        try:
            if t.auth_method == "password":
                session_id, instance = SalesforceLogin(
                    username=t.username,
                    password=self._secrets.password or "",
                    security_token=self._secrets.security_token or "",
                    scratch_url=t.login_url,
                    sf_version=t.api_version,
                    session=self.http,
                )
                self._sf = Salesforce(
                    instance=instance,
                    session_id=session_id,
                    version=t.api_version,
                    session=self.http,
                )
            elif t.auth_method in ("jwt", "client_credentials"):
                token = self._oauth()
                self._sf = Salesforce(
                    instance_url=token["instance_url"],
                    session_id=token["access_token"],
                    version=t.api_version,
                    session=self.http,
                )
                ident = token.get("id", "").rstrip("/").split("/")
                if len(ident) >= 2:
                    self.org_id, self.user_id = ident[-2], ident[-1]
            else:
                raise AuthError(
                    f"Unknown auth method {t.auth_method!r}: use one of {', '.join(AUTH_METHODS)}."
                )
        except SalesforceAuthenticationFailed as exc:
            if str(exc.code) in TRANSIENT_LOGIN_CODES:  # the service, not the credentials
                failure = ConnectionFailure(
                    MESSAGES["LOGIN_UNAVAILABLE"].format(url=t.login_url, code=exc.code)
                )
                raise failure from None
            raise auth_error(str(exc.code), _clean(exc.message)) from None
        except requests.exceptions.SSLError as exc:
            raise ConnectionFailure(
                MESSAGES["TLS"].format(url=t.login_url, detail=_short(exc))
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ConnectionFailure(
                MESSAGES["UNREACHABLE"].format(url=t.login_url, detail=_short(exc))
            ) from None
        self.logins += 1
        return self._sf

    def _oauth(self) -> dict:
        t, s = self.target, self._secrets
        url = f"{t.login_url}/services/oauth2/token"
        if t.auth_method == "jwt":
            claims = {
                "iss": t.consumer_key,
                "sub": t.username,
                "aud": _audience(t.login_url),
                "exp": int(time.time()) + 180,
            }
            try:
                assertion = jwt.encode(claims, s.private_key or "", algorithm="RS256")
            except (ValueError, TypeError, jwt.PyJWTError) as exc:
                raise AuthError(
                    f"The private key for the JWT login could not be used: {type(exc).__name__}. "
                    "Give the PEM file of the key whose certificate is on the connected app."
                ) from None
            form = {
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            }
            response = self.http.post(url, data=form, timeout=self.timeout)
        else:
            response = self.http.post(
                url,
                data={"grant_type": "client_credentials"},
                auth=(t.consumer_key or "", s.consumer_secret or ""),
                timeout=self.timeout,
            )
        try:
            body = response.json()
        except ValueError:
            raise AuthError(
                f"Salesforce answered the login with HTTP {response.status_code} and no JSON."
            ) from None
        if response.status_code != 200:
            raise auth_error(body.get("error", "unknown"), body.get("error_description", ""))
        refuse_insecure(body.get("instance_url", ""), "the instance URL")
        return body

    def call(
        self,
        fn: Callable[[Salesforce], T],
        what: str = "the request",
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

    def _retried(self, exc: Exception, wait: float) -> None:
        self.retries += 1

    def _call_once(self, fn: Callable[[Salesforce], T], what: str) -> T:
        for attempt in (1, 2):
            try:
                return fn(self.sf)
            except SalesforceExpiredSession:
                if attempt == 2:
                    raise AuthError(MESSAGES["SESSION_LOST"]) from None
                self.login()
            except SalesforceError as exc:
                raise api_error(exc, what) from None
            except requests.exceptions.SSLError as exc:
                raise tls_failure(self.target.login_url, exc) from None
            except requests.exceptions.RequestException as exc:
                # Refused, reset, cut mid-body or timed out: all worth a retry, but only a
                # connection never made proves the request did not reach Salesforce.
                failure = ConnectionFailure(
                    MESSAGES["UNREACHABLE"].format(url=self.target.login_url, detail=_short(exc))
                )
                failure.sent = not never_sent(exc)
                raise failure from None
        raise AssertionError("unreachable")

    @property
    def instance_url(self) -> str:
        return f"https://{self.sf.sf_instance}"


# A login fault that says the service is busy or down, not that the credentials are wrong.
TRANSIENT_LOGIN_CODES = {"SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION", "REQUEST_LIMIT_EXCEEDED"}


def _clean(message: str) -> str:
    """simple-salesforce leaves a `{content}` placeholder in some login messages."""
    return (message or "").replace("Response content: {content}", "").strip()


def _audience(login_url: str) -> str:
    # The JWT audience is login/test.salesforce.com, or the My Domain / server URL otherwise.
    return login_url.rstrip("/")


def _short(exc: Exception) -> str:
    text = str(exc)
    match = re.search(r"\[SSL: [A-Z_]+\][^)'\"]*", text) or re.search(
        r"(Failed to establish a new connection: [^)'\"]*|Connection refused|Name or service not known|timed out)",
        text,
    )
    return match.group(0).strip() if match else type(exc).__name__


def _refuse_insecure_login_answer(response: requests.Response, *args, **kwargs) -> None:
    """A SOAP login answer names the server to use from then on: refuse an http:// one (and a
    redirect to http://, before it is followed)."""
    if response.is_redirect:
        refuse_insecure(response.headers.get("Location", ""), "a redirect")
    if "/Soap/u/" in response.url and response.status_code == 200:
        for tag in ("serverUrl", "metadataServerUrl"):
            found = re.search(rf"<{tag}>([^<]*)</{tag}>", response.text)
            if found:
                refuse_insecure(found.group(1), f"the login's {tag}")


def never_sent(exc: requests.exceptions.RequestException) -> bool:
    """True when the connection was never made, so the request never left."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = exc.args[0] if exc.args else None
        reason = getattr(cause, "reason", cause)
        return isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        )
    return False


def tls_failure(url: str, exc: Exception) -> ConnectionFailure:
    failure = ConnectionFailure(MESSAGES["TLS"].format(url=url, detail=_short(exc)))
    failure.tls = True  # not transient: retrying will not make a certificate valid
    return failure


def auth_error(code: str, detail: str) -> AuthError:
    if (
        code == "INVALID_LOGIN"
        and "locked" in (detail or "").lower()
        and "or user locked out" not in detail
    ):
        return AuthError(MESSAGES["USER_LOCKED"], code)
    if code in MESSAGES:
        return AuthError(MESSAGES[code].format(code=code, detail=detail), code)
    return AuthError(MESSAGES["OTHER_AUTH"].format(code=code, detail=detail), code)


def api_error(exc: SalesforceError, what: str) -> Exception:
    content = exc.content
    code, detail = None, str(content)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code, detail = content[0].get("errorCode"), content[0].get("message", "")
    if code == "INVALID_OPERATION_WITH_EXPIRED_PASSWORD":
        return AuthError(MESSAGES["PASSWORD_EXPIRED"], code)
    detail = " ".join(str(detail).split())
    if code == "REQUEST_LIMIT_EXCEEDED" and "totalrequests" in detail.lower():
        # The daily allowance is gone: waiting seconds won't bring it back (unlike the
        # concurrent long-running request limit, ConcurrentPerOrgLongTxn, which clears).
        return QuotaReserveReached(MESSAGES["QUOTA_SPENT"].format(detail=detail))
    return SalesforceApiError(
        MESSAGES["API_ERROR"].format(what=what, code=code or exc.status, detail=detail),
        code,
        exc.status,
    )
