"""Limits, counters and injected faults of the emulated Lead Gen & CRM API (LEADGEN_API.md §4,
§7.6). Seconds and days are the emulator clock's, so these tests move the clock, never sleep."""

from __future__ import annotations

import time

import pytest
import requests

from lgcrm_sf.emulator.control import ControlClient
from lgcrm_sf.emulator.server import Emulator

from .leadgen_helpers import LeadGenCaller


def get_leads(lg) -> dict:
    return lg.call("getLeads", {"where": {}})


def test_reset_restores_the_vendors_default_limits(lg, lg_control):
    lg_control.lg_reset("empty")
    settings = lg_control.lg_settings()
    assert settings["rate_per_second"] == 10 and settings["daily_limit"] == 50_000
    assert settings["page_order"] == "unstable"


def test_the_eleventh_call_in_a_second_is_107(lg, lg_control):
    lg_control.lg_reset("empty")  # 10 calls a second
    lg_control.clock(now="2026-07-01T10:00:00Z")  # frozen: every call in the same second
    for _ in range(10):
        assert get_leads(lg)["error"] is None
    refused = lg.call("getLeads", {"where": {}}, request_id="r-11")
    assert refused == {
        "result": None,
        "error": {"code": 107, "message": "Exceeded per second method call limit.", "data": []},
        "id": "r-11",
    }
    lg_control.clock(advance=1)
    assert get_leads(lg)["error"] is None
    counters = lg_control.lg_counters()
    assert counters["total"] == 12 and counters["rejected_rate"] == 1
    assert counters["max_per_second"] == 11  # what the server saw, refused calls included
    assert counters["used_today"] == 11  # refused calls do not spend the daily budget


def test_max_per_second_lets_a_test_check_a_clients_pace(lg, lg_control):
    lg_control.clock(now="2026-07-01T10:00:00Z")
    for burst in (3, 5, 2):
        for _ in range(burst):
            get_leads(lg)
        lg_control.clock(advance=1)
    counters = lg_control.lg_counters()
    assert counters["max_per_second"] == 5 and counters["total"] == 10
    assert counters["by_method"] == {"getLeads": 10}
    assert lg_control.lg_reset_counters()["total"] == 0


def test_the_daily_budget_is_106_until_the_next_day(lg, lg_control):
    lg_control.clock(now="2026-07-01T23:59:00Z")
    lg_control.lg_settings(daily_limit=50_000, used_today=49_999)
    assert get_leads(lg)["error"] is None
    assert get_leads(lg)["error"]["code"] == 106
    assert lg.call("createLeads", {"objects": [{"emailAddress": "a@x.example"}]})["error"] == {
        "code": 106,
        "message": "Exceeded daily method call limit.",
        "data": [],
    }
    assert lg_control.lg_counters()["rejected_daily"] == 2
    lg_control.clock(advance=60)  # midnight UTC
    assert get_leads(lg)["error"] is None
    assert lg_control.lg_counters()["used_today"] == 1


def test_rate_set_when_the_emulator_starts():
    with Emulator(leadgen_rate=3, leadgen_daily_limit=100) as server:
        control = ControlClient(server.info)
        settings = control.lg_settings()
        assert (settings["rate_per_second"], settings["daily_limit"]) == (3, 100)
        control.clock(now="2026-07-01T10:00:00Z")
        caller = LeadGenCaller(server.info)
        codes = [get_leads(caller)["error"] for _ in range(4)]
        assert codes[:3] == [None] * 3 and codes[3]["code"] == 107
        control.lg_settings(rate_per_second=50)
        control.lg_reset("empty")  # back to what the server started with
        assert control.lg_settings()["rate_per_second"] == 3


def test_injected_error_code_for_one_method_after_some_calls(lg, lg_control):
    lg_control.lg_fault(method="getLeads", code=999, count=2, after=1)
    assert get_leads(lg)["error"] is None
    assert [get_leads(lg)["error"]["code"] for _ in range(2)] == [999, 999]
    assert get_leads(lg)["error"] is None
    assert lg.call("getUserProfiles", {"where": {}})["error"] is None
    (fault,) = lg_control.lg_faults()
    assert fault["fired"] == 2 and fault["seen"] == 4
    lg_control.lg_clear_faults()
    assert lg_control.lg_faults() == []


def test_injected_error_code_matches_methods_by_pattern(lg, lg_control):
    lg_control.lg_fault(method="get.*", code=107, count=None)
    assert get_leads(lg)["error"]["code"] == 107
    assert lg.call("getFields", {"where": {}})["error"]["code"] == 107
    created = lg.call("createLeads", {"objects": [{"emailAddress": "a@x.example"}]})
    assert created["error"] == []


def test_service_temporarily_unavailable(lg, lg_control):
    lg_control.lg_fault(unavailable=True)
    response = lg.raw({"method": "getLeads", "params": {"where": {}}, "id": "1"})
    assert response.status_code == 503
    assert response.text == "Service temporarily unavailable"
    assert get_leads(lg)["error"] is None


def test_dropped_connection_runs_nothing(lg, lg_control):
    lg_control.lg_fault(method="createLeads", drop=True)
    with pytest.raises(requests.ConnectionError):
        lg.call("createLeads", {"objects": [{"emailAddress": "lost@x.example"}]})
    assert lg.result("getLeads", {"where": {"emailAddress": "lost@x.example"}})["lead"] == []


def test_the_server_acted_then_the_response_was_lost(lg, lg_control):
    lg_control.lg_fault(method="createLeads", cut_after_bytes=0)
    with pytest.raises(requests.exceptions.RequestException):
        lg.call("createLeads", {"objects": [{"emailAddress": "acted@x.example"}]})
    (lead,) = lg.result("getLeads", {"where": {"emailAddress": "acted@x.example"}})["lead"]
    retried = lg.call("createLeads", {"objects": [{"emailAddress": "acted@x.example"}]})
    assert retried["result"]["creates"][0]["error"]["code"] == 301  # a client must reconcile
    assert lead["emailAddress"] == "acted@x.example"


def test_a_response_cut_midway(lg, lg_control):
    lg.create_leads({"emailAddress": "a@x.example"})
    lg_control.lg_fault(method="getLeads", cut_after_bytes=20)
    with pytest.raises(requests.exceptions.RequestException):
        get_leads(lg)
    assert len(get_leads(lg)["result"]["lead"]) == 1


def test_latency(lg, lg_control):
    lg_control.lg_fault(latency_ms=300)
    started = time.monotonic()
    assert get_leads(lg)["error"] is None
    assert time.monotonic() - started >= 0.3


def test_clearing_the_faults_releases_a_held_call(lg, lg_control):
    from concurrent.futures import ThreadPoolExecutor

    lg_control.lg_fault(latency_ms=60_000)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(get_leads, lg)
        deadline = started + 30
        while lg_control.lg_faults()[0]["fired"] == 0:
            assert time.monotonic() < deadline, "the call never reached the fault"
            time.sleep(0.01)
        assert not held.done()
        lg_control.lg_clear_faults()
        assert held.result(timeout=30)["error"] is None  # answered, and well before 60 s
    assert time.monotonic() - started < 45


def test_bad_fault_specs_are_refused(lg_control):
    for spec in ({"code": 107, "drop": True}, {"method": "getLeads"}, {"colour": "red"}):
        with pytest.raises(RuntimeError):
            lg_control.lg_fault(**spec)
