"""The HTTP session every Salesforce call goes through: its certificate check holds, every
request has a timeout and goes over https only, and every answer is counted (calls, the org's
API usage from `Sforce-Limit-Info`, the org's clock from `Date`)."""

from __future__ import annotations

import datetime
import email.utils
import re
from dataclasses import dataclass, field

import requests

from .addresses import refuse_insecure


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
    """A response hook: what the answers so far say about the API calls spent."""

    calls: int = 0
    by_kind: dict = field(default_factory=dict)
    api_used: int | None = None
    api_max: int | None = None
    server_time: datetime.datetime | None = None  # the org's clock, from the last Date header

    # requests calls a hook with the response and the send() keywords, which say nothing here.
    def hook(self, response: requests.Response, *_args, **_kwargs) -> None:
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


def refuse_insecure_login_answer(response: requests.Response, *_args, **_kwargs) -> None:
    """A response hook. A SOAP login answer names the server to use from then on: refuse an
    http:// one (and a redirect to http://, before it is followed)."""
    if response.is_redirect:
        refuse_insecure(response.headers.get("Location", ""), "a redirect")
    if "/Soap/u/" in response.url and response.status_code == 200:
        for tag in ("serverUrl", "metadataServerUrl"):
            found = re.search(rf"<{tag}>([^<]*)</{tag}>", response.text)
            if found:
                refuse_insecure(found.group(1), f"the login's {tag}")
