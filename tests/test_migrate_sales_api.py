"""`migrate sales` from the remote Lead Gen & CRM account (the vendor's API, against the
emulated account): accounts, opportunities named by deal stage id, the deal stages' names
through the mapping's stages:, opportunity-lead links to the profile's people, owners by the
account users' e-mails; a rerun changes nothing, a change in the account is written. Needs the
account's API client (lgcrm_sf.leadgen.api, issue 14)."""

from __future__ import annotations

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.leadgen.store import LeadGenStore
from lgcrm_sf.store.sync_state import SyncState

from .conftest import connect_args, login, password_env
from .sales_helpers import PEOPLE, custom_fields, mapping_text, seed_people_in_salesforce

api = pytest.importorskip("lgcrm_sf.leadgen.api")

STAGES = {
    "Qualificação": "Qualification",
    "Proposta enviada": "Proposal/Price Quote",
    "Fechado - ganho": "Closed Won",
    "Fechado - perdido": "Closed Lost",
}


@pytest.fixture
def account(control, lg_control, cli, home, keyring_file, tmp_path):
    """The org with the people, a connected profile, and the account's sales data."""
    info = control.reset("empty", custom_fields=custom_fields(external_ids=False))
    seed_people_in_salesforce(control)
    assert cli(*connect_args(info), env=password_env(info)).code == 0
    client = api.LeadGenClient(
        info["leadgen_account_id"],
        info["leadgen_secret_key"],
        url=info["leadgen_url"],
        ca_bundle=info["ca_bundle"],
        per_second=10_000,
    )
    [admin] = [u for u in client.get_user_profiles() if u["emailAddress"].startswith("admin@")]
    store = LeadGenStore(Profile(home).state_path)
    store.add_user("Maria Admin", admin["emailAddress"])
    path = tmp_path / "mapping.yaml"
    path.write_text(
        mapping_text(info["admin_username"], STAGES).replace(
            "ana@mkt.example", admin["emailAddress"]
        )
    )
    assert cli("mapping", "use", path).code == 0
    leads = {}
    for email in PEOPLE:
        [result] = client.write_all("createLeads", [{"emailAddress": email, "lastName": "X"}])
        with store.db.conn:
            leads[int(result.id)] = (store.create_person(email, "lead", {}), email)
    stages = {s["dealStageName"]: s["id"] for s in client.get_deal_stages()}
    [acme] = client.write_all(
        "createAccounts",
        [{"accountName": "Acme Brasil", "industry": "Technology", "ownerID": admin["id"]}],
    )
    opportunities = client.write_all(
        "createOpportunities",
        [
            {
                "opportunityName": name,
                "dealStageID": stages[stage],
                "closeDate": "2026-12-01",
                "amount": str(amount),
                "accountID": acme.id,
                "ownerID": admin["id"],
            }
            for name, stage, amount in (
                ("Piloto", "Qualificação", 1000),
                ("Contrato", "Fechado - ganho", 9000),
                ("Perdida", "Fechado - perdido", 10),
            )
        ],
    )
    carla = next(lead for lead, (_, email) in leads.items() if email.startswith("carla"))
    client.write_all(
        "createOpportunityLeads", [{"opportunityID": opportunities[0].id, "leadID": carla}]
    )
    return info, client, leads, [o.id for o in opportunities]


def migrate(home, client, info, leads) -> dict:
    from lgcrm_sf.migrate.sales import SalesRequest, migrate_sales
    from lgcrm_sf.migrate.sales_source_api import AccountSalesSource

    profile = Profile(home)
    run = SyncState(profile.state_path, profile.log_path).runs.start("migrate-sales")
    source = AccountSalesSource(client, info["leadgen_account_id"], leads.get)
    request = SalesRequest(profile, ["accounts", "opportunities", "links"], run_id=run)
    return migrate_sales(request, lambda _report: True, source=source).done


def test_the_accounts_sales_data_through_its_api(account, home):
    info, client, leads, opportunity_ids = account
    done = migrate(home, client, info, leads)
    assert done["Account"] == {"created": 1}
    assert done["Opportunity"] == {"created": 3}
    assert done["OpportunityContactRole"] == {"created": 1}
    sf = login(info)
    rows = sf.query_all(
        "SELECT Name, StageName, Amount, CloseDate, IsWon, IsClosed, Account.Name, OwnerId "
        "FROM Opportunity ORDER BY Name"
    )["records"]
    admin = sf.query(f"SELECT Id FROM User WHERE Username = '{info['admin_username']}'")
    assert [(r["Name"], r["StageName"], r["Amount"], r["IsWon"], r["IsClosed"]) for r in rows] == [
        ("Contrato", "Closed Won", 9000.0, True, True),
        ("Perdida", "Closed Lost", 10.0, False, True),
        ("Piloto", "Qualification", 1000.0, False, False),
    ]
    assert {r["Account"]["Name"] for r in rows} == {"Acme Brasil"}
    assert {r["OwnerId"] for r in rows} == {admin["records"][0]["Id"]}
    [role] = sf.query_all("SELECT Contact.Email, Opportunity.Name FROM OpportunityContactRole")[
        "records"
    ]
    assert (role["Contact"]["Email"], role["Opportunity"]["Name"]) == (
        "carla@cliente.example",
        "Piloto",
    )
    # A rerun changes nothing; a change in the account is written (no change time there: the
    # values tell).
    again = migrate(home, client, info, leads)
    assert again["Opportunity"] == {"unchanged": 3}
    client.write_all("updateOpportunities", [{"id": opportunity_ids[0], "amount": "1500"}])
    changed = migrate(home, client, info, leads)
    assert changed["Opportunity"] == {"updated": 1, "unchanged": 2}
    piloto = sf.query("SELECT Amount FROM Opportunity WHERE Name = 'Piloto'")["records"][0]
    assert piloto["Amount"] == 1500.0


def test_a_profile_connected_to_the_account_migrates_from_it(account, cli, home, monkeypatch):
    """The command itself, in account mode: `leadgen connect`, a sync that adopts the account's
    leads into our copy by e-mail, then `migrate sales` reads the account through the API (not
    the local store) and names contact roles through the copy's people."""
    from .test_leadgen_connect import connect_account_args, secret_env

    info, _client, _leads, _ids = account
    monkeypatch.setenv("LGCRM_SF_LEADGEN_CALLS_PER_SECOND", "100000")
    assert cli(*connect_account_args(info), env=secret_env(info)).code == 0
    env = {**password_env(info), **secret_env(info)}
    synced = cli("sync", "--no-backup-check", "--json", env=env)
    assert synced.code == 0, synced
    result = cli("migrate", "sales", "--yes", "--json", env=env)
    assert result.code == 0, result
    done = result.json()["done"]
    assert done["Account"] == {"created": 1}
    assert done["Opportunity"] == {"created": 3}
    assert done["OpportunityContactRole"] == {"created": 1}
    again = cli("migrate", "sales", "--yes", "--json", env=env).json()["done"]
    assert again["Opportunity"] == {"unchanged": 3}
