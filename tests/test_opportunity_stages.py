"""Opportunity stages: the emulated org's OpportunityStage (queryable, described, read-only, in
step with Opportunity.StageName's picklist) and what Salesforce derives from an Opportunity's
stage on every write (REST, sObject Collections, Bulk API 2.0): IsClosed and IsWon always,
Probability and the forecast category where the write leaves them out. Then `migrate sales`:
it reads the stages from OpportunityStage, refuses a mapped stage the org has switched off
before any write, shows closed/won per stage in its plan, and leaves Probability to Salesforce
where the account has none, so the migrated opportunities follow their stage."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .sales_helpers import salesforce_sales
from .test_migrate_sales import make_world

WAIT = 0.05  # simple-salesforce's first pause before polling a Bulk job
STANDARD = [  # ApiName, DefaultProbability, IsClosed, IsWon, ForecastCategoryName
    ("Prospecting", 10, False, False, "Pipeline"),
    ("Qualification", 10, False, False, "Pipeline"),
    ("Needs Analysis", 20, False, False, "Pipeline"),
    ("Value Proposition", 50, False, False, "Pipeline"),
    ("Id. Decision Makers", 60, False, False, "Pipeline"),
    ("Perception Analysis", 70, False, False, "Pipeline"),
    ("Proposal/Price Quote", 75, False, False, "Pipeline"),
    ("Negotiation/Review", 90, False, False, "Pipeline"),
    ("Closed Won", 100, True, True, "Closed"),
    ("Closed Lost", 0, True, False, "Omitted"),
]
DERIVED = "StageName, Probability, IsClosed, IsWon, ForecastCategoryName, ForecastCategory"


def opportunity(sf, record_id: str) -> tuple:
    row = sf.query(f"SELECT {DERIVED} FROM Opportunity WHERE Id = '{record_id}'")["records"][0]
    return tuple(row[f.strip()] for f in DERIVED.split(","))


def new_opportunity(sf, stage: str, **extra) -> str:
    values = {"Name": "Deal", "StageName": stage, "CloseDate": "2026-12-31", **extra}
    return sf.Opportunity.create(values)["id"]


def opportunity_change(record_id: str, **values) -> dict:
    return {"attributes": {"type": "Opportunity"}, "Id": record_id, **values}


def stage_id(sf, name: str) -> str:
    text = f"SELECT Id FROM OpportunityStage WHERE ApiName = '{name}'"
    return sf.query(text)["records"][0]["Id"]


# --- the emulator ------------------------------------------------------------------------------
def test_a_new_org_has_the_standard_stages_in_step_with_the_picklist(sf):
    rows = sf.query_all(
        "SELECT ApiName, MasterLabel, IsActive, DefaultProbability, IsClosed, IsWon, "
        "ForecastCategoryName, ForecastCategory, SortOrder FROM OpportunityStage ORDER BY SortOrder"
    )["records"]
    got = [
        (
            r["ApiName"],
            r["DefaultProbability"],
            r["IsClosed"],
            r["IsWon"],
            r["ForecastCategoryName"],
        )
        for r in rows
    ]
    assert got == STANDARD
    assert all(r["IsActive"] and r["MasterLabel"] == r["ApiName"] for r in rows)
    assert [r["SortOrder"] for r in rows] == list(range(1, 11))
    assert {r["ForecastCategory"] for r in rows} == {"Pipeline", "Closed", "Omitted"}
    stage_field = next(f for f in sf.Opportunity.describe()["fields"] if f["name"] == "StageName")
    assert [p["value"] for p in stage_field["picklistValues"]] == [s[0] for s in STANDARD]
    # A WHERE on the stage flags, as a client reads "the won stages".
    won = sf.query("SELECT ApiName FROM OpportunityStage WHERE IsWon = true")["records"]
    assert [r["ApiName"] for r in won] == ["Closed Won"]


def test_stages_are_read_only_and_so_are_is_closed_and_is_won(sf):
    described = sf.OpportunityStage.describe()
    assert not (described["createable"] or described["updateable"] or described["deletable"])
    names = {f["name"]: f for f in described["fields"]}
    assert {"ApiName", "DefaultProbability", "ForecastCategory", "IsWon", "SortOrder"} <= set(names)
    assert not any(f["createable"] or f["updateable"] for f in described["fields"])
    assert names["DefaultProbability"]["type"] == "percent"
    opportunity_fields = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    for name in ("IsClosed", "IsWon", "ForecastCategory"):
        assert not opportunity_fields[name]["createable"], name
        assert not opportunity_fields[name]["updateable"], name
    for name in ("Probability", "ForecastCategoryName"):
        assert opportunity_fields[name]["createable"] and opportunity_fields[name]["updateable"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        new_opportunity(sf, "Prospecting", IsWon=True)
    assert refused.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.OpportunityStage.create({"ApiName": "Mine", "MasterLabel": "Mine"})
    assert refused.value.content[0]["errorCode"] == "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"


def test_a_create_gets_what_its_stage_implies_unless_it_says_otherwise(sf):
    plain = new_opportunity(sf, "Value Proposition")
    assert opportunity(sf, plain) == (
        "Value Proposition", 50, False, False, "Pipeline", "Pipeline"
    )  # fmt: skip
    won = new_opportunity(sf, "Closed Won")
    assert opportunity(sf, won) == ("Closed Won", 100, True, True, "Closed", "Closed")
    lost = new_opportunity(sf, "Closed Lost")
    assert opportunity(sf, lost) == ("Closed Lost", 0, True, False, "Omitted", "Omitted")
    own = new_opportunity(sf, "Prospecting", Probability=35, ForecastCategoryName="Best Case")
    assert opportunity(sf, own) == ("Prospecting", 35, False, False, "Best Case", "BestCase")


def test_a_stage_change_resets_what_the_update_leaves_out(sf):
    record = new_opportunity(sf, "Prospecting", Probability=35)
    sf.Opportunity.update(record, {"Amount": 500})  # no stage change: the own value stays
    assert opportunity(sf, record)[1] == 35
    sf.Opportunity.update(record, {"StageName": "Prospecting"})  # the same stage: no change
    assert opportunity(sf, record)[1] == 35
    sf.Opportunity.update(record, {"StageName": "Negotiation/Review"})
    assert opportunity(sf, record) == (
        "Negotiation/Review", 90, False, False, "Pipeline", "Pipeline"
    )  # fmt: skip
    sf.Opportunity.update(record, {"StageName": "Closed Won", "Probability": 95})
    assert opportunity(sf, record) == ("Closed Won", 95, True, True, "Closed", "Closed")
    sf.Opportunity.update(record, {"StageName": "Qualification"})  # reopened
    assert opportunity(sf, record) == ("Qualification", 10, False, False, "Pipeline", "Pipeline")


def test_collections_and_bulk_writes_derive_the_same(sf):
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": [
                {
                    "attributes": {"type": "Opportunity"},
                    "Name": f"Collection {stage}",
                    "StageName": stage,
                    "CloseDate": "2026-11-30",
                }
                for stage in ("Needs Analysis", "Closed Won")
            ],
        },
    )
    first, second = (r["id"] for r in created)
    assert opportunity(sf, first)[:4] == ("Needs Analysis", 20, False, False)
    assert opportunity(sf, second)[:4] == ("Closed Won", 100, True, True)
    sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [opportunity_change(first, StageName="Closed Lost")]},
    )
    assert opportunity(sf, first)[:4] == ("Closed Lost", 0, True, False)

    [inserted] = sf.bulk2.Opportunity.insert(
        records=[
            {"Name": "Bulk open", "StageName": "Id. Decision Makers", "CloseDate": "2026-10-01"},
            {
                "Name": "Bulk own",
                "StageName": "Perception Analysis",
                "CloseDate": "2026-10-01",
                "Probability": "42",
            },
        ],
        wait=WAIT,
    )
    assert inserted["numberRecordsFailed"] == 0
    ids = {
        r["Name"]: r["Id"]
        for r in sf.query("SELECT Id, Name FROM Opportunity WHERE Name LIKE 'Bulk%'")["records"]
    }
    assert opportunity(sf, ids["Bulk open"])[:4] == ("Id. Decision Makers", 60, False, False)
    assert opportunity(sf, ids["Bulk own"])[:2] == ("Perception Analysis", 42)
    # An empty Bulk cell leaves Probability out: the stage change sets the new default.
    [updated] = sf.bulk2.Opportunity.update(
        records=[
            {"Id": ids["Bulk open"], "StageName": "Closed Won", "Probability": ""},
            {"Id": ids["Bulk own"], "Amount": "10"},
        ],
        wait=WAIT,
    )
    assert updated["numberRecordsFailed"] == 0
    assert opportunity(sf, ids["Bulk open"])[:4] == ("Closed Won", 100, True, True)
    assert opportunity(sf, ids["Bulk own"])[:2] == ("Perception Analysis", 42)


def test_stages_set_up_in_the_org_drive_the_picklist_and_the_derivation(sf, control):
    # Setup adds a won stage of its own and switches one off (the control surface stands in for
    # Setup: the API cannot write OpportunityStage).
    control.create(
        "OpportunityStage",
        {
            "ApiName": "Contrato assinado",
            "MasterLabel": "Contrato assinado",
            "DefaultProbability": 100,
            "IsClosed": True,
            "IsWon": True,
            "ForecastCategoryName": "Closed",
            "SortOrder": 11,
        },
        system=True,
    )
    control.update(
        "OpportunityStage", stage_id(sf, "Perception Analysis"), {"IsActive": False}, system=True
    )
    stage_field = next(f for f in sf.Opportunity.describe()["fields"] if f["name"] == "StageName")
    values = [p["value"] for p in stage_field["picklistValues"]]
    assert "Perception Analysis" not in values and values[-1] == "Contrato assinado"
    signed = new_opportunity(sf, "Contrato assinado")
    assert opportunity(sf, signed) == ("Contrato assinado", 100, True, True, "Closed", "Closed")
    with pytest.raises(SalesforceMalformedRequest) as refused:
        new_opportunity(sf, "Perception Analysis")
    assert refused.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    row = sf.query(
        "SELECT IsActive, ForecastCategory FROM OpportunityStage "
        "WHERE ApiName = 'Contrato assinado'"
    )["records"][0]
    assert row == {**row, "IsActive": True, "ForecastCategory": "Closed"}


# --- migrate sales ----------------------------------------------------------------------------
@pytest.fixture
def sales_world(control, cli, home, keyring_file, tmp_path):
    return make_world(control, cli, home, tmp_path, external_ids=False)


def migrated(world) -> dict[str, dict]:
    """The org's opportunities (all of them migrated) by name."""
    rows = world.sf.query_all(
        "SELECT Name, StageName, Probability, IsClosed, IsWon, ForecastCategoryName "
        "FROM Opportunity"
    )["records"]
    return {r["Name"]: r for r in rows}


def test_the_plan_says_per_stage_what_salesforce_makes_of_the_opportunities(sales_world):
    report = sales_world.migrate("--dry-run")
    assert report["stages"] == [
        {"stage": "Qualification", "deal_stage": "Qualificação", "opportunities": 1,
         "closed": False, "won": False, "probability": 10},
        {"stage": "Proposal/Price Quote", "deal_stage": "Proposta enviada", "opportunities": 1,
         "closed": False, "won": False, "probability": 75},
        {"stage": "Closed Won", "deal_stage": "Ganho", "opportunities": 1,
         "closed": True, "won": True, "probability": 100},
        {"stage": "Closed Lost", "deal_stage": "Perdido", "opportunities": 1,
         "closed": True, "won": False, "probability": 0},
    ]  # fmt: skip
    notes = report["plan"]["Opportunity"]["notes"]
    assert notes["no probability of its own: Salesforce sets its stage's default"] == 4
    human = sales_world.cli("migrate", "sales", "--dry-run")
    assert human.code == 0, human
    assert "Opportunities by Salesforce stage" in human.out and "Closed Won" in human.out
    assert salesforce_sales(sales_world.sf)["Opportunity"] == []


def test_migrated_opportunities_follow_their_stage(sales_world):
    world = sales_world
    world.migrate("--yes")
    fields = ("StageName", "Probability", "IsClosed", "IsWon", "ForecastCategoryName")
    got = {name: tuple(r[f] for f in fields) for name, r in migrated(world).items()}
    assert got == {
        "Acme - licenças": ("Qualification", 10, False, False, "Pipeline"),
        "Acme - serviços": ("Closed Won", 100, True, True, "Closed"),
        "Beta - piloto": ("Closed Lost", 0, True, False, "Omitted"),
        "Sem conta": ("Proposal/Price Quote", 75, False, False, "Pipeline"),
    }
    # The deal is won at the source: the rerun sends the new stage and nothing else of it, and
    # Salesforce makes the opportunity won with the won stage's probability.
    with world.state.db.conn:
        world.state.db.execute(
            "UPDATE lg_opportunities SET stage = 'Ganho', updated_at = '2030-01-01T00:00:00Z' "
            "WHERE name = 'Acme - licenças'"
        )
    report = world.migrate("--yes")
    assert report["done"]["Opportunity"] == {"updated": 1, "unchanged": 3}
    licences = migrated(world)["Acme - licenças"]
    assert (licences["StageName"], licences["Probability"]) == ("Closed Won", 100)
    assert (licences["IsClosed"], licences["IsWon"]) == (True, True)


def test_a_stage_switched_off_in_the_org_stops_before_any_write(sales_world):
    world = sales_world
    world.control.update(
        "OpportunityStage", stage_id(world.sf, "Proposal/Price Quote"), {"IsActive": False},
        system=True,
    )  # fmt: skip
    result = world.cli("migrate", "sales", "--yes")
    assert result.code == 3, result
    assert "'Proposal/Price Quote'" in result.err and "inactive" in result.err
    data = salesforce_sales(world.sf)
    assert data["Account"] == [] and data["Opportunity"] == []
    assert world.state.migrated.count() == 0
