"""`mapping validate`, `mapping use` and `mapping init` in a profile connected to a Lead Gen & CRM
account: the marketing-side fields are checked against the account's getFields (custom fields
as custom.<systemName>) and the stages: section against both sides (the org's
Opportunity.StageName picklist and the account's getDealStages); an unknown name stops with
exit 3, every problem listed at its line with its fix, and a refused file changes nothing."""

from __future__ import annotations

import json
import textwrap

from lgcrm_sf.config import Profile
from lgcrm_sf.errors import ExitCode

from .account_world import AccountWorld

MAPPING = """\
version: 1
objects:
  lead:
    salesforce: Lead
    fields:
      - {{leadgen: email, salesforce: Email, direction: bidirectional}}
      - {{leadgen: custom.{known}, salesforce: Title, direction: push}}
      - {{leadgen: {unknown}, salesforce: Industry, direction: push}}
stages:
  Prospecting: {deal_stage}
  {sf_stage}: Proposta enviada
"""


def write(aw: AccountWorld, name: str, **values):
    path = aw.world.tmp / name
    path.write_text(textwrap.dedent(MAPPING.format(**values)))
    return path


def custom_field(aw: AccountWorld, label: str) -> str:
    return aw.lg.lg_add_field(label)["systemName"]


def mapping_file(aw: AccountWorld) -> str | None:
    return json.loads(Profile(aw.world.home).settings_path.read_text()).get("mapping_file")


def test_validate_lists_every_unknown_field_and_stage_on_both_sides(account_world: AccountWorld):
    aw = account_world
    known = custom_field(aw, "Segmento")
    path = write(
        aw, "bad.yaml", known=known, unknown="custom.segmentoo", deal_stage="Qualificacao",
        sf_stage="Prospectng",
    )  # fmt: skip
    result = aw.world.cli("mapping", "validate", path)
    assert result.code == ExitCode.CONFIG, result
    out = result.out + result.err
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert len(errors) == 3, out
    # the unknown custom field, at its line, with the account's real one suggested
    assert "bad.yaml:8:19: error: custom.segmentoo is not a custom field" in out
    assert f"did you mean 'custom.{known}'?" in out
    # the deal stage the account lacks (line 10) and the StageName the org lacks (line 11)
    assert "bad.yaml:10:" in out and "no deal stage 'Qualificacao'" in out
    assert "did you mean 'Qualificação'?" in out
    assert "bad.yaml:11:" in out and "Opportunity.StageName has no active value 'Prospectng'" in out
    assert f"custom.{known} is not" not in out  # the field the account has passes
    calls = aw.lg.lg_counters()["by_method"]
    assert calls.get("getFields") == 1 and calls.get("getDealStages") == 1


def test_validate_json_says_the_account_was_checked(account_world: AccountWorld):
    aw = account_world
    known = custom_field(aw, "Segmento")
    path = write(
        aw, "good.yaml", known=known, unknown="title", deal_stage="Qualificação",
        sf_stage="Closed Won",
    )  # fmt: skip
    result = aw.world.cli("mapping", "validate", path, "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["ok"] and report["checked_against_account"] is True
    assert report["checked_against_org"] is True and report["problems"] == []
    text = aw.world.cli("mapping", "validate", path)
    assert "and the connected Lead Gen & CRM account" in text.out


def test_use_refuses_an_unknown_account_field_and_keeps_the_profile_as_it_was(
    account_world: AccountWorld,
):
    aw = account_world
    before = mapping_file(aw)
    path = write(
        aw, "bad.yaml", known="nao_existe_123", unknown="title", deal_stage="Ganho",
        sf_stage="Closed Won",
    )  # fmt: skip
    result = aw.world.cli("mapping", "use", path)
    assert result.code == ExitCode.CONFIG, result
    assert "still uses" in result.err
    assert "bad.yaml:7:19: error: custom.nao_existe_123 is not a custom field" in result.err
    assert "bad.yaml:10:" in result.err and "no deal stage 'Ganho'" in result.err
    assert "Fix: " in result.err
    assert mapping_file(aw) == before
    # the administrator creates the field in the account and fixes the stage: accepted at once
    known = custom_field(aw, "Nao existe")
    good = write(
        aw, "good.yaml", known=known, unknown="title", deal_stage="Negociação",
        sf_stage="Closed Won",
    )  # fmt: skip
    assert aw.world.cli("mapping", "use", good).code == 0
    assert mapping_file(aw) == str(good.resolve())


def test_a_custom_field_the_account_does_not_have_stops_the_file_not_a_local_profile(
    world, tmp_path
):
    """Local mode: no account to ask, custom fields are ours (nothing new is refused)."""
    path = tmp_path / "local.yaml"
    path.write_text(
        MAPPING.format(
            known="anything", unknown="title", deal_stage="Whatever", sf_stage="Closed Won"
        )
    )
    result = world.cli("mapping", "validate", path, "--json")
    assert result.code == 0, result
    assert result.json()["checked_against_account"] is False


def test_init_lists_the_accounts_fields_custom_ones_included(account_world: AccountWorld):
    aw = account_world
    known = custom_field(aw, "Canal de origem")
    out = aw.world.tmp / "init.yaml"
    result = aw.world.cli("mapping", "init", "--out", out)
    assert result.code == 0, result
    text = out.read_text()
    assert "#   first_name: First Name (string)" in text
    assert "#   postal_code: Zip" in text  # our name for the account's zipcode
    assert f"#   custom.{known}: Canal de origem" in text
    assert "Qualificação" in text and "Proposta enviada" in text  # the deal stages
    # the written file is valid against both sides as it is
    assert aw.world.cli("mapping", "validate", out).code == 0


def test_an_unreachable_account_is_said_not_silently_passed(account_world: AccountWorld):
    aw = account_world
    path = write(
        aw, "any.yaml", known="nao_existe_123", unknown="title", deal_stage="Ganho",
        sf_stage="Closed Won",
    )  # fmt: skip
    aw.lg.lg_fault(unavailable=True, count=None)
    result = aw.world.cli("mapping", "validate", path, "--json")
    aw.lg.lg_clear_faults()
    report = result.json()
    assert result.code == 0 and report["checked_against_account"] is False
    assert "could not be read" in report["account_not_checked"]
    text = aw.world.cli("mapping", "validate", path)
    assert text.code == ExitCode.CONFIG  # reachable again: the same file is refused


def test_a_mapping_edited_after_use_is_checked_by_the_sync_against_the_account(
    account_world: AccountWorld,
):
    """The file the profile uses, edited in place: a field created in the account a minute ago
    is taken at once (a problem seen with the remembered fields is checked again against a
    fresh read); a field the account lacks stops the sync before it reads or writes anything
    (exit 3, the line named); and a quiet run asks the account nothing about its fields."""
    aw = account_world
    known = custom_field(aw, "Segmento")
    path = write(
        aw, "live.yaml", known=known, unknown="title", deal_stage="Negociação",
        sf_stage="Closed Won",
    )  # fmt: skip
    assert aw.world.cli("mapping", "use", path).code == 0
    good = path.read_text()
    path.write_text(good.replace("leadgen: title", "leadgen: custom.canal_inexistente"))
    aw.lg.lg_reset_counters()
    result = aw.world.cli("sync", "--no-backup-check")
    assert result.code == ExitCode.CONFIG, result
    # nothing remembered yet: the account's fields read once, not again for the problem
    assert aw.lg.lg_counters()["by_method"] == {"getFields": 1, "getDealStages": 1}
    path.write_text(good)
    aw.create("ana@example.org", lastName="Souza")
    aw.sync()  # the account's fields are remembered from here
    fresh = custom_field(aw, "Canal novo")
    path.write_text(path.read_text().replace("leadgen: title", f"leadgen: custom.{fresh}"))
    aw.sync()
    path.write_text(path.read_text().replace(f"custom.{fresh}", "custom.canal_inexistente"))
    aw.lg.lg_reset_counters()
    result = aw.world.cli("sync", "--no-backup-check")
    assert result.code == ExitCode.CONFIG, result
    assert "live.yaml:8:" in result.err, result.err
    assert "custom.canal_inexistente is not a custom field" in result.err
    assert "nothing was synced" in result.err
    calls = aw.lg.lg_counters()["by_method"]
    assert set(calls) == {"getFields", "getDealStages"}, calls  # no lead read, none written
    path.write_text(path.read_text().replace("custom.canal_inexistente", f"custom.{fresh}"))
    aw.lg.lg_reset_counters()
    aw.sync()
    calls = aw.lg.lg_counters()["by_method"]
    assert "getFields" not in calls and "getDealStages" not in calls, calls
