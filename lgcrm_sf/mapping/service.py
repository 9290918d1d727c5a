"""The mapping commands' core: which mapping a profile uses, validating one against the org,
making one the profile's (only a valid one), writing one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Profile, write_atomically
from ..errors import AuthError, ConfigError, ConnectionFailure, UsageError
from ..i18n import _
from ..leadgen.store import LeadGenStore
from ..leadgen.timestamps import now_iso
from ..salesforce.side import SalesforceSide
from ..store.sync_state import SyncState
from .account_side import check_account
from .loader import DEFAULT_NAME, default_text, load, load_default, parse
from .model import Mapping
from .org_checks import OrgSchema
from .problems import MappingInvalid, Problem
from .validate import check_leadgen_side, validate

# Describe data and the owners' users are read once a day: a quiet sync costs no describe call.
SCHEMA_MAX_AGE = datetime.timedelta(hours=24)


def mapping_for(profile: Profile, override: Path | None = None) -> Mapping:
    """The mapping a run uses: --mapping, else the profile's file, else the built-in default."""
    if override is not None:
        return load(override)
    settings = profile.load()
    if settings.mapping_file:
        return load(settings.mapping_file)
    return load_default()


def org_schema(org: SalesforceSide, state: SyncState | None, mapping: Mapping) -> OrgSchema:
    """The org's side of the checks: fields of every mapped object and the owners' users,
    remembered a day in the profile's state (not remembered without a state: a mapping about
    to be refused changes nothing)."""

    def remembered(key, fetch):
        return fetch() if state is None else state.cache.remembered(key, fetch, SCHEMA_MAX_AGE)

    schema = OrgSchema()
    objects = {o.sobject for o in mapping.objects.values()} | {"Lead", "Contact"}
    if mapping.stages:  # the stages' targets are values of Opportunity.StageName
        objects.add("Opportunity")
    for sobject in sorted(objects):
        schema.fields[sobject] = remembered(
            f"describe.v2:{sobject}", lambda s=sobject: org.describe_fields(s)
        )
    targets = sorted({o.salesforce for o in mapping.owners})
    if targets:
        schema.add_users(
            remembered("users.v2:" + ",".join(targets), lambda: org.find_users(targets))
        )
    return schema


def leadgen_users(state: SyncState) -> set[str]:
    return {u["email"] for u in LeadGenStore(state.db).users()}


def check_against_org(mapping: Mapping, schema: OrgSchema, state: SyncState) -> list[Problem]:
    """Every problem, ours and the org's; raises MappingInvalid when one is an error."""
    problems = validate(mapping, schema, leadgen_users(state))
    if any(p.severity == "error" for p in problems):
        raise MappingInvalid(problems, _("nothing was synced"))
    return problems


@dataclass
class ValidateResult:
    source: str
    problems: list[Problem]
    checked_against_org: bool = False
    not_checked: str | None = None  # why the org was not asked, when it was not
    checked_against_account: bool = False  # the connected Lead Gen & CRM account's fields
    account_not_checked: str | None = None  # connected to an account that could not be read

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate_mapping(profile: Profile, path: Path | None, open_client=None) -> ValidateResult:
    """Every problem of a mapping file: its own, then against the org when the profile is
    connected and reachable; otherwise what can be checked here, saying what could not."""
    if path is not None:
        if not path.is_file():
            raise UsageError(
                _("{path} does not exist.").format(path=path), _("give the path of a mapping file.")
            )
        source = str(path)
        mapping, problems = parse(_read(path), source)
    else:
        settings = profile.load()
        if settings.mapping_file:
            source = settings.mapping_file
            mapping, problems = parse(_read(Path(source)), source)
        else:
            source = DEFAULT_NAME
            mapping, problems = parse(default_text(), source)
    if mapping is None or problems:
        return ValidateResult(source, problems, not_checked=_("the file itself has problems"))
    state = SyncState(profile.state_path)
    schema, not_checked = _reachable_schema(profile, open_client, _cache(state, mapping), mapping)
    problems = validate(mapping, schema, leadgen_users(state))
    account = check_account(profile, state, mapping)
    problems = _sorted(problems + account.problems)
    return ValidateResult(
        source, problems, schema is not None, not_checked, account.checked, account.not_checked
    )


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.column))


def _cache(state: SyncState, mapping: Mapping) -> SyncState | None:
    """Where describe data may be remembered: not for a mapping with errors of its own, which
    is refused (a refused mapping leaves the profile as it was)."""
    local = check_leadgen_side(mapping)
    return None if any(p.severity == "error" for p in local) else state


def _reachable_schema(profile, open_client, state, mapping) -> tuple[OrgSchema | None, str | None]:
    if open_client is None or not profile.load().connected:
        return None, _("the profile is not connected to Salesforce")
    try:
        return org_schema(SalesforceSide(open_client(profile)[1]), state, mapping), None
    except (ConnectionFailure, AuthError) as exc:
        return None, _("Salesforce could not be reached ({error})").format(error=exc.message)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("The mapping file {path} cannot be read ({error}).").format(
                path=path, error=type(exc).__name__
            ),
            _("save it as UTF-8 text."),
        ) from None


@dataclass
class UseResult:
    path: str
    checked_against_org: bool
    not_checked: str | None = None  # why the org was not asked, when it was not
    warnings: list[Problem] = field(default_factory=list)
    checked_against_account: bool = False
    account_not_checked: str | None = None


def use_mapping(profile: Profile, path: Path, open_client=None) -> UseResult:
    """Make a mapping the profile's, only if it is valid: against the org when the profile is
    connected (describe data cached a day), else against what can be checked here. A refused
    file changes nothing."""
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise UsageError(
            _("{path} does not exist.").format(path=path), _("give the path of a mapping file.")
        )
    mapping = load(resolved)  # refuses a file that doesn't even parse, every problem listed
    state = SyncState(profile.state_path)
    settings = profile.load()
    schema, not_checked = _reachable_schema(profile, open_client, _cache(state, mapping), mapping)
    account = check_account(profile, state, mapping)
    problems = _sorted(validate(mapping, schema, leadgen_users(state)) + account.problems)
    if any(p.severity == "error" for p in problems):
        raise MappingInvalid(
            problems,
            _("the profile still uses {file}").format(file=settings.mapping_file or DEFAULT_NAME),
        )
    settings.mapping_file = str(resolved)
    profile.save(settings)
    # The engagement types it switches on count from now: events recorded from this moment on
    # are sent, even before the next sync runs.
    with state.conn:
        state.engagements.switch(mapping.event_switches(), now_iso())
        state.meta.set("mapping_hash", mapping.text_hash)
    return UseResult(
        str(resolved),
        schema is not None,
        not_checked,
        problems,
        account.checked,
        account.not_checked,
    )


def write_mapping(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(_("{path} already exists: pass --force to replace it.").format(path=path))
    write_atomically(path, text, mode=0o644)


__all__ = ["load_default", "mapping_for", "use_mapping", "validate_mapping", "write_mapping"]
