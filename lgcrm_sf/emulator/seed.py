"""Seeding an org: the empty org every test starts from, and the realistic demo org.

Both have one Organization, the usual profiles (with their profile-owned permission sets), an
Admin role, an admin user and the integration user whose credentials the server prints. The
integration user meets every prerequisite of the help article; tests flip settings to fail them.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from datetime import timedelta

from .schema import LEAD_STATUSES
from .stages import standard_rows
from .store import Org

ORG_NAME = "Acme Brasil Ltda"
USERNAME_STEM = (
    "acme-brasil"  # the default org's usernames: integration@acme-brasil-<random>.example
)


def username_domain(org_name: str = ORG_NAME) -> str:
    """A domain of the org's own for its usernames: Salesforce usernames are unique across all
    orgs, so two emulators (or two data files) never share one and clients that key logins by
    username keep them apart."""
    if org_name == ORG_NAME:
        stem = USERNAME_STEM
    else:
        ascii_name = unicodedata.normalize("NFKD", org_name).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:30] or "org"
    return f"{stem}-{secrets.token_hex(3)}.example"


# What the Organization record says beyond its name, edition and locale: an org without a
# namespace (NamespacePrefix null), not a trial (TrialExpirationDate null), the usual sharing.
ORGANIZATION = {
    "NamespacePrefix": None,
    "Street": "Av. Paulista, 1000",
    "City": "São Paulo",
    "State": "SP",
    "PostalCode": "01310-100",
    "Phone": "+55 11 4000-0000",
    "PrimaryContact": "Maria Admin",
    "SignupCountryIsoCode": "BR",
    "UiSkin": "Theme3",
    "FiscalYearStartMonth": 1,
    "UsesStartDateAsFiscalYearName": 0,
    "ReceivesInfoEmails": 0,
    "ReceivesAdminInfoEmails": 0,
    "PreferencesRequireOpportunityProducts": 0,
    "IsReadOnly": 0,
    "MonthlyPageViewsUsed": 0,
    "MonthlyPageViewsEntitlement": 500000,
    "DefaultAccountAccess": "Edit",
    "DefaultContactAccess": "ControlledByParent",
    "DefaultOpportunityAccess": "Edit",
    "DefaultLeadAccess": "ReadEditTransfer",
    "DefaultCaseAccess": "ReadEditTransfer",
    "DefaultCalendarAccess": "HideDetailsInsert",
    "DefaultPricebookAccess": "ReadSelect",
    "DefaultCampaignAccess": "All",
}

PROFILES = {
    "System Administrator": dict(
        PermissionsApiEnabled=True,
        PermissionsModifyAllData=True,
        PermissionsViewAllData=True,
        PermissionsViewSetup=True,
        PermissionsPasswordNeverExpires=False,
    ),
    "Salesforce API Only System Integrations": dict(
        PermissionsApiEnabled=True,
        PermissionsApiUserOnly=True,
        PermissionsModifyAllData=True,
        PermissionsViewAllData=True,
        PermissionsViewSetup=True,
        PermissionsPasswordNeverExpires=True,
    ),
    "Standard User": dict(PermissionsApiEnabled=True),
    "Marketing User": dict(PermissionsApiEnabled=True),
}

# Our external id: Text(40), External ID, Unique with Salesforce's default "case insensitive"
# (https://help.salesforce.com/s/articleView?id=sf.custom_field_attributes.htm).
EXTERNAL_ID_FIELD = {
    "name": "LGCRM_Id__c",
    "type": "string",
    "length": 40,
    "externalId": True,
    "unique": True,
    "caseSensitive": False,
    "label": "Lead Gen & CRM Id",
}
LEAD_CUSTOM_FIELDS = [
    {"name": "LGCRM_Lead_Score__c", "type": "double", "label": "Lead Score (Lead Gen & CRM)"},
    {"name": "LGCRM_Profile_URL__c", "type": "url", "label": "Marketing Profile"},
    EXTERNAL_ID_FIELD,
]
CONTACT_CUSTOM_FIELDS = [
    {"name": "LGCRM_Lead_Score__c", "type": "double", "label": "Lead Score (Lead Gen & CRM)"},
    EXTERNAL_ID_FIELD,
]
CONVERTED_STATUSES = {"Closed - Converted"}  # of Lead.Status's values, those that convert


def seed(
    org: Org,
    kind: str = "empty",
    custom_fields: dict | None = None,
    edition: str = "Enterprise Edition",
    username: str | None = None,
    org_name: str | None = None,
) -> dict:
    """Fill a fresh org. Returns the credentials a client needs (printed by `emulator serve`).
    `username` is the integration user's (default integration@<the org's own domain>)."""
    if kind not in ("empty", "demo"):
        raise ValueError(f"unknown seed {kind!r}: use empty or demo")
    org_name = org_name or ORG_NAME
    domain = username_domain(org_name)
    username = username or f"integration@{domain}"
    org_id = org.ids.next_id("00D")
    system_user = org.ids.next_id("005")  # CreatedById of setup rows, like Salesforce's own
    with org.lock, org.atomic():
        org.conn.execute(
            'INSERT INTO "Organization" ("Id","Name","OrganizationType","IsSandbox","InstanceName",'
            '"Country","DefaultLocaleSidKey","LanguageLocaleKey","TimeZoneSidKey","IsDeleted",'
            '"CreatedDate","CreatedById","LastModifiedDate","LastModifiedById","SystemModstamp") '
            "VALUES (?,?,?,0,'EMU1','Brazil','pt_BR','pt_BR','America/Sao_Paulo',0,?,?,?,?,?)",
            (org_id, org_name, edition, org.now(), system_user, org.now(), system_user, org.now()),
        )
        org.conn.execute(
            'UPDATE "Organization" SET ' + ", ".join(f'"{k}" = ?' for k in ORGANIZATION),
            list(ORGANIZATION.values()),
        )
        profile_ids = {}
        for name, perms in PROFILES.items():
            pid = org.insert(
                "Profile", {"Name": name, "UserType": "Standard", **perms}, system_user, system=True
            )
            profile_ids[name] = pid
            org.insert(
                "PermissionSet",
                {
                    "Name": "X" + pid,
                    "Label": name,
                    "IsOwnedByProfile": True,
                    "ProfileId": pid,
                    **perms,
                },
                system_user,
                system=True,
            )
        admin_role = org.insert(
            "UserRole", {"Name": "Admin", "DeveloperName": "Admin"}, system_user, system=True
        )
        sales_role = org.insert(
            "UserRole",
            {"Name": "Sales Rep", "DeveloperName": "SalesRep", "ParentRoleId": admin_role},
            system_user,
            system=True,
        )
        org.conn.execute(
            'INSERT INTO "User" ("Id","Username","Email","LastName","Name","Alias",'
            '"IsActive","ProfileId","UserType","UserPermissionsMarketingUser",'
            '"IsDeleted","CreatedDate","CreatedById","LastModifiedDate",'
            '"LastModifiedById","SystemModstamp") VALUES '
            "(?,?,?,'Automated Process','Automated Process','autoproc',1,?,"
            "'AutomatedProcess',0,0,?,?,?,?,?)",
            (
                system_user,
                f"autoproc@{org_id.lower()}",
                "noreply@example.com",
                profile_ids["System Administrator"],
                org.now(),
                system_user,
                org.now(),
                system_user,
                org.now(),
            ),
        )
        admin = _user(
            org,
            system_user,
            "Maria",
            "Admin",
            f"admin@{domain}",
            profile_ids["System Administrator"],
            admin_role,
            marketing=True,
        )
        integration = _user(
            org,
            system_user,
            "Integração",
            "Lead Gen & CRM",
            username,
            profile_ids["Salesforce API Only System Integrations"],
            admin_role,
            marketing=True,
        )
        password = "Pw-" + secrets.token_urlsafe(12)
        token = secrets.token_urlsafe(18)[:24]
        org.settings["users"] = {
            integration: {"password": password, "security_token": token},
            admin: {
                "password": "Admin-" + secrets.token_urlsafe(12),
                "security_token": secrets.token_urlsafe(18)[:24],
            },
        }
        consumer_key = "3MVG9" + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")[:80]
        consumer_secret = secrets.token_hex(32).upper()
        org.settings["connected_apps"] = {
            consumer_key: {"secret": consumer_secret, "certificate": None, "run_as": integration}
        }
        org.settings["session_levels"] = {name: "STANDARD" for name in PROFILES}
        org.settings["seed_users"] = {"admin": admin, "integration": integration}
        lead_statuses(org, system_user)
        opportunity_stages(org, system_user)
        fields = (
            custom_fields
            if custom_fields is not None
            else (
                {"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
                if kind == "demo"
                else {}
            )
        )
        for object_name, specs in fields.items():
            for spec in specs:
                org.add_custom_field(object_name, spec)
        users = {"admin": admin, "integration": integration}
        if kind == "demo":
            reps = [
                _user(
                    org,
                    system_user,
                    first,
                    last,
                    f"{first.lower()}.{last.lower()}@{domain}",
                    profile_ids["Standard User"],
                    sales_role,
                )
                for first, last in (("Carla", "Mendes"), ("Diego", "Ferreira"), ("Elisa", "Rocha"))
            ]
            users["reps"] = reps
            _demo_data(org, admin, reps)
    org.save_meta()
    return {
        "org_id": org_id,
        "org_name": org_name,
        "username": username,
        "admin_username": f"admin@{domain}",
        "password": password,
        "security_token": token,
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "user_id": integration,
        "users": users,
    }


def lead_statuses(org: Org, creator: str) -> None:
    """The LeadStatus rows a new org has (convertLead takes only a converted one)."""
    for order, label in enumerate(LEAD_STATUSES, start=1):
        org.insert(
            "LeadStatus",
            {
                "MasterLabel": label,
                "ApiName": label,
                "SortOrder": order,
                "IsDefault": order == 1,
                "IsConverted": label in CONVERTED_STATUSES,
            },
            creator,
            system=True,
        )


def opportunity_stages(org: Org, creator: str) -> None:
    """The OpportunityStage rows a new org has (Opportunity.StageName's values follow them)."""
    for values in standard_rows():
        org.insert("OpportunityStage", values, creator, system=True)


def _user(org, creator, first, last, username, profile_id, role_id, marketing=False) -> str:
    alias = (first[:1] + last.replace(" ", ""))[:8].lower()
    user_id = org.insert(
        "User",
        {
            "Username": username,
            "Email": username,
            "FirstName": first,
            "LastName": last,
            "Alias": alias,
            "ProfileId": profile_id,
            "UserRoleId": role_id,
            "UserPermissionsMarketingUser": marketing,
        },
        creator,
        system=True,
    )
    # As in Salesforce, every user is assigned its profile's own permission set.
    owned = org.conn.execute(
        'SELECT "Id" FROM "PermissionSet" WHERE "ProfileId" = ?', (profile_id,)
    ).fetchone()[0]
    org.insert(
        "PermissionSetAssignment",
        {"AssigneeId": user_id, "PermissionSetId": owned},
        creator,
        system=True,
    )
    return user_id


FIRST = [
    "Ana",
    "Bruno",
    "Camila",
    "Daniel",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Larissa",
    "Marcos",
    "Natália",
    "Otávio",
    "Paula",
    "Rafael",
    "Sofia",
    "Thiago",
    "Vitória",
    "Zeca",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Pereira",
    "Costa",
    "Almeida",
    "Nascimento",
    "Carvalho",
    "Gomes",
]
COMPANIES = [
    "Padaria Pão Quente",
    "TechSul Sistemas",
    "Construtora Horizonte",
    "Café Serrano",
    "Logística Rápida",
    "Clínica Bem-Estar",
    "Escola Aprender",
    "Agro Vale Verde",
    "Moda & Estilo",
    "Energia Solar Nordeste",
]


def _demo_data(org: Org, admin: str, reps: list[str]) -> None:
    rnd = random.Random(20240408)  # the day Salesforce enforced MFA; fixed so demos repeat
    owners = [admin, *reps]
    accounts = []
    for i, company in enumerate(COMPANIES[:6]):
        accounts.append(
            org.insert(
                "Account",
                {
                    "Name": company,
                    "Industry": rnd.choice(
                        ["Retail", "Technology", "Construction", "Food & Beverage", "Healthcare"]
                    ),
                    "BillingCity": rnd.choice(
                        ["São Paulo", "Recife", "Porto Alegre", "Belo Horizonte"]
                    ),
                    "OwnerId": owners[i % len(owners)],
                },
                admin,
            )
        )
    for i, account in enumerate(accounts):
        contact_ids = []
        for j in range(2):
            first, last = FIRST[(i * 2 + j) % 20], LAST[(i + j) % 10]
            contact_ids.append(
                org.insert(
                    "Contact",
                    {
                        "FirstName": first,
                        "LastName": last,
                        "AccountId": account,
                        "Email": f"{_ascii(first)}.{_ascii(last)}{i}@cliente{i}.example.com.br",
                        "Title": rnd.choice(
                            ["Diretora Comercial", "Gerente de TI", "CEO", "Compras"]
                        ),
                        "OwnerId": owners[(i + j) % len(owners)],
                    },
                    admin,
                )
            )
        opp = org.insert(
            "Opportunity",
            {
                "Name": f"{COMPANIES[i]} - Plano Anual",
                "AccountId": account,
                "StageName": rnd.choice(["Prospecting", "Qualification", "Proposal/Price Quote"]),
                "CloseDate": (org.clock.today() + timedelta(days=30 + i * 7)).isoformat(),
                "Amount": float(rnd.randrange(5, 80) * 1000),
                "OwnerId": owners[i % len(owners)],
            },
            admin,
        )
        org.insert(
            "OpportunityContactRole",
            {
                "OpportunityId": opp,
                "ContactId": contact_ids[0],
                "Role": "Decision Maker",
                "IsPrimary": True,
            },
            admin,
        )
    for i in range(24):
        first, last = FIRST[(i + 7) % 20], LAST[(i * 3) % 10]
        org.insert(
            "Lead",
            {
                "FirstName": first,
                "LastName": last,
                "Company": COMPANIES[i % 10],
                "Email": f"{_ascii(first)}.{_ascii(last)}{i}@prospect.example.com.br",
                "LeadSource": rnd.choice(["Web", "Phone Inquiry", "Partner Referral"]),
                "Status": rnd.choice(["Open - Not Contacted", "Working - Contacted"]),
                "OwnerId": owners[i % len(owners)],
                "City": "São Paulo",
                "Country": "Brazil",
            },
            admin,
        )
    org.insert(
        "Campaign", {"Name": "Webinar Inbound 2026", "Type": "Webinar", "IsActive": True}, admin
    )
    # A file, so backups and tools meet a binary field (ContentVersion.VersionData) in the demo.
    org.insert(
        "ContentVersion",
        {
            "Title": "Proposta comercial - Padaria Pão Quente",
            "PathOnClient": "proposta-padaria.txt",
            "VersionData": b"Proposta comercial\nPlano anual: R$ 12.000,00\n",
            "OwnerId": admin,
        },
        admin,
    )


def _ascii(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
