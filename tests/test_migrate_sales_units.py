"""The pure parts of `migrate sales`: comparing what was sent with what is there now, the
stages: section read both ways, and the stage check before any write."""

from __future__ import annotations

import pytest

from lgcrm_sf.errors import ConfigError
from lgcrm_sf.mapping.loader import default_text, parse
from lgcrm_sf.migrate.sales_org import OrgFacts, check_stages
from lgcrm_sf.migrate.sales_plan import Ref
from lgcrm_sf.migrate.sales_source import SourceOpportunity
from lgcrm_sf.migrate.sales_values import differing, same


def test_values_compare_as_salesforce_answers_them():
    sent = {"Name": "Acme", "Amount": 1000, "Industry": "", "AccountId": "001x"}
    answered = {"Name": "Acme", "Amount": 1000.0, "Industry": None, "AccountId": "001x"}
    assert same(sent, answered) and differing(sent, answered) == []
    assert differing(sent, {**answered, "Amount": 1000.5}) == ["Amount"]
    assert not same({"AccountId": Ref("Account", "1")}, {"AccountId": "001x"})
    assert not same({"Name": "Acme"}, {"Name": "Acme", "Website": "https://a.test"})


def mapping(stages: str):
    parsed, problems = parse(default_text().replace("stages: {}\n", stages), "m.yaml")
    assert problems == [], problems
    return parsed


def test_stages_read_from_deal_stage_to_salesforce_stage():
    m = mapping("stages:\n  Closed Won: Ganho\n  Closed - Won: Ganho\n  Prospecting: Nova\n")
    picklist = ["Prospecting", "Qualification", "Closed Won"]
    assert m.stages == {"Closed Won": "Ganho", "Closed - Won": "Ganho", "Prospecting": "Nova"}
    assert m.stage_names_for("Nova", picklist) == ["Prospecting"]
    assert m.stage_names_for("Ganho", picklist) == ["Closed Won", "Closed - Won"]  # not guessed
    assert m.stage_names_for("Qualification", picklist) == ["Qualification"]  # its own name
    assert m.stage_names_for("Prospecting", picklist) == []  # mapped to another deal stage
    assert m.stage_names_for("Perdido", picklist) == []


def opportunity(stage: str) -> SourceOpportunity:
    return SourceOpportunity("1", "O", stage, "2026-01-01")


def test_the_stage_check_names_every_unmapped_stage_and_wrong_target():
    facts = OrgFacts("005x", stages=["Prospecting", "Closed Won", "Closed Lost"])
    m = mapping("stages:\n  Prospecting: Nova\n  Closed One: Ganho\n")
    check_stages(m, facts, [opportunity("Nova"), opportunity("Closed Lost")])  # these are fine
    with pytest.raises(ConfigError) as unmapped:
        check_stages(m, facts, [opportunity("Nova"), opportunity("X"), opportunity("X")])
    assert "'X' (2 opportunities)" in unmapped.value.message
    assert "Nothing was written" in unmapped.value.message
    with pytest.raises(ConfigError) as wrong:
        check_stages(m, facts, [opportunity("Ganho")])
    assert "Closed One" in wrong.value.message and "Closed Won" in wrong.value.fix
