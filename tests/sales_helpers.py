"""A Lead Gen & CRM account with sales data of its own (users, accounts, opportunities in four
deal stages, people linked to opportunities) and an org that already has those people, for the
`migrate sales` tests."""

from __future__ import annotations

from pathlib import Path

from lgcrm_sf.config import Profile
from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, EXTERNAL_ID_FIELD, LEAD_CUSTOM_FIELDS
from lgcrm_sf.leadgen.store import LeadGenStore
from lgcrm_sf.mapping.loader import default_text

STAGES = {
    "Qualificação": "Qualification",
    "Proposta enviada": "Proposal/Price Quote",
    "Ganho": "Closed Won",
    "Perdido": "Closed Lost",
}
PEOPLE = {  # e-mail -> what Salesforce has of the person before the migration
    "carla@cliente.example": "Contact",
    "lucas@cliente.example": "Lead",
    "nina@cliente.example": "Lead",
}


def custom_fields(external_ids: bool) -> dict:
    """The test orgs' fields; with `external_ids`, our LGCRM_Id__c on Account and Opportunity."""
    fields = {"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
    if external_ids:
        fields |= {"Account": [EXTERNAL_ID_FIELD], "Opportunity": [EXTERNAL_ID_FIELD]}
    return fields


def mapping_text(admin_username: str, stages: dict | None = None) -> str:
    stages = STAGES if stages is None else stages
    lines = "".join(f"  {sf}: {deal}\n" for deal, sf in stages.items())  # StageName: deal
    owners = f"owners:\n  - user: ana@mkt.example\n    salesforce: {admin_username}\n"
    return (
        default_text()
        .replace("owners: []\n", owners)
        .replace("stages: {}\n", "stages:\n" + lines if lines else "stages: {}\n")
    )


def seed_people_in_salesforce(control) -> dict[str, str]:
    """The people as Salesforce has them before the migration: {e-mail: id}."""
    ids = {}
    for email, sobject in PEOPLE.items():
        name = email.split("@")[0].title()
        values = {"LastName": name, "Email": email}
        if sobject == "Lead":
            values["Company"] = "Cliente SA"
        ids[email] = control.create(sobject, values)
    return ids


def seed_sales(state_path: Path) -> dict:
    """The account's own sales data; returns the local ids by name."""
    store = LeadGenStore(state_path)
    ids = {}
    with store.db.conn:
        for email in PEOPLE:
            ids[email] = store.create_person(email, "lead", {"last_name": email.split("@")[0]})
    ana = store.add_user("Ana Vendas", "ana@mkt.example")
    bob = store.add_user("Bob Sem Mapa", "bob@mkt.example")
    ids["Acme Brasil"] = store.add_account(
        "Acme Brasil", industry="Technology", website="https://acme.test", owner_user_id=ana
    )
    ids["Beta Ltda"] = store.add_account("Beta Ltda", owner_user_id=bob)
    for name, stage, amount, close, account, owner, people in (
        (
            "Acme - licenças",
            "Qualificação",
            1000.0,
            "2026-12-31",
            "Acme Brasil",
            ana,
            [
                "carla@cliente.example",
                "lucas@cliente.example",
            ],
        ),
        (
            "Acme - serviços",
            "Ganho",
            5000.0,
            "2026-10-01",
            "Acme Brasil",
            ana,
            ["nina@cliente.example"],
        ),
        ("Beta - piloto", "Perdido", 300.0, "2026-09-15", "Beta Ltda", bob, []),
        ("Sem conta", "Proposta enviada", None, "2027-01-31", None, None, []),
    ):
        ids[name] = store.add_opportunity(
            name,
            stage=stage,
            amount=amount,
            close_date=close,
            account_id=ids.get(account),
            owner_user_id=owner,
            contact_ids=[ids[p] for p in people],
        )
    return ids


def salesforce_sales(sf) -> dict:
    """Accounts, opportunities and contact roles as Salesforce has them, by name."""
    accounts = sf.query_all("SELECT Id, Name, Industry, Website, OwnerId FROM Account")["records"]
    opportunities = sf.query_all(
        "SELECT Id, Name, StageName, Amount, CloseDate, AccountId, OwnerId, IsWon, IsClosed "
        "FROM Opportunity"
    )["records"]
    roles = sf.query_all(
        "SELECT Id, OpportunityId, ContactId, Contact.Email FROM OpportunityContactRole"
    )["records"]
    return {"Account": accounts, "Opportunity": opportunities, "OpportunityContactRole": roles}


def shape(sf) -> dict:
    """What a migration leaves, without ids: compared across runs (and fails on a duplicate)."""
    data = salesforce_sales(sf)
    names = {a["Id"]: a["Name"] for a in data["Account"]}
    opportunity = {o["Id"]: o["Name"] for o in data["Opportunity"]}
    out = {
        "Account": sorted((a["Name"], a["Industry"], a["OwnerId"]) for a in data["Account"]),
        "Opportunity": sorted(
            (o["Name"], o["StageName"], o["Amount"], o["CloseDate"], names.get(o["AccountId"]))
            for o in data["Opportunity"]
        ),
        "OpportunityContactRole": sorted(
            (opportunity[r["OpportunityId"]], r["Contact"]["Email"])
            for r in data["OpportunityContactRole"]
        ),
    }
    for name, rows in out.items():
        assert len(rows) == len(set(rows)), f"duplicate {name} in Salesforce: {rows}"
    return out


def local_counts(home: Path) -> dict:
    db = LeadGenStore(Profile(home).state_path).db
    return {
        table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("lg_accounts", "lg_opportunities", "lg_opportunity_contacts", "lg_people")
    }
