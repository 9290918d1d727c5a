"""Reading the account's changed leads by time windows (LEADGEN_API.md §4: no order guarantee
across offset pages): windows with more than 500 changed leads, a one-second window with 500+
leads, and the quiet account's one call."""

from __future__ import annotations

import datetime

from lgcrm_sf.leadgen.api.windows import ChangedLeads

from .account_helpers import account_client

BASE = datetime.datetime(2026, 11, 20, 8, 0, 0)


def _stamp(seconds: int) -> str:
    return (BASE + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def _import(lg_control, count: int, spread: int, prefix: str) -> set[int]:
    leads = [
        {"emailAddress": f"{prefix}{n}@example.com", "updateTimestamp": _stamp(spread * n // count),
         "createTimestamp": _stamp(0)}
        for n in range(count)
    ]  # fmt: skip
    ids = set()
    for start in range(0, count, 500):
        ids |= set(lg_control.lg_create_leads_raw(leads[start : start + 500]))
    return ids


def _all_ids(reader: ChangedLeads, since=None) -> list[int]:
    return [int(r["id"]) for page in reader.since(since) for r in page]


def test_more_than_500_changed_leads_are_read_whole_in_windows(emulator, lg_control):
    ids = _import(lg_control, 1800, 3600, "w")
    client = account_client(emulator.info)
    reader = ChangedLeads(client)
    seen = _all_ids(reader)
    assert set(seen) == ids
    assert len(seen) - len(set(seen)) <= 500  # a repeat is possible, a miss is not
    assert reader.windows >= 4
    # each window fits in a page: nothing was read by offset
    assert reader.dense_seconds == 0


def test_windows_survive_leads_changing_order_between_calls(emulator, lg_control):
    ids = _import(lg_control, 1200, 600, "o")
    client = account_client(emulator.info)
    reader = ChangedLeads(client)
    seen: set[int] = set()
    for n, page in enumerate(reader.since(None)):
        seen |= {int(r["id"]) for r in page}
        lg_control.lg_settings(order_salt=f"salt-{n}")  # every later page in a new order
    assert seen == ids


def test_a_one_second_window_with_500_plus_leads_is_read_until_two_passes_agree(
    emulator, lg_control
):
    ids = _import(lg_control, 700, 0, "d")  # 700 leads stamped in the same second
    ids |= _import(lg_control, 300, 0, "e")
    client = account_client(emulator.info)
    reader = ChangedLeads(client)
    seen = _all_ids(reader)
    assert set(seen) == ids
    assert reader.dense_seconds == 1
    getters = lg_control.lg_counters()["by_method"]["getLeadsDateRange"]
    assert getters >= 1 + 2 * 2  # the tail, then two passes of two pages over the second


def test_a_quiet_account_costs_one_call(emulator, lg_control):
    _import(lg_control, 50, 10, "q")
    client = account_client(emulator.info)
    reader = ChangedLeads(client)
    assert len(_all_ids(reader, _stamp(100))) == 0
    assert client.calls == 1


def test_a_burst_of_dense_seconds_is_read_without_halving_down_to_each(emulator, lg_control):
    """The shape of a read-back: updateLeadsV2 calls at 10 a second stamp thousands of leads in
    a few seconds, after a quiet day. A full page is a sample of its window, so the walk goes
    to each dense second in a call or two instead of halving a day down to it; the window's own
    read is its first page."""
    ids = _import(lg_control, 300, 86_400, "q")  # a quiet day before
    for second in range(3):
        burst = [
            {"emailAddress": f"b{second}-{n}@example.com", "createTimestamp": _stamp(0),
             "updateTimestamp": _stamp(86_400 + second)}
            for n in range(600)
        ]  # fmt: skip
        for start in range(0, len(burst), 500):
            ids |= set(lg_control.lg_create_leads_raw(burst[start : start + 500]))
    client = account_client(emulator.info)
    reader = ChangedLeads(client)
    seen = _all_ids(reader)
    assert set(seen) == ids
    assert reader.dense_seconds == 3
    # two passes of two pages a dense second, less the window read that is the first pass's
    # first page (9), the tail, the quiet day in a few windows; halving took 53 calls
    assert client.calls <= 9 + 11


def test_how_much_of_a_long_read_is_done_is_told_as_it_goes(emulator, lg_control):
    """The first full page is a sample of the read (§4: no order): the share of its timestamps
    before each window read tells how far the read is (a first sync sends its creates early on
    it). A quiet account, read in one page, tells nothing."""
    _import(lg_control, 3000, 3000, "s")  # spread evenly over 3,000 seconds
    reader = ChangedLeads(account_client(emulator.info))
    told, read = [], 0
    for page in reader.since(None):
        read += len(page)
        if reader.share_read is not None:
            told.append((read / 3000, reader.share_read))
    assert len(told) >= 5
    assert [share for _, share in told] == sorted(share for _, share in told)
    assert all(abs(done - share) <= 0.15 for done, share in told), told
    assert told[-1][1] == 1.0
    quiet = ChangedLeads(account_client(emulator.info))
    list(quiet.since(_stamp(10_000)))
    assert quiet.share_read is None
