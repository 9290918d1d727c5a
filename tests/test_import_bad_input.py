"""Import files that used to lose data (issue 10, item 12): cells over the size limit, quotes
that are never closed, events in a JSON array, control characters. Every bad row is reported by
line with a reason, the rows around it are stored, and the exit code says some rows were bad."""

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

MIB = 1 << 20
HEADER = "email,first_name,description\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def store(home) -> LeadGenStore:
    return LeadGenStore(Profile(home).state_path)


def emails(home) -> list[str]:
    return sorted(p["email"] for p in store(home).people())


def events(home) -> list[tuple]:
    return store(home).db.execute("SELECT id, kind FROM lg_events ORDER BY id").fetchall()


def good_rows(count: int) -> list[str]:
    return [f"p{i}@example.com,P{i},ok {i}" for i in range(count)]


def run_in_own_process(home, *args) -> tuple[int, str, float]:
    """The real command in its own process: exit code, stdout and peak memory (MB)."""
    # VmHWM, not getrusage: Linux keeps ru_maxrss across fork+exec.
    code = (
        "import re, sys; from lgcrm_sf.cli import run; rc = run(sys.argv[1:]); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
        "sys.exit(rc)"
    )
    env = {**os.environ, "LGCRM_SF_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out, peak_kb = result.stdout.rsplit("\n", 2)[:2] if result.stdout else ("", "0")
    return result.returncode, out + result.stderr, int(peak_kb or 0) / 1024


# --- cell size --------------------------------------------------------------------------------
@pytest.mark.parametrize("quoted", [False, True], ids=["one-line", "quoted-multi-line"])
@pytest.mark.parametrize("where", ["first", "middle", "last", "last-without-newline"])
def test_a_cell_over_1_mib_is_one_bad_row_and_the_others_go_in(cli, home, tmp_path, where, quoted):
    if quoted:
        line = 'a line of notes, with a comma and a doubled "" quote inside\n'
        big = '"' + line * (MIB // (len(line) - 1) + 1) + '"'  # "" is one character
    else:
        big = "x" * (MIB + 1)
    rows = good_rows(4)
    at = {"first": 0, "middle": 2}.get(where, 4)
    rows.insert(at, f"big@example.com,Big,{big}")
    text = HEADER + "\n".join(rows) + ("" if where == "last-without-newline" else "\n")
    result = cli("leads", "import", write(tmp_path / "big.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert report["created"] == 4 and report["bad"] == 1
    [bad] = report["bad_rows"]
    assert bad["line"] == 2 + at
    assert "'description'" in bad["reason"] and "1 MiB" in bad["reason"]
    assert emails(home) == [f"p{i}@example.com" for i in range(4)]
    assert store(home).by_email("p3@example.com")["description"] == "ok 3"


def test_cells_up_to_1_mib_import_and_the_limit_counts_utf8_bytes(cli, home, tmp_path):
    cells = {
        "kib200@example.com": "y" * 200_000,  # over the csv module's default 128 KiB
        "exactly@example.com": "z" * MIB,
        "accents@example.com": "é" * (MIB // 2),  # 1 MiB in UTF-8
        "over@example.com": "é" * (MIB // 2) + "a",  # one byte over
        "multiline@example.com": '"' + "line\n" * 50_000 + '"',
    }
    text = HEADER + "".join(f"{email},N,{cell}\n" for email, cell in cells.items())
    result = cli("leads", "import", write(tmp_path / "sizes.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [5]
    assert "'description'" in report["bad_rows"][0]["reason"]
    leadgen = store(home)
    assert len(leadgen.by_email("kib200@example.com")["description"]) == 200_000
    assert leadgen.by_email("exactly@example.com")["description"] == "z" * MIB
    assert leadgen.by_email("accents@example.com")["description"] == "é" * (MIB // 2)
    assert leadgen.by_email("multiline@example.com")["description"].count("line") == 50_000
    assert leadgen.by_email("over@example.com") is None


def test_cell_over_the_limit_in_an_events_csv(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    text = (
        "id,email,type,occurred_at,title\n"
        "e1,ana@example.com,page_visit,2026-11-01T10:00:00Z,Home\n"
        f"e2,ana@example.com,page_visit,2026-11-01T10:01:00Z,{'t' * (MIB + 10)}\n"
        "e3,ana@example.com,page_visit,2026-11-01T10:02:00Z,Pricing\n"
    )
    result = cli("events", "import", write(tmp_path / "events.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [3]
    assert "'title'" in report["bad_rows"][0]["reason"]
    assert events(home) == [("e1", "page_visit"), ("e3", "page_visit")]


@pytest.mark.parametrize("quoted", [False, True], ids=["one-line", "quoted-multi-line"])
def test_a_huge_cell_is_one_bad_row_in_bounded_memory(home, tmp_path, quoted):
    """A 96 MiB cell (it could be 1 GB) ends as one bad row; the file is never held whole."""
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "a@example.com,A,before\nhuge@example.com,Huge,")
        handle.write('"' if quoted else "")
        chunk = ("notes, notes\n" if quoted else "n") * (MIB // (13 if quoted else 1))
        for _ in range(96):
            handle.write(chunk)
        handle.write('"' if quoted else "")
        handle.write("\nb@example.com,B,after\n")
    code, out, peak_mb = run_in_own_process(home, "leads", "import", path, "--json")
    assert code == ExitCode.RECORD_ERRORS, out
    report = json.loads(out[: out.rindex("}") + 1])
    assert [b["line"] for b in report["bad_rows"]] == [3]
    assert "1 MiB" in report["bad_rows"][0]["reason"]
    assert emails(home) == ["a@example.com", "b@example.com"]
    assert peak_mb < 110, f"peak memory {peak_mb:.0f} MB for a 96 MiB cell"


# --- quotes -----------------------------------------------------------------------------------
def test_an_unterminated_quote_is_a_bad_row_and_the_rows_after_it_import(cli, home, tmp_path):
    text = (
        "email,first_name,company\n"
        'ana@example.com,Ana,"Padaria\nda ""Esquina"""\n'  # lines 2-3: a legal multi-line cell
        'bia@example.com,"Bia,Acme\n'  # line 4: the quote never closes
        "caio@example.com,Caio,TechSul\n"
        "dani@example.com,Dani,Agro\n"
    )
    result = cli("leads", "import", write(tmp_path / "q.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    [bad] = report["bad_rows"]
    assert bad["line"] == 4
    assert "never closed" in bad["reason"] and "line 4" in bad["reason"]
    assert "read again" in bad["reason"]
    assert emails(home) == ["ana@example.com", "caio@example.com", "dani@example.com"]
    assert store(home).by_email("ana@example.com")["company"] == 'Padaria\nda "Esquina"'
    assert store(home).by_email("caio@example.com")["company"] == "TechSul"


@pytest.mark.parametrize(
    "newline, bom, final_newline",
    [("\r\n", False, True), ("\n", True, True), ("\r\n", True, False), ("\n", False, False)],
    ids=["crlf", "bom", "bom-crlf-no-final-newline", "no-final-newline"],
)
def test_unterminated_quotes_with_crlf_bom_and_no_final_newline(
    cli, home, tmp_path, newline, bom, final_newline
):
    lines = [
        "email,first_name,company",
        'ana@example.com,Ana,"Padaria',
        'da Esquina"',
        'bia@example.com,Bia,"Acme',  # line 4: never closed
        "caio@example.com,Caio,TechSul",
        'dani@example.com,Dani,"Agro',  # line 6: never closed either
        "eva@example.com,Eva,Tech",
    ]
    text = ("\ufeff" if bom else "") + newline.join(lines) + (newline if final_newline else "")
    result = cli("leads", "import", write(tmp_path / "q.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [4, 6]
    assert emails(home) == ["ana@example.com", "caio@example.com", "eva@example.com"]
    assert store(home).by_email("ana@example.com")["company"] == f"Padaria{newline}da Esquina"
    assert store(home).by_email("eva@example.com")["company"] == "Tech"


def test_a_quote_left_open_and_closed_by_a_later_row_swallows_nothing(cli, home, tmp_path):
    """A quoted cell that spans lines and 'closes' with a quote followed by text is not a
    legal CSV cell: it is the quote of a later row. The rows in between are read again."""
    text = (
        "email,first_name,company\n"
        'ana@example.com,Ana,"Padaria\n'  # line 2: never properly closed
        "bia@example.com,Bia,Acme\n"
        'caio@example.com,Caio,"TechSul"\n'  # this quote 'closes' line 2's, then text follows
        "dani@example.com,Dani,Agro\n"
    )
    result = cli("leads", "import", write(tmp_path / "q.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [2]
    assert "line 2" in report["bad_rows"][0]["reason"]
    assert emails(home) == ["bia@example.com", "caio@example.com", "dani@example.com"]
    assert store(home).by_email("caio@example.com")["company"] == "TechSul"


def test_an_unterminated_quote_before_more_than_1_mib_of_rows(cli, home, tmp_path):
    rows = good_rows(40_000)
    rows.insert(1, 'open@example.com,"Open,never closed')
    text = HEADER + "\n".join(rows) + "\n"
    assert len(text) > MIB
    result = cli("leads", "import", write(tmp_path / "long.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [3]
    assert "never closed" in report["bad_rows"][0]["reason"]
    assert report["created"] == 40_000
    assert store(home).by_email("p39999@example.com")["first_name"] == "P39999"


def test_an_unterminated_quote_on_the_header_is_a_file_error(cli, home, tmp_path):
    text = 'email,"first_name,company\nana@example.com,Ana,Padaria\nbia@example.com,Bia,Acme\n'
    result = cli("leads", "import", write(tmp_path / "h.csv", text))
    assert result.code == ExitCode.DATA, result
    assert "h.csv" in result.err and "header" in result.err and "line 1" in result.err
    assert store(home).people() == []
    events_file = write(tmp_path / "e.csv", 'email,"type,occurred_at\nana@example.com,x,y\n')
    result = cli("events", "import", events_file)
    assert result.code == ExitCode.DATA and "e.csv" in result.err and "header" in result.err


def test_an_unterminated_quote_in_an_events_csv(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    text = (
        "id,email,type,occurred_at,title\n"
        'e1,ana@example.com,page_visit,2026-11-01T10:00:00Z,"Home\n'
        "e2,ana@example.com,page_visit,2026-11-01T10:01:00Z,Pricing\n"
    )
    result = cli("events", "import", write(tmp_path / "events.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    assert [b["line"] for b in result.json()["bad_rows"]] == [2]
    assert events(home) == [("e2", "page_visit")]


# --- control characters -----------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1b", "\x1f", "\ufffe"])
def test_a_control_character_in_any_cell_is_a_bad_row(cli, home, tmp_path, char):
    text = (
        "email,first_name,company,unmapped\n"
        f"ana@example.com,An{char}a,Padaria,\n"
        f"bia@example.com,Bia,Acme,x{char}\n"  # even in a column that is not imported
        'caio@example.com,Caio,"Tech\tSul\r\nLtda",\n'  # tabs and line breaks are text
    )
    result = cli("leads", "import", write(tmp_path / "c.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [2, 3]
    assert "'first_name'" in report["bad_rows"][0]["reason"]
    assert f"U+{ord(char):04X}" in report["bad_rows"][0]["reason"]
    assert "'unmapped'" in report["bad_rows"][1]["reason"]
    assert emails(home) == ["caio@example.com"]
    assert store(home).by_email("caio@example.com")["company"] == "Tech\tSul\r\nLtda"


def test_a_nul_in_an_events_file_is_a_bad_row(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    text = (
        "id,email,type,occurred_at,title\n"
        "e1,ana@example.com,page_visit,2026-11-01T10:00:00Z,Ho\x00me\n"
        "e2,ana@example.com,page_visit,2026-11-01T10:01:00Z,Pricing\n"
    )
    result = cli("events", "import", write(tmp_path / "events.csv", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    [bad] = result.json()["bad_rows"]
    assert bad["line"] == 2 and "'title'" in bad["reason"] and "U+0000" in bad["reason"]
    lines = [
        {
            "id": "j1",
            "email": "ana@example.com",
            "type": "page_visit",
            "time": "2026-11-02T10:00:00Z",
            "title": "a\u0000b",
        },
        {
            "id": "j2",
            "email": "ana@example.com",
            "type": "page_visit",
            "time": "2026-11-02T10:01:00Z",
            "title": "lone \ud800 surrogate",
        },
        {
            "id": "j3",
            "email": "ana@example.com",
            "type": "page_visit",
            "time": "2026-11-02T10:02:00Z",
            "title": "fine",
        },
    ]
    jsonl = write(tmp_path / "events.jsonl", "\n".join(json.dumps(e) for e in lines) + "\n")
    result = cli("events", "import", jsonl, "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert [b["line"] for b in report["bad_rows"]] == [1, 2]
    assert "'title'" in report["bad_rows"][0]["reason"]
    assert events(home) == [("e2", "page_visit"), ("j3", "page_visit")]


# --- events in JSON ---------------------------------------------------------------------------
def event(i: int, **extra) -> dict:
    return {
        "id": f"a{i}",
        "email": "ana@example.com",
        "type": "page_visit",
        "occurred_at": f"2026-11-01T10:{i:02d}:00Z",
        "url": f"https://acme.example/{i}",
        **extra,
    }


@pytest.mark.parametrize(
    "name, indent", [("events.json", 2), ("events.txt", None), ("events.jsonl", 2)]
)
def test_a_json_array_of_events_imports_like_json_lines(cli, home, tmp_path, name, indent):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    items = [event(0), event(1, type="teleport"), "not an object", event(3)]
    text = json.dumps(items, indent=indent)
    path = write(tmp_path / name, "\ufeff" + text + "\n")
    result = cli("events", "import", path, "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    report = result.json()
    assert report["recorded"] == 2 and report["bad"] == 2
    reasons = [b["reason"] for b in report["bad_rows"]]
    assert "[1]" in reasons[0] and "unknown event type 'teleport'" in reasons[0]
    assert "[2]" in reasons[1] and "not a JSON object" in reasons[1]
    # each element is reported from the line it starts on
    starts = [n for n, line in enumerate(text.split("\n"), 1) if line[:3] in ("  {", '  "')]
    assert [b["line"] for b in report["bad_rows"]] == (starts[1:3] if indent else [1, 1])
    assert events(home) == [("a0", "page_visit"), ("a3", "page_visit")]


def test_a_broken_json_array_keeps_the_events_before_the_break(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    text = json.dumps([event(0), event(1)], indent=2)[:-2] + ',\n  {"id": "a2", "email": \n'
    result = cli("events", "import", write(tmp_path / "cut.json", text), "--json")
    assert result.code == ExitCode.RECORD_ERRORS, result
    [bad] = result.json()["bad_rows"]
    assert bad["line"] == text.count("\n", 0, text.index('{"id": "a2"')) + 1
    assert "[2]" in bad["reason"] and "not valid JSON" in bad["reason"]
    assert events(home) == [("a0", "page_visit"), ("a1", "page_visit")]


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("events.json", '"just a string"', "a JSON string"),
        ("events.json", "42\n", "a JSON number"),
        ("events.jsonl", "null", "null"),
        ("events.json", '{"events": [{"type": "page_visit"}]}', "not an event"),
        ("events.json", '{\n  "name": "export",\n  "count": 2\n}\n', "not an event"),
        ("events.json", "email,type\nana@example.com,page_visit\n", "not valid JSON"),
        ("events.json", "", "is empty"),
        ("events.json", "[]", "no events"),
    ],
)
def test_a_json_file_that_holds_no_events_is_a_file_error(cli, home, tmp_path, name, text, words):
    result = cli("events", "import", write(tmp_path / name, text))
    assert result.code == ExitCode.DATA, result
    assert name in result.err and words in result.err
    assert events(home) == []


def test_one_pretty_printed_event_object_imports(cli, home, tmp_path):
    cli("leads", "import", write(tmp_path / "p.csv", "email\nana@example.com\n"))
    path = write(tmp_path / "one.json", json.dumps(event(5), indent=2))
    result = cli("events", "import", path, "--json")
    assert result.code == 0, result
    assert events(home) == [("a5", "page_visit")]


def test_a_large_json_array_is_read_one_event_at_a_time(home, tmp_path):
    """20,000 events with long titles (about 50 MB of JSON): memory stays well under what the
    parsed array alone would take."""
    cli_csv = write(tmp_path / "p.csv", "email\nana@example.com\n")
    code, out, _ = run_in_own_process(home, "leads", "import", cli_csv)
    assert code == 0, out
    path = tmp_path / "many.json"
    title = "t" * 2500
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[\n")
        for i in range(20_000):
            item = {
                "id": f"m{i}",
                "email": "ana@example.com",
                "type": "page_visit",
                "occurred_at": f"2026-11-01T10:00:{i % 60:02d}Z",
                "title": f"{title} {i}",
            }
            handle.write(("," if i else "") + json.dumps(item) + "\n")
        handle.write("]\n")
    code, out, peak_mb = run_in_own_process(home, "events", "import", path, "--json")
    assert code == 0, out
    assert json.loads(out[: out.rindex("}") + 1])["recorded"] == 20_000
    assert store(home).db.execute("SELECT COUNT(*) FROM lg_events").fetchone()[0] == 20_000
    assert peak_mb < 110, f"peak memory {peak_mb:.0f} MB for a 50 MB JSON array"
