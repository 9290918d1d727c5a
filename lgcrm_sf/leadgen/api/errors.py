"""The account's error families as exceptions (LEADGEN_API.md §2-§4). The vendor answers errors
inside HTTP 200 bodies (`error: {code, message, data}`), except an unknown account id / secret key
pair (HTTP 401). Every message names the side - the Lead Gen & CRM account - and none carries a
URL: the secret key travels in the query string."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import (  # AccountDailyLimit is raised by the store's budget too
    AccountDailyLimit,
    AuthError,
    ConnectionFailure,
    ExitCode,
    LgcrmError,
    OutcomeUnknown,
)
from ...i18n import _

AUTH_CODES = {103, 104, 105}
RATE_CODES = {107, 209}  # per-second limit, "excess amount of queries": clear with time
DAILY_CODE = 106
PARAM_CODES = {201, 202, 204, 205, 206, 207, 208, 210}


class AccountAuthError(AuthError):
    """The account refused the account id / secret key (103/104/105, or HTTP 401)."""


class AccountRateLimited(ConnectionFailure):
    """107/209 still answered after the bounded retries."""


class AccountUnavailable(ConnectionFailure):
    """No usable answer: the connection failed, timed out, or the service said it is
    temporarily unavailable (503). `sent` says whether the call may have been acted on."""


class AccountOutcomeUnknown(OutcomeUnknown):
    """A write whose answer was lost: it may have been applied. The caller settles it by
    looking the records up before sending again."""


class AccountApiError(LgcrmError):
    """The account refused a call as a whole (a code other than the families above)."""

    exit_code = ExitCode.SALESFORCE  # "a remote side rejected a request"; the message says which

    def __init__(self, code: int, message: str, data=None) -> None:
        super().__init__(
            _("The Lead Gen & CRM account refused the call: {code} {message}").format(
                code=code, message=message
            ),
            _("check the values sent; `lgcrm-sf leadgen check` shows the account's fields."),
        )
        self.code, self.api_message, self.data = code, message, data


class AccountInvalidParams(AccountApiError):
    """205 and its neighbours: the parameters were refused (data.params says which)."""


class AccountProtocolError(AccountApiError):
    """An answer that is not the API's envelope, or one for another request id."""


@dataclass
class ObjectResult:
    """One object's outcome in a bulk write, in input order (§2)."""

    success: bool
    id: int | None = None
    code: int | None = None
    message: str | None = None
    data: object = None

    @property
    def error_text(self) -> str:
        return f"{self.code} {self.message}" if self.code else ""


class ObjectErrors(AccountApiError):
    """Some objects of a bulk write failed (raised only when the caller asks for all-or-error)."""

    def __init__(self, results: list[ObjectResult]) -> None:
        self.results = results
        first = next((r for r in results if not r.success), ObjectResult(False, code=999))
        super().__init__(first.code or 999, first.message or "")


def family(code: int, message: str, data=None) -> LgcrmError:
    """The exception for an API-level error code."""
    if code in AUTH_CODES:
        return AccountAuthError(
            _("The Lead Gen & CRM account refused the account id or secret key ({code}).").format(
                code=code
            ),
            str(code),
        )
    if code == DAILY_CODE:
        return AccountDailyLimit(
            _("The Lead Gen & CRM account's daily API limit is spent (106)."),
            _("the next run after midnight UTC resumes; work done so far is saved."),
        )
    if code in RATE_CODES:
        return AccountRateLimited(
            _("The Lead Gen & CRM account kept refusing calls as too many ({code}).").format(
                code=code
            )
        )
    if code in PARAM_CODES:
        return AccountInvalidParams(code, message, data)
    return AccountApiError(code, message, data)


def unauthorized() -> AccountAuthError:
    return AccountAuthError(
        _(
            "The Lead Gen & CRM account refused the account id / secret key pair (HTTP 401). "
            "Check both in the account's Settings > API Settings and run `lgcrm-sf leadgen "
            "connect` again."
        ),
        "401",
    )
