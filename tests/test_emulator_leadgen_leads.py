"""Leads on the emulated Lead Gen & CRM API: writes, reads and the quirks a client must survive
(LEADGEN_API.md §5, §6, §7)."""

from __future__ import annotations

import pytest

T0 = "2026-03-02T12:00:00Z"


@pytest.fixture
def frozen(lg_control):
    lg_control.clock(now=T0)
    return lg_control


def test_create_returns_numeric_ids_and_reads_return_strings(lg, frozen):
    (lead_id,) = lg.create_leads(
        {"emailAddress": "ana@acme.example", "firstName": "Ana", "leadScore": 7, "id": 5}
    )
    assert isinstance(lead_id, int) and lead_id > 10**11  # int64, large like the vendor's
    lead = lg.lead(lead_id)
    assert lead["id"] == str(lead_id)  # the input id was ignored
    assert lead["leadScore"] == "7" and lead["active"] == "1"
    assert lead["leadStatus"] == "unqualified"
    assert lead["title"] is None and lead["ownerID"] is None  # standard strings: null
    assert lead["createTimestamp"] == lead["updateTimestamp"] == "2026-03-02 12:00:00"
    assert all(isinstance(v, str) for v in lead.values() if v is not None)


def test_custom_fields_are_flat_keys_defaulting_to_empty(lg, lg_control):
    (old,) = lg.create_leads({"emailAddress": "old@x.example"})
    field = lg_control.lg_add_field("Favorite Color")
    name = field["systemName"]
    assert name.startswith("favorite_color_") and len(name) == len("favorite_color_") + 13
    assert lg.lead(old)[name] == ""
    (new,) = lg.create_leads({"emailAddress": "new@x.example", name: "azul"})
    assert lg.lead(new)[name] == "azul"
    bad = lg.call("createLeads", {"objects": [{"emailAddress": "z@x.example", "favColor": "x"}]})
    assert bad["result"]["creates"][0]["error"]["code"] == 205


def test_email_is_required_and_unique_case_insensitively(lg):
    (first,) = lg.create_leads({"emailAddress": "Dup@X.example"})
    lg.result("updateLeads", {"objects": [{"id": first, "active": 0}]})  # inactive still counts
    data = lg.call(
        "createLeads",
        {
            "objects": [
                {"emailAddress": "ok1@x.example"},
                {"emailAddress": "dup@x.example"},
                {"firstName": "No e-mail"},
                {"emailAddress": "ok2@x.example"},
                {"emailAddress": "OK2@x.example"},
            ]
        },
    )
    creates = data["result"]["creates"]
    assert [c["success"] for c in creates] == [True, "false", "false", True, "false"]
    assert creates[1]["error"] == {"code": 301, "message": "Entry already exists.", "data": []}
    assert creates[2]["error"]["code"] == 206
    assert creates[4]["error"]["code"] == 301
    assert "id" in creates[0] and "id" not in creates[1]
    # The envelope's error lists the failed objects' errors, in order.
    assert [e["code"] for e in data["error"]] == [301, 206, 301]


def test_error_envelope_can_be_switched(lg, lg_control):
    lg.create_leads({"emailAddress": "e@x.example"})
    lg_control.lg_settings(write_error_envelope="empty")
    data = lg.call("createLeads", {"objects": [{"emailAddress": "e@x.example"}]})
    assert data["error"] == [] and data["result"]["creates"][0]["error"]["code"] == 301
    lg_control.lg_settings(write_error_envelope="null")
    assert lg.call("createLeads", {"objects": [{"emailAddress": "e@x.example"}]})["error"] is None


def test_more_than_500_objects_is_refused_whole(lg):
    objects = [{"emailAddress": f"m{i}@x.example"} for i in range(501)]
    data = lg.call("createLeads", {"objects": objects})
    assert data["result"] is None and data["error"]["code"] == 209
    assert lg.result("getLeads", {"where": {}})["lead"] == []
    assert len(lg.create_leads(*objects[:500])) == 500
    assert lg.call("createLeads", {"where": {}})["error"]["code"] == 207
    assert lg.call("createLeads", {"objects": "x"})["error"]["code"] == 208


def test_update_changes_fields_and_email_matching_is_case_insensitive(lg, frozen):
    (lead_id,) = lg.create_leads({"emailAddress": "bia@x.example", "firstName": "Bia"})
    frozen.clock(advance=60)
    updates = lg.result(
        "updateLeads", {"objects": [{"emailAddress": "BIA@X.EXAMPLE", "city": "Recife"}]}
    )["updates"]
    assert updates == [{"success": True, "error": None}]
    lead = lg.lead(lead_id)
    assert lead["city"] == "Recife" and lead["updateTimestamp"] == "2026-03-02 12:01:00"
    assert lead["emailAddress"] == "BIA@X.EXAMPLE"  # the e-mail as written last


def test_update_silent_successes(lg, frozen):
    a, b = lg.create_leads(
        {"emailAddress": "a@x.example", "firstName": "A"},
        {"emailAddress": "b@x.example", "firstName": "B"},
    )
    before = lg.lead(a)
    frozen.clock(advance=60)
    objects = [
        {"id": a, "emailAddress": "b@x.example", "firstName": "Changed"},  # e-mail of b
        {"id": 999_999_999_999, "firstName": "Ghost"},  # no such id
        {"emailAddress": "nobody@x.example", "firstName": "Nobody"},  # unknown e-mail
        {"firstName": "Neither"},  # neither id nor e-mail
    ]
    data = lg.call("updateLeads", {"objects": objects})
    assert data["result"]["updates"] == [{"success": True, "error": None}] * 4
    assert data["error"] == []
    after = lg.lead(a)
    # Only updateTimestamp moved (rmuit/sharpspring-restapi, "API Bugs" 2).
    assert after["firstName"] == "A" and after["emailAddress"] == "a@x.example"
    assert after["updateTimestamp"] == "2026-03-02 12:01:00" != before["updateTimestamp"]
    assert lg.lead(b)["firstName"] == "B"
    emails = {x["emailAddress"] for x in lg.result("getLeads", {"where": {}})["lead"]}
    assert emails == {"a@x.example", "b@x.example"}  # nothing was created


def test_update_v2_answers_404_where_update_is_silent(lg):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    data = lg.call(
        "updateLeadsV2",
        {
            "objects": [
                {"id": 999_999_999_999, "firstName": "Ghost"},
                {"emailAddress": "nobody@x.example", "firstName": "Nobody"},
                {"firstName": "Neither"},
                {"id": a, "firstName": "Real"},
            ]
        },
    )
    codes = [u["error"] and u["error"]["code"] for u in data["result"]["updates"]]
    assert codes == [404, 404, 404, None]
    assert data["result"]["updates"][0]["error"]["message"] == (
        "A record with that ID does not exist."
    )
    assert lg.lead(a)["firstName"] == "Real"


def test_an_update_that_changes_nothing_is_302(lg):
    (a,) = lg.create_leads({"emailAddress": "a@x.example", "firstName": "A"})
    same = lg.call("updateLeads", {"objects": [{"id": a, "firstName": "A"}]})
    assert same["result"]["updates"][0]["error"] == {
        "code": 302,
        "message": "No table rows affected.",
        "data": [],
    }
    lg.result("updateLeads", {"objects": [{"id": a, "active": "0"}]})
    again = lg.call("updateLeads", {"objects": [{"id": a, "active": 0}]})
    assert again["result"]["updates"][0]["error"]["code"] == 302
    # null and "" differ: emptying a never-written standard field is a change.
    lg.result("updateLeads", {"objects": [{"id": a, "title": ""}]})
    assert lg.lead(a)["title"] == ""


def test_empty_string_on_nullable_and_null_on_non_nullable_are_205(lg):
    (a,) = lg.create_leads({"emailAddress": "a@x.example", "firstName": "A"})
    lead = lg.lead(a)
    round_trip = lg.call("updateLeads", {"objects": [lead]})  # getLead output fed back
    assert round_trip["result"]["updates"][0]["error"]["code"] == 205
    for field in ("accountID", "ownerID", "campaignID", "isUnsubscribed", "active"):
        data = lg.call("updateLeads", {"objects": [{"id": a, field: ""}]})
        assert data["result"]["updates"][0]["error"]["code"] == 205, field
        assert data["result"]["updates"][0]["error"]["data"]["params"][0]["param"] == field
    for field in ("firstName", "title", "companyName"):
        data = lg.call("updateLeads", {"objects": [{"id": a, field: None}]})
        assert data["result"]["updates"][0]["error"]["code"] == 205, field
    ok = lg.call("updateLeads", {"objects": [{"id": a, "isUnsubscribed": None, "city": "X"}]})
    assert ok["result"]["updates"][0]["success"] is True


def test_values_are_checked(lg, lg_control):
    (a,) = lg.create_leads({"emailAddress": "a@x.example"})
    cases = [
        {"leadStatus": "hot"},
        {"leadScore": "lots"},
        {"active": "yes"},
        {"firstName": "x" * 51},
        {"ownerID": 12345},  # not a user of this account: 212
        {"city": ["Recife"]},  # an array for a scalar: 210
    ]
    codes = [
        lg.call("updateLeads", {"objects": [{"id": a, **c}]})["result"]["updates"][0]["error"][
            "code"
        ]
        for c in cases
    ]
    assert codes == [205, 205, 205, 205, 212, 210]
    owner = lg.result("getUserProfiles", {"where": {}})["userProfile"][0]["id"]
    for status in ("open", "unqualified", "qualified", "contact", "contactWithOpp", "customer"):
        lg.result("updateLeads", {"objects": [{"id": a, "leadStatus": status, "ownerID": owner}]})
    assert lg.lead(a)["ownerID"] == owner


def test_delete_really_deletes(lg):
    a, b = lg.create_leads({"emailAddress": "a@x.example"}, {"emailAddress": "b@x.example"})
    data = lg.call("deleteLeads", {"objects": [{"id": a}, {"id": 999_999_999_999}]})
    assert [d["success"] for d in data["result"]["deletes"]] == [True, "false"]
    assert data["result"]["deletes"][1]["error"]["code"] == 302
    assert lg.result("getLead", {"id": a}) == {"lead": []}
    assert lg.result("getLeads", {"where": {"id": [a, b]}})["lead"][0]["id"] == str(b)
    lg.create_leads({"emailAddress": "a@x.example"})  # the e-mail is free again


def test_get_leads_empty_where_is_active_only_lookups_include_inactive(lg):
    a, b = lg.create_leads({"emailAddress": "a@x.example"}, {"emailAddress": "b@x.example"})
    lg.result("updateLeads", {"objects": [{"id": b, "active": "0"}]})
    assert [x["id"] for x in lg.result("getLeads", {"where": {}})["lead"]] == [str(a)]
    by_id = lg.result("getLeads", {"where": {"id": b}})["lead"]
    assert by_id[0]["active"] == "0"
    by_list = lg.result("getLeads", {"where": {"id": [a, b]}})["lead"]
    assert {x["id"] for x in by_list} == {str(a), str(b)}
    by_email = lg.result("getLeads", {"where": {"emailAddress": "B@X.example"}})["lead"]
    assert [x["id"] for x in by_email] == [str(b)]
    assert lg.lead(b)["active"] == "0"


def test_fields_limits_what_comes_back(lg):
    lg.create_leads({"emailAddress": "a@x.example", "firstName": "A"})
    leads = lg.result("getLeads", {"where": {}, "fields": ["id", "emailAddress"]})["lead"]
    assert list(leads[0]) == ["id", "emailAddress"]
    assert lg.call("getLeads", {"where": {}, "fields": ["nope"]})["error"]["code"] == 205


def test_get_leads_caps_limit_at_500(lg, lg_control):
    lg_control.lg_generate(600)
    assert len(lg.result("getLeads", {"where": {}, "limit": 1000})["lead"]) == 500
    assert len(lg.result("getLeads", {"where": {}, "limit": 1000, "offset": 500})["lead"]) == 100
    assert len(lg.result("getLeads", {"where": {}})["lead"]) == 500  # the default limit


def test_values_typed_in_the_web_app_come_back_html_encoded(lg, lg_control):
    """rmuit/sharpspring-restapi encoding.md: standard fields typed in the UI are stored
    HTML-encoded, `<` twice; custom fields only encode `<`; API writes come back as written."""
    field = lg_control.lg_add_field("Notes")["systemName"]
    (a,) = lg.create_leads({"emailAddress": "a@x.example", "companyName": "P&G <Brasil>"})
    assert lg.lead(a)["companyName"] == "P&G <Brasil>"
    typed = 'P&G <Brasil> "Ltda" l\'amour &amp; <'
    assert lg_control.lg_edit_lead(a, {"companyName": typed, field: typed})
    lead = lg.lead(a)
    assert lead["companyName"] == (
        "P&amp;G &amp;lt;Brasil&gt; &quot;Ltda&quot; l&#039;amour &amp;amp; &amp;lt;"
    )
    assert lead[field] == 'P&G &lt;Brasil> "Ltda" l\'amour &amp; &lt;'
    assert lg_control.lg_edit_lead(a, {"companyName": "P&G"}, typed=False)
    assert lg.lead(a)["companyName"] == "P&G"
    assert not lg_control.lg_edit_lead(a, {"companyName": "P&G"}, typed=False)


def test_api_encoding_quirk_can_be_switched_on(lg, lg_control):
    lg_control.lg_settings(api_encoding_quirk=True)
    (a,) = lg.create_leads({"emailAddress": "a@x.example", "companyName": "a < b & c <"})
    assert lg.lead(a)["companyName"] == "a &lt; b & c <"  # a trailing `<` is left alone


def test_control_surface_reads_edits_and_deletes_leads(lg, lg_control):
    ids = lg_control.lg_create_leads_raw(
        [{"emailAddress": "raw@x.example", "createTimestamp": "2026-01-01 08:00:00"}]
    )
    assert lg_control.lg_get_lead(ids[0])["createTimestamp"] == "2026-01-01 08:00:00"
    assert lg.call("getLeads", {"where": {}})["result"]["lead"][0]["id"] == str(ids[0])
    lg_control.lg_delete_lead(ids[0])
    assert lg_control.lg_get_lead(ids[0]) is None
    assert lg_control.lg_counters()["by_method"] == {"getLeads": 1}  # control calls are free


def test_many_custom_fields_come_back_in_order(lg, lg_control):
    names = [lg_control.lg_add_field(f"Campo {n}")["systemName"] for n in range(70)]
    (a,) = lg.create_leads({"emailAddress": "a@x.example", names[-1]: "último", names[0]: "1º"})
    lead = lg.lead(a)
    assert list(lead)[-70:] == names and list(lead)[0] == "id"
    assert lead[names[-1]] == "último" and lead[names[0]] == "1º" and lead[names[30]] == ""
    page = lg.result("getLeads", {"where": {}})["lead"]
    assert page == [lead]
