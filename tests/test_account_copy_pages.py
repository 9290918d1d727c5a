"""Our copy of the account takes a page of leads at once (two lookups for the page), with the
outcome one lead after the other would give: an e-mail that moved from one account lead to
another inside the page, a lead read twice."""

from __future__ import annotations

from lgcrm_sf.leadgen.store import LeadGenStore

AT = "2026-11-20T08:00:00Z"


def _lead(lead_id: int, email: str, last: str, updated: str = AT) -> dict:
    return {"account_id": lead_id, "active": True, "created_at": AT, "updated_at": updated,
            "kind": "lead", "email": email, "values": {"last_name": last}}  # fmt: skip


def _state(store: LeadGenStore) -> list[tuple]:
    """Every person's whole row (its id, account columns and change times too)."""
    rows = store.db.execute("SELECT * FROM lg_people ORDER BY email").fetchall()
    return [tuple(r) for r in rows]


def _one_by_one(path, first: list[dict], page: list[dict]) -> tuple[list[str], list[tuple]]:
    store = LeadGenStore(path)
    with store.db.conn:
        for lead in first:
            store.apply_account_lead(lead, AT)
    with store.db.conn:
        outcomes = [store.apply_account_lead(lead, AT) for lead in page]
    return outcomes, _state(store)


def _as_page(path, first: list[dict], page: list[dict]) -> tuple[list[str], list[tuple]]:
    store = LeadGenStore(path)
    with store.db.conn:
        store.apply_account_leads(first, AT)
    with store.db.conn:
        outcomes = store.apply_account_leads(page, AT)
    return outcomes, _state(store)


def test_a_page_gives_what_one_lead_after_the_other_gives(tmp_path):
    first = [_lead(1, "x@example.com", "Ames"), _lead(5, "keep@example.com", "Keep")]
    page = [
        _lead(2, "x@example.com", "Baker"),  # a new account lead took x@ from lead 1 ...
        _lead(1, "y@example.com", "Ames", "2026-11-20T08:00:01Z"),  # ... which moved to y@
        _lead(3, "new@example.com", "New"),
        _lead(3, "new@example.com", "Newer", "2026-11-20T08:00:02Z"),  # read twice
        _lead(5, "keep@example.com", "Keep"),  # unchanged
        _lead(5, "keep@example.com", "Kept", "2026-11-20T08:00:03Z"),
    ]
    expected = _one_by_one(tmp_path / "a.db", first, page)
    assert _as_page(tmp_path / "b.db", first, page) == expected
    outcomes, state = expected
    assert outcomes == ["adopted", "created", "created", "updated", "unchanged", "updated"]
    people = {row[2]: row for row in state}  # by e-mail: (id, kind, email, ...)
    assert "Newer" in people["new@example.com"] and "Kept" in people["keep@example.com"]


def test_new_leads_of_a_page_are_created_as_one_after_the_other_creates_them(tmp_path):
    """New leads go in together (one statement): the same rows, ids, account columns and
    change times as created one by one, an inactive one and custom fields included."""
    page = [_lead(10 + i, f"n{i}@example.com", f"N{i}") for i in range(5)]
    page[1]["values"]["custom.plan"] = "gold"
    page[2]["active"] = False
    page[3]["values"]["company"] = "Acme"  # other columns: another statement
    page.append(_lead(15, "n5@example.com", "N5"))  # the first run's columns again
    page[5]["values"]["lead_score"] = 7  # stored as REAL
    expected = _one_by_one(tmp_path / "a.db", [], page)
    assert _as_page(tmp_path / "b.db", [], page) == expected
    assert expected[0] == ["created"] * 6


def test_the_people_a_page_creates_are_handed_over_as_read_back(tmp_path):
    """What the first sync matches while it reads: the people a page created (the active
    ones), equal to what reading them back gives, without reading them."""
    store = LeadGenStore(tmp_path / "c.db")
    with store.db.conn:
        store.apply_account_leads([_lead(1, "old@example.com", "Old")], AT)
    page = [_lead(10 + i, f"p{i}@example.com", f"P{i}") for i in range(4)]
    page[0]["values"].update({"custom.plan": "gold", "lead_score": 12, "unsubscribed": True})
    page[1]["active"] = False  # created inactive: not handed over
    page[2]["values"]["company"] = "Acme"
    page.append(_lead(1, "old@example.com", "Older", "2026-11-20T08:00:05Z"))  # an update
    created: list[dict] = []
    with store.db.conn:
        store.apply_account_leads(page, AT, created)
    assert [p["email"] for p in created] == ["p0@example.com", "p2@example.com", "p3@example.com"]
    assert created == [store.get(p["id"]) for p in created]


def test_a_person_a_later_lead_of_the_page_changes_is_not_handed_over(tmp_path):
    """A person created by the page and changed again by a later lead of it (an e-mail that
    moved to another lead, a lead read twice) is left out: what is handed over is as stored."""
    store = LeadGenStore(tmp_path / "d.db")
    page = [
        _lead(1, "x@example.com", "Ames"),
        _lead(3, "new@example.com", "New"),
        _lead(2, "x@example.com", "Baker"),  # takes x@ from lead 1's person
        _lead(1, "y@example.com", "Ames", "2026-11-20T08:00:01Z"),
        _lead(3, "new@example.com", "Newer", "2026-11-20T08:00:02Z"),  # read twice
        _lead(4, "z@example.com", "Zeta"),
    ]
    created: list[dict] = []
    with store.db.conn:
        store.apply_account_leads(page, AT, created)
    assert [p["email"] for p in created] == ["z@example.com"]
    assert created == [store.get(p["id"]) for p in created]
