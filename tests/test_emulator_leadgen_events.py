"""Marketing events on the emulated Lead Gen & CRM API: what the web app records (forms,
e-mail campaigns, page visits) and getEvents / getEventsByType (LEADGEN_API.md §5)."""

from __future__ import annotations

import pytest

EVENT_KEYS = {
    "id",
    "leadID",
    "eventName",
    "whatID",
    "whatType",
    "eventData",
    "eventSource",
    "createTimestamp",
}


def by_type(lg, **params):
    return lg.result("getEventsByType", params)["event"]


@pytest.fixture
def clocked(lg_control):
    lg_control.clock(now="2026-06-01T08:00:00Z")
    return lg_control


def test_a_form_fill_creates_the_lead_and_records_form_submit(lg, clocked):
    made = clocked.lg_fill_form(
        "nova@x.example", {"firstName": "Nova", "companyName": "N&N"}, form_name="Contato"
    )
    assert made["created"] and not made["reactivated"]
    lead = lg.lead(made["lead_id"])
    assert lead["firstName"] == "Nova" and lead["companyName"] == "N&N" and lead["active"] == "1"
    (event,) = by_type(lg, where={"leadID": made["lead_id"]}, eventSource="formSubmit")
    assert set(event) == EVENT_KEYS
    assert event["id"] == str(made["event_id"]) and event["leadID"] == str(made["lead_id"])
    assert event["eventSource"] == "formSubmit" and event["whatType"] == "form"
    assert event["createTimestamp"] == "2026-06-01 08:00:00"
    assert isinstance(event["eventData"], str) and "'firstName': 'Nova'" in event["eventData"]


def test_a_form_fill_reactivates_an_inactive_lead_and_updates_it(lg, clocked):
    (lead_id,) = lg.create_leads({"emailAddress": "volta@x.example", "city": "Recife"})
    lg.result("updateLeads", {"objects": [{"id": lead_id, "active": 0}]})
    clocked.clock(advance=3600)
    made = clocked.lg_fill_form("VOLTA@x.example", {"city": "Natal"})
    assert made == {**made, "lead_id": lead_id, "created": False, "reactivated": True}
    lead = lg.lead(lead_id)
    assert lead["active"] == "1" and lead["city"] == "Natal"
    assert lead["updateTimestamp"] == "2026-06-01 09:00:00"
    leads = lg.result(
        "getLeadsDateRange",
        {
            "startDate": "2026-06-01 09:00:00",
            "endDate": "2026-06-01 09:00:00",
            "timestamp": "update",
        },
    )["lead"]
    assert [x["id"] for x in leads] == [str(lead_id)]


def test_an_email_campaign_records_sends_opens_and_repeated_clicks(lg, clocked):
    a, b, c = lg.create_leads(*({"emailAddress": f"{n}@x.example"} for n in "abc"))
    link = "https://acme.example/oferta"
    sent = clocked.lg_send_campaign(
        [a, b, c],
        subject="Oferta",
        opened=[a, b],
        clicks=[{"lead": a, "url": link}, {"lead": a, "url": link}, {"lead": b, "url": link}],
    )
    events = by_type(lg, where={"createTimestamp": "2026-06-01 00:00:00"})
    sources = [e["eventSource"] for e in events]
    # Each type separately, in the documented order of types, each by timestamp.
    assert sources == ["emailSent"] * 3 + ["emailOpened"] * 2 + ["emailClick"] * 3
    assert {e["whatID"] for e in events} == {str(sent["email_job_id"])}
    clicks = [e for e in events if e["eventSource"] == "emailClick"]
    assert [e["leadID"] for e in clicks] == [str(a), str(a), str(b)]
    assert clicks[0]["eventData"] == {"url": link, "referrer": None}
    assert events[0]["eventData"]["isDelivered"] == "1"
    opened = [e for e in events if e["eventSource"] == "emailOpened"]
    assert opened[0]["eventData"] is None


def test_page_visits_and_any_other_event_type(lg, clocked):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    clocked.lg_page_visit(a, "https://acme.example/precos", referrer="https://google.com")
    clocked.lg_add_event(a, "changeLeadStatus", name="Lead status changed to qualified")
    (visit,) = by_type(lg, where={"leadID": a}, eventSource="pageVisit")
    assert visit["eventData"] == {
        "url": "https://acme.example/precos",
        "referrer": "https://google.com",
    }
    (change,) = by_type(lg, where={"leadID": a}, eventSource="changeLeadStatus")
    assert change["eventName"] == "Lead status changed to qualified"


def test_event_source_order_and_filters(lg, clocked):
    a, b = lg.create_leads({"emailAddress": "a@x.example"}, {"emailAddress": "b@x.example"})
    clocked.lg_page_visit(b, "https://acme.example/1")
    clocked.clock(advance=10)
    clocked.lg_fill_form("a@x.example", {})
    clocked.clock(advance=10)
    clocked.lg_page_visit(a, "https://acme.example/2")
    events = by_type(
        lg, where={"createTimestamp": "2026-06-01 08:00:00"}, eventSource="pageVisit,formSubmit"
    )
    assert [(e["eventSource"], e["leadID"]) for e in events] == [
        ("pageVisit", str(b)),
        ("pageVisit", str(a)),
        ("formSubmit", str(a)),
    ]
    # createTimestamp keeps events at or after it; leadID narrows to one lead.
    later = by_type(lg, where={"createTimestamp": "2026-06-01 08:00:10"})
    assert [e["eventSource"] for e in later] == ["formSubmit", "pageVisit"]
    mine = by_type(lg, where={"leadID": a, "createTimestamp": "2026-06-01 08:00:00"})
    assert {e["leadID"] for e in mine} == {str(a)}
    # eventSource may also sit inside where.
    assert len(by_type(lg, where={"leadID": b, "eventSource": "pageVisit"})) == 1


def test_get_events_by_type_needs_a_lead_or_a_timestamp(lg):
    assert lg.call("getEventsByType", {"where": {}})["error"]["code"] == 206
    unknown = lg.call(
        "getEventsByType", {"where": {"leadID": 1}, "eventSource": "emailSent,telepathy"}
    )
    assert unknown["error"]["code"] == 205


def test_paging_runs_across_types(lg, clocked):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    for n in range(3):
        clocked.lg_page_visit(a, f"https://acme.example/{n}")
    for _ in range(2):
        clocked.lg_fill_form("a@x.example", {})
    everything = by_type(lg, where={"leadID": a}, eventSource="pageVisit,formSubmit")
    pages = [
        by_type(lg, where={"leadID": a}, eventSource="pageVisit,formSubmit", limit=2, offset=o)
        for o in (0, 2, 4)
    ]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [e["id"] for p in pages for e in p] == [e["id"] for e in everything]


def test_get_events_answers_under_event(lg, clocked):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    clocked.lg_page_visit(a, "https://acme.example/1")
    clocked.clock(advance=5)
    clocked.lg_fill_form("a@x.example", {})
    everything = lg.result("getEvents", {"where": {}})["event"]
    assert [e["eventSource"] for e in everything] == ["pageVisit", "formSubmit"]  # by time
    recent = lg.result("getEvents", {"where": {"createTimestamp": "2026-06-01 08:00:05"}})
    assert [e["eventSource"] for e in recent["event"]] == ["formSubmit"]
    assert lg.result("getEvents", {"where": {"leadID": a}, "limit": 1})["event"][0][
        "leadID"
    ] == str(a)


def test_deleting_a_lead_deletes_its_events(lg, clocked):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    clocked.lg_page_visit(a, "https://acme.example/1")
    clocked.lg_delete_lead(a)
    assert by_type(lg, where={"leadID": a}) == []
    with pytest.raises(RuntimeError):
        clocked.lg_page_visit(a, "https://acme.example/2")


def test_the_demo_account_has_a_history(lg, lg_control):
    lg_control.lg_reset("demo")
    events = by_type(lg, where={"createTimestamp": "2000-01-01 00:00:00"})
    kinds = {e["eventSource"] for e in events}
    assert kinds == {"formSubmit", "pageVisit", "emailSent", "emailOpened", "emailClick"}
    users = lg.result("getUserProfiles", {"where": {}})["userProfile"]
    assert len(users) == 5 and users[0]["emailAddress"] == "admin@acme-brasil.example"
    leads = lg.result("getLeads", {"where": {}})["lead"]
    assert len(leads) == 19  # one of the 20 is inactive


def test_control_actions_refuse_bad_values(lg_control):
    with pytest.raises(RuntimeError, match="205"):
        lg_control.lg_fill_form("a@x.example", {"shoeSize": 42})
    with pytest.raises(RuntimeError):
        lg_control.lg_add_event(1, "telepathy")
