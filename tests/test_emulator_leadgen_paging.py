"""getLeadsDateRange and offset paging on the emulated Lead Gen & CRM API: inclusive ranges,
create vs update, inactive leads left out, one second holding many leads, and the page order a
client must not trust (LEADGEN_API.md §4, §5, §7.6)."""

from __future__ import annotations

import pytest


def date_range(lg, start, end, kind="update", **kw):
    params = {"startDate": start, "endDate": end, "timestamp": kind, **kw}
    return lg.result("getLeadsDateRange", params)["lead"]


def ids(leads) -> list[str]:
    return [x["id"] for x in leads]


@pytest.fixture
def timeline(lg, lg_control):
    """Three leads created a minute apart; the first updated two minutes later."""
    lg_control.clock(now="2026-05-10T09:00:00Z")
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    lg_control.clock(advance=60)
    (b,) = lg.create_leads({"emailAddress": "b@x.example"})
    lg_control.clock(advance=60)
    (c,) = lg.create_leads({"emailAddress": "c@x.example"})
    lg_control.clock(advance=60)
    lg.result("updateLeads", {"objects": [{"id": a, "city": "Natal"}]})
    return str(a), str(b), str(c)


def test_ranges_are_inclusive_and_in_utc(lg, timeline):
    a, b, c = timeline
    created = date_range(lg, "2026-05-10 09:01:00", "2026-05-10 09:02:00", "create")
    assert sorted(ids(created)) == sorted([b, c])
    assert created[0]["createTimestamp"].startswith("2026-05-10 09:0")
    assert date_range(lg, "2026-05-10 09:00:01", "2026-05-10 09:00:59", "create") == []


def test_update_range_includes_leads_never_updated(lg, timeline):
    a, b, c = timeline
    assert sorted(ids(date_range(lg, "2026-05-10 09:01:00", "2026-05-10 09:03:00"))) == sorted(
        [a, b, c]
    )
    assert ids(date_range(lg, "2026-05-10 09:03:00", "2026-05-10 10:00:00")) == [a]
    assert ids(date_range(lg, "2026-05-10 09:00:00", "2026-05-10 09:00:00")) == []  # a moved


def test_inactive_leads_are_left_out(lg, lg_control, timeline):
    a, b, c = timeline
    lg_control.clock(advance=60)
    lg.result("updateLeads", {"objects": [{"id": b, "active": 0}]})
    everything = date_range(lg, "2026-05-10 00:00:00", "2026-05-11 00:00:00")
    assert b not in ids(everything) and len(everything) == 2
    assert b not in ids(date_range(lg, "2026-05-10 00:00:00", "2026-05-11 00:00:00", "create"))
    assert lg.lead(b)["active"] == "0"  # still there, by id


def test_one_create_call_shares_one_second(lg, lg_control):
    lg_control.clock(now="2026-05-10T10:00:00Z", frozen=False)
    created = lg.create_leads(*({"emailAddress": f"s{i}@x.example"} for i in range(500)))
    stamps = {lg.lead(i)["createTimestamp"] for i in (created[0], created[-1])}
    assert len(stamps) == 1
    (second,) = stamps
    page1 = date_range(lg, second, second, "create", limit=300)
    page2 = date_range(lg, second, second, "create", limit=300, offset=300)
    assert len(page1) == 300 and len(page2) == 200
    assert set(ids(page1) + ids(page2)) == {str(i) for i in created}


def test_date_range_limit_defaults_to_500_and_may_be_raised(lg, lg_control):
    lg_control.lg_generate(700, spread_seconds=10)
    start, end = "2000-01-01 00:00:00", "2100-01-01 00:00:00"
    assert len(date_range(lg, start, end)) == 500
    assert len(date_range(lg, start, end, limit=700)) == 700
    lg_control.lg_settings(date_range_max_limit=500)
    assert len(date_range(lg, start, end, limit=700)) == 500


def test_fields_on_date_ranges(lg, timeline):
    leads = date_range(
        lg, "2026-05-10 00:00:00", "2026-05-11 00:00:00", fields=["emailAddress", "updateTimestamp"]
    )
    assert [sorted(x) for x in leads] == [["emailAddress", "updateTimestamp"]] * 3


def read_all_by_offset(lg, page_size, between=None, **kw):
    """A naive client: pages by offset until a short page, trusting the order."""
    seen, offset = [], 0
    while True:
        page = date_range(
            lg,
            "2000-01-01 00:00:00",
            "2100-01-01 00:00:00",
            limit=page_size,
            offset=offset,
            **kw,
        )
        seen += ids(page)
        if between is not None:
            between(offset)
        if len(page) < page_size:
            return seen
        offset += page_size


def test_unstable_order_repeats_until_a_row_changes(lg, lg_control):
    lg_control.lg_generate(40, spread_seconds=0)  # one second: no timestamp order to lean on
    start, end = "2000-01-01 00:00:00", "2100-01-01 00:00:00"
    first = ids(date_range(lg, start, end))
    assert ids(date_range(lg, start, end)) == first  # nothing changed: the same order
    assert first != sorted(first)  # not id order
    lg.result("updateLeads", {"objects": [{"id": first[0], "city": "Olinda"}]})
    second = ids(date_range(lg, start, end))
    assert sorted(second) == sorted(first) and second != first
    # The order is a documented function of (salt, id, rev): another salt, another order.
    lg_control.lg_settings(order_salt="other")
    assert ids(date_range(lg, start, end)) not in (first, second)


def test_a_naive_offset_reader_skips_and_repeats_rows_under_change(lg, lg_control):
    lg_control.lg_generate(30)
    everyone = set(ids(date_range(lg, "2000-01-01 00:00:00", "2100-01-01 00:00:00")))
    page = 10
    touched = iter(sorted(everyone))

    def edit_between_pages(offset):
        # Someone keeps editing leads while the reader pages: each edit moves a lead.
        for _ in range(3):
            lead = next(touched)
            lg.result("updateLeads", {"objects": [{"id": lead, "city": f"C{offset}"}]})

    seen = read_all_by_offset(lg, page, between=edit_between_pages)
    assert len(seen) == 30
    missed, repeated = everyone - set(seen), len(seen) - len(set(seen))
    assert missed and repeated  # the vendor guarantees no order; a client must re-read


def test_stable_order_skips_predictably(lg, lg_control):
    """With page_order=stable an updated lead moves to the end of an update range, so a reader
    that edits a lead of page 1 before reading page 2 misses exactly one lead and sees the edited
    one twice: a deterministic case for a client's tests."""
    lg_control.lg_settings(page_order="stable")
    lg_control.clock(now="2026-05-10T10:00:00Z")
    created = lg_control.lg_create_leads_raw(
        [
            {"emailAddress": f"p{i}@x.example", "createTimestamp": f"2026-05-10 09:00:{i:02d}"}
            for i in range(6)
        ]
    )
    start, end = "2026-05-10 00:00:00", "2026-05-11 00:00:00"
    page1 = ids(date_range(lg, start, end, limit=3))
    assert page1 == [str(i) for i in created[:3]]
    lg.result("updateLeads", {"objects": [{"id": created[0], "city": "Moved"}]})
    page2 = ids(date_range(lg, start, end, limit=3, offset=3))
    assert page2 == [str(i) for i in (created[4], created[5], created[0])]
    assert str(created[3]) not in page1 + page2


def test_get_leads_pages_in_either_order(lg, lg_control):
    lg_control.lg_generate(25)
    unstable = [x["id"] for x in lg.result("getLeads", {"where": {}})["lead"]]
    lg_control.lg_settings(page_order="stable")
    stable = [x["id"] for x in lg.result("getLeads", {"where": {}})["lead"]]
    assert stable == sorted(stable, key=int) and sorted(unstable) == sorted(stable)
    assert unstable != stable
