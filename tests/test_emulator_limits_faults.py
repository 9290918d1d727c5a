"""API usage counted as Salesforce counts it, the quota, and every kind of injected fault."""

from __future__ import annotations

import time

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from .conftest import http_session


def test_every_rest_call_counts_and_reports_usage(sf, control):
    before = control.usage()["used"]
    sf.query("SELECT Id FROM Organization")
    sf.Lead.describe()
    after = sf.limits()["DailyApiRequests"]
    assert control.usage()["used"] == before + 3  # the limits call counts too
    assert after["Max"] - after["Remaining"] == before + 3
    assert sf.api_usage["api-usage"].used == before + 3  # from Sforce-Limit-Info
    http_session(control.call("GET", "info")).get(
        sf.base_url.split("/services")[0] + "/services/data/"
    )
    assert control.usage()["used"] == before + 3  # the versions list is free


def test_quota_exhausted_is_request_limit_exceeded(sf, control):
    control.usage(used=15000, max=15000)
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Lead")
    assert caught.value.status == 403
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    control.usage(used=0)
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 0


def test_fault_with_status_and_code_fires_count_times(sf, control):
    control.fault(path="/query", status=503, error_code="SERVER_UNAVAILABLE", count=2)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as caught:
            sf.query("SELECT Id FROM Lead")
        assert caught.value.status == 503
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 0


def test_fault_after_n_requests_and_by_method(sf, control):
    control.fault(
        path="/sobjects/Lead",
        method="POST",
        status=400,
        error_code="UNABLE_TO_LOCK_ROW",
        message="unable to obtain exclusive access to this record",
        after=1,
    )
    sf.Lead.create({"LastName": "A", "Company": "C"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "B", "Company": "C"})
    assert caught.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    sf.Lead.describe()  # GET on the same path is not matched


def test_fault_probability(sf, control):
    control.fault(
        path="/limits", status=500, error_code="UNKNOWN_EXCEPTION", count=None, probability=0.5
    )
    outcomes = []
    for _ in range(40):
        try:
            sf.limits()
            outcomes.append(True)
        except SalesforceGeneralError:
            outcomes.append(False)
    assert 5 < outcomes.count(False) < 35
    control.clear_faults()
    sf.limits()


def test_fault_latency(sf, control):
    control.fault(path="/limits", status=0, latency_ms=300)
    started = time.monotonic()
    sf.limits()
    assert time.monotonic() - started >= 0.3


def test_clearing_the_faults_releases_a_held_request(sf, control):
    """A test that killed the client while a request was held lets it go on at once."""
    from concurrent.futures import ThreadPoolExecutor

    control.fault(path="/limits", status=0, latency_ms=60_000)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(sf.limits)
        deadline = started + 30
        while control.call("GET", "faults")[0]["fired"] == 0:
            assert time.monotonic() < deadline, "the request never reached the fault"
            time.sleep(0.01)
        assert not held.done()
        control.clear_faults()
        assert "DailyApiRequests" in held.result(timeout=30)  # answered, and well before 60 s
    assert time.monotonic() - started < 45


def test_dropped_connection(sf, control):
    control.fault(path="/query", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.query("SELECT Id FROM Lead")
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 0


def test_soap_login_fault_is_a_soap_fault(org, control):
    from simple_salesforce import SalesforceLogin
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed

    control.fault(path="/services/Soap/u/", status=500, error_code="SERVER_UNAVAILABLE")
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        SalesforceLogin(
            username=org["username"],
            password=org["password"],
            security_token=org["security_token"],
            scratch_url=org["login_url"],
            session=http_session(org),
        )
    assert caught.value.code == "SERVER_UNAVAILABLE"


def test_connection_cut_mid_body(sf, control):
    control.generate("Lead", 50)
    control.fault(path="/query", cut_after_bytes=100)
    with pytest.raises(requests.exceptions.RequestException):
        sf.query("SELECT Id, Email FROM Lead")
    assert sf.query("SELECT Id, Email FROM Lead")["totalSize"] == 50
