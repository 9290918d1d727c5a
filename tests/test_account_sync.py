"""The sync with the real account (issue 14 §3), both emulators over HTTPS: leads and contacts
both ways, deactivation on a Salesforce delete and re-activation by a form fill, a lead deleted
in the account unlinked and reported, engagements as Tasks exactly once, a quiet second run."""

from __future__ import annotations

from .account_world import AccountWorld


def test_first_sync_brings_the_accounts_leads_and_contacts_into_salesforce(
    account_world: AccountWorld,
):
    aw = account_world
    aw.create("ana@x.example", firstName="Ana", lastName="Souza", companyName="Padaria")
    aw.create("bia@x.example", firstName="Bia", lastName="Lima", leadStatus="contact")
    result = aw.sync()
    assert [r["FirstName"] for r in aw.sf_find("Lead", "ana@x.example")] == ["Ana"]
    assert [r["LastName"] for r in aw.sf_find("Contact", "bia@x.example")] == ["Lima"]
    assert result["summary"]["account"]["read_created"] == 2
    quiet = aw.sync()
    assert quiet["summary"]["Lead"]["created_in_salesforce"] == 0
    assert quiet["summary"]["account"]["api_calls"] <= 3


def test_salesforce_only_leads_are_created_in_the_account_once(account_world: AccountWorld):
    aw = account_world
    aw.sync()
    aw.world.sf.Lead.create(
        {"FirstName": "Caio", "LastName": "Reis", "Company": "Oficina", "Email": "caio@x.example"}
    )
    first = aw.sync()
    assert first["summary"]["account"]["created_in_account"] == 1
    found = aw.leads_by_email("caio@x.example")
    assert [(f["firstName"], f["companyName"]) for f in found] == [("Caio", "Oficina")]
    aw.sync()
    assert len(aw.leads_by_email("caio@x.example")) == 1


def test_changes_flow_both_ways(account_world: AccountWorld):
    aw = account_world
    lead_id = aw.create("dani@x.example", firstName="Dani", lastName="Melo", companyName="Bar")
    aw.sync()
    aw.lg.lg_edit_lead(lead_id, {"title": "Gerente & Sócia"})
    aw.sync()
    assert aw.sf_find("Lead", "dani@x.example")[0]["Title"] == "Gerente & Sócia"
    sf_id = aw.sf_find("Lead", "dani@x.example")[0]["Id"]
    aw.world.sf.Lead.update(sf_id, {"LastName": "Melo Santos"})
    aw.sync()
    assert aw.lead(lead_id)["lastName"] == "Melo Santos"


def test_a_lead_deleted_in_salesforce_is_deactivated_then_a_form_fill_brings_it_back(
    account_world: AccountWorld,
):
    aw = account_world
    lead_id = aw.create("eva@x.example", firstName="Eva", lastName="Rocha", companyName="Loja")
    aw.sync()
    sf_id = aw.sf_find("Lead", "eva@x.example")[0]["Id"]
    aw.world.sf.Lead.delete(sf_id)
    aw.sync()
    assert aw.lead(lead_id)["active"] == "0"
    aw.lg.lg_fill_form("eva@x.example", {"firstName": "Eva"})
    aw.sync()
    assert aw.lead(lead_id)["active"] == "1"
    again = aw.sf_find("Lead", "eva@x.example")
    assert len(again) == 1 and again[0]["Id"] != sf_id


def test_a_lead_deleted_in_the_account_is_unlinked_and_reported(account_world: AccountWorld):
    aw = account_world
    lead_id = aw.create("fabi@x.example", firstName="Fabi", lastName="Dias", companyName="Café")
    aw.sync()
    aw.lg.lg_delete_lead(lead_id)
    result = aw.sync("--reconcile")
    assert result["summary"]["account"]["unlinked_deleted_in_account"] == 1
    assert any("fabi@x.example" in m for m in result["messages"])
    assert len(aw.sf_find("Lead", "fabi@x.example")) == 1  # never deleted in Salesforce
    aw.sync()
    assert aw.leads_by_email("fabi@x.example") == []  # and not re-created in the account


def test_engagements_become_tasks_exactly_once(account_world: AccountWorld):
    aw = account_world
    lead_id = aw.create("gil@x.example", firstName="Gil", lastName="Nunes", companyName="Pet")
    aw.sync()
    aw.lg.lg_send_campaign(
        [lead_id], subject="Ofertas", clicks=[{"lead": lead_id, "url": "https://a.example/x"}] * 2
    )
    aw.lg.lg_fill_form("gil@x.example", {}, form_name="Contato")
    aw.sync()
    aw.sync()
    subjects = sorted(
        t["Subject"] for t in aw.world.sf.query("SELECT Subject FROM Task")["records"]
    )
    assert len(subjects) == 3, subjects  # sent, one first click, the form (opens are off)


def test_a_profile_that_synced_locally_adopts_its_people_by_email(
    world, lg_control, emulator, monkeypatch
):
    world.import_people("email,first_name,last_name,company\nhelo@x.example,Helo,Paz,Bar\n")
    world.sync()
    from .account_helpers import account_client
    from .test_leadgen_connect import connect_account_args

    api = account_client(emulator.info)
    api.create_leads([{"emailAddress": "HELO@x.example", "firstName": "Heloísa"}])
    monkeypatch.setenv("LGCRM_SF_LEADGEN_CALLS_PER_SECOND", "100000")
    monkeypatch.setenv("LGCRM_SF_LEADGEN_SECRET_KEY", emulator.info["leadgen_secret_key"])
    assert world.cli(*connect_account_args(emulator.info)).code == 0
    result = world.sync()
    assert result["summary"]["account"].get("read_adopted") == 1
    assert len(api.get_leads_by_email("helo@x.example")) == 1
    assert len(world.sf_find("Lead", "helo@x.example")) == 1


def test_an_email_change_the_account_silently_ignores_is_read_back_and_reported(
    account_world: AccountWorld,
):
    # updateLeadsV2 reports success and changes nothing when another lead owns the address
    # (LEADGEN_API.md §7.1); that other lead is inactive here, so our copy does not know it.
    aw = account_world
    lead_id = aw.create("ivo@x.example", firstName="Ivo", lastName="Sá", companyName="Bar")
    other = aw.create("old.ivo@x.example", firstName="Ivo")
    aw.api.update_leads([{"id": str(other), "active": "0"}])
    aw.sync()
    sf_id = aw.sf_find("Lead", "ivo@x.example")[0]["Id"]
    aw.world.sf.Lead.update(sf_id, {"Email": "old.ivo@x.example"})
    result = aw.sync(code=1)
    assert result["summary"]["account"]["errors"] == 1
    assert any("kept the lead's old e-mail" in m for m in result["messages"])
    assert aw.lead(lead_id)["emailAddress"] == "ivo@x.example"


def test_owners_map_by_email_to_the_accounts_user_ids(account_world: AccountWorld):
    from .world import default_with_score_and_link

    aw = account_world
    admin = next(u for u in aw.api.get_user_profiles() if u["emailAddress"].startswith("admin"))
    owners = f"owners:\n  - user: {admin['emailAddress']}\n    salesforce: {aw.info['username']}\n"
    aw.sync()  # the account's users come into our copy, where `mapping use` checks owners
    aw.world.use_mapping(default_with_score_and_link().replace("owners: []\n", owners))
    aw.create("joao@x.example", firstName="João", lastName="Paz", companyName="Bar",
              ownerID=admin["id"])  # fmt: skip
    aw.sync()
    lead = aw.sf_find("Lead", "joao@x.example", "Id, OwnerId")[0]
    assert lead["OwnerId"] == aw.info["user_id"]
    aw.world.sf.Lead.create(
        {"LastName": "Reis", "Company": "Oficina", "Email": "kaua@x.example",
         "OwnerId": aw.info["user_id"]}
    )  # fmt: skip
    aw.sync()
    assert [x["ownerID"] for x in aw.leads_by_email("kaua@x.example")] == [admin["id"]]
