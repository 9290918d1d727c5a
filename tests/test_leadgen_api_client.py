"""The account's API client against the emulated account over HTTPS: each quirk of
LEADGEN_API.md §7 it must survive, each error family, batching, and lost answers."""

from __future__ import annotations

import pytest

from lgcrm_sf.errors import UsageError
from lgcrm_sf.leadgen.api import names
from lgcrm_sf.leadgen.api.errors import (
    AccountAuthError,
    AccountDailyLimit,
    AccountInvalidParams,
    AccountOutcomeUnknown,
    AccountRateLimited,
    AccountUnavailable,
)
from lgcrm_sf.leadgen.api.transport import Transport

from .account_helpers import account_client


@pytest.fixture
def client(emulator, lg_control):
    return account_client(emulator.info)


def _lead(client, email="ana@example.com", **values) -> int:
    result = client.create_leads([{"emailAddress": email, **values}])[0]
    assert result.success, result
    return result.id


def test_a_lead_read_back_is_decoded_to_our_names(client):
    lead_id = _lead(client, firstName="Ana", zipcode="01310-100", leadScore="12")
    person = names.decode_lead(client.get_lead(lead_id), set())
    assert person["account_id"] == lead_id
    assert person["email"] == "ana@example.com"
    assert person["values"]["first_name"] == "Ana"
    assert person["values"]["postal_code"] == "01310-100"
    assert person["values"]["lead_score"] == 12
    assert person["values"]["unsubscribed"] is False
    assert person["active"] is True and person["kind"] == "lead"
    assert person["updated_at"].endswith("Z")


def test_quirk1_update_of_an_unknown_id_is_refused_by_v2(client, lg):
    # updateLeads reports success for an id that does not exist; updateLeadsV2 says 404.
    silent = lg.result("updateLeads", {"objects": [{"id": "999999", "firstName": "X"}]})
    assert silent["updates"][0]["success"] is True
    result = client.update_leads([{"id": "999999", "firstName": "X"}])[0]
    assert not result.success and result.code == 404


def test_quirk2_an_update_that_changes_nothing_is_302(client):
    lead_id = _lead(client, firstName="Ana")
    result = client.update_leads([{"id": str(lead_id), "firstName": "Ana"}])[0]
    assert not result.success and result.code == 302


def test_quirk3_nullable_fields_get_null_never_empty(client):
    lead_id = _lead(client, firstName="Ana")
    raw = client.update_leads([{"id": str(lead_id), "ownerID": ""}])[0]
    assert raw.code == 205  # what round-tripping "" does
    encoded = names.encode_lead({"owner_user_id": None, "first_name": None, "city": "Recife"})
    assert encoded == {"ownerID": None, "firstName": "", "city": "Recife"}
    result = client.update_leads([{"id": str(lead_id), **encoded}])[0]
    assert result.success, result


def test_quirk4_email_matching_ignores_case(client):
    lead_id = _lead(client, email="Bia@Example.com")
    assert [int(x["id"]) for x in client.get_leads_by_email("bia@EXAMPLE.com")] == [lead_id]
    again = client.create_leads([{"emailAddress": "BIA@example.COM"}])[0]
    assert not again.success and again.code == 301


def test_quirk5_values_typed_in_the_web_app_are_decoded(client, lg_control):
    lead_id = _lead(client)
    lg_control.lg_edit_lead(lead_id, {"companyName": "Tom & Jerry <Ltda>", "lastName": "O'Neil"})
    raw = client.get_lead(lead_id)
    assert raw["companyName"] != "Tom & Jerry <Ltda>"  # the account sends it encoded
    values = names.decode_lead(raw, set())["values"]
    assert values["company"] == "Tom & Jerry <Ltda>"
    assert values["last_name"] == "O'Neil"


def test_quirk6_inactive_leads_are_left_out_of_date_ranges_but_found_by_id(client):
    kept, gone = _lead(client, "kept@example.com"), _lead(client, "gone@example.com")
    assert client.update_leads([{"id": str(gone), "active": "0"}])[0].success
    in_range = client.leads_in_range("2000-01-01 00:00:00", "2999-12-31 23:59:59")
    assert [int(r["id"]) for r in in_range] == [kept]
    by_id = {int(r["id"]): r["active"] for r in client.get_leads_by_id([kept, gone, 424242])}
    assert by_id == {kept: "1", gone: "0"}  # an id missing from the answer: deleted


def test_quirk6_service_unavailable_bursts_are_retried(client, lg_control):
    lg_control.lg_fault(method="getLeads", unavailable=True, count=2)
    assert client.get_leads_by_id([1]) == []
    assert client.retried == 2
    assert lg_control.lg_counters()["by_method"]["getLeads"] == 3


def test_quirk7_result_keys_that_differ_from_the_docs(client, lg_control):
    lead_id = _lead(client)
    stages = client.get_deal_stages()
    assert stages and {"id", "dealStageName"} <= set(stages[0])
    opp = client.write_all(
        "createOpportunities",
        [
            {
                "opportunityName": "Piloto",
                "dealStageID": stages[0]["id"],
                "closeDate": "2026-12-01",
                "primaryLeadID": str(lead_id),
            }
        ],
    )[0]
    client.write_all("createOpportunityLeads", [{"opportunityID": opp.id, "leadID": lead_id}])
    links = client.get_opportunity_leads({"opportunityID": opp.id})
    assert [int(x["leadID"]) for x in links] == [lead_id]
    lg_control.lg_send_campaign([lead_id], opened=[lead_id])
    events = [e for page in client.events_since("2000-01-01 00:00:00", ["emailSent"]) for e in page]
    assert [e["eventSource"] for e in events] == ["emailSent"]


@pytest.mark.parametrize("envelope", ["list", "empty", "null"])
def test_write_error_envelope_null_or_list_is_no_call_error(client, lg_control, envelope):
    lg_control.lg_settings(write_error_envelope=envelope)
    _lead(client, "one@example.com")
    results = client.create_leads([{"emailAddress": "one@example.com"}, {"emailAddress": "t@x.io"}])
    assert [(r.success, r.code) for r in results] == [(False, 301), (True, None)]


def test_a_wrong_secret_is_an_auth_error_that_never_shows_the_secret(emulator, lg_control):
    info = dict(emulator.info, leadgen_secret_key="not-the-secret-key-0123")
    with pytest.raises(AccountAuthError) as caught:
        account_client(info).get_user_profiles()
    assert caught.value.code == "401"
    assert "not-the-secret-key-0123" not in str(caught.value) + repr(caught.value.__context__)


def test_a_missing_secret_is_code_104(emulator, lg_control):
    info = dict(emulator.info, leadgen_secret_key="")
    with pytest.raises(AccountAuthError) as caught:
        account_client(info).get_user_profiles()
    assert caught.value.code == "104"


def test_the_daily_limit_106_stops_cleanly(client, lg_control):
    lg_control.lg_settings(daily_limit=5, used_today=5)
    with pytest.raises(AccountDailyLimit) as caught:
        client.get_user_profiles()
    assert caught.value.exit_code == 8 and "Lead Gen & CRM" in caught.value.message


@pytest.mark.parametrize("code", [107, 209])
def test_limits_that_clear_with_time_are_retried(client, lg_control, code):
    lg_control.lg_fault(method="getUserProfiles", code=code, count=2)
    assert [u["displayName"] for u in client.get_user_profiles()] == ["Maria Admin"]
    assert client.retried == 2


def test_a_limit_that_never_clears_gives_up_after_bounded_retries(client, lg_control):
    lg_control.lg_fault(method="getUserProfiles", code=107, count=None)
    with pytest.raises(AccountRateLimited):
        client.get_user_profiles()
    assert lg_control.lg_counters()["by_method"]["getUserProfiles"] == client.policy.attempts


def test_invalid_parameters_are_205(client):
    with pytest.raises(AccountInvalidParams) as caught:
        client.call("getLeadsDateRange", {"startDate": "x", "endDate": "y", "timestamp": "u"})
    assert caught.value.code in (205, 206)


def test_writes_go_in_batches_of_500_or_250_with_many_custom_fields(client, lg_control):
    leads = [{"emailAddress": f"p{n}@example.com"} for n in range(600)]
    assert all(r.success for r in client.create_leads(leads))
    systems = [lg_control.lg_add_field(f"Campo {n}")["systemName"] for n in range(25)]
    wide = [{"emailAddress": f"w{n}@example.com", **{s: "x" for s in systems}} for n in range(300)]
    assert all(r.success for r in client.create_leads(wide))
    assert lg_control.lg_counters()["by_method"]["createLeads"] == 2 + 2


def test_a_write_whose_answer_is_lost_is_not_resent(client, lg_control):
    lg_control.lg_fault(method="createLeads", cut_after_bytes=0)
    with pytest.raises(AccountOutcomeUnknown):
        client.create_leads([{"emailAddress": "lost@example.com"}])
    assert lg_control.lg_counters()["by_method"]["createLeads"] == 1
    assert client.get_leads_by_email("lost@example.com")  # it was created: settle by e-mail


def test_a_dropped_read_is_retried(client, lg_control):
    lg_control.lg_fault(method="getUserProfiles", drop=True)
    assert [u["displayName"] for u in client.get_user_profiles()] == ["Maria Admin"]
    assert client.retried == 1


def test_only_https(emulator):
    with pytest.raises(UsageError):
        Transport("http://127.0.0.1/pubapi/v1.2/", "1", "s", None)


def test_a_certificate_that_does_not_verify_is_not_retried(emulator, lg_control):
    client = account_client(dict(emulator.info, ca_bundle=None))
    with pytest.raises(AccountUnavailable) as caught:
        client.get_user_profiles()
    assert caught.value.tls and client.retried == 0
