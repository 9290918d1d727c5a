"""The one error ladder (cli/_errors.py) on its own: what nobody foresaw is one line and exit
70 (never 1, which cron reads as record errors), with the traceback only when asked for; a path
the file system refuses is named and exits 3."""

from __future__ import annotations

import json

import pytest

from lgcrm_sf.cli._errors import run_guarded
from lgcrm_sf.errors import ExitCode


def boom():
    raise RuntimeError("a bug nobody foresaw")


def test_the_unforeseen_is_one_line_and_exit_70(capsys, monkeypatch):
    monkeypatch.delenv("LGCRM_SF_DEBUG", raising=False)
    assert run_guarded(boom, ["sync"]) == ExitCode.INTERNAL == 70
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("error: an unexpected error stopped the command (RuntimeError: a bug")
    assert "--traceback" in line


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_traceback_shows_when_asked_for(capsys, monkeypatch, how):
    argv = ["--traceback", "sync"] if how == "option" else ["sync"]
    if how == "environment":
        monkeypatch.setenv("LGCRM_SF_DEBUG", "1")
    else:
        monkeypatch.delenv("LGCRM_SF_DEBUG", raising=False)
    assert run_guarded(boom, argv) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "a bug nobody foresaw" in err
    assert err.strip().splitlines()[-1].startswith("error: an unexpected error")


def test_the_unforeseen_under_json_is_one_object_on_stdout(capsys, monkeypatch):
    monkeypatch.delenv("LGCRM_SF_DEBUG", raising=False)
    assert run_guarded(boom, ["sync", "--json"]) == 70
    out, err = capsys.readouterr()
    assert err == ""
    answer = json.loads(out)
    assert answer["ok"] is False and answer["exit_code"] == 70
    assert answer["error"]["kind"] == "internal"


@pytest.mark.parametrize(
    "error",
    [
        PermissionError(13, "Permission denied", "/srv/backups/Lead.csv"),
        OSError(28, "No space left on device", "/srv/backups/Lead.csv"),
        NotADirectoryError(20, "Not a directory", "/srv/backups/Lead.csv"),
    ],
    ids=["permission", "disk full", "not a directory"],
)
def test_a_path_the_file_system_refuses_is_named_and_exits_3(capsys, error):
    def refused():
        raise error

    assert run_guarded(refused, ["backup"]) == ExitCode.CONFIG
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: /srv/backups/Lead.csv: ") and "Fix:" in line


def test_an_os_error_without_a_path_is_still_unforeseen(capsys):
    def refused():
        raise OSError("something odd")

    assert run_guarded(refused, ["backup"]) == 70
