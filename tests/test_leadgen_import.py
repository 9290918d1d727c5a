"""The Lead Gen & CRM side: the import tool, events, users, leads show, read-only sales data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode
from lgcrm_sf.leadgen.store import LeadGenStore

from .conftest import connect_args, password_env


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def store(home) -> LeadGenStore:
    return LeadGenStore(Profile(home).state_path)


def test_good_and_bad_rows(cli, home, tmp_path):
    csv_file = write(
        tmp_path / "leads.csv",
        (
            "Email,First Name,Last Name,Company,Lead Score,Favourite Colour\n"
            "ana@example.com,Ana,Souza,Padaria,10,blue\n"
            "not-an-email,Bruno,Lima,TechSul,5,red\n"
            ",Carla,Mendes,Agro,1,green\n"
            "ANA@Example.com ,Ana,Souza,Padaria Nova,11,blue\n"
            'diego@example.com,Diego,"Costa, Jr.","Multi\nline Ltd",abc,\n'
            "elisa@example.com,Elisa,Rocha\n"
            "fabio@example.com,Fábio,Gonçalves,Café & Cia,7.5,\n"
        ),
    )
    result = cli("leads", "import", csv_file, "--json")
    assert result.code == ExitCode.RECORD_ERRORS
    report = result.json()
    assert report["created"] == 2 and report["bad"] == 5 and report["rows"] == 7
    assert [b["line"] for b in report["bad_rows"]] == [3, 4, 5, 6, 8]
    reasons = [b["reason"] for b in report["bad_rows"]]
    assert "not an e-mail address: 'not-an-email'" in reasons[0]
    assert reasons[1].startswith("no e-mail")
    assert reasons[2] == "same e-mail as line 2 (ana@example.com): skipped"
    assert reasons[3] == "lead_score 'abc' is not a number"
    assert reasons[4] == "has 3 fields, the header has 6"
    assert any("'Favourite Colour' is not a Lead Gen & CRM field" in w for w in report["warnings"])
    fabio = store(home).by_email("fabio@example.com")
    assert (
        fabio["last_name"] == "Gonçalves" and fabio["lead_score"] == 7.5 and fabio["kind"] == "lead"
    )
    assert store(home).by_email("ana@example.com")["company"] == "Padaria"


def test_bad_rows_are_listed_by_line_in_text(cli, tmp_path):
    csv_file = write(tmp_path / "x.csv", "email,name\nbad,X\nok@example.com,Ok Person\n")
    result = cli("leads", "import", csv_file)
    assert result.code == ExitCode.RECORD_ERRORS
    assert "x.csv line 2: not an e-mail address: 'bad'" in result.out
    assert "created 1" in result.out


@pytest.mark.parametrize(
    "header, delimiter",
    [
        ("Email,First Name,Last Name,Company", ","),
        ("E-mail;First Name;Last Name;Company", ";"),
        ("email_address,first_name,last_name,company_name", ","),
        ("emailAddress\tfirstName\tlastName\tcompanyName", "\t"),
        ("E-mail,Nome,Sobrenome,Empresa", ","),
    ],
)
def test_usual_header_spellings(cli, home, tmp_path, header, delimiter):
    row = delimiter.join(["João@Example.COM".replace("ã", "a"), "João", "Silva", "Acme"])
    result = cli("leads", "import", write(tmp_path / "p.csv", f"{header}\n{row}\n"), "--json")
    assert result.code == 0, result
    person = store(home).by_email("joao@example.com")
    assert (person["first_name"], person["last_name"], person["company"]) == (
        "João",
        "Silva",
        "Acme",
    )


def test_full_name_owner_and_column_map(cli, home, tmp_path):
    assert cli("users", "add", "--email", "Rep@Acme.example", "--name", "Rep One").code == 0
    columns = write(
        tmp_path / "columns.yaml",
        "Correo: email\nPuntos: lead_score\nTamanho: custom.size\nLixo: ignore\n",
    )
    csv_file = write(
        tmp_path / "p.csv",
        "Correo,Name,Puntos,Tamanho,Lixo,Owner\n"
        "x@y.com,Maria da Silva,3,big,zzz,rep@acme.example\n",
    )
    result = cli("leads", "import", csv_file, "--columns", columns, "--kind", "contact", "--json")
    assert result.code == 0, result
    person = store(home).by_email("x@y.com")
    assert (person["first_name"], person["last_name"]) == ("Maria da", "Silva")
    assert (
        person["lead_score"] == 3
        and person["custom"] == {"size": "big"}
        and person["kind"] == "contact"
    )
    assert person["owner_user_id"] == store(home).user_by_email("rep@acme.example")["id"]
    bad_map = write(tmp_path / "bad.yaml", "Correo: e_mail\n")
    result = cli("leads", "import", csv_file, "--columns", bad_map)
    assert (
        result.code == ExitCode.DATA
        and "'e_mail', which is not a Lead Gen & CRM field" in result.err
    )


def test_unknown_owner_is_a_bad_row(cli, tmp_path):
    result = cli(
        "leads",
        "import",
        write(tmp_path / "p.csv", "email,owner\na@b.com,nobody@x.com\n"),
        "--json",
    )
    assert "is not a Lead Gen & CRM user" in result.json()["bad_rows"][0]["reason"]


def test_wrong_encoding_changes_nothing(cli, home, tmp_path):
    text = (
        "email,first_name\n"
        + "".join(f"p{i}@example.com,Ok\n" for i in range(5))
        + "zz@example.com,José\n"
    )
    result = cli("leads", "import", write(tmp_path / "latin1.csv", text, "latin-1"))
    assert result.code == ExitCode.DATA
    assert (
        "latin1.csv line 7 is not valid utf-8" in result.err and "--encoding cp1252" in result.err
    )
    assert store(home).people() == []
    result = cli("leads", "import", tmp_path / "latin1.csv", "--encoding", "cp1252", "--json")
    assert result.code == 0 and result.json()["created"] == 6
    assert store(home).by_email("zz@example.com")["first_name"] == "José"


def test_missing_file_empty_file_and_no_email_column(cli, tmp_path):
    assert cli("leads", "import", tmp_path / "nope.csv").code == ExitCode.USAGE
    assert "is empty" in cli("leads", "import", write(tmp_path / "e.csv", "")).err
    result = cli("leads", "import", write(tmp_path / "n.csv", "name,company\nX,Y\n"))
    assert result.code == ExitCode.DATA and "no e-mail column" in result.err


def test_reimport_updates_and_reactivates(cli, home, tmp_path):
    csv_file = write(tmp_path / "p.csv", "email,first_name,title\nana@example.com,Ana,CEO\n")
    assert cli("leads", "import", csv_file).code == 0
    leadgen = store(home)
    person = leadgen.by_email("ana@example.com")
    with leadgen.db.conn:
        leadgen.deactivate(person["id"], "deleted in Salesforce")
    assert cli("leads", "show", "ana@example.com", "--json").json()["active"] is False
    again = write(tmp_path / "p2.csv", "email,first_name,title\nana@example.com,Ana,\n")
    report = cli("leads", "import", again, "--json").json()
    assert report["reactivated"] == 1 and report["updated"] == 1
    shown = cli("leads", "show", "ana@example.com", "--json").json()
    assert shown["active"] is True and shown["deactivation_reason"] is None
    assert shown["person"]["title"] == "CEO"  # an empty cell changes nothing
    report = cli("leads", "import", again, "--json").json()
    assert report["unchanged"] == 1


def test_per_field_change_times(cli, home, tmp_path):
    cli(
        "leads",
        "import",
        write(tmp_path / "a.csv", "email,first_name,title\nana@example.com,Ana,CEO\n"),
    )
    before = store(home).by_email("ana@example.com")["field_changed_at"]
    cli(
        "leads",
        "import",
        write(tmp_path / "b.csv", "email,first_name,title\nana@example.com,Ana,CTO\n"),
    )
    after = store(home).by_email("ana@example.com")["field_changed_at"]
    assert after["first_name"] == before["first_name"] and after["title"] > before["title"]


def test_events_csv_and_json_lines(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\nbia@example.com\n"))
    leadgen = store(home)
    with leadgen.db.conn:
        leadgen.deactivate(leadgen.by_email("bia@example.com")["id"], "deleted in Salesforce")
    events = write(
        tmp_path / "events.csv",
        (
            "id,email,type,occurred_at,form_name,page_url,email_name,url\n"
            "e1,ana@example.com,email_sent,2026-11-01T10:00:00Z,,,Newsletter Nov,\n"
            "e2,ana@example.com,email_click,2026-11-01T10:05:00-03:00,,,Newsletter Nov,https://acme.example/x\n"
            "e3,bia@example.com,form_submission,2026-11-02 09:00:00,Contact us,https://acme.example/contact,,\n"
            "e4,new@example.com,form_submission,2026-11-02T09:00:00Z,Contact us,/contact,,\n"
            "e5,ghost@example.com,email_open,2026-11-02T09:00:00Z,,,Newsletter Nov,\n"
            "e6,ana@example.com,teleport,2026-11-02T09:00:00Z,,,,\n"
            "e7,ana@example.com,page_visit,yesterday,,,,\n"
        ),
    )
    report = cli("events", "import", events, "--json").json()
    assert report["recorded"] == 4 and report["leads_created"] == 1 and report["reactivated"] == 1
    assert [b["line"] for b in report["bad_rows"]] == [6, 7, 8]
    assert "only a form submission creates one" in report["bad_rows"][0]["reason"]
    again = cli("events", "import", events, "--json").json()
    assert again["recorded"] == 0 and again["duplicates"] == 4
    jsonl = write(
        tmp_path / "events.jsonl",
        "\n".join(
            json.dumps(e)
            for e in [
                {
                    "email": "ana@example.com",
                    "type": "page_visit",
                    "occurred_at": "2026-11-03T12:00:00Z",
                    "url": "https://acme.example/pricing",
                    "title": "Pricing",
                },
                {
                    "email": "ana@example.com",
                    "type": "email_open",
                    "time": "2026-11-03T12:01:00Z",
                    "email_name": "Nov",
                },
            ]
        )
        + "\n{broken\n",
    )
    report = cli("events", "import", jsonl, "--json").json()
    assert report["recorded"] == 2 and report["bad_rows"][0]["line"] == 3
    assert cli("events", "import", jsonl, "--json").json()["duplicates"] == 2  # stable ids
    shown = cli("leads", "show", "ana@example.com", "--json").json()
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds == ["email_sent", "email_click", "page_visit", "email_open"]
    assert shown["events"][1]["details"]["url"] == "https://acme.example/x"
    assert shown["events"][1]["occurred_at"] == "2026-11-01T13:05:00.000Z"
    assert cli("leads", "show", "bia@example.com", "--json").json()["active"] is True


def test_users_and_lists(cli, tmp_path):
    assert cli("users", "add", "--email", "a@acme.example", "--name", "A").code == 0
    assert cli("users", "add", "--email", "A@acme.example", "--name", "Again").code == ExitCode.DATA
    assert cli("users", "add", "--email", "b@acme.example", "--name", "B", "--inactive").code == 0
    users = cli("users", "list", "--json").json()
    assert [(u["email"], u["active"]) for u in users] == [
        ("a@acme.example", 1),
        ("b@acme.example", 0),
    ]
    cli("leads", "import", write(tmp_path / "p.csv", "email\nx@y.com\n"), "--kind", "contact")
    people = cli("leads", "list", "--json", "--kind", "contact").json()
    assert [p["email"] for p in people] == ["x@y.com"]
    assert "x@y.com" in cli("leads", "list").out
    assert cli("leads", "show", "nobody@y.com").code == ExitCode.USAGE


def test_accounts_and_opportunities_are_read_only_while_connected(
    org, cli, home, keyring_file, tmp_path
):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nx@y.com\n"), "--kind", "contact")
    assert cli("accounts", "add", "--name", "Acme").code == 0
    assert cli("opportunities", "add", "--name", "Big deal", "--contact", "x@y.com").code == 0
    assert [
        o["name"] for o in cli("leads", "show", "x@y.com", "--json").json()["opportunities"]
    ] == ["Big deal"]
    assert cli(*connect_args(org), env=password_env(org)).code == 0
    result = cli("accounts", "add", "--name", "Other")
    assert (
        result.code == ExitCode.CONFIG
        and "managed in Salesforce while this profile is connected" in result.err
    )
    result = cli("opportunities", "add", "--name", "Other deal")
    assert result.code == ExitCode.CONFIG
    assert [a["name"] for a in cli("accounts", "list", "--json").json()] == ["Acme"]
    assert cli("disconnect").code == 0
    assert cli("accounts", "add", "--name", "Other").code == 0


def test_a_50_mb_file_imports_in_bounded_memory(home, tmp_path):
    """A 50 MB CSV, imported by the real command in its own process; its peak memory must not
    track the file's size."""
    path = tmp_path / "big.csv"
    filler = "x" * 900
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("email,first_name,last_name,company,description\n")
        i = 0
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(f'person{i}@example.com,Nome{i},Sobrenome,Empresa {i},"{filler}, {i}"\n')
            i += 1
    rows = i
    # VmHWM, not getrusage: Linux keeps ru_maxrss across fork+exec, so the child would
    # report the size of this test runner.
    code = (
        "import re, sys; from lgcrm_sf.cli import run; rc = run(sys.argv[1:]); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
        "sys.exit(rc)"
    )
    env = {**os.environ, "LGCRM_SF_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-c", code, "leads", "import", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report_text, peak_kb = result.stdout.rsplit("\n", 2)[0], int(result.stdout.rsplit("\n", 2)[1])
    assert json.loads(report_text)["created"] == rows
    assert peak_kb / 1024 < 120, f"peak memory {peak_kb / 1024:.0f} MB for a 50 MB file"
    assert store(home).db.execute("SELECT COUNT(*) FROM lg_people").fetchone()[0] == rows
