"""connect and disconnect: each auth method, each login failure, the keyring, the environment."""

from __future__ import annotations

import json

import pytest

from lgcrm_sf.errors import ExitCode

from .conftest import connect_args, password_env
from .test_emulator_auth import make_key_and_certificate


def settings_of(home, profile="default") -> dict:
    return json.loads((home / "profiles" / profile / "settings.json").read_text())


def test_connect_with_password_and_token(org, cli, home, keyring_file):
    result = cli(*connect_args(org), env=password_env(org))
    assert result.code == 0, result
    assert "Acme Brasil Ltda" in result.out and org["username"] in result.out
    settings = settings_of(home)
    assert settings["connected"] and settings["org_id"] == org["org_id"]
    assert settings["user_id"] == org["user_id"] and settings["edition"] == "Enterprise Edition"
    assert settings["secrets_source"] == "keyring"
    stored = json.loads(keyring_file.read_text())
    assert org["password"] in stored.values() and org["security_token"] in stored.values()
    text = (home / "profiles" / "default" / "settings.json").read_text()
    assert org["password"] not in text and org["security_token"] not in text


def test_connect_json_output(org, cli, keyring_file):
    result = cli(*connect_args(org, "--json"), env=password_env(org))
    assert result.code == 0, result
    data = result.json()
    assert data["org_id"] == org["org_id"] and data["username"] == org["username"]
    assert data["secrets"] == "keyring"


def test_connect_with_jwt_bearer(org, cli, home, control, keyring_file, tmp_path):
    key_pem, cert_pem = make_key_and_certificate()
    control.register_jwt_certificate(org["consumer_key"], cert_pem)
    key_file = tmp_path / "server.key"
    key_file.write_text(key_pem)
    result = cli(
        *connect_args(
            org,
            "--auth",
            "jwt",
            "--consumer-key",
            org["consumer_key"],
            "--private-key-file",
            key_file,
        )
    )
    assert result.code == 0, result
    settings = settings_of(home)
    assert settings["auth_method"] == "jwt" and settings["private_key_file"] == str(key_file)
    assert "PRIVATE KEY" not in json.dumps(settings)
    assert cli("check-prereqs", "--json").json()["org_id"] == org["org_id"]


def test_connect_with_client_credentials(org, cli, home, keyring_file):
    result = cli(
        *connect_args(org, "--auth", "client_credentials", "--consumer-key", org["consumer_key"]),
        env={"LGCRM_SF_CONSUMER_SECRET": org["consumer_secret"]},
    )
    assert result.code == 0, result
    assert settings_of(home)["user_id"] == org["user_id"]


def fails_and_stores_nothing(result, home, keyring_file, code, *words):
    assert result.code == code, result
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in result.err
    assert not (home / "profiles" / "default" / "settings.json").exists()
    assert not keyring_file.exists() or json.loads(keyring_file.read_text()) == {}


def test_wrong_password(org, cli, home, keyring_file):
    result = cli(
        *connect_args(org),
        env={"LGCRM_SF_PASSWORD": "wrong-pw", "LGCRM_SF_SECURITY_TOKEN": org["security_token"]},
    )
    fails_and_stores_nothing(result, home, keyring_file, ExitCode.AUTH, "INVALID_LOGIN")
    assert "wrong-pw" not in result.err


def test_missing_security_token(org, cli, home, keyring_file):
    result = cli(
        *connect_args(org),
        env={"LGCRM_SF_PASSWORD": org["password"], "LGCRM_SF_SECURITY_TOKEN": ""},
    )
    fails_and_stores_nothing(
        result,
        home,
        keyring_file,
        ExitCode.AUTH,
        "LOGIN_MUST_USE_SECURITY_TOKEN",
        "Reset My Security Token",
    )


def test_api_disabled_for_org(org, cli, home, keyring_file, control):
    control.settings(api_enabled=False)
    result = cli(*connect_args(org), env=password_env(org))
    fails_and_stores_nothing(
        result, home, keyring_file, ExitCode.AUTH, "API_DISABLED_FOR_ORG", "Professional Edition"
    )


def test_api_disabled_for_user(org, cli, home, keyring_file, control, sf):
    profile = sf.query(f"SELECT ProfileId FROM User WHERE Id = '{org['user_id']}'")["records"][0]
    control.update("Profile", profile["ProfileId"], {"PermissionsApiEnabled": False})
    result = cli(*connect_args(org), env=password_env(org))
    fails_and_stores_nothing(
        result, home, keyring_file, ExitCode.AUTH, "API_CURRENTLY_DISABLED", "API Enabled"
    )


def test_expired_password(org, cli, home, keyring_file, control):
    control.settings(users={org["username"]: {"password_expired": True}})
    result = cli(*connect_args(org), env=password_env(org))
    fails_and_stores_nothing(
        result, home, keyring_file, ExitCode.AUTH, "password has expired", "Password Never Expires"
    )


def test_locked_user(org, cli, home, keyring_file, control):
    control.settings(users={org["username"]: {"locked": True}})
    result = cli(*connect_args(org), env=password_env(org))
    fails_and_stores_nothing(result, home, keyring_file, ExitCode.AUTH, "locked out")


def test_unreachable_host(org, cli, home, keyring_file):
    args = connect_args(org)
    args[args.index("--login-url") + 1] = "https://127.0.0.1:9"
    result = cli(*args, env=password_env(org))
    fails_and_stores_nothing(
        result, home, keyring_file, ExitCode.CONNECTION, "Cannot reach", "https://127.0.0.1:9"
    )


def test_tls_failure(org, cli, home, keyring_file):
    args = connect_args(org)
    index = args.index("--ca-bundle")
    del args[index : index + 2]
    result = cli(*args, env=password_env(org))
    fails_and_stores_nothing(
        result, home, keyring_file, ExitCode.CONNECTION, "certificate", "--ca-bundle"
    )


def test_ca_bundle_holds_against_requests_ca_bundle(org, cli, keyring_file):
    # requests would let REQUESTS_CA_BUNDLE replace --ca-bundle; the client pins it.
    result = cli(
        *connect_args(org), env={**password_env(org), "REQUESTS_CA_BUNDLE": "/nonexistent"}
    )
    assert result.code == 0, result


def test_no_keyring_without_env_secrets_fails_before_login(org, cli, home, no_keyring, control):
    from lgcrm_sf.config import Profile
    from lgcrm_sf.errors import KeyringUnavailable
    from lgcrm_sf.salesforce.client import LoginTarget, Secrets
    from lgcrm_sf.salesforce.connection import connect

    before = control.usage()["used"]
    target = LoginTarget(org["login_url"], org["username"], ca_bundle=org["ca_bundle"])
    with pytest.raises(KeyringUnavailable) as caught:
        connect(
            Profile(home),
            target,
            Secrets(org["password"], org["security_token"]),
            lambda _identity: True,
            secrets_from_environment=False,
        )
    assert "install a keyring backend" in caught.value.message
    assert "LGCRM_SF_PASSWORD" in caught.value.message
    assert control.usage()["used"] == before  # it did not even log in
    assert not (home / "profiles" / "default" / "settings.json").exists()


def test_no_keyring_with_env_secrets_connects_and_stores_nothing(org, cli, home, no_keyring):
    result = cli(*connect_args(org), env=password_env(org))
    assert result.code == 0, result
    assert "No OS keyring" in result.out
    assert settings_of(home)["secrets_source"] == "environment"
    result = cli("check-prereqs", "--json", env=password_env(org))
    assert result.json()["org_id"] == org["org_id"]
    result = cli("check-prereqs")
    assert result.code == ExitCode.KEYRING and "LGCRM_SF_PASSWORD" in result.err


def test_environment_overrides_the_keyring(org, cli, keyring_file):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    result = cli("check-prereqs", env={"LGCRM_SF_PASSWORD": "override-wrong"})
    assert result.code == ExitCode.AUTH and "INVALID_LOGIN" in result.err


def test_later_commands_log_in_again_after_session_expiry(org, cli, keyring_file, control):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    control.fault(
        path="/services/data/v59.0/query",
        status=401,
        error_code="INVALID_SESSION_ID",
        message="Session expired or invalid",
        count=1,
    )
    result = cli("check-prereqs", "--json")
    assert result.json()["org_id"] == org["org_id"], result
    assert control.call("GET", "faults")[0]["fired"] == 1


def test_disconnect_forgets_secrets_and_keeps_state(org, cli, home, keyring_file):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    assert (home / "profiles" / "default" / "state.db").exists()
    result = cli("disconnect")
    assert result.code == 0, result
    assert json.loads(keyring_file.read_text()) == {}
    assert settings_of(home)["connected"] is False
    assert (home / "profiles" / "default" / "state.db").exists()
    result = cli("check-prereqs")
    assert result.code == ExitCode.CONFIG and "lgcrm-sf connect" in result.err


def test_profiles_live_side_by_side(org, cli, home, keyring_file):
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    assert cli("--profile", "second", *connect_args(org), env=password_env(org)).code == 0
    assert cli("--profile", "second", "disconnect").code == 0
    assert settings_of(home)["connected"] is True
    assert settings_of(home, "second")["connected"] is False
    assert cli("--profile", "../escape", "disconnect").code == ExitCode.USAGE


def test_non_interactive_without_yes_is_refused(org, cli, home, keyring_file):
    args = [a for a in connect_args(org) if a != "--yes"]
    result = cli(*args, env=password_env(org))
    assert result.code == ExitCode.CONFIG and "--yes" in result.err
    assert not (home / "profiles" / "default" / "settings.json").exists()
