"""Reading the account ahead of the sync (leadgen/api/read_ahead.py): the pages come in order,
a failure in the reading thread is raised in the sync's at the page where it happened, leaving
early stops the thread, and every call the thread made is counted in the day's budget (the
state database's connection belongs to the sync's thread)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from lgcrm_sf.errors import AccountDailyLimit, ConnectionFailure
from lgcrm_sf.leadgen.api.read_ahead import ReadAhead
from lgcrm_sf.store.account_budget import AccountBudget
from lgcrm_sf.store.db import open_database


class Client:
    """What ReadAhead uses of the API client: its budget, spent once a call, and its counts."""

    def __init__(self, budget) -> None:
        self.budget = budget
        self.threads: set[str] = set()
        self.calls = self.retried = 0

    def call(self) -> None:
        self.threads.add(threading.current_thread().name)
        self.budget.spend(1)
        self.calls += 1


def _budget(tmp_path, limit: int = 1000, reserve: int = 0) -> AccountBudget:
    conn = open_database(tmp_path / "state.db").conn
    return AccountBudget(conn, limit, reserve)


def _pages(count: int, fail_at: int | None = None):
    return lambda client: _read(client, count, fail_at)


def _read(client: Client, count: int, fail_at: int | None):
    for n in range(count):
        client.call()
        if n == fail_at:
            raise ConnectionFailure("the account stopped answering")
        yield [n]


def test_pages_come_in_order_and_every_call_is_counted(tmp_path):
    budget = _budget(tmp_path)
    client = Client(budget)
    with ReadAhead(client, _pages(25)) as ahead:
        got = [page[0] for page in ahead]
    assert got == list(range(25))
    assert client.threads == {"account-read-ahead"}  # every call made in the thread
    assert budget.used_today() == 25 and client.calls == 25
    assert client.budget is budget  # never the tally: a thread outliving the read spends there


def test_a_failure_in_the_thread_is_raised_at_its_page(tmp_path):
    client = Client(_budget(tmp_path))
    got = []
    with pytest.raises(ConnectionFailure, match="stopped answering"):
        with ReadAhead(client, _pages(25, fail_at=12)) as ahead:
            for page in ahead:
                got.append(page[0])
    assert got == list(range(12))


def test_the_days_reserve_stops_the_thread_cleanly(tmp_path):
    budget = _budget(tmp_path, limit=20, reserve=5)
    client = Client(budget)
    with pytest.raises(AccountDailyLimit):
        with ReadAhead(client, _pages(25)) as ahead:
            list(ahead)
    assert budget.used_today() == 15  # the reserve is kept


def test_leaving_early_stops_the_thread_and_its_calls(tmp_path):
    budget = _budget(tmp_path)
    client = Client(budget)
    with ReadAhead(client, _pages(10_000), depth=2) as ahead:
        for page in ahead:
            if page[0] == 3:
                break
    calls = budget.used_today()
    assert 4 <= calls <= 4 + 2 + 2  # what was read, what the queue held, one in flight
    assert not ahead._thread.is_alive()


def test_the_state_database_is_never_touched_from_the_thread(tmp_path):
    """sqlite3 refuses a connection used from another thread: a spend that reached it from
    the reading thread would fail every test above; here the refusal itself is shown."""
    budget = _budget(tmp_path)
    errors = []

    def spend() -> None:
        try:
            budget.spend(1)
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    thread = threading.Thread(target=spend)
    thread.start()
    thread.join()
    assert errors
