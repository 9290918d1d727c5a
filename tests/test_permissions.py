"""Everything the tool creates is its owner's only: directories 0700, files 0600 (the state
database's -wal and -shm files too). A home the user made is left as it is, with a warning
when others can read it. A killed backup's hidden work directory is removed by the next
backup, unless a backup still holds it."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat

from lgcrm_sf.config import Profile

from .conftest import connect_args, password_env


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_what_the_tool_creates_is_owner_only(world, home, tmp_path):
    world.import_people("email,first_name\nana@perm.example,Ana\n")
    world.sync()
    made = world.cli("backup", "--objects", "Lead", "--json").json()
    profile = Profile(home)
    reader = sqlite3.connect(profile.state_path)  # an open connection keeps -wal and -shm
    reader.execute("SELECT COUNT(*) FROM links").fetchone()
    try:
        for path in (home, home / "profiles", profile.dir, home / "backups", made["path"]):
            assert mode(path) == 0o700, path
        files = [
            profile.state_path,
            profile.settings_path,
            profile.lock_path,
            profile.log_path,
            *(p for p in profile.dir.glob("state.db-*")),
            *(p for p in os.scandir(made["path"]) if p.is_file()),
        ]
        assert any(str(f).endswith("-wal") for f in files)
        for path in files:
            assert mode(path) == 0o600, path
    finally:
        reader.close()


def test_a_home_the_user_made_is_not_chmoded_but_named(
    cli, tmp_path, monkeypatch, org, keyring_file
):
    home = tmp_path / "shared-home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    monkeypatch.setenv("LGCRM_SF_HOME", str(home))
    result = cli(*connect_args(org), env=password_env(org))
    assert result.code == 0
    assert mode(home) == 0o755
    assert "readable by other users" in result.err and f"chmod 700 {home}" in result.err
    assert mode(home / "profiles" / "default") == 0o700


def test_a_killed_backups_work_directory_is_removed_by_the_next(world, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    abandoned = out / ".00Dabandoned-20261128T000000Z.partial"
    abandoned.mkdir()
    (abandoned / "Lead.csv").write_text("half a file")
    (abandoned / ".lock").write_text("")  # its backup died: nobody holds the lock
    busy = out / ".00Dbusy-20261128T000001Z.partial"
    busy.mkdir()
    with open(busy / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another backup at work
        result = world.cli("backup", "--objects", "Lead", "--out", out, "--json")
        assert result.code == 0, result
    assert not abandoned.exists() and busy.exists()
    finished = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert len(finished) == 1 and not (finished[0] / ".lock").exists()
