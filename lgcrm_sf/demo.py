"""`lgcrm-sf demo`: the whole story on the built-in emulator, in one command, offline.

It starts a Salesforce-compatible server with a realistic demo org, makes a throwaway home and
profile (it never touches your keyring or settings: secrets come from its own environment),
and runs the real commands one after another, each shown as you would type it."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from . import i18n
from .errors import LgcrmError
from .i18n import N_, _

# The demo's words, one place.
STEPS = {
    "start": N_("A Salesforce org (the built-in emulator, demo data) is up at {url}"),
    "connect": N_(
        "Connect the integration user (username, password, security token; --yes stands for "
        "typing Confirm)"
    ),
    "prereqs_fail": N_(
        "Check the help article's prerequisites. The demo org starts with 'Marketing User' unticked"
    ),
    "prereqs_fix": N_(
        "The admin follows the fix shown above (Marketing User ticked) and checks again"
    ),
    "backup": N_("Back up Salesforce before integrating, then verify the backup"),
    "prereqs_pass": N_("With a verified backup, every prerequisite passes"),
    "mapping": N_("Check the field mapping (the built-in default) against the org"),
    "import": N_("Import leads and contacts into Lead Gen & CRM, and their marketing events"),
    "dry_run": N_("Dry run: what the first sync would do, without writing anything"),
    "sync1": N_(
        "The first sync: link by e-mail, create on both sides, push engagements as Tasks, pull "
        "opportunities"
    ),
    "change": N_("A change on each side: a title here, a phone number in Salesforce"),
    "conflict": N_(
        "Both sides change the same field: a conflict, settled by the rule (most recent change "
        "wins)"
    ),
    "delete": N_("A sales rep deletes a lead in Salesforce: it is deactivated here, not deleted"),
    "opportunities": N_(
        "Opportunities come one way, from Salesforce: a contact shows its opportunities"
    ),
    "engagements": N_(
        "Marketing engagements in Salesforce: completed Tasks on the leads and contacts"
    ),
    "status": N_("Status: connection, last runs, cursors, pending errors and conflicts"),
    "account_connect": N_(
        "Now the real Lead Gen & CRM account (its API, emulated): connect it with its account "
        "id and secret key, map Salesforce stages to its deal stages, check it"
    ),
    "account_sync": N_(
        "Sync with the account: its leads are read, ours adopted by e-mail, the rest created "
        "there; Salesforce's opportunities and accounts arrive in the account"
    ),
    "account_form": N_(
        "A lead deleted in Salesforce is deactivated in the account; a form fill there "
        "re-activates it, and the next sync creates it in Salesforce again"
    ),
    "account_campaign": N_("An e-mail campaign in the account: its events arrive as Tasks"),
    "account_opportunities": N_("The account's opportunities, read through its API"),
    "end": N_("Done. Everything is in {home}"),
}
NEXT = N_("""Try next:
  lgcrm-sf --home {home} leads list
  lgcrm-sf --home {home} conflicts
  lgcrm-sf --home {home} backup list
  lgcrm-sf --home {home} mapping init --out my-mapping.yaml
Your own org: lgcrm-sf connect --username you@company.com (see README.md).""")

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


HENRIQUE = "henrique.silva0@prospect.example.com.br"
ANA = "ana.souza@padaria.example.com.br"
# The demo org's stages and the account's deal stages.
STAGES = """stages:
  Prospecting: Qualificação
  Qualification: Reunião de apresentação
  Proposal/Price Quote: Proposta enviada
"""


def run_demo(run: Callable[[list[str]], int], console: Console | None = None) -> Path:
    """Run the story; `run` is the CLI's own entry point (each step is a real command). It
    always runs in a fresh temporary home: never the user's (not even one --home or
    LGCRM_SF_HOME names), whose profiles hold a real org's links and secrets."""
    import keyring
    from keyring.backends import fail

    from .emulator.server import Emulator

    console = console or Console(highlight=False)
    home = Path(tempfile.mkdtemp(prefix="lgcrm-sf-demo-"))
    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # never the user's keyring: secrets stay in this process
    saved = {k: os.environ.get(k) for k in SAVED_ENVIRONMENT}
    emulator = Emulator(seed="demo").start()
    try:
        story = _Story(run, console, home, emulator.info)
        story.connect_and_check()
        story.import_and_sync()
        story.changes_on_both_sides()
        story.what_salesforce_shows()
        story.the_real_account()
        story.finish()
        return home
    finally:
        emulator.stop()
        keyring.set_keyring(previous_keyring)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# The variables the demo sets for its own commands, given back as they were afterwards.
SAVED_ENVIRONMENT = (
    "LGCRM_SF_PASSWORD",
    "LGCRM_SF_SECURITY_TOKEN",
    "LGCRM_SF_HOME",
    "LGCRM_SF_PROFILE",
    "LGCRM_SF_LEADGEN_SECRET_KEY",
)


class _Story:
    """The demo's steps, each a heading and real commands, shown as you would type them."""

    def __init__(self, run, console: Console, home: Path, info: dict) -> None:
        from .emulator.control import ControlClient

        self.run, self.console, self.home, self.info = run, console, home, info
        self.control = ControlClient(info)
        self.step_no = 0
        self.language = i18n.current_language()
        os.environ.update(
            LGCRM_SF_PASSWORD=info["password"], LGCRM_SF_SECURITY_TOKEN=info["security_token"]
        )
        os.environ.pop("LGCRM_SF_PROFILE", None)

    def step(self, key: str, **kw) -> None:
        self.step_no += 1
        self.console.print(Rule(f"{self.step_no}. {_(STEPS[key]).format(**kw)}", align="left"))

    def cli(self, *args, expect: tuple[int, ...] = (0,)) -> int:
        shown = " ".join(str(a) for a in args)
        self.console.print(f"$ lgcrm-sf {shown}", style="bold cyan", markup=False)
        # Every step in the language the demo is shown in (`--lang` given to `demo` too).
        where = ["--home", str(self.home), "--profile", "default", "--lang", self.language]
        code = self.run([*where, *map(str, args)])
        if code not in expect:
            raise LgcrmError(
                _("the demo step `lgcrm-sf {command}` exited with {code}").format(
                    command=shown, code=code
                )
            )
        return code

    @functools.cached_property
    def sf(self):
        """The demo acts as a Salesforce user too: the product's own client, logged in."""
        from .salesforce.client import LoginTarget, SalesforceClient, Secrets

        info = self.info
        target = LoginTarget(info["login_url"], info["username"], ca_bundle=info["ca_bundle"])
        return SalesforceClient(target, Secrets(info["password"], info["security_token"])).sf

    def write(self, name: str, text: str) -> Path:
        (self.home / name).write_text(text, encoding="utf-8")
        return self.home / name

    def connect_and_check(self) -> None:
        info, home = self.info, self.home
        self.step("start", url=info["instance_url"])
        self.step("connect")
        self.cli(
            "connect",
            "--username",
            info["username"],
            "--login-url",
            info["login_url"],
            "--ca-bundle",
            info["ca_bundle"],
            "--language",  # the Tasks it writes read like the demo: in the language shown
            self.language,
            "--yes",
        )
        self.step("prereqs_fail")
        self.control.update("User", info["user_id"], {"UserPermissionsMarketingUser": False})
        self.cli("check-prereqs", expect=(6,))
        self.step("prereqs_fix")
        self.control.update("User", info["user_id"], {"UserPermissionsMarketingUser": True})
        self.step("backup")
        self.cli("backup", "--out", home / "backups")
        self.cli("backup", "verify", sorted((home / "backups").iterdir())[-1])
        self.step("prereqs_pass")
        self.cli("check-prereqs")
        self.step("mapping")
        self.cli("mapping", "validate")

    def import_and_sync(self) -> None:
        self.step("import")
        self.cli("leads", "import", self.write("leads.csv", LEADS))
        self.cli("leads", "import", self.write("contacts.csv", CONTACTS), "--kind", "contact")
        self.cli("events", "import", self.write("events.csv", EVENTS))
        self.step("dry_run")
        self.cli("sync", "--dry-run")
        self.step("sync1")
        self.cli("sync")

    def changes_on_both_sides(self) -> None:
        self.step("change")
        change = "email,title\nbruno.lima@techsul.example.com.br,CEO\n"
        self.cli("leads", "import", self.write("change.csv", change))
        camila = _lead(self.sf, "camila.rocha@agrovale.example.com.br")
        self.control.update("Lead", camila, {"Phone": "+55 62 3500-7000"})
        self.cli("sync")
        self.cli("leads", "show", "camila.rocha@agrovale.example.com.br")
        self.step("conflict")
        conflict = "email,title\ndiego.alves@clinica.example.com.br,Diretor Clínico\n"
        self.cli("leads", "import", self.write("conflict.csv", conflict))
        self.control.clock(advance=2)
        diego = _lead(self.sf, "diego.alves@clinica.example.com.br")
        self.control.update("Lead", diego, {"Title": "Diretor Geral"})
        self.cli("sync")
        self.cli("conflicts")

    def what_salesforce_shows(self) -> None:
        sf = self.sf
        self.step("delete")
        self.control.delete("Lead", _lead(sf, "henrique.silva0@prospect.example.com.br"))
        self.cli("sync")
        self.cli("leads", "show", "henrique.silva0@prospect.example.com.br")
        self.step("opportunities")
        role = sf.query("SELECT Contact.Email FROM OpportunityContactRole LIMIT 1")["records"][0]
        self.cli("leads", "show", role["Contact"]["Email"])
        self.step("engagements")
        tasks = sf.query("SELECT Subject, WhoId FROM Task ORDER BY Subject")["records"]
        for task in tasks:
            self.console.print(
                _("  Task: {subject}  (on {who})").format(
                    subject=task["Subject"], who=task["WhoId"]
                ),
                markup=False,
            )
        self.step("status")
        self.cli("status")

    def the_real_account(self) -> None:
        info = self.info
        os.environ["LGCRM_SF_LEADGEN_SECRET_KEY"] = info["leadgen_secret_key"]
        self.step("account_connect")
        account = ("--account-id", info["leadgen_account_id"], "--url", info["leadgen_url"])
        self.cli("leadgen", "connect", *account, "--ca-bundle", info["ca_bundle"], "--yes")
        from .mapping.loader import default_text

        self.cli(
            "mapping",
            "use",
            self.write("mapping.yaml", default_text().replace("stages: {}\n", STAGES)),
        )
        self.cli("check-prereqs")
        self.step("account_sync")
        self.cli("sync")
        self.step("account_form")
        self.control.delete("Lead", _lead(self.sf, HENRIQUE))
        self.cli("sync")  # deactivated in the account (active: 0), not deleted
        self.control.lg_fill_form(HENRIQUE, {"firstName": "Henrique"}, form_name="Fale conosco")
        self.cli("sync")
        self.cli("leads", "show", HENRIQUE)
        self.step("account_campaign")
        ana = self.account.get_leads_by_email(ANA)[0]["id"]
        self.control.lg_send_campaign(
            [int(ana)], subject="Ofertas de dezembro",
            clicks=[{"lead": int(ana), "url": "https://acme.example/ofertas"}],
        )  # fmt: skip
        self.cli("sync")
        for task in self.sf.query("SELECT Subject FROM Task WHERE Subject LIKE '%dezembro%'")[
            "records"
        ]:
            self.console.print(_("  Task: {subject}").format(subject=task["Subject"]), markup=False)
        self.step("account_opportunities")
        for opp in self.account.get_opportunities():
            self.console.print(
                _(
                    "  Opportunity in the account: {name} (close {close}, primary lead {lead})"
                ).format(
                    name=opp["opportunityName"],
                    close=opp["closeDate"][:10],
                    lead=opp["primaryLeadID"],
                ),
                markup=False,
            )

    @functools.cached_property
    def account(self):
        from .leadgen.api import LeadGenClient

        info = self.info
        return LeadGenClient(
            info["leadgen_account_id"], info["leadgen_secret_key"], info["leadgen_url"],
            info["ca_bundle"],
        )  # fmt: skip

    def finish(self) -> None:
        self.step("end", home=self.home)
        self.console.print(_(NEXT).format(home=self.home), markup=False)


def _lead(sf, email: str) -> str:
    with contextlib.suppress(IndexError):
        return sf.query(f"SELECT Id FROM Lead WHERE Email = '{email}'")["records"][0]["Id"]
    raise LgcrmError(_("the demo expected a lead {email} in Salesforce").format(email=email))
