"""One POST of the API's envelope over HTTPS (LEADGEN_API.md §1-§2). The account id and the
secret key go in the query string, as the vendor requires, so no URL is ever logged or put in an
exception: every failure of requests is turned into our own exception with the class name only.
Only https: the rule of salesforce/addresses.py holds here too."""

from __future__ import annotations

import email.utils
import uuid

import requests

from ...i18n import _
from ...salesforce.addresses import is_https, shown_url
from .errors import AccountProtocolError, AccountUnavailable, unauthorized

DEFAULT_URL = "https://api.sharpspring.com/pubapi/v1.2/"
TIMEOUT = (15, 300)  # connect, read


class AccountSession(requests.Session):
    """`verify` holds (REQUESTS_CA_BUNDLE cannot replace it) and every request is https."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        settings["verify"] = self.verify
        return settings

    def send(self, request, **kwargs):
        if not is_https(request.url):
            raise AccountUnavailable(
                _("Refused to send to a plain http:// address ({url}).").format(
                    url=shown_url(request.url)
                )
            )
        kwargs["allow_redirects"] = False  # a redirect would carry the secret elsewhere
        return super().send(request, **kwargs)


def new_request_id() -> str:
    return uuid.uuid4().hex


class Transport:
    def __init__(self, url: str, account_id: str, secret_key: str, ca_bundle: str | None):
        if not is_https(url):
            from ...errors import UsageError

            raise UsageError(
                _(
                    "--url {url}: only an https:// address is accepted; the secret key "
                    "travels in the query string."
                ).format(url=shown_url(url)),
                _("give the https:// address of the API (v1.2)."),
            )
        self.url = url
        self._credentials = {"accountID": str(account_id), "secretKey": secret_key}
        self.session = AccountSession()
        self.session.trust_env = False  # no proxy or CA from the environment: ours holds
        self.session.verify = ca_bundle if ca_bundle else True
        self.server_time: float | None = None  # the account's clock, from the last Date header

    def post(self, method: str, params: dict) -> dict:
        """The answer's envelope (result, error, id), its id checked against ours."""
        request_id = new_request_id()
        body = {"method": method, "params": params, "id": request_id}
        try:
            response = self.session.post(
                self.url, params=self._credentials, json=body, timeout=TIMEOUT
            )
        except requests.exceptions.SSLError:
            failure = AccountUnavailable(
                _("The Lead Gen & CRM account's certificate did not verify ({url}).").format(
                    url=shown_url(self.url)
                ),
                _("give --ca-bundle with the CA that signed it."),
            )
            failure.tls = True
            raise failure from None
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ConnectionError) as exc:
            raise _unreachable(self.url, exc) from None
        except requests.exceptions.RequestException as exc:
            raise _unreachable(self.url, exc, sent=True) from None
        return self._envelope(response, request_id)

    def _envelope(self, response: requests.Response, request_id: str) -> dict:
        self._note_time(response.headers.get("Date"))
        if response.status_code == 401:
            raise unauthorized()
        if response.status_code >= 500 or response.status_code in (408, 429):
            failure = AccountUnavailable(
                _("The Lead Gen & CRM account answered HTTP {status} (temporarily "
                  "unavailable).").format(status=response.status_code)
            )  # fmt: skip
            failure.sent = response.status_code != 503
            raise failure
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code != 200 or not isinstance(data, dict) or "id" not in data:
            raise AccountProtocolError(
                999,
                _("not an API answer (HTTP {status})").format(status=response.status_code),
            )
        if data.get("id") not in (request_id, None) or (
            data.get("id") is None and data.get("error") is None
        ):
            raise AccountProtocolError(999, _("the answer is for another request id"))
        return data

    def _note_time(self, header: str | None) -> None:
        moment = _parse_date(header)
        if moment is not None:
            self.server_time = moment


def _parse_date(header: str | None) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):
        return None


def _unreachable(url: str, exc: Exception, sent: bool = False) -> AccountUnavailable:
    failure = AccountUnavailable(
        _("The Lead Gen & CRM account could not be reached at {url} ({kind}).").format(
            url=shown_url(url), kind=type(exc).__name__
        ),
        _("check the network, the --url and any proxy; the next run resumes."),
    )
    # A connection refused or never made cannot have acted; a lost, cut or late answer may.
    text = repr(exc)
    failure.sent = sent or any(
        sign in text for sign in ("Connection aborted", "RemoteDisconnected", "IncompleteRead")
    )
    return failure
