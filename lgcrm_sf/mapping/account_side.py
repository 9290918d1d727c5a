"""The account's side of `mapping validate`, `mapping use` and `mapping init` in a profile
connected to a Lead Gen & CRM account: its fields and deal stages read through the API (two
calls, counted in the profile's daily budget), never remembered (a field the administrator has
just created must be usable at once)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Profile, ProfileSettings
from ..errors import AuthError, ConfigError, ConnectionFailure
from ..i18n import _
from ..store.sync_state import SyncState
from .account_checks import AccountSchema, check_against_account, read_account_schema
from .model import Mapping
from .problems import Problem


@dataclass
class AccountCheck:
    problems: list[Problem] = field(default_factory=list)
    checked: bool = False
    not_checked: str | None = None  # why the account was not asked, when connected but not


def account_client(profile: Profile, settings: ProfileSettings, state: SyncState):
    """The account's client, its calls counted in the profile's daily budget."""
    from ..leadgen.connection import open_account_client
    from ..store.account_budget import DEFAULT_DAILY_LIMIT, AccountBudget

    limit = int(settings.extra.get("leadgen_daily_limit") or DEFAULT_DAILY_LIMIT)
    reserve = settings.extra.get("leadgen_reserve")
    budget = AccountBudget(state.conn, limit, None if reserve is None else int(reserve))
    return open_account_client(profile, settings, budget)


def account_schema(profile: Profile, state: SyncState) -> tuple[AccountSchema | None, str | None]:
    """The connected account's fields and deal stages, or why they could not be read (None,
    None when the profile is not connected to an account: local mode)."""
    settings = profile.load()
    if not settings.account_mode:
        return None, None
    try:
        client = account_client(profile, settings, state)
        return read_account_schema(client, settings.leadgen_account_id), None
    except (ConnectionFailure, AuthError, ConfigError) as exc:
        reason = _("the Lead Gen & CRM account could not be read ({why})").format(why=exc.message)
        return None, reason


def check_account(profile: Profile, state: SyncState, mapping: Mapping) -> AccountCheck:
    schema, not_checked = account_schema(profile, state)
    if schema is None:
        return AccountCheck(not_checked=not_checked)
    return AccountCheck(check_against_account(mapping, schema), True)
