"""The control setting that makes the emulator hand back http:// URLs (SOAP serverUrl, OAuth
instance_url) or redirect to http://, so a client's refusal of a downgrade can be tested."""

from __future__ import annotations

import pytest
import requests

from .soap_partner import Partner


def http(info: dict) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = info["ca_bundle"]
    return session


def oauth_token(info: dict) -> dict:
    response = http(info).post(
        f"{info['login_url']}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": info["consumer_key"],
            "client_secret": info["consumer_secret"],
            "username": info["username"],
            "password": info["password"] + info["security_token"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def plain(url: str) -> str:
    return "http://" + url.removeprefix("https://")


def test_soap_login_hands_back_http_server_urls(org, control):
    assert control.settings(downgrade_urls="soap")["downgrade_urls"] == ["soap"]
    partner = Partner(org, connect=False)  # only log in: the serverUrl is not to be used
    answer = partner.login(org["username"], org["password"] + org["security_token"])
    base = plain(org["instance_url"])
    assert answer["serverUrl"] == f"{base}/services/Soap/u/59.0/{org['org_id'][:15]}"
    assert answer["metadataServerUrl"] == f"{base}/services/Soap/m/59.0/{org['org_id'][:15]}"
    token = oauth_token(org)  # other kinds are untouched
    assert token["instance_url"] == org["instance_url"]
    control.settings(downgrade_urls=None)
    assert Partner(org).server_url.startswith(org["instance_url"] + "/")


def test_oauth_token_hands_back_an_http_instance_url(org, control):
    control.settings(downgrade_urls=["oauth"])
    token = oauth_token(org)
    assert token["instance_url"] == plain(org["instance_url"])
    assert token["id"].startswith(plain(org["instance_url"]) + "/id/")
    assert Partner(org).server_url.startswith("https://")
    control.settings(downgrade_urls=[])
    assert oauth_token(org)["instance_url"] == org["instance_url"]


def test_every_api_request_is_redirected_to_http(org, control):
    token = oauth_token(org)["access_token"]
    session = http(org)
    session.headers["Authorization"] = f"Bearer {token}"
    limits = f"{org['instance_url']}/services/data/v59.0/limits"
    assert session.get(limits).status_code == 200
    control.settings(downgrade_urls=["redirect", "soap"])
    answer = session.get(limits + "?x=1", allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == plain(limits) + "?x=1"
    login = session.post(
        f"{org['login_url']}/services/Soap/u/59.0", data=b"<x/>", allow_redirects=False
    )
    assert login.status_code == 307  # the client is asked to resend its body over http
    assert login.headers["Location"] == plain(f"{org['login_url']}/services/Soap/u/59.0")
    token_call = session.post(
        f"{org['login_url']}/services/oauth2/token", data={}, allow_redirects=False
    )
    assert token_call.status_code == 307
    assert control.usage()["used"] == 1  # redirected calls never reached the API
    assert control.settings()["downgrade_urls"] == ["redirect", "soap"]  # control still works
    control.settings(downgrade_urls=None)
    assert session.get(limits, allow_redirects=False).status_code == 200


def test_the_setting_takes_known_kinds_only_and_goes_with_a_reset(org, control):
    with pytest.raises(RuntimeError, match="unknown downgrade_urls"):
        control.settings(downgrade_urls=["ftp"])
    control.settings(downgrade_urls="oauth")
    control.reset("empty")
    assert control.settings()["downgrade_urls"] == []
