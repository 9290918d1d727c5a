"""`lgcrm-sf leadgen connect|disconnect` against the emulated account over HTTPS, and the
account's checks in check-prereqs."""

from __future__ import annotations

import json

from lgcrm_sf.config import Profile

SECRET_ENV = "LGCRM_SF_LEADGEN_SECRET_KEY"


def connect_account_args(info: dict, *extra) -> list:
    return [
        "leadgen", "connect", "--account-id", info["leadgen_account_id"],
        "--url", info["leadgen_url"], "--ca-bundle", info["ca_bundle"], "--yes", *extra,
    ]  # fmt: skip


def secret_env(info: dict) -> dict:
    return {SECRET_ENV: info["leadgen_secret_key"]}


def test_connect_checks_the_key_shows_users_and_stores_the_account(
    emulator, lg_control, cli, home, keyring_file
):
    info = emulator.info
    result = cli(*connect_account_args(info, "--json"), env=secret_env(info))
    assert result.code == 0, result
    shown = result.json()
    assert shown["account_id"] == info["leadgen_account_id"]
    assert [u["email"] for u in shown["users"]] == ["admin@acme-brasil.example"]
    settings = Profile(home).load()
    assert settings.account_mode and settings.leadgen_url == info["leadgen_url"]
    assert settings.leadgen_ca_bundle
    stored = json.loads(keyring_file.read_text())
    assert info["leadgen_secret_key"] in json.dumps(stored)  # in the keyring...
    settings_text = Profile(home).settings_path.read_text()
    assert info["leadgen_secret_key"] not in settings_text  # ...never in the settings file
    assert lg_control.lg_counters()["by_method"] == {"getUserProfiles": 1}


def test_a_wrong_key_stores_nothing_and_exits_4_naming_the_account(
    emulator, lg_control, cli, home, keyring_file
):
    info = emulator.info
    result = cli(*connect_account_args(info), env={SECRET_ENV: "wrong-secret-key-123"})
    assert result.code == 4, result
    assert "Lead Gen & CRM" in result.err and "wrong-secret-key-123" not in result.err
    assert not Profile(home).load().account_mode


def test_an_http_url_is_refused_before_anything_is_sent(emulator, lg_control, cli, home):
    info = dict(emulator.info, leadgen_url=emulator.info["leadgen_url"].replace("https", "http"))
    result = cli(*connect_account_args(info), env=secret_env(emulator.info))
    assert result.code == 2, result
    assert lg_control.lg_counters()["total"] == 0


def test_an_unreachable_account_exits_5_naming_it(emulator, lg_control, cli, home, keyring_file):
    info = dict(emulator.info, leadgen_url="https://127.0.0.1:9/pubapi/v1.2/")
    result = cli(*connect_account_args(info), env=secret_env(emulator.info))
    assert result.code == 5, result
    assert "Lead Gen & CRM" in result.err
    assert emulator.info["leadgen_secret_key"] not in result.err


def test_disconnect_removes_the_key_and_keeps_the_state(
    emulator, lg_control, cli, home, keyring_file
):
    info = emulator.info
    assert cli(*connect_account_args(info), env=secret_env(info)).code == 0
    result = cli("leadgen", "disconnect")
    assert result.code == 0, result
    assert not Profile(home).load().account_mode
    assert info["leadgen_secret_key"] not in keyring_file.read_text()
    assert Profile(home).state_path.exists()


def test_check_prereqs_gains_the_account_checks(emulator, lg_control, world):
    info = emulator.info
    assert world.cli(*connect_account_args(info), env=secret_env(info)).code == 0
    result = world.cli("check-prereqs", "--json")
    checks = {c["id"]: c["status"] for c in result.json()["checks"]}
    assert checks["leadgen_key"] == "pass"
    assert checks["leadgen_reachable"] == "pass"
    assert checks["leadgen_owner_users"] == "pass"
    lg_control.lg_rotate_secret()
    checks = {c["id"]: c for c in world.cli("check-prereqs", "--json").json()["checks"]}
    assert checks["leadgen_reachable"]["status"] == "fail"
    assert "401" in checks["leadgen_reachable"]["evidence"]
