"""Kill -9 an account-mode sync at every call it makes to the Lead Gen & CRM account, and show
that a rerun converges to the state an uninterrupted run reaches, with no duplicate lead in the
account or in Salesforce, and no duplicate opportunity in the account.

The emulator holds the k-th account call (a fault with `after` and latency) and the test kills
the sync process while it is held, then releases the call (clears the faults); the server still
runs the call, as the vendor's would when a client dies mid-call: the worst case for a create.
The world is prepared once (the org as an emulator snapshot, the profile's home as a directory,
the account's leads as a list) and copied for each case; the account needs no snapshot: its
leads are re-created in a fraction of a second."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from lgcrm_sf.emulator.control import ControlClient

from .account_helpers import account_client
from .conftest import connect_args, login
from .test_leadgen_connect import connect_account_args
from .test_sync_crash import Prepared, cli, cli_env
from .world import default_with_score_and_link, kill_when_held, wait_until_served

HOLD_MS = 20_000  # never waited out: a case releases the held call after the kill
STAGES = "stages:\n  Prospecting: Qualificação\n"


def account_leads() -> list[dict]:
    leads = [
        {"emailAddress": f"acct{i}@crash.example", "firstName": f"Acct{i}", "lastName": "Lima",
         "companyName": f"Empresa {i}", "leadStatus": "contact" if i % 5 == 0 else "open"}
        for i in range(25)
    ]  # fmt: skip
    leads.append({"emailAddress": "Shared@crash.example", "firstName": "Shared", "lastName": "P"})
    return leads


def setup_org(control: ControlClient) -> dict:
    from lgcrm_sf.emulator.seed import CONTACT_CUSTOM_FIELDS, LEAD_CUSTOM_FIELDS

    info = control.reset(
        "empty", custom_fields={"Lead": LEAD_CUSTOM_FIELDS, "Contact": CONTACT_CUSTOM_FIELDS}
    )
    for i in range(6):
        control.create(
            "Lead", {"LastName": f"SF{i}", "Company": "SF Co", "Email": f"sf{i}@crash.example"}
        )
    control.create("Lead", {"LastName": "P", "Company": "SF Co", "Email": "shared@crash.example"})
    contact = control.create("Contact", {"LastName": "Contato", "Email": "buyer@crash.example"})
    account = control.create("Account", {"Name": "Padaria Crash"})
    opportunity = control.create(
        "Opportunity",
        {"Name": "Plano Crash", "StageName": "Prospecting", "CloseDate": "2026-12-31",
         "AccountId": account},
    )  # fmt: skip
    control.create("OpportunityContactRole", {"OpportunityId": opportunity, "ContactId": contact})
    return info


def fresh_account(control: ControlClient) -> None:
    control.lg_reset("empty")
    control.lg_settings(rate_per_second=100_000)
    control.lg_create_leads_raw(account_leads())


def account_env(info: dict, home: Path) -> dict:
    env = cli_env(info, home)
    env.update(
        LGCRM_SF_LEADGEN_SECRET_KEY=info["leadgen_secret_key"],
        LGCRM_SF_LEADGEN_CALLS_PER_SECOND="100000",
    )
    return env


@pytest.fixture(scope="module")
def prepared(emulator, tmp_path_factory) -> Prepared:
    control = ControlClient(emulator.info)
    tmp = tmp_path_factory.mktemp("account-prepared")
    info = setup_org(control)
    fresh_account(control)
    env = account_env(info, tmp / "home")
    cli(env, *connect_args(info))
    cli(env, *connect_account_args(info))
    mapping = tmp / "mapping.yaml"
    mapping.write_text(default_with_score_and_link().replace("stages: {}\n", STAGES))
    cli(env, "mapping", "use", str(mapping))
    control.snapshot("account-crash-world")
    return Prepared(Path(env["LGCRM_SF_HOME"]), "account-crash-world")


def copy_world(prepared: Prepared, control: ControlClient, target: Path) -> tuple[dict, dict]:
    info, _ = prepared.copy(control, target)
    fresh_account(control)
    control.lg_reset_counters()
    return info, account_env(info, target)


def state(info: dict) -> dict:
    """Both sides as the user sees them; duplicates fail here."""
    sf = login(info)
    out = {}
    for sobject, fields in (("Lead", "Email, FirstName, LastName, Company"),
                            ("Contact", "Email, FirstName, LastName")):  # fmt: skip
        rows = sf.query_all(f"SELECT {fields} FROM {sobject}")["records"]
        emails = [r["Email"].lower() for r in rows]
        assert len(emails) == len(set(emails)), f"duplicate {sobject} in Salesforce"
        out[sobject] = sorted(tuple(str(r[f.strip()]) for f in fields.split(",")) for r in rows)
    api = account_client(info)
    leads = api.read_all("getLeads", "lead")  # the active ones
    emails = [x["emailAddress"].lower() for x in leads]
    assert len(emails) == len(set(emails)), "duplicate lead in the account"
    known = {e[0].lower() for rows in out.values() for e in rows}
    known |= {x["emailAddress"].lower() for x in account_leads()}
    for email in sorted(known - set(emails)):  # inactive ones are found by e-mail
        found = api.get_leads_by_email(email)
        assert len(found) <= 1, f"duplicate lead {email} in the account"
        leads += found
    out["account"] = sorted(
        (x["emailAddress"].lower(), x["firstName"], x["lastName"], x["active"], x["leadStatus"])
        for x in leads
    )
    opportunities = [o["opportunityName"] for o in api.get_opportunities()]
    assert len(opportunities) == len(set(opportunities)), "duplicate opportunity in the account"
    out["opportunities"] = sorted(opportunities)
    out["accounts"] = sorted(a["accountName"] for a in api.get_accounts())
    out["opportunity_leads"] = len(api.get_opportunity_leads())
    return out


@pytest.fixture(scope="module")
def reference(emulator, prepared, tmp_path_factory):
    control = ControlClient(emulator.info)
    info, env = copy_world(prepared, control, tmp_path_factory.mktemp("account-ref") / "home")
    cli(env, "sync", "--no-backup-check")
    calls = control.lg_counters()["total"]
    cli(env, "sync", "--no-backup-check")
    return state(info), calls


def test_the_reference_run_is_complete(reference):
    expected, calls = reference
    assert len(expected["account"]) == 26 + 6 + 1  # the account's, SF's leads and the contact
    assert expected["opportunities"] == ["Plano Crash"]
    assert expected["accounts"] == ["Padaria Crash"] and expected["opportunity_leads"] == 1
    assert calls >= 8


def kill_while_account_call_held(control: ControlClient, env: dict):
    return kill_when_held(
        lambda: control.lg_faults()[0]["fired"] > 0, env, ("sync", "--no-backup-check")
    )


@pytest.mark.parametrize("kill_at", range(1, 15))
def test_killed_at_each_account_call_and_rerun_converges(
    reference, prepared, control, tmp_path, kill_at
):
    expected, calls = reference
    if kill_at > calls:
        pytest.skip(f"the first sync makes only {calls} account calls")
    info, env = copy_world(prepared, control, tmp_path / "home")
    control.lg_fault(latency_ms=HOLD_MS, after=kill_at - 1, count=1)
    process = kill_while_account_call_held(control, env)
    assert process.returncode == -signal.SIGKILL  # killed mid-run, not finished
    control.lg_clear_faults()  # releases the held call
    wait_until_served(control)  # which still runs on the server
    cli(env, "sync", "--no-backup-check")
    cli(env, "sync", "--no-backup-check")
    assert state(info) == expected


# Creates sent while the account is read (engine/early_jobs.py): the world is small, so the
# thresholds are too; the early job then goes out with the read's last batch and is still
# unsettled at every account call that follows (events, the pushes to the account).
EARLY = "early_job_rows=1,bulk_write_threshold=1"


@pytest.fixture(scope="module")
def early_reference(emulator, prepared, tmp_path_factory):
    control = ControlClient(emulator.info)
    info, env = copy_world(prepared, control, tmp_path_factory.mktemp("account-early") / "home")
    env["LGCRM_SF_TUNING"] = EARLY
    cli(env, "sync", "--no-backup-check")
    jobs = [j for j in login(info).restful("jobs/ingest")["records"] if j["object"] == "Lead"]
    calls = control.lg_counters()["total"]
    cli(env, "sync", "--no-backup-check")
    return state(info), calls, jobs


def test_creates_sent_early_give_what_the_usual_send_gives(reference, early_reference):
    expected, _ = reference
    early, _, jobs = early_reference
    assert early == expected
    assert len(jobs) >= 1 and all(j["state"] == "JobComplete" for j in jobs)


@pytest.mark.parametrize("early", [False, True])
def test_creates_go_out_while_the_account_is_still_read_only_past_the_threshold(
    reference, prepared, control, tmp_path, early
):
    """Held at the account's events call (after the leads, before any write): the creates are
    in Salesforce's hands already when there are enough of them, else not yet; killed there,
    the rerun converges either way."""
    expected, _ = reference
    info, env = copy_world(prepared, control, tmp_path / "home")
    if early:
        env["LGCRM_SF_TUNING"] = EARLY
    control.lg_fault(latency_ms=HOLD_MS, method="getEventsByType", count=1)
    process = kill_while_account_call_held(control, env)
    assert process.returncode == -signal.SIGKILL
    jobs = [j for j in login(info).restful("jobs/ingest")["records"] if j["object"] == "Lead"]
    assert len(jobs) == (1 if early else 0)
    control.lg_clear_faults()
    wait_until_served(control)
    cli(env, "sync", "--no-backup-check")
    cli(env, "sync", "--no-backup-check")
    assert state(info) == expected


@pytest.mark.parametrize("kill_at", range(1, 15))
def test_killed_with_creates_sent_early_and_rerun_converges(
    reference, early_reference, prepared, control, tmp_path, kill_at
):
    expected, _ = reference
    _, calls, _ = early_reference
    if kill_at > calls:
        pytest.skip(f"the first sync makes only {calls} account calls")
    info, env = copy_world(prepared, control, tmp_path / "home")
    env["LGCRM_SF_TUNING"] = EARLY
    control.lg_fault(latency_ms=HOLD_MS, after=kill_at - 1, count=1)
    process = kill_while_account_call_held(control, env)
    assert process.returncode == -signal.SIGKILL
    control.lg_clear_faults()
    wait_until_served(control)
    cli(env, "sync", "--no-backup-check")
    cli(env, "sync", "--no-backup-check")
    assert state(info) == expected
