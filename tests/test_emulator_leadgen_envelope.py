"""The Lead Gen & CRM endpoint: path, credentials, the JSON envelope and its error codes
(LEADGEN_API.md §1-§3)."""

from __future__ import annotations

UNAUTHORIZED = "Unable to determine clusterID from provided accountID/secretKey"


def test_request_id_is_echoed_and_reads_answer_error_null(lg):
    data = lg.call("getLeads", {"where": {}}, request_id="9f1c-abc")
    assert data == {"result": {"lead": []}, "error": None, "id": "9f1c-abc"}
    numeric = lg.call("getLeads", {"where": {}}, request_id=42)
    assert numeric["id"] == 42


def test_writes_answer_error_as_an_empty_list(lg):
    data = lg.call("createLeads", {"objects": [{"emailAddress": "a@b.example"}]})
    assert data["error"] == []
    assert data["result"]["creates"][0]["success"] is True


def test_wrong_credentials_are_http_401_with_the_vendors_body(lg):
    for params in (
        {"accountID": lg.info["leadgen_account_id"], "secretKey": "0" * 32},
        {"accountID": "0" * 32, "secretKey": lg.secret},
    ):
        response = lg.raw({"method": "getLeads", "params": {"where": {}}, "id": "1"}, params)
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED


def test_missing_account_id_or_secret_key_are_103_and_104(lg):
    body = {"method": "getLeads", "params": {"where": {}}, "id": "x1"}
    no_account = lg.raw(body, {"secretKey": lg.secret}).json()
    assert no_account["error"]["code"] == 103
    assert no_account["id"] == "x1" and no_account["result"] is None
    no_secret = lg.raw(body, {"accountID": lg.info["leadgen_account_id"]}).json()
    assert no_secret["error"]["code"] == 104


def test_credentials_in_a_body_header_are_ignored(lg):
    body = {
        "method": "getLeads",
        "params": {"where": {}},
        "id": "h1",
        "header": {"accountID": "nonsense", "secretKey": "nonsense"},
    }
    assert lg.raw(body).json()["error"] is None
    # ... and never replace the query string's
    assert lg.raw(body, {}).json()["error"]["code"] == 103


def test_rotated_secret_key_locks_out_the_old_one(lg, lg_control):
    old = lg.secret
    new = lg_control.lg_rotate_secret()
    assert new != old and lg_control.lg_info()["secret_key"] == new
    response = lg.raw({"method": "getLeads", "params": {"where": {}}, "id": "1"})
    assert response.status_code == 401
    assert lg_control.lg_counters()["unauthorized"] == 1
    lg.info = lg_control.call("GET", "info")
    assert lg.call("getLeads", {"where": {}})["error"] is None


def test_malformed_json_is_101_and_missing_id_is_102(lg):
    bad = lg.raw(b"{not json")
    assert bad.status_code == 200
    assert bad.json() == {
        "result": None,
        "error": {"code": 101, "message": "Invalid request data format.", "data": []},
        "id": None,
    }
    assert lg.raw(b"[1, 2]").json()["error"]["code"] == 101
    no_id = lg.raw({"method": "getLeads", "params": {"where": {}}}).json()
    assert (
        no_id["error"]["code"] == 102 and no_id["error"]["message"] == "Header missing request ID."
    )


def test_method_and_params_errors(lg):
    assert lg.raw({"params": {}, "id": "1"}).json()["error"]["code"] == 201
    unknown = lg.raw({"method": "getLeadz", "params": {}, "id": "2"}).json()
    assert unknown["error"] == {"code": 204, "message": "Invalid method signature.", "data": []}
    assert unknown["id"] == "2"
    assert lg.raw({"method": "getLeads", "id": "3"}).json()["error"]["code"] == 202


def test_where_is_required_even_when_empty(lg):
    missing = lg.call("getLeads", {"limit": 10})
    assert missing["result"] is None
    assert missing["error"]["code"] == 206
    assert missing["error"]["data"]["params"][0]["param"] == "where"
    # A PHP client sends an empty hash as [] - accepted.
    assert lg.call("getLeads", {"where": []})["error"] is None
    assert lg.call("getLeads", [])["error"]["code"] == 206


def test_invalid_parameter_has_the_documented_shape(lg):
    data = lg.call("getLead", {"id": "abc"})
    assert data["result"] is None
    assert data["error"] == {
        "code": 205,
        "message": "Invalid parameters.",
        "data": {
            "params": [
                {
                    "param": "id",
                    "message": "Expected data of type integer",
                    "validFormat": {"type": "int", "length": 11, "required": False},
                }
            ]
        },
    }
    assert lg.call("getLeads", {"where": {"city": "Recife"}})["error"]["code"] == 205


def test_numbers_sent_as_strings_are_accepted(lg):
    lg.create_leads(*({"emailAddress": f"n{i}@x.example"} for i in range(3)))
    leads = lg.result("getLeads", {"where": {}, "limit": "2", "offset": "1"})["lead"]
    assert len(leads) == 2
    lead_id = leads[0]["id"]
    assert lg.result("getLead", {"id": lead_id})["lead"][0]["id"] == lead_id  # a string id


def test_only_v1_2_is_emulated(lg):
    v1 = lg.session.post(
        lg.url.replace("/v1.2/", "/v1/"),
        params=lg.credentials(),
        json={"method": "getLeads", "params": {"where": {}}, "id": "1"},
    )
    assert v1.status_code == 404
    assert "v1.2" in v1.text
    # The endpoint answers with and without its trailing slash.
    no_slash = lg.session.post(
        lg.url.rstrip("/"),
        params=lg.credentials(),
        json={"method": "getLeads", "params": {"where": {}}, "id": "1"},
    )
    assert no_slash.json()["error"] is None


def test_bad_dates_are_invalid_or_missing_parameters(lg):
    not_a_date = lg.call(
        "getLeadsDateRange",
        {"startDate": "yesterday", "endDate": "2026-01-01 00:00:00", "timestamp": "update"},
    )
    assert not_a_date["error"]["code"] == 205
    assert not_a_date["error"]["data"]["params"][0]["param"] == "startDate"
    no_end = lg.call("getLeadsDateRange", {"startDate": "2026-01-01", "timestamp": "update"})
    assert no_end["error"]["code"] == 206
    bad_kind = lg.call(
        "getLeadsDateRange",
        {"startDate": "2026-01-01", "endDate": "2026-01-02", "timestamp": "modified"},
    )
    assert bad_kind["error"]["code"] == 205


def test_ids_out_of_int64_and_empty_id_lists(lg):
    assert lg.call("getLead", {"id": "9" * 20})["error"]["code"] == 205
    assert lg.result("getLeads", {"where": {"id": []}}) == {"lead": []}
    data = lg.call("updateLeads", {"objects": [{"id": "9" * 20, "firstName": "X"}]})
    assert data["result"]["updates"][0]["error"]["code"] == 205
    assert lg.result("getOpportunities", {"where": {"id": []}}) == {"opportunity": []}
