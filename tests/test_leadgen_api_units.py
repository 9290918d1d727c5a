"""The client's pure parts: value decoding, the field-name table, kinds, object results, and
the envelope check (a response built by hand, no network)."""

from __future__ import annotations

import pytest
import requests

from lgcrm_sf.leadgen.api import names, values
from lgcrm_sf.leadgen.api.client import _object_result
from lgcrm_sf.leadgen.api.errors import AccountProtocolError, family
from lgcrm_sf.leadgen.api.transport import Transport


def test_text_decodes_entities_and_the_double_encoded_lt():
    assert values.text("Tom &amp; Jerry") == "Tom & Jerry"
    assert values.text("a &amp;lt;b&gt;") == "a <b>"
    assert values.text(None) is None


def test_flags_numbers_ids_and_times():
    assert values.flag("1") is True and values.flag("0") is False and values.flag("") is None
    assert values.number("12") == 12 and values.number("1.5") == 1.5
    assert values.ident("0") is None and values.ident("88038560770") == 88038560770
    assert values.api_time_to_iso("2016-11-09 17:18:22") == "2016-11-09T17:18:22.000Z"
    assert values.iso_to_api_time("2016-11-09T17:18:22.000Z") == "2016-11-09 17:18:22"
    assert values.api_date("2016-11-26 00:00:00") == "2016-11-26"


def test_success_may_be_a_string_and_error_null_or_a_list():
    assert values.success("false") is False and values.success(True) is True
    assert values.call_error(None) is None and values.call_error([]) is None
    assert values.call_error([{"code": 301}]) is None  # object errors' copies
    assert values.call_error({"code": 205, "message": "x"}) == {"code": 205, "message": "x"}


def test_the_name_table_both_ways():
    assert names.api_name("postal_code") == "zipcode"
    assert names.api_name("unsubscribed") == "isUnsubscribed"
    assert names.api_name("custom.plano_5a0dd86e6e290") == "plano_5a0dd86e6e290"
    assert names.API_NAMES["leadStatus"] == "lead_status"


@pytest.mark.parametrize(
    ("status", "kind"),
    [("contact", "contact"), ("contactWithOpp", "contact"), ("customer", "contact"),
     ("open", "lead"), ("qualified", "lead"), (None, "lead")],
)  # fmt: skip
def test_a_person_is_a_contact_by_its_lead_status(status, kind):
    assert names.kind_of(status) == kind


def test_object_results_in_both_spellings():
    ok = _object_result({"success": True, "error": None, "id": 346743252994})
    assert ok.success and ok.id == 346743252994
    bad = _object_result({"success": "false", "error": {"code": 301, "message": "Entry already"}})
    assert not bad.success and bad.code == 301


def test_families():
    assert family(105, "").exit_code == 4
    assert family(106, "").exit_code == 8
    assert family(107, "").exit_code == 5
    assert family(205, "Invalid parameters").code == 205


def _response(body: bytes, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    return response


def test_an_answer_for_another_request_id_is_refused():
    transport = Transport("https://api.example.com/pubapi/v1.2/", "1", "secret", None)
    with pytest.raises(AccountProtocolError):
        transport._envelope(_response(b'{"result": {}, "error": null, "id": "other"}'), "mine")
    with pytest.raises(AccountProtocolError):
        transport._envelope(_response(b"<html>oops</html>"), "mine")
    good = transport._envelope(_response(b'{"result": {}, "error": null, "id": "mine"}'), "mine")
    assert good["result"] == {}
