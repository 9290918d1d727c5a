"""Logins and sessions on the emulator, through simple-salesforce and plain HTTPS."""

from __future__ import annotations

import base64
import datetime
import time

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from lgcrm_sf.errors import AuthError
from lgcrm_sf.salesforce.client import LoginTarget, SalesforceClient, Secrets

from .conftest import http_session, login


def soap_login(info, password):
    return SalesforceLogin(
        username=info["username"],
        password=password,
        security_token="",
        scratch_url=info["login_url"],
        session=http_session(info),
    )


def test_soap_login_returns_a_working_session(org):
    sf = login(org)
    assert sf.sf_instance == org["instance_url"].removeprefix("https://")
    user = sf.query(f"SELECT Username FROM User WHERE Id = '{org['user_id']}'")["records"][0]
    assert user["Username"] == org["username"]


def test_wrong_password_is_an_invalid_login_fault(org):
    response = http_session(org).post(
        org["login_url"] + "/services/Soap/u/59.0",
        data=f"""<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns:urn="urn:partner.soap.sforce.com"><env:Body><urn:login><urn:username>{org["username"]}</urn:username>
        <urn:password>wrong</urn:password></urn:login></env:Body></env:Envelope>""",
        headers={"content-type": "text/xml", "SOAPAction": "login"},
    )
    assert response.status_code == 500
    assert "<faultcode>sf:INVALID_LOGIN</faultcode>" in response.text
    assert "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in response.text


def test_password_without_token_must_use_security_token(org, control):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        soap_login(org, org["password"])
    assert caught.value.code == "LOGIN_MUST_USE_SECURITY_TOKEN"
    control.settings(require_security_token=False)  # a trusted IP range
    assert soap_login(org, org["password"])[0]


def test_api_disabled_for_org_and_for_user(org, control, sf):
    control.settings(api_enabled=False)
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        soap_login(org, org["password"] + org["security_token"])
    assert caught.value.code == "API_DISABLED_FOR_ORG"
    control.settings(api_enabled=True)
    user = sf.query(f"SELECT ProfileId FROM User WHERE Id = '{org['user_id']}'")["records"][0]
    control.update("Profile", user["ProfileId"], {"PermissionsApiEnabled": False})
    owned = sf.query(
        f"SELECT PermissionsApiEnabled FROM PermissionSet WHERE ProfileId = '{user['ProfileId']}'"
    )["records"][0]
    assert owned["PermissionsApiEnabled"] is False  # profile and its permission set are one
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        soap_login(org, org["password"] + org["security_token"])
    assert caught.value.code == "API_CURRENTLY_DISABLED"


def test_repeated_failures_lock_the_user(org):
    for _ in range(10):
        with pytest.raises(SalesforceAuthenticationFailed):
            soap_login(org, "nope")
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        soap_login(org, org["password"] + org["security_token"])
    assert caught.value.code == "INVALID_LOGIN"


def token_request(info, **form):
    return http_session(info).post(info["login_url"] + "/services/oauth2/token", data=form)


def test_oauth_password_flow(org):
    response = token_request(
        org,
        grant_type="password",
        client_id=org["consumer_key"],
        client_secret=org["consumer_secret"],
        username=org["username"],
        password=org["password"] + org["security_token"],
    )
    body = response.json()
    assert response.status_code == 200, body
    assert body["instance_url"] == org["instance_url"]
    assert body["id"].endswith(f"/id/{org['org_id']}/{org['user_id']}")
    sf = Salesforce(
        instance_url=body["instance_url"],
        session_id=body["access_token"],
        session=http_session(org),
    )
    assert sf.query("SELECT Id FROM Organization")["totalSize"] == 1
    bad = token_request(
        org,
        grant_type="password",
        client_id=org["consumer_key"],
        client_secret=org["consumer_secret"],
        username=org["username"],
        password="wrong",
    )
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_oauth_client_credentials_with_basic_auth(org):
    basic = base64.b64encode(f"{org['consumer_key']}:{org['consumer_secret']}".encode()).decode()
    response = http_session(org).post(
        org["login_url"] + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    assert response.json()["id"].endswith(org["user_id"])
    wrong = base64.b64encode(f"{org['consumer_key']}:nope".encode()).decode()
    response = http_session(org).post(
        org["login_url"] + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {wrong}"},
    )
    assert response.json()["error"] == "invalid_client"


def make_key_and_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lgcrm-sf test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def test_jwt_bearer_flow_checks_signature_audience_and_expiry(org, control):
    key_pem, cert_pem = make_key_and_certificate()
    control.register_jwt_certificate(org["consumer_key"], cert_pem)
    claims = {
        "iss": org["consumer_key"],
        "sub": org["username"],
        "aud": org["login_url"],
        "exp": int(time.time()) + 120,
    }
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    ok = token_request(org, grant_type=grant, assertion=jwt.encode(claims, key_pem, "RS256"))
    assert ok.status_code == 200 and ok.json()["access_token"]
    other_key, _ = make_key_and_certificate()
    forged = token_request(org, grant_type=grant, assertion=jwt.encode(claims, other_key, "RS256"))
    assert forged.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}
    wrong_aud = token_request(
        org,
        grant_type=grant,
        assertion=jwt.encode(dict(claims, aud="https://elsewhere.example"), key_pem, "RS256"),
    )
    assert wrong_aud.json()["error_description"] == "audience is invalid"
    expired = token_request(
        org,
        grant_type=grant,
        assertion=jwt.encode(dict(claims, exp=int(time.time()) - 10), key_pem, "RS256"),
    )
    assert expired.json()["error"] == "invalid_grant"
    unknown = token_request(
        org,
        grant_type=grant,
        assertion=jwt.encode(dict(claims, iss="3MVGunknown"), key_pem, "RS256"),
    )
    assert unknown.json()["error"] == "invalid_client_id"


def test_refresh_token_grant(org, control):
    refresh = control.refresh_token(org["username"])
    response = token_request(
        org, grant_type="refresh_token", client_id=org["consumer_key"], refresh_token=refresh
    )
    assert response.status_code == 200
    bad = token_request(
        org, grant_type="refresh_token", client_id=org["consumer_key"], refresh_token="5Aepnope"
    )
    assert bad.json()["error"] == "invalid_grant"


def test_userinfo_identity_and_versions(org):
    sf = login(org)
    session = http_session(org)
    auth = {"Authorization": f"Bearer {sf.session_id}"}
    info = session.get(org["instance_url"] + "/services/oauth2/userinfo", headers=auth).json()
    assert info["preferred_username"] == org["username"]
    assert info["organization_id"] == org["org_id"]
    ident = session.get(
        f"{org['instance_url']}/id/{org['org_id']}/{org['user_id']}", headers=auth
    ).json()
    assert ident["username"] == org["username"] and ident["urls"]["rest"].endswith("/v66.0/")
    versions = session.get(org["instance_url"] + "/services/data/").json()
    assert {"50.0", "59.0", "66.0"} <= {v["version"] for v in versions}
    assert (
        session.get(org["instance_url"] + "/services/data/v49.0/limits", headers=auth).status_code
        == 404
    )


def test_session_expires_after_idle_time(org, control):
    sf = login(org)
    control.settings(session_idle_seconds=60)
    control.clock(advance=61)
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Organization")
    assert caught.value.status == 401
    assert caught.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_client_logs_in_again_once_when_the_session_expires(org, control):
    target = LoginTarget(org["login_url"], org["username"], ca_bundle=org["ca_bundle"])
    client = SalesforceClient(target, Secrets(org["password"], org["security_token"]))
    assert client.call(lambda sf: sf.query("SELECT Id FROM Organization"))["totalSize"] == 1
    control.expire_sessions()
    assert client.call(lambda sf: sf.query("SELECT Id FROM Organization"))["totalSize"] == 1
    assert client.logins == 2


def test_client_reports_a_failed_login_with_its_cause(org):
    target = LoginTarget(org["login_url"], org["username"], ca_bundle=org["ca_bundle"])
    with pytest.raises(AuthError) as caught:
        SalesforceClient(target, Secrets("wrong", "")).login()
    assert caught.value.code == "INVALID_LOGIN"
    assert "wrong" not in caught.value.message


def test_tls_is_real(org):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(org["instance_url"] + "/services/data/", verify=True, timeout=5)
