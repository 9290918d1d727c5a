"""The account's call limits as the client keeps them: no second of the emulated account's
clock sees more calls than allowed (its counters say so, not wall-clock timing), a client that
goes too fast has its 107s retried, and the daily budget is counted per UTC day in the state
database with a reserve that stops a run cleanly."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from lgcrm_sf.leadgen.api.errors import AccountDailyLimit
from lgcrm_sf.leadgen.api.throttle import CallWindow
from lgcrm_sf.store.account_budget import AccountBudget
from lgcrm_sf.store.db import open_database

from .account_helpers import account_client


def test_the_call_window_keeps_every_second_within_the_limit(emulator, lg_control):
    lg_control.lg_settings(rate_per_second=4)
    client = account_client(emulator.info, per_second=4)
    for _ in range(14):
        client.get_leads_by_id([1])
    counters = lg_control.lg_counters()
    assert counters["total"] == 14
    assert counters["max_per_second"] <= 4
    assert counters["rejected_rate"] == 0 and client.retried == 0


def test_a_client_faster_than_the_account_has_its_107s_retried(emulator, lg_control):
    lg_control.lg_settings(rate_per_second=3)
    client = account_client(emulator.info, per_second=50)
    for _ in range(10):
        assert client.get_leads_by_id([1]) == []
    counters = lg_control.lg_counters()
    assert counters["rejected_rate"] > 0
    assert client.retried == counters["rejected_rate"]
    assert counters["by_method"]["getLeads"] == 10 + counters["rejected_rate"]


def test_the_window_waits_for_the_nth_last_answer_to_be_a_second_old():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    window = CallWindow(2, clock=lambda: now[0], sleep=sleep)
    for _ in range(2):
        window.wait_turn()
        window.finished()
    window.wait_turn()
    assert slept and slept[0] == pytest.approx(1.002)


def test_the_daily_budget_is_counted_per_utc_day_with_a_reserve(tmp_path):
    db = open_database(tmp_path / "state.db")
    budget = AccountBudget(db.conn, daily_limit=10, reserve=2)
    with freeze_time("2026-11-28 23:59:00"):
        for _ in range(8):
            budget.spend()
        with pytest.raises(AccountDailyLimit) as caught:
            budget.spend()
        assert caught.value.exit_code == 8
        assert budget.used_today() == 8
    with freeze_time("2026-11-29 00:00:01"):
        assert budget.used_today() == 0
        budget.spend()
    again = AccountBudget(open_database(tmp_path / "state.db").conn, daily_limit=10, reserve=2)
    with freeze_time("2026-11-29 00:00:02"):
        assert again.used_today() == 1  # kept in the state database


def test_the_client_spends_the_budget_before_each_call(emulator, lg_control, tmp_path):
    db = open_database(tmp_path / "state.db")
    client = account_client(emulator.info, budget=AccountBudget(db.conn, 3, reserve=1))
    client.get_leads_by_id([1])
    client.get_leads_by_id([1])
    with pytest.raises(AccountDailyLimit):
        client.get_leads_by_id([1])
    assert lg_control.lg_counters()["total"] == 2  # the third was never sent
