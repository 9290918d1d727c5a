"""The tool in Brazilian Portuguese (issue 13): the language comes from --lang, LGCRM_SF_LANG or
the locale variables (never from an installed locale: nothing here needs pt_BR generated), the
machine's output does not change with it, and what the sync writes into Salesforce follows the
profile's own `language`, whatever the shell says."""

from __future__ import annotations

import json

import pytest

from lgcrm_sf import i18n
from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

from .test_opportunities_engagements import events, tasks

PT = {"LANG": "pt_BR.UTF-8", "LGCRM_SF_LANG": ""}
EN = {"LANG": "C", "LGCRM_SF_LANG": ""}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "pt_BR.UTF-8"}, "pt_BR"),
        ({"LANG": "pt_BR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "pt_BR.UTF-8"}, "pt_BR"),
        ({"LC_ALL": "en_US.UTF-8", "LANGUAGE": "pt_BR:en"}, "pt_BR"),
        ({"LANGUAGE": "fr:pt_BR"}, "pt_BR"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "pt_BR.UTF-8", "LGCRM_SF_LANG": "en"}, "en"),
        ({"LANG": "C", "LGCRM_SF_LANG": "pt-BR"}, "pt_BR"),
    ],
)
def test_the_language_comes_from_the_environment_in_gettexts_order(environ, language):
    assert i18n.language_from_environment(environ) == language


def test_a_translated_message_keeps_its_english():
    i18n.use("pt_BR")
    try:
        message = i18n._("{file} does not exist.").format(file="a.csv")
        assert message == "a.csv não existe."
        assert i18n.english(message) == "a.csv does not exist."
        assert i18n.english(i18n._("error: {text}").format(text=message)) == (
            "error: a.csv does not exist."
        )
    finally:
        i18n.use("en")


def test_lang_option_beats_the_environment_and_refuses_other_languages(cli):
    shown = cli("--lang", "pt-BR", "profiles", "list", env=EN)
    assert shown.code == 0 and "Ainda não há perfis" in shown.out
    shown = cli("profiles", "list", "--lang", "en", env=PT)  # a global option, after too
    assert shown.code == 0 and "No profiles in" in shown.out
    refused = cli("--lang", "fr", "profiles", "list", env=PT)
    assert refused.code == ExitCode.USAGE
    assert "--lang 'fr'" in refused.err and "pt_BR" in refused.err
    refused = cli("profiles", "list", env={"LGCRM_SF_LANG": "klingon"})
    assert refused.code == ExitCode.USAGE and "LGCRM_SF_LANG" in refused.err


def test_clicks_own_words_and_errors_are_portuguese(cli):
    helped = cli("sync", "--help", env=PT)
    assert "Uso: " in helped.out and "Opções" in helped.out
    assert "Mostra esta mensagem e sai." in helped.out
    assert "Sincroniza leads e contatos" in helped.out
    wrong = cli("sync", "--no-such-option", env=PT)
    assert wrong.code == ExitCode.USAGE
    assert wrong.err.startswith("erro: Opção inexistente: --no-such-option")
    assert "Como corrigir: veja `lgcrm-sf sync --help`." in wrong.err
    typo = cli("synk", env=PT)
    assert "Comando 'synk' inexistente. Você quis dizer 'sync'?" in typo.err


def test_portuguese_for_people_and_the_same_json_for_machines(world):
    world.import_people("email,first_name,last_name\nana@x.example,Ana,Souza\n")
    world.sync()
    shown = world.cli("status", env=PT)
    assert shown.code == 0
    assert "Perfil default: conectado a" in shown.out and "Últimas execuções" in shown.out
    missing = world.cli("leads", "show", "nobody@x.example", env=PT)
    assert missing.err.startswith("erro: Nenhum lead ou contato com o e-mail nobody@x.example")
    for args in (
        ("status", "--json"),
        ("check-prereqs", "--json"),
        ("conflicts", "--json"),
        ("leads", "show", "ana@x.example", "--json"),
        ("leads", "show", "nobody@x.example", "--json"),
        ("mapping", "validate", "--json"),
        ("sync", "--no-such-option", "--json"),
    ):
        english, portuguese = world.cli(*args, env=EN), world.cli(*args, env=PT)
        assert (english.code, english.out, english.err) == (
            portuguese.code,
            portuguese.out,
            portuguese.err,
        ), args
    prereqs = json.loads(world.cli("check-prereqs", "--json", env=PT).out)
    assert any("Run `lgcrm-sf backup`" in (c["remediation"] or "") for c in prereqs["checks"])


def test_the_log_keeps_the_english_of_a_failed_run(world, home):
    settings = Profile(home).settings_path
    data = json.loads(settings.read_text())
    data["ca_bundle"] = str(world.tmp / "gone.pem")
    settings.write_text(json.dumps(data))
    failed = world.cli("sync", "--no-backup-check", env=PT)
    assert failed.code == ExitCode.CONFIG and "não existe mais" in failed.err
    log = Profile(home).log_path
    if log.exists():  # a failure before the run's record names nothing in the log
        assert "não existe" not in log.read_text()


def test_tasks_follow_the_profiles_language_not_the_shell(world):
    world.import_people("email,first_name,last_name\nana@x.example,Ana,Souza\nbia@x.example,,\n")
    set_pt = world.cli("profiles", "set", "--language", "pt_BR", "--tz", "America/Sao_Paulo")
    assert set_pt.code == 0, set_pt
    events(world, "f1,ana@x.example,form_submission,2026-11-20T10:00:00Z,Fale conosco,,,,\n")
    world.cli("sync", "--no-backup-check", env=EN)
    assert [t["Subject"] for t in tasks(world)] == ["Formulário enviado: Fale conosco"]
    assert "Quando: 2026-11-20T10:00:00" in tasks(world)[0]["Description"]
    [bia] = world.sf_find("Lead", "bia@x.example")
    assert bia["LastName"] == "[não informado]"

    assert world.cli("profiles", "set", "--language", "en").code == 0
    events(world, "f2,ana@x.example,form_submission,2026-11-21T10:00:00Z,Contact us,,,,\n")
    world.cli("sync", "--no-backup-check", env=PT)
    subjects = sorted(t["Subject"] for t in tasks(world))
    # the first Task is not sent again in the new language
    assert subjects == ["Form submitted: Contact us", "Formulário enviado: Fale conosco"]
    settings = json.loads(Profile(world.home).settings_path.read_text())
    assert (settings["language"], settings["timezone"]) == ("en", "America/Sao_Paulo")


def test_a_profile_connected_before_gets_the_orgs_language_at_its_next_run(world):
    path = Profile(world.home).settings_path
    data = json.loads(path.read_text())
    data.pop("language"), data.pop("timezone")
    path.write_text(json.dumps(data))
    world.sync()
    data = json.loads(path.read_text())
    # the emulator org's LanguageLocaleKey and TimeZoneSidKey
    assert (data["language"], data["timezone"]) == ("pt_BR", "America/Sao_Paulo")


def test_times_and_numbers_in_the_profiles_zone_and_the_languages_formats(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.sync()
    assert world.cli("profiles", "set", "--tz", "America/Sao_Paulo").code == 0
    runs = world.cli("status", env=PT).out
    started = json.loads(world.cli("status", "--json").out)["last_runs"][0]["started_at"]
    from lgcrm_sf import clock

    local = clock.parse(started).astimezone(__import__("zoneinfo").ZoneInfo("America/Sao_Paulo"))
    assert local.strftime("%d/%m/%Y %H:%M") in runs
    utc = world.cli("--tz", "UTC", "status", env=PT).out
    assert clock.parse(started).strftime("%d/%m/%Y %H:%M") in utc
    bad = world.cli("--tz", "Mars/Olympus", "status")
    assert bad.code == ExitCode.USAGE and "Mars/Olympus" in bad.err


def test_event_times_in_the_profiles_language_and_zone(world):
    world.import_people("email,first_name\nana@x.example,Ana\n")
    world.cli("profiles", "set", "--language", "pt_BR", "--tz", "America/Sao_Paulo")
    path = world.tmp / "eventos.csv"
    path.write_text(
        "id,email,type,occurred_at,form_name\n"
        "e1,ana@x.example,form_submission,25/11/2026 09:00,Pedir orçamento\n"
        "e2,ana@x.example,form_submission,2026-11-25T09:00:00Z,Fale conosco\n"
        "e3,ana@x.example,form_submission,11/25/2026 09:00,Errado\n"
    )
    # the machine's own zone does not decide: the same file, the same instants
    shown = world.cli("events", "import", path, env={**PT, "TZ": "Asia/Tokyo"})
    assert "America/Sao_Paulo" in shown.out and "fuso horário do perfil" in shown.out
    assert "'11/25/2026 09:00'" in shown.out and "25/11/2026 09:00" in shown.out
    report = world.cli("events", "import", path, "--json")
    assert json.loads(report.out)["time_zone"] == "America/Sao_Paulo"
    events_of = json.loads(world.cli("leads", "show", "ana@x.example", "--json").out)["events"]
    times = sorted(e["occurred_at"] for e in events_of)
    assert times == ["2026-11-25T09:00:00.000Z", "2026-11-25T12:00:00.000Z"]

    world.cli("profiles", "set", "--language", "en", "--tz", "UTC")
    path.write_text(
        "id,email,type,occurred_at,form_name\ne4,ana@x.example,form_submission,"
        "11/26/2026 09:00,Contact us\n"
    )
    assert json.loads(world.cli("events", "import", path, "--json").out)["recorded"] == 1
    events_of = json.loads(world.cli("leads", "show", "ana@x.example", "--json").out)["events"]
    assert "2026-11-26T09:00:00.000Z" in {e["occurred_at"] for e in events_of}


def test_a_bad_rows_reason_reads_in_portuguese_and_stays_english_in_json(cli, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text('email,first_name\nana@x.example,"An\x01a"\nbo@x.example,"Bo\n', "utf-8")
    shown = cli("leads", "import", people, env=PT)
    assert shown.code == 1
    assert "coluna 2 'first_name' contém U+0001 (um caractere de controle)" in shown.out, shown.out
    assert "tem uma aspa que abre a coluna 2 'first_name' na linha 3 e nunca é fechada" in shown.out
    english = json.loads(cli("leads", "import", people, "--json", env=EN).out)
    portuguese = json.loads(cli("leads", "import", people, "--json", env=PT).out)
    assert portuguese["bad_rows"] == english["bad_rows"]
    assert english["bad_rows"][0]["reason"].startswith("column 2 'first_name' holds U+0001")
    events = tmp_path / "events.json"
    events.write_text('[{"type": "form_submit", "email": "ana@x.example"}, 7]', "utf-8")
    shown = cli("events", "import", events, env=PT)
    assert "elemento [1]: não é um objeto JSON" in shown.out, shown.out


def test_mapping_problems_read_in_portuguese_and_stay_english_in_json(cli, tmp_path):
    broken = tmp_path / "mapping.yaml"
    broken.write_text(
        "version: 1\nobjects:\n  lead:\n    salesforce: Contact\n    fields:\n"
        "      - {leadgen: email, salesforce: Email, direction: pull}\n",
        "utf-8",
    )
    shown = cli("mapping", "validate", broken, env=PT)
    assert "objects.lead sincroniza com Lead do Salesforce, não com Contact" in shown.out
    english = cli("mapping", "validate", broken, "--json", env=EN)
    portuguese = cli("mapping", "validate", broken, "--json", env=PT)
    assert english.code == portuguese.code == ExitCode.CONFIG
    assert english.out == portuguese.out
    problem = json.loads(english.out)["problems"][0]
    assert problem["message"] == "objects.lead syncs with Salesforce Lead, not Contact."
    assert problem["fix"] == "use `salesforce: Lead`."
