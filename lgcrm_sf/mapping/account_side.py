"""The account's side of `mapping validate`, `mapping use` and `mapping init` in a profile
connected to a Lead Gen & CRM account: its fields and deal stages read through the API (two
calls, counted in the profile's daily budget), never remembered (a field the administrator has
just created must be usable at once)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from ..config import Profile, ProfileSettings
from ..errors import AuthError, ConfigError, ConnectionFailure
from ..i18n import _
from ..store.sync_state import SyncState
from .account_checks import AccountSchema, check_against_account, read_account_schema
from .model import Mapping
from .problems import MappingInvalid, Problem

# A sync checks the mapping against the account's fields as remembered for a day at most.
SCHEMA_MAX_AGE = datetime.timedelta(hours=24)


@dataclass
class AccountCheck:
    problems: list[Problem] = field(default_factory=list)
    checked: bool = False
    not_checked: str | None = None  # why the account was not asked, when connected but not


def account_client(profile: Profile, settings: ProfileSettings, state: SyncState):
    """The account's client, its calls counted per UTC day in the profile's state (the sync's
    and the mapping commands' alike)."""
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


def check_for_sync(mapping: Mapping, state: SyncState, client, account_id: str) -> None:
    """Every sync in account mode: the mapping's fields and deal stages against the account, so
    a file edited after `mapping use`, or a field deleted in the account since, stops the run
    (exit 3, every problem listed) instead of syncing blanks. The account's schema is
    remembered a day (most runs spend no call on it); problems found with a remembered one are
    checked again against a fresh read, so a field created a minute ago counts at once."""
    key, reads = f"account.schema.v1:{account_id}", []

    def fresh() -> dict:
        reads.append(key)
        return asdict(read_account_schema(client, account_id))

    problems = check_against_account(
        mapping, AccountSchema(**state.cache.remembered(key, fresh, SCHEMA_MAX_AGE))
    )
    if problems and not reads:  # seen with the remembered schema: asked again
        state.cache.put(key, fresh())
        problems = check_against_account(mapping, AccountSchema(**state.cache.get(key)[0]))
    if any(p.severity == "error" for p in problems):
        raise MappingInvalid(problems, _("nothing was synced"))
