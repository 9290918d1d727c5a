"""The state repositories' batch writes leave what one write after another would (duplicates in
a batch included), and their IN (...) lookups stay under SQLite's parameter limit whatever it
is on the machine (999 before SQLite 3.32)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from lgcrm_sf.leadgen.api.values import api_time_to_iso
from lgcrm_sf.store.sync_state import SyncState


@pytest.fixture
def state(tmp_path):
    state = SyncState(tmp_path / "state.db")
    yield state
    state.conn.close()


def _links(state) -> dict[int, str]:
    return dict(state.conn.execute("SELECT person_id, sf_id FROM links").fetchall())


def test_links_naming_one_record_twice_leave_it_to_the_last_person(state):
    with state.conn:
        state.links.set_link(1, "Lead", "00Q000000000001AAA", None)
        state.links.set_links(
            "Lead",
            [(1, "00Q000000000002AAA"), (2, "00Q000000000002AAA"), (3, "00Q000000000003AAA")],
        )
    # one pair after another: person 1 moves to record 2, then person 2 takes record 2
    assert _links(state) == {2: "00Q000000000002AAA", 3: "00Q000000000003AAA"}


def test_mirrors_from_the_journal_merge_a_person_written_twice(state):
    mirror = lambda **f: {k: {"lg": v, "sf": v} for k, v in f.items()}  # noqa: E731
    with state.conn:
        state.journal.add_many(
            1,
            "create",
            "Lead",
            [
                (7, "a@x.io", None, {"Email": "a@x.io"}, mirror(city="Rio")),
                (7, "a@x.io", None, {"Email": "a@x.io"}, mirror(title="CEO")),
                (8, "b@x.io", None, {"Email": "b@x.io"}, mirror(city="Recife")),
            ],
        )
        ids = [r[0] for r in state.conn.execute("SELECT id FROM journal ORDER BY id")]
        state.links.set_mirrors_from_journal("Lead", ids)
    assert state.links.mirror_of(7) == mirror(city="Rio", title="CEO")
    assert state.links.mirror_of(8) == mirror(city="Recife")
    # a person who had a mirror keeps its other fields
    with state.conn:
        state.journal.add_many(2, "update", "Lead", [(8, "b@x.io", "x", {}, mirror(title="CTO"))])
        state.links.set_mirrors_from_journal("Lead", [ids[-1] + 1])
    assert state.links.mirror_of(8) == mirror(city="Recife", title="CTO")


def test_lookups_by_many_keys_stay_under_the_old_parameter_limit(state):
    state.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    emails = [f"p{i}@x.io" for i in range(2_500)]
    rows = [
        ("Lead", f"00Q{i:015d}", "t", 0, None, 0, None, e, json.dumps({}))
        for i, e in enumerate(emails)
    ]
    state.scratch.stage(rows)
    assert len(state.scratch.staged_by_email("Lead", emails)) == 2_500
    assert state.journal.people_of(list(range(1, 2_501))) == {}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2016-11-09 17:18:22", "2016-11-09T17:18:22.000Z"),
        ("2016-11-09", "2016-11-09T00:00:00.000Z"),
        ("2016-11-09  7:18:22", "2016-11-09T07:18:22.000Z"),  # strptime's reading, kept
        ("2016-11-09 17:18+01", ValueError),
        ("2016-W01-1 17:18:22", ValueError),
        ("2016-13-09 17:18:22", ValueError),
    ],
)
def test_account_timestamps_read_as_strptime_reads_them(raw, expected):
    if expected is ValueError:
        with pytest.raises(ValueError):
            api_time_to_iso(raw)
    else:
        assert api_time_to_iso(raw) == expected
