"""`lgcrm-sf demo`: the whole story on the built-in emulator, in one command, offline.

It starts a Salesforce-compatible server with a realistic demo org, makes a throwaway home and
profile (it never touches your keyring or settings: secrets come from its own environment),
and runs the real commands one after another, each shown as you would type it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from .errors import LgcrmError

# The demo's words, one place.
STEPS = {
    "start": "A Salesforce org (the built-in emulator, demo data) is up at {url}",
    "connect": "Connect the integration user (username, password, security token; --yes stands for typing Confirm)",
    "prereqs_fail": "Check the help article's prerequisites. The demo org starts with 'Marketing User' unticked",
    "prereqs_fix": "The admin follows the fix shown above (Marketing User ticked) and checks again",
    "backup": "Back up Salesforce before integrating, then verify the backup",
    "prereqs_pass": "With a verified backup, every prerequisite passes",
    "mapping": "Check the field mapping (the built-in default) against the org",
    "import": "Import leads and contacts into Lead Gen & CRM, and their marketing events",
    "dry_run": "Dry run: what the first sync would do, without writing anything",
    "sync1": "The first sync: link by e-mail, create on both sides, push engagements as Tasks, pull opportunities",
    "change": "A change on each side: a title here, a phone number in Salesforce",
    "conflict": "Both sides change the same field: a conflict, settled by the rule (most recent change wins)",
    "delete": "A sales rep deletes a lead in Salesforce: it is deactivated here, not deleted",
    "opportunities": "Opportunities come one way, from Salesforce: a contact shows its opportunities",
    "engagements": "Marketing engagements in Salesforce: completed Tasks on the leads and contacts",
    "status": "Status: connection, last runs, cursors, pending errors and conflicts",
    "end": "Done. Everything is in {home}",
}
NEXT = """Try next:
  lgcrm-sf --home {home} leads list
  lgcrm-sf --home {home} conflicts
  lgcrm-sf --home {home} backup list
  lgcrm-sf --home {home} mapping init --out my-mapping.yaml
Your own org: lgcrm-sf connect --username you@company.com (see README.md)."""

LEADS = """email,first_name,last_name,company,title,phone,lead score
ana.souza@padaria.example.com.br,Ana,Souza,Padaria Pão Quente,Sócia,+55 11 4000-1000,35
bruno.lima@techsul.example.com.br,Bruno,Lima,TechSul Sistemas,CTO,+55 51 3000-2000,80
camila.rocha@agrovale.example.com.br,Camila,Rocha,Agro Vale Verde,Compras,,12
diego.alves@clinica.example.com.br,Diego,Alves,Clínica Bem-Estar,Diretor,,55
henrique.silva0@prospect.example.com.br,Henrique,Silva,Café Serrano,Gerente,,20
"""
CONTACTS = """email,first_name,last_name,title
elisa.prado@moda.example.com.br,Elisa,Prado,CEO
felipe.nunes@logistica.example.com.br,Felipe,Nunes,Operações
"""
EVENTS = """id,email,type,occurred_at,form_name,page_url,email_name,url,title
d1,ana.souza@padaria.example.com.br,form_submission,2026-11-20T13:00:00Z,Fale conosco,https://acme.example/contato,,,
d2,ana.souza@padaria.example.com.br,email_sent,2026-11-21T09:00:00Z,,,Novidades de Novembro,,
d3,ana.souza@padaria.example.com.br,email_click,2026-11-21T09:30:00Z,,,Novidades de Novembro,https://acme.example/planos,
d4,ana.souza@padaria.example.com.br,email_click,2026-11-21T10:00:00Z,,,Novidades de Novembro,https://acme.example/planos,
d5,bruno.lima@techsul.example.com.br,email_sent,2026-11-21T09:00:00Z,,,Novidades de Novembro,,
d6,bruno.lima@techsul.example.com.br,page_visit,2026-11-22T15:00:00Z,,,,https://acme.example/precos,Preços
d7,elisa.prado@moda.example.com.br,form_submission,2026-11-23T11:00:00Z,Pedir demonstração,https://acme.example/demo,,,
"""


def run_demo(run: Callable[[list[str]], int], console: Console | None = None) -> Path:
    """Run the story; `run` is the CLI's own entry point (each step is a real command). It
    always runs in a fresh temporary home: never the user's (not even one --home or
    LGCRM_SF_HOME names), whose profiles hold a real org's links and secrets."""
    import keyring
    from keyring.backends import fail

    from .emulator.control import ControlClient
    from .emulator.server import Emulator

    console = console or Console(highlight=False)
    home = Path(tempfile.mkdtemp(prefix="lgcrm-sf-demo-"))
    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # never the user's keyring: secrets stay in this process
    saved = {
        k: os.environ.get(k)
        for k in (
            "LGCRM_SF_PASSWORD",
            "LGCRM_SF_SECURITY_TOKEN",
            "LGCRM_SF_HOME",
            "LGCRM_SF_PROFILE",
        )
    }
    emulator = Emulator(seed="demo").start()
    try:
        info = emulator.info
        control = ControlClient(info)
        os.environ.update(
            LGCRM_SF_PASSWORD=info["password"], LGCRM_SF_SECURITY_TOKEN=info["security_token"]
        )
        os.environ.pop("LGCRM_SF_PROFILE", None)
        step_no = [0]

        def step(key: str, **kw) -> None:
            step_no[0] += 1
            console.print(Rule(f"{step_no[0]}. {STEPS[key].format(**kw)}", align="left"))

        def cli(*args, expect: tuple[int, ...] = (0,)) -> int:
            shown = " ".join(str(a) for a in args)
            console.print(f"$ lgcrm-sf {shown}", style="bold cyan", markup=False)
            code = run(["--home", str(home), "--profile", "default", *[str(a) for a in args]])
            if code not in expect:
                raise LgcrmError(f"the demo step `lgcrm-sf {shown}` exited with {code}")
            return code

        step("start", url=info["instance_url"])
        step("connect")
        cli(
            "connect",
            "--username",
            info["username"],
            "--login-url",
            info["login_url"],
            "--ca-bundle",
            info["ca_bundle"],
            "--yes",
        )
        step("prereqs_fail")
        control.update("User", info["user_id"], {"UserPermissionsMarketingUser": False})
        cli("check-prereqs", expect=(6,))
        step("prereqs_fix")
        control.update("User", info["user_id"], {"UserPermissionsMarketingUser": True})
        step("backup")
        cli("backup", "--out", home / "backups")
        backup_dir = sorted((home / "backups").iterdir())[-1]
        cli("backup", "verify", backup_dir)
        step("prereqs_pass")
        cli("check-prereqs")
        step("mapping")
        cli("mapping", "validate")
        step("import")
        for name, text in (
            ("leads.csv", LEADS),
            ("contacts.csv", CONTACTS),
            ("events.csv", EVENTS),
        ):
            (home / name).write_text(text, encoding="utf-8")
        cli("leads", "import", home / "leads.csv")
        cli("leads", "import", home / "contacts.csv", "--kind", "contact")
        cli("events", "import", home / "events.csv")
        step("dry_run")
        cli("sync", "--dry-run")
        step("sync1")
        cli("sync")
        step("change")
        (home / "change.csv").write_text(
            "email,title\nbruno.lima@techsul.example.com.br,CEO\n", encoding="utf-8"
        )
        cli("leads", "import", home / "change.csv")
        sf = _login(info)
        camila = _lead(sf, "camila.rocha@agrovale.example.com.br")
        control.update("Lead", camila, {"Phone": "+55 62 3500-7000"})
        cli("sync")
        cli("leads", "show", "camila.rocha@agrovale.example.com.br")
        step("conflict")
        (home / "conflict.csv").write_text(
            "email,title\ndiego.alves@clinica.example.com.br,Diretor Clínico\n", encoding="utf-8"
        )
        cli("leads", "import", home / "conflict.csv")
        control.clock(advance=2)
        control.update(
            "Lead", _lead(sf, "diego.alves@clinica.example.com.br"), {"Title": "Diretor Geral"}
        )
        cli("sync")
        cli("conflicts")
        step("delete")
        control.delete("Lead", _lead(sf, "henrique.silva0@prospect.example.com.br"))
        cli("sync")
        cli("leads", "show", "henrique.silva0@prospect.example.com.br")
        step("opportunities")
        contact = sf.query("SELECT Contact.Email FROM OpportunityContactRole LIMIT 1")["records"][
            0
        ]["Contact"]["Email"]
        cli("leads", "show", contact)
        step("engagements")
        tasks = sf.query("SELECT Subject, WhoId FROM Task ORDER BY Subject")["records"]
        for task in tasks:
            console.print(f"  Task: {task['Subject']}  (on {task['WhoId']})", markup=False)
        step("status")
        cli("status")
        step("end", home=home)
        console.print(NEXT.format(home=home), markup=False)
        return home
    finally:
        emulator.stop()
        keyring.set_keyring(previous_keyring)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _login(info: dict):
    """The demo acts as a Salesforce user too: the product's own client, logged in."""
    from .salesforce.client import LoginTarget, SalesforceClient, Secrets

    target = LoginTarget(info["login_url"], info["username"], ca_bundle=info["ca_bundle"])
    return SalesforceClient(target, Secrets(info["password"], info["security_token"])).sf


def _lead(sf, email: str) -> str:
    with contextlib.suppress(IndexError):
        return sf.query(f"SELECT Id FROM Lead WHERE Email = '{email}'")["records"][0]["Id"]
    raise LgcrmError(f"the demo expected a lead {email} in Salesforce")
