"""`lgcrm-sf demo` in a fresh home, as a newcomer runs it: no network, no keyring backend."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from .demo_run import snapshot


def test_demo_runs_the_whole_story_and_never_touches_an_existing_home(demo_runs):
    # The run (tests/demo_run.py) is shared with test_i18n_done.py: the demo is long.
    english = demo_runs["en"]
    result, mine, before = english.result, english.mine, english.before
    out = result.stdout
    assert snapshot(mine) == before and "is not touched" in out
    home = Path(re.search(r"Done\. Everything is in (\S+)", out).group(1))
    assert home != mine and home.is_dir()
    for text in (
        "Connected profile 'default'",
        "Marketing User is not",
        "Backup verified.",
        "All prerequisites pass.",
        "valid; checked against",
        "Dry run:",
        "Sync run 3: ok",
        "Conflicts",
        "deactivated: deleted in Salesforce",
        "Plano Anual",
        "Task: Form submitted: Fale conosco",
        "Lead Gen & CRM account: secret key available",
        "Lead Gen & CRM account: lead",
        "Task: Marketing e-mail sent: Ofertas de dezembro",
        "Opportunity in the account:",
        "Done. Everything is in",
        "lgcrm-sf --home",
    ):
        assert text in out, text
    assert "Traceback" not in out + result.stderr
    db = sqlite3.connect(home / "profiles" / "default" / "state.db")
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    # Local mode first: 7 imported, 36 from Salesforce, one matched by e-mail; then the account
    # (connected at the end) brings its own leads: adopted by e-mail, never duplicated.
    assert one("SELECT COUNT(*) FROM lg_people") == one(
        "SELECT COUNT(DISTINCT email) FROM lg_people"
    )
    assert one("SELECT COUNT(*) FROM lg_people") >= 7 + 24 + 12 - 1
    assert one("SELECT COUNT(*) FROM lg_people WHERE active = 1 AND account_lead_id IS NULL") == 0
    assert one(
        "SELECT active FROM lg_people WHERE email = 'henrique.silva0@prospect.example.com.br'"
    )  # deleted in Salesforce, re-activated by a form fill in the account
    assert one("SELECT COUNT(*) FROM conflicts WHERE field = 'title'") == 1
    assert (
        one("SELECT title FROM lg_people WHERE email = 'diego.alves@clinica.example.com.br'")
        == "Diretor Geral"
    )
    assert one("SELECT COUNT(*) FROM backups WHERE verified = 1") == 1
    assert one("SELECT COUNT(*) FROM lg_opportunities WHERE deleted = 0") == 6
    assert one("SELECT COUNT(*) FROM lg_opportunities WHERE account_remote_id IS NOT NULL") == 6
    assert one("SELECT COUNT(*) FROM runs WHERE status NOT IN ('ok', 'dry_run')") == 0
    assert (home / "profiles" / "default" / "log.jsonl").exists()
