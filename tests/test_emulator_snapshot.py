"""A world prepared once and copied per case: the org kept under a name and brought back."""

from __future__ import annotations

import pytest

from lgcrm_sf.emulator.server import Emulator

from .conftest import login


def test_restore_brings_back_the_org_as_it_was(org, control):
    kept = control.create("Lead", {"LastName": "Kept", "Company": "C", "Email": "k@x.example"})
    control.settings(api_max=500)
    control.snapshot("before")
    control.update("Lead", kept, {"LastName": "Changed"})
    control.create("Lead", {"LastName": "Later", "Company": "C"})
    control.settings(api_max=900)
    now = control.clock(advance=3600)

    info = control.restore("before")
    sf = login(info)  # sessions are dropped: a fresh login, with the same credentials
    names = {r["LastName"] for r in sf.query("SELECT LastName FROM Lead")["records"]}
    assert names == {"Kept"}
    assert control.settings()["api_max"] == 500
    assert control.clock() >= now  # time does not go back
    assert sf.Lead.create({"LastName": "Again", "Company": "C"})["id"] != kept
    control.restore("before")  # a snapshot serves any number of cases
    assert login(info).query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_a_data_file_org_is_restored_in_place(tmp_path):
    with Emulator(data=str(tmp_path / "org.sqlite")) as emulator:
        sf = login(emulator.info)
        sf.Lead.create({"LastName": "One", "Company": "C"})
        emulator.snapshot("one")
        sf.Lead.create({"LastName": "Two", "Company": "C"})
        emulator.restore("one")
        assert login(emulator.info).query("SELECT COUNT() FROM Lead")["totalSize"] == 1
    with Emulator(data=str(tmp_path / "org.sqlite")) as emulator:  # and it stays restored
        assert login(emulator.info).query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_an_unknown_snapshot_is_refused(org, control):
    with pytest.raises(RuntimeError, match="no snapshot"):
        control.restore("never-taken")
