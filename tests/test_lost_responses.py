"""The server acted, then its answer was lost: no write is ever sent again blind.

A sweep over every write endpoint the sync uses (sObject Collections create and update, Bulk
API 2.0 ingest job create, upload and close, Task create), with and without our external-id
field in the org. The emulator carries out the request, then breaks the connection after a few
bytes of the answer (`cut_after_bytes`, deterministic, once). Afterwards every e-mail has
exactly one record and every event one Task, the run exited 0, and the next run creates
nothing."""

from __future__ import annotations

import pytest

from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, EXTERNAL_ID_FIELD, LEAD_CUSTOM_FIELDS

from .conftest import connect_args, password_env
from .world import World, default_with_score_and_link

PEOPLE = 30
DATA = r"^/services/data/v[\d.]+/"

# (case, fault path, method, which phase: "create" | "update" | "tasks", bulk?)
ENDPOINTS = [
    (
        "collections create",
        DATA + r"composite/sobjects(/Lead/LGCRM_Id__c)?$",
        None,
        "create",
        False,
    ),
    ("collections update", DATA + r"composite/sobjects$", "PATCH", "update", False),
    ("bulk job create", DATA + r"jobs/ingest$", "POST", "create", True),
    ("bulk upload", DATA + r"jobs/ingest/[^/]+/batches$", "PUT", "create", True),
    ("bulk close", DATA + r"jobs/ingest/[^/]+$", "PATCH", "create", True),
    ("task create", DATA + r"composite/sobjects$", "POST", "tasks", False),
]


def without(fields: list[dict]) -> list[dict]:
    return [f for f in fields if f["name"] != EXTERNAL_ID_FIELD["name"]]


@pytest.fixture
def make_world(control, cli, home, keyring_file, tmp_path, monkeypatch):
    def make(with_field: bool, bulk: bool) -> World:
        lead, contact = LEAD_CUSTOM_FIELDS, CONTACT_CUSTOM_FIELDS
        if not with_field:
            lead, contact = without(lead), without(contact)
        info = control.reset("empty", custom_fields={"Lead": lead, "Contact": contact})
        assert cli(*connect_args(info), env=password_env(info)).code == 0
        world = World(info, cli, home, control, tmp_path)
        world.use_mapping(
            default_with_score_and_link()
            .replace("email_clicks: true", "email_clicks: false")
            .replace("form_submissions: true", "form_submissions: false")
        )
        if bulk:
            monkeypatch.setenv("LGCRM_SF_TUNING", "bulk_write_threshold=10")
        world.import_people(
            "email,first_name,last_name,company\n"
            + "".join(f"p{i}@lost.example,P{i},Souza,Empresa {i}\n" for i in range(PEOPLE))
        )
        return world

    return make


def lose_one_answer(world: World, path: str, method: str | None) -> None:
    spec = {"path": path, "cut_after_bytes": 5, "count": 1}
    if method:
        spec["method"] = method
    world.control.fault(**spec)


def fired(world: World) -> int:
    return sum(f["fired"] for f in world.control.call("GET", "faults"))


def one_record_per_email(world: World) -> None:
    rows = world.sf.query_all("SELECT Email FROM Lead")["records"]
    emails = [r["Email"].lower() for r in rows]
    assert sorted(emails) == sorted(f"p{i}@lost.example" for i in range(PEOPLE))


@pytest.mark.parametrize("with_field", [True, False], ids=["with-field", "without-field"])
@pytest.mark.parametrize(
    "case, path, method, phase, bulk", ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_a_lost_answer_never_duplicates(make_world, case, path, method, phase, bulk, with_field):
    world = make_world(with_field, bulk)
    if phase == "create":
        lose_one_answer(world, path, method)
        report = world.sync()
        assert fired(world) == 1, case
        assert report["summary"]["Lead"]["created_in_salesforce"] == PEOPLE
    else:
        world.sync()
        one_record_per_email(world)
    if phase == "update":
        for i in range(PEOPLE):
            world.edit_here(f"p{i}@lost.example", title="Diretora")
        lose_one_answer(world, path, method)
        report = world.sync()
        assert fired(world) == 1
        assert report["summary"]["Lead"]["updated_in_salesforce"] == PEOPLE
        titles = world.sf.query_all("SELECT Title FROM Lead")["records"]
        assert {t["Title"] for t in titles} == {"Diretora"}
    if phase == "tasks":
        path_csv = world.tmp / "events.csv"
        path_csv.write_text(
            "id,email,type,occurred_at,email_name\n"
            + "".join(
                f"e{i},p{i}@lost.example,email_sent,2026-11-27T10:00:00Z,News\n"
                for i in range(PEOPLE)
            )
        )
        assert world.cli("events", "import", path_csv).code == 0
        lose_one_answer(world, path, method)
        report = world.sync()
        assert fired(world) == 1
        assert report["summary"]["Task"]["created_in_salesforce"] == PEOPLE
        tasks = world.sf.query_all("SELECT Description FROM Task")["records"]
        markers = [t["Description"].rsplit("event: ", 1)[1] for t in tasks]
        assert sorted(markers) == sorted(f"e{i}" for i in range(PEOPLE))
    one_record_per_email(world)
    again = world.sync()
    assert again["summary"]["Lead"]["created_in_salesforce"] == 0
    assert again["summary"].get("Task", {}).get("created_in_salesforce", 0) == 0
    one_record_per_email(world)
    open_jobs = [j for j in world.sf.restful("jobs/ingest")["records"] if j["state"] == "Open"]
    assert open_jobs == []  # a job a lost answer left behind was aborted
