"""`lgcrm-sf emulator serve` with the Lead Gen & CRM API: the JSON line's leadgen keys, the
--leadgen-rate / --leadgen-daily-limit options, and an account kept in the --data file."""

from __future__ import annotations

from lgcrm_sf.emulator.control import ControlClient

from .leadgen_helpers import LeadGenCaller
from .test_emulator_serve import start, stop


def test_serve_prints_the_leadgen_endpoint_and_credentials():
    process, info = start("--seed", "demo", "--leadgen-rate", "4", "--leadgen-daily-limit", "900")
    try:
        assert info["leadgen_url"] == info["instance_url"] + "/pubapi/v1.2/"
        assert len(info["leadgen_account_id"]) == 32 and len(info["leadgen_secret_key"]) == 32
        caller = LeadGenCaller(info)
        leads = caller.result("getLeads", {"where": {}})["lead"]
        assert len(leads) == 19  # the demo account
        settings = ControlClient(info).lg_settings()
        assert (settings["rate_per_second"], settings["daily_limit"]) == (4, 900)
    finally:
        stop(process)


def test_data_file_keeps_the_account_across_restarts(tmp_path):
    data = str(tmp_path / "org.sqlite")
    process, info = start("--data", data)
    try:
        caller = LeadGenCaller(info)
        (lead_id,) = caller.create_leads({"emailAddress": "kept@x.example"})
        field = ControlClient(info).lg_add_field("Kept Field")["systemName"]
    finally:
        stop(process)
    assert (tmp_path / "org.sqlite.leadgen").exists()
    process, again = start("--data", data)
    try:
        assert again["leadgen_account_id"] == info["leadgen_account_id"]
        assert again["leadgen_secret_key"] == info["leadgen_secret_key"]
        caller = LeadGenCaller(again)
        lead = caller.lead(lead_id)
        assert lead["emailAddress"] == "kept@x.example" and lead[field] == ""
        (second,) = caller.create_leads({"emailAddress": "second@x.example"})
        assert second != lead_id
    finally:
        stop(process)


def test_a_reset_empties_the_account_but_keeps_its_credentials(emulator):
    control = ControlClient(emulator.info)
    caller = LeadGenCaller(emulator.info)
    control.lg_reset("empty")
    control.lg_settings(rate_per_second=1000)
    caller.create_leads({"emailAddress": "gone@x.example"})
    info = control.reset("empty")  # the whole emulator: the org and the account
    assert info["leadgen_secret_key"] == caller.secret
    assert info["leadgen_account_id"] == caller.info["leadgen_account_id"]
    assert caller.result("getLeads", {"where": {}})["lead"] == []
    control.reset("empty", leadgen_seed="demo")
    assert len(caller.result("getLeads", {"where": {}})["lead"]) == 19
    control.lg_reset("empty")


def test_one_clock_for_both_services(lg, lg_control):
    lg_control.clock(now="2026-08-01T10:00:00Z")
    assert lg_control.lg_clock(advance=30) == "2026-08-01 10:00:30"
    assert lg_control.clock() == "2026-08-01T10:00:30.000+0000"  # the Salesforce side moved too
    (lead_id,) = lg.create_leads({"emailAddress": "t@x.example"})
    assert lg.lead(lead_id)["createTimestamp"] == "2026-08-01 10:00:30"
