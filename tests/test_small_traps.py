"""The small traps a new user met: --profile after the subcommand, Confirm in any case (a wrong
word exits 3), --version, a list that says what it left out, a backup verified by its catalog
id, remote names printed as they are (never as markup)."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

from lgcrm_sf.config import Profile

from .conftest import connect_args, password_env
from .test_secrets import converse


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"lgcrm-sf {version('lgcrm-sf')}"


def test_profile_after_the_subcommand(cli, home, org, keyring_file):
    assert cli(*connect_args(org), "--profile", "acme", env=password_env(org)).code == 0
    assert (home / "profiles" / "acme" / "settings.json").exists()
    status = cli("status", "--profile", "acme", "--json").json()
    assert status["profile"] == "acme" and status["connected"]
    listed = cli("profiles", "list", "--json").json()
    assert [p["profile"] for p in listed] == ["acme"]


def test_confirm_in_any_case_and_a_wrong_word_exits_3(home, org, tmp_path):
    env = {
        "LGCRM_SF_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "LGCRM_SF_PASSWORD": org["password"],
        "LGCRM_SF_SECURITY_TOKEN": org["security_token"],
        "PATH": "/usr/bin:/bin",
    }
    args = [sys.executable, "-m", "lgcrm_sf.cli", *connect_args(org)[:-1]]  # no --yes
    transcript = converse(args, env, [("Warning: ", "cOnFiRm")])
    assert "Connected profile 'default'" in transcript
    env["LGCRM_SF_HOME"] = str(tmp_path / "other")
    transcript = converse(args + ["--traceback"], env, [("Warning: ", "sure")])
    assert "Nothing was stored" in transcript and "Traceback" not in transcript
    assert not (tmp_path / "other" / "profiles" / "default" / "settings.json").exists()


def test_leads_list_says_what_it_left_out(cli, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email\n" + "".join(f"p{i}@traps.example\n" for i in range(120)))
    assert cli("leads", "import", people).code == 0
    listed = cli("leads", "list")
    assert "showing 100 of 120; use --limit 120" in listed.out
    assert "showing" not in cli("leads", "list", "--limit", "500").out


def test_a_backup_is_verified_by_its_catalog_id(world, tmp_path):
    made = world.cli("backup", "--objects", "Lead", "--out", tmp_path / "b", "--json").json()
    [entry] = world.cli("backup", "list", "--json").json()
    result = world.cli("backup", "verify", str(entry["id"]), "--json")
    assert result.code == 0 and result.json()["path"] == made["path"]


def test_remote_names_with_markup_are_printed_as_they_are(cli, control, keyring_file, home):
    info = control.reset("empty", org_name="Acme [/x] [bold]Ltda")
    result = cli(*connect_args(info), env=password_env(info))
    assert result.code == 0, result
    assert "Acme [/x] [bold]Ltda" in result.out
    assert json.loads(Profile(home).settings_path.read_text())["org_name"] == "Acme [/x] [bold]Ltda"
