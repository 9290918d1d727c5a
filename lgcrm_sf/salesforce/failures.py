"""Salesforce's failures as this product's errors: a refused login named with its likely cause,
an API error with Salesforce's code and message, a connection that failed said plainly, and
whether the request may have reached Salesforce (a create must not be sent again blind)."""

from __future__ import annotations

import re

import requests
import urllib3
from simple_salesforce.exceptions import SalesforceError

from ..errors import AuthError, ConnectionFailure, QuotaReserveReached, SalesforceApiError
from ..i18n import N_, deferred

# User-facing text of this module, one place (a pt-BR translation follows from here).
MESSAGES = {
    "INVALID_LOGIN": N_(
        "Salesforce refused the login ({code}): check the username and password, and that the "
        "security token is the latest one (Settings > Reset My Security Token); the user may "
        "also be locked out after too many attempts."
    ),
    "LOGIN_MUST_USE_SECURITY_TOKEN": N_(
        "Salesforce asks for a security token (LOGIN_MUST_USE_SECURITY_TOKEN): set "
        "LGCRM_SF_SECURITY_TOKEN or type it when asked; reset it in Salesforce under Settings > "
        "Reset My Security Token."
    ),
    "API_DISABLED_FOR_ORG": N_(
        "API access is not enabled for this org (API_DISABLED_FOR_ORG): Enterprise, Unlimited "
        "and Performance editions include it; Professional Edition must buy it from Salesforce."
    ),
    "API_CURRENTLY_DISABLED": N_(
        "API access is disabled for this user (API_CURRENTLY_DISABLED): in Setup > Profiles, "
        "give the integration user's profile the 'API Enabled' permission."
    ),
    "PASSWORD_EXPIRED": N_(
        "The integration user's password has expired: log in to Salesforce as that user to set a "
        "new one, then set 'Password Never Expires' on its profile (Setup > Profiles)."
    ),
    "USER_LOCKED": N_(
        "The user is locked out of Salesforce: an admin can unlock it in Setup > Users."
    ),
    "invalid_grant": N_(
        "Salesforce refused the OAuth login (invalid_grant: {detail}): check the username, that "
        "the connected app's certificate matches the private key, and that the user is "
        "pre-authorized for the app (Manage Connected Apps > Policies)."
    ),
    "invalid_client_id": N_(
        "Salesforce does not know this consumer key (invalid_client_id): copy it again from the "
        "connected app (App Manager > View)."
    ),
    "invalid_client": N_("The consumer key or secret is wrong (invalid_client)."),
    "OTHER_AUTH": N_("Salesforce refused the login ({code}): {detail}"),
    "UNREACHABLE": N_(
        "Cannot reach Salesforce at {url}: {detail}. Check the login URL (--domain, --login-url) "
        "and the network."
    ),
    "TLS": N_(
        "The TLS certificate of {url} could not be verified: {detail}. If this is a test server, "
        "pass its CA with --ca-bundle."
    ),
    "SESSION_LOST": N_(
        "Salesforce ended the session twice in a row; log in again with `lgcrm-sf connect`."
    ),
    "API_ERROR": N_("Salesforce rejected {what} ({code}): {detail}"),
    "LOGIN_UNAVAILABLE": N_(
        "Salesforce could not log in at {url} just now ({code}); it was tried again with "
        "backoff. Run again later."
    ),
    "QUOTA_SPENT": N_(
        "Stopped: the org has spent its daily API requests (REQUEST_LIMIT_EXCEEDED: {detail}). "
        "Work done so far is saved; run again when the 24-hour window frees calls, or ask "
        "Salesforce for a higher limit."
    ),
}

# A login fault that says the service is busy or down, not that the credentials are wrong.
TRANSIENT_LOGIN_CODES = {"SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION", "REQUEST_LIMIT_EXCEEDED"}
# What a connection failure says, shortly: the TLS reason, or why no connection was made.
SHORT_REASON = re.compile(
    r"(Failed to establish a new connection: [^)'\"]*|Connection refused"
    r"|Name or service not known|timed out)"
)


def clean(message: str) -> str:
    """simple-salesforce leaves a `{content}` placeholder in some login messages."""
    return (message or "").replace("Response content: {content}", "").strip()


def short_reason(exc: Exception) -> str:
    text = str(exc)
    match = re.search(r"\[SSL: [A-Z_]+\][^)'\"]*", text) or SHORT_REASON.search(text)
    return match.group(0).strip() if match else type(exc).__name__


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


def tls_failure(url: str, exc: Exception, final: bool = True) -> ConnectionFailure:
    """A certificate that does not verify. `final`: not transient, retrying will not make a
    certificate valid (a login's own TLS failure has always been left to the retry policy)."""
    failure = ConnectionFailure(deferred(MESSAGES["TLS"], url=url, detail=short_reason(exc)))
    failure.tls = final
    return failure


def unreachable(url: str, exc: requests.exceptions.RequestException) -> ConnectionFailure:
    return ConnectionFailure(deferred(MESSAGES["UNREACHABLE"], url=url, detail=short_reason(exc)))


def login_unavailable(url: str, code: str) -> ConnectionFailure:
    return ConnectionFailure(deferred(MESSAGES["LOGIN_UNAVAILABLE"], url=url, code=code))


def auth_error(code: str, detail: str) -> AuthError:
    if (
        code == "INVALID_LOGIN"
        and "locked" in (detail or "").lower()
        and "or user locked out" not in detail
    ):
        return AuthError(deferred(MESSAGES["USER_LOCKED"]), code)
    if code in MESSAGES:
        return AuthError(deferred(MESSAGES[code], code=code, detail=detail), code)
    return AuthError(deferred(MESSAGES["OTHER_AUTH"], code=code, detail=detail), code)


def session_lost() -> AuthError:
    return AuthError(deferred(MESSAGES["SESSION_LOST"]))


def api_error(exc: SalesforceError, what: str) -> Exception:
    content = exc.content
    code, detail = None, str(content)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code, detail = content[0].get("errorCode"), content[0].get("message", "")
    if code == "INVALID_OPERATION_WITH_EXPIRED_PASSWORD":
        return AuthError(deferred(MESSAGES["PASSWORD_EXPIRED"]), code)
    detail = " ".join(str(detail).split())
    if code == "REQUEST_LIMIT_EXCEEDED" and "totalrequests" in detail.lower():
        # The daily allowance is gone: waiting seconds won't bring it back (unlike the
        # concurrent long-running request limit, ConcurrentPerOrgLongTxn, which clears).
        return QuotaReserveReached(deferred(MESSAGES["QUOTA_SPENT"], detail=detail))
    return SalesforceApiError(
        deferred(MESSAGES["API_ERROR"], what=what, code=code or exc.status, detail=detail),
        code,
        exc.status,
    )
