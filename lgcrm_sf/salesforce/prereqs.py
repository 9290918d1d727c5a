"""check-prereqs: every requirement of the help article, read from the connected org through
the APIs a real org offers. Each check says pass / fail / warn / unknown, the evidence it read,
and for anything but pass the steps to take in Salesforce Setup. A check that cannot be read
(no permission, API refused) is "unknown": it never guesses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import SalesforceApiError
from ..formats import moment
from ..i18n import N_, _, deferred, ngettext
from .backup import FIRST_SYNC_OBJECTS
from .client import SalesforceClient
from .describe import EXTERNAL_ID_FIELD, describe_fields
from .metadata import children, read_metadata, text

PASS, FAIL, WARN, UNKNOWN = "pass", "fail", "warn", "unknown"
SUPPORTED = (
    "Enterprise Edition",
    "Unlimited Edition",
    "Performance Edition",
    "Professional Edition",
)

# User-facing text, one place: titles and the Setup steps that fix each check.
TITLES = {
    "edition": N_("Supported Salesforce edition"),
    "api_enabled": N_("API access enabled"),
    "api_only_user": N_("Integration user has 'API Only User'"),
    "modify_all_data": N_("'Modify All Data' permission"),
    "role_admin": N_("User's role is Admin"),
    "marketing_user": N_("'Marketing User' ticked"),
    "password_never_expires": N_("Password never expires"),
    "session_security": N_("Session security at login is not High Assurance"),
    "web_to_lead_auto_response": N_("No Web-to-Lead default response"),
    "backup": N_("Verified backup of this org"),
    "external_id_field": N_("External-id field for safe retries (LGCRM_Id__c)"),
    # The Lead Gen & CRM account (issue 14), when the profile is connected to one.
    "leadgen_key": N_("Lead Gen & CRM account: secret key available"),
    "leadgen_reachable": N_("Lead Gen & CRM account: API answers with this key"),
    "leadgen_owner_users": N_("Lead Gen & CRM account: every mapped owner is an active user"),
}
FIXES = {
    "edition": N_(
        "Lead Gen & CRM supports Enterprise, Unlimited, Performance and Professional editions; "
        "use one of these orgs (a Developer Edition org is fine for testing only)."
    ),
    "api_enabled": N_(
        "Setup > Users > Profiles > (the integration user's profile) > System Permissions > "
        "Edit: tick 'API Enabled' > Save."
    ),
    "api_only_user": N_(
        "Setup > Users > Profiles (or Permission Sets) > (the integration user's profile) > "
        "System Permissions > Edit: tick 'API Only User' > Save. Use a dedicated integration "
        "user: since April 2024 Salesforce requires MFA for people, not for API-only users."
    ),
    "modify_all_data": N_(
        "Setup > Users > Profiles > (the integration user's profile, e.g. System Administrator) "
        "> System Permissions > Edit: tick 'Modify All Data' > Save."
    ),
    "role_admin": N_(
        "Log in as the integration user > your name (top right) > My Settings > Personal > "
        "Advanced User Details > Edit > Role: Admin > Save."
    ),
    "marketing_user": N_(
        "Log in as the integration user > My Settings > Personal > Advanced User Details > Edit: "
        "tick 'Marketing User' > Save (an admin can also do it in Setup > Users > Edit)."
    ),
    "password_never_expires": N_(
        "Setup > Security Controls > Password Policies > 'User passwords expire in': Never "
        "expires > Save (or tick 'Password Never Expires' on the integration user's profile). An "
        "expired password disconnects the integration."
    ),
    "session_security": N_(
        "Setup > Users > Profiles > (the integration user's profile) > Session Settings > "
        "'Session Security Level Required at Login': None (not High Assurance) > Save."
    ),
    "web_to_lead_auto_response": N_(
        "Setup > Feature Settings > Marketing > Web-to-Lead > Edit: clear 'Default Response "
        "Template'; and Setup > Lead Auto-Response Rules: deactivate the active rule. Otherwise "
        "every lead synced to Salesforce gets the auto-response e-mail."
    ),
    "backup": N_(
        "Run `lgcrm-sf backup` (its default objects include all the first sync needs), then "
        "`lgcrm-sf backup verify DIR` on the directory it writes."
    ),
    "external_id_field": N_(
        "Recommended: on Lead and on Contact, Setup > Object Manager > (object) > Fields & "
        "Relationships > New > Text, Length 40, Field Name LGCRM_Id, tick 'Unique' (case "
        "insensitive) and 'External ID', give the integration user edit access > Save. With it, "
        "a create whose answer is lost on the network is sent again safely; without it, the sync "
        "looks such records up by e-mail first (one query more)."
    ),
    "unknown": N_(
        "The integration user could not read this ({detail}); give it 'View Setup and "
        "Configuration' or check the setting by hand in Setup."
    ),
}


@dataclass
class Check:
    id: str
    status: str
    evidence: str
    remediation: str | None = None

    @property
    def title(self) -> str:
        return _(TITLES[self.id])

    def as_dict(self) -> dict:
        return {"title": self.title, **asdict(self)}


def _unknown(check_id: str, exc: Exception) -> Check:
    detail = getattr(exc, "code", None) or type(exc).__name__
    return Check(
        check_id,
        UNKNOWN,
        _("could not be read: {detail}").format(detail=detail),
        _(FIXES["unknown"]).format(detail=detail),
    )


def check_prereqs(
    client: SalesforceClient,
    user_id: str,
    org_id: str,
    verified_backup: tuple[dict | None, list[str]],
) -> list[Check]:
    """Every check, in the help article's order; each reads what it needs from the org."""
    edition, edition_check = _edition(client)
    user = _user_facts(client, user_id)
    return [
        edition_check,
        _api_enabled(user, edition),
        _permission_check(user, "api_only_user", "PermissionsApiUserOnly", N_("API Only User")),
        _permission_check(
            user, "modify_all_data", "PermissionsModifyAllData", N_("Modify All Data")
        ),
        _role_admin(user),
        _marketing_user(user),
        _password_never_expires(client, user),
        _session_security(client, user),
        _web_to_lead_auto_response(client),
        external_id_check(client),
        backup_check(org_id, *verified_backup),
    ]


def _query(client: SalesforceClient, soql: str) -> list[dict]:
    return client.call(lambda sf: sf.query_all(soql), deferred(N_("a prerequisites query")))[
        "records"
    ]


def _edition(client: SalesforceClient) -> tuple[str | None, Check]:
    """The org's edition (None when unread) and its check."""
    try:
        org = _query(client, "SELECT OrganizationType FROM Organization")[0]
    except SalesforceApiError as exc:
        return None, _unknown("edition", exc)
    edition = org["OrganizationType"]
    if edition == "Developer Edition":
        return edition, Check(
            "edition", WARN, _("{edition}: a test org").format(edition=edition), _(FIXES["edition"])
        )
    if edition in SUPPORTED:
        return edition, Check("edition", PASS, edition)
    return edition, Check("edition", FAIL, edition, _(FIXES["edition"]))


# The permissions the checks read, granted by the profile or by an assigned permission set.
PERMISSION_FIELDS = (
    "PermissionsApiEnabled",
    "PermissionsApiUserOnly",
    "PermissionsModifyAllData",
    "PermissionsPasswordNeverExpires",
)


@dataclass
class _UserFacts:
    """The integration user's record and permissions, or the error that kept them unread."""

    record: dict | None = None
    permissions: dict[str, dict] = field(default_factory=dict)  # source -> permission -> on
    error: SalesforceApiError | None = None

    def granted_by(self, permission: str) -> list[str]:
        return [source for source, perms in self.permissions.items() if perms.get(permission)]


def _user_facts(client: SalesforceClient, user_id: str) -> _UserFacts:
    facts = _UserFacts()
    try:
        facts.record = _query(
            client,
            "SELECT Id, Username, UserPermissionsMarketingUser, UserRole.Name, "
            f"UserRole.DeveloperName, Profile.Name FROM User WHERE Id = '{user_id}'",
        )[0]
        select = ", ".join(f"PermissionSet.{f}" for f in PERMISSION_FIELDS)
        for row in _query(
            client,
            f"SELECT PermissionSet.Label, PermissionSet.IsOwnedByProfile, {select} "
            f"FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}'",
        ):
            pset = row["PermissionSet"]
            source = (
                _("profile {name}").format(name=facts.record["Profile"]["Name"])
                if pset["IsOwnedByProfile"]
                else _("permission set {name}").format(name=pset["Label"])
            )
            facts.permissions[source] = {f: pset[f] for f in PERMISSION_FIELDS}
    except SalesforceApiError as exc:
        facts.error = exc
    return facts


def _permission_check(user: _UserFacts, check_id: str, permission: str, label: str) -> Check:
    if user.error is not None:
        return _unknown(check_id, user.error)
    sources = user.granted_by(permission)
    if sources:
        granted = _("'{permission}' granted by {sources}")
        return Check(
            check_id, PASS, granted.format(permission=_(label), sources=", ".join(sources))
        )
    return Check(
        check_id,
        FAIL,
        _("'{permission}' not granted by the profile or any permission set").format(
            permission=_(label)
        ),
        _(FIXES[check_id]),
    )


def _api_enabled(user: _UserFacts, edition: str | None) -> Check:
    api = _permission_check(user, "api_enabled", "PermissionsApiEnabled", N_("API Enabled"))
    if api.status == PASS and edition == "Professional Edition":
        api.evidence += _(
            "; Professional Edition with API access (this check logged in through the API)"
        )
    return api


def _role_admin(user: _UserFacts) -> Check:
    if user.record is None:
        return _unknown("role_admin", user.error)
    role = user.record.get("UserRole") or {}
    names = {str(role.get("Name") or "").lower(), str(role.get("DeveloperName") or "").lower()}
    if names & {"admin", "administrator"}:
        return Check("role_admin", PASS, _("role: {role}").format(role=role.get("Name")))
    shown = _("role: {role}").format(role=role.get("Name") or _("none"))
    return Check("role_admin", FAIL, shown, _(FIXES["role_admin"]))


def _marketing_user(user: _UserFacts) -> Check:
    if user.record is None:
        return _unknown("marketing_user", user.error)
    if user.record["UserPermissionsMarketingUser"]:
        return Check("marketing_user", PASS, _("Marketing User is ticked"))
    unticked = _("Marketing User is not ticked")
    return Check("marketing_user", FAIL, unticked, _(FIXES["marketing_user"]))


def _password_never_expires(client: SalesforceClient, user: _UserFacts) -> Check:
    """The org's password policy, or the profile's 'Password Never Expires'."""
    check_id = "password_never_expires"
    try:
        security = read_metadata(client, "SecuritySettings", ["Security"])
    except SalesforceApiError as exc:
        return _unknown(check_id, exc)
    expiration = text(security[0] if security else None, "passwordPolicies/expiration")
    sources = user.granted_by("PermissionsPasswordNeverExpires")
    if expiration == "Never":
        return Check(check_id, PASS, _("org password policy: never expires"))
    if sources:
        granted = _("'{permission}' granted by {sources}").format(
            permission=_("Password Never Expires"), sources=", ".join(sources)
        )
        policy = _("org policy {expiration}, but {granted}")
        return Check(check_id, PASS, policy.format(expiration=expiration, granted=granted))
    expire = _("passwords expire: {expiration}").format(expiration=expiration)
    return Check(check_id, FAIL, expire, _(FIXES[check_id]))


def _session_security(client: SalesforceClient, user: _UserFacts) -> Check:
    """The session security level required at login, on the user's profile."""
    if user.record is None:
        return _unknown("session_security", user.error)
    profile_name = user.record["Profile"]["Name"]
    try:
        records = read_metadata(client, "ProfileSessionSetting", [profile_name])
    except SalesforceApiError as exc:
        return _unknown("session_security", exc)
    level = text(records[0] if records else None, "requiredSessionLevel") or _("none set")
    if level == "HIGH_ASSURANCE":
        return Check(
            "session_security",
            FAIL,
            _("profile {name}: High Assurance").format(name=profile_name),
            _(FIXES["session_security"]),
        )
    at = _("profile {name}: {level}").format(name=profile_name, level=level)
    return Check("session_security", PASS, at)


def _web_to_lead_auto_response(client: SalesforceClient) -> Check:
    check_id = "web_to_lead_auto_response"
    try:
        records = read_metadata(client, "AutoResponseRules", ["Lead"])
    except SalesforceApiError as exc:
        return _unknown(check_id, exc)
    active = [
        text(r, "fullName")
        for r in children(records[0] if records else None, "autoResponseRule")
        if text(r, "active") == "true"
    ]
    if active:
        rules = _("active Lead auto-response rule: {rules}").format(rules=", ".join(active))
        return Check(check_id, FAIL, rules, _(FIXES[check_id]))
    return Check(check_id, PASS, _("no active Lead auto-response rule"))


def external_id_check(client: SalesforceClient) -> Check:
    """Our external-id field on Lead and Contact: a warning when missing (the sync still never
    duplicates, it looks records up instead); nothing creates it behind the admin's back."""
    lacking = []
    try:
        for sobject in ("Lead", "Contact"):
            field = describe_fields(client, sobject).get(EXTERNAL_ID_FIELD) or {}
            if not (field.get("externalId") and field.get("unique")):
                lacking.append(sobject)
    except SalesforceApiError as exc:
        return _unknown("external_id_field", exc)
    if lacking:
        lack = ngettext(
            "{objects} has no unique external-id field {field}",
            "{objects} have no unique external-id field {field}",
            len(lacking),
        )
        return Check(
            "external_id_field",
            WARN,
            lack.format(objects=_(" and ").join(lacking), field=EXTERNAL_ID_FIELD),
            _(FIXES["external_id_field"]),
        )
    both = _("{field} on Lead and Contact").format(field=EXTERNAL_ID_FIELD)
    return Check("external_id_field", PASS, both)


def backup_check(org_id: str, backup: dict | None, missing: list[str]) -> Check:
    """The first sync needs a complete, verified backup holding every object it touches."""
    if backup:
        verified = _("{path} verified {when}")
        return Check(
            "backup", PASS, verified.format(path=backup["path"], when=moment(backup["verified_at"]))
        )
    if len(missing) < len(FIRST_SYNC_OBJECTS):
        evidence = _(
            "the newest verified backup of org {org} lacks {missing} (the first sync needs "
            "{needed})"
        ).format(org=org_id, missing=", ".join(missing), needed=", ".join(FIRST_SYNC_OBJECTS))
    else:
        evidence = _("no verified backup of org {org} in the catalog").format(org=org_id)
    return Check("backup", FAIL, evidence, _(FIXES["backup"]))


def all_pass(checks: list[Check]) -> bool:
    """Warnings are allowed; a fail or an unknown is not a pass."""
    return all(c.status in (PASS, WARN) for c in checks)
