"""A sync's own messages in Brazilian Portuguese (issue 13): what the run says to a person (an
owner the mapping does not name, a record deleted in Salesforce, the dry run's plan) reads in
pt_BR, while --json, log.jsonl and the person's stored deactivation reason stay English."""

from __future__ import annotations

from lgcrm_sf.config import Profile

from .test_sync import FIELDS_MAPPING, OWNERS, _user

PT = {"LANG": "pt_BR.UTF-8", "LGCRM_SF_LANG": ""}
EN = {"LANG": "C", "LGCRM_SF_LANG": ""}
OWNER_EN = "our owner estagio@acme.example is not in the owner mapping"
OWNER_PT = "o nosso proprietário estagio@acme.example está fora do mapeamento de proprietários"
# What two runs of the same dry run share (not their run id, time or API calls).
SAME = ("status", "exit_code", "summary", "messages", "plan", "plan_total")


def _an_unmapped_owner_and_a_deleted_lead(world) -> str:
    _user(world, "rep@acme-brasil.example")
    for email, name in (
        ("vendas@acme.example", "Vendas"),
        ("admin@acme.example", "Admin"),
        ("estagio@acme.example", "Estagio"),
    ):
        assert world.cli("users", "add", "--email", email, "--name", name).code == 0
    world.use_mapping(
        FIELDS_MAPPING.format(rule="latest_change")
        + OWNERS.format(integration=world.info["user_id"])
    )
    world.import_people("email,first_name,last_name\nbia@x.example,Bia,Lima\n")
    world.sync()
    [lead] = world.sf_find("Lead", "bia@x.example")
    world.control.delete("Lead", lead["Id"])
    # a new person whose owner Salesforce cannot take: the next run names it
    world.import_people("email,first_name,owner\nana@x.example,Ana,estagio@acme.example\n")
    return lead["Id"]


def test_a_dry_runs_messages_and_plan_read_in_portuguese_and_json_stays_english(world):
    lead = _an_unmapped_owner_and_a_deleted_lead(world)
    shown = world.cli("sync", "--dry-run", "--no-backup-check", env=PT)
    assert shown.code == 0, shown
    text = " ".join(shown.out.split())  # the terminal wraps long lines
    assert OWNER_PT in text and "Mapeie-o na seção owners: do mapeamento." in text
    assert "excluído no Salesforce" in text and "novo no Lead Gen & CRM" in text
    assert OWNER_EN not in text and "deleted in Salesforce" not in text

    english = world.cli("sync", "--dry-run", "--no-backup-check", "--json", env=EN).json()
    portuguese = world.cli("sync", "--dry-run", "--no-backup-check", "--json", env=PT).json()
    assert {k: english[k] for k in SAME} == {k: portuguese[k] for k in SAME}
    assert any(OWNER_EN in m for m in portuguese["messages"])
    [gone] = [p for p in portuguese["plan"] if p["field"] == "deactivate"]
    assert gone["to"].startswith(f"deleted in Salesforce (Lead {lead}) on ")
    assert gone["rule"] == "deleted in Salesforce"


def test_a_runs_messages_and_a_deactivation_reason_in_portuguese_only_for_people(world):
    lead = _an_unmapped_owner_and_a_deleted_lead(world)
    shown = world.cli("sync", "--no-backup-check", env=PT)
    assert shown.code == 0, shown
    assert OWNER_PT in " ".join(shown.out.split())
    log = Profile(world.home).log_path.read_text(encoding="utf-8")
    assert OWNER_EN in log and "proprietário" not in log

    person = world.cli("leads", "show", "bia@x.example", env=PT)
    assert f"desativado: excluído no Salesforce (Lead {lead}) em " in " ".join(person.out.split())
    english = world.cli("leads", "show", "bia@x.example", "--json", env=EN)
    portuguese = world.cli("leads", "show", "bia@x.example", "--json", env=PT)
    assert english.out == portuguese.out
    reason = portuguese.json()["deactivation_reason"]
    assert reason.startswith(f"deleted in Salesforce (Lead {lead}) on ")


def test_a_record_error_the_sync_words_reads_in_portuguese_in_status(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.control.create("Lead", {"Email": "ana@x.example", "LastName": "Um", "Company": "A"})
    world.control.create("Lead", {"Email": "ana@x.example", "LastName": "Dois", "Company": "B"})
    report = world.sync()
    assert any("matches 2 Salesforce Leads" in m for m in report["messages"])
    shown = world.cli("status", env=PT)
    text = " ".join(shown.out.split())
    assert "2 registros de Lead têm este e-mail" in text, shown
    status = world.cli("status", "--json", env=PT).json()
    messages = {e["message"] for e in status["record_errors"]}
    assert messages == {"AMBIGUOUS_EMAIL: 2 Leads have this e-mail"}


def test_a_stored_english_text_is_reread_in_the_chosen_language_and_others_are_left_alone():
    from lgcrm_sf import i18n
    from lgcrm_sf.engine.lifecycle import MESSAGES

    stored = "deleted in Salesforce (Lead 00Q1) on 2026-11-20T10:00:00.000Z"
    i18n.use("pt_BR")
    try:
        assert i18n.reread(stored, MESSAGES.values()) == (
            "excluído no Salesforce (Lead 00Q1) em 2026-11-20T10:00:00.000Z"
        )
        assert i18n.reread("moved by hand", MESSAGES.values()) == "moved by hand"
        assert i18n.reread(None, MESSAGES.values()) is None
    finally:
        i18n.use("en")
    assert i18n.reread(stored, MESSAGES.values()) == stored
