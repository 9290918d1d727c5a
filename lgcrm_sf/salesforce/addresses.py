"""Where a login goes, and the rule that holds for every address: https only. A password, a
security token or a session id must never travel in clear, so a plain http:// address is refused
before anything is sent, whether the user gave it or a server handed it back."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..errors import InsecureUrl, UsageError
from ..i18n import _

LOGIN_URLS = {"login": "https://login.salesforce.com", "test": "https://test.salesforce.com"}


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
        host = urlsplit(url).netloc or "login.salesforce.com"
        raise UsageError(
            _(
                "{option} {url}: only an https:// address is accepted; the password and "
                "security token would otherwise travel in clear."
            ).format(option=option, url=shown_url(url)),
            _("give the https:// address (e.g. {option} https://{host}).").format(
                option=option, host=host
            ),
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
            _(
                "Salesforce handed back a plain http:// address for {what} ({url}): refused, "
                "nothing was sent there. Check the login URL and any proxy in between."
            ).format(what=what, url=shown_url(url)),
        )
